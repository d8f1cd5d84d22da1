"""JSON Schemas of scenario and experiment files, for editors' completion and validation.

Generated from the pydantic models, so they cannot drift from what the loader
accepts.  Checks that need the whole file (ids that must exist, date order,
value ranges) are the loader's: a file valid under the schema can still get
errors from ``munisim validate``.
"""

from __future__ import annotations

from typing import Any

from munisim.config.experiment import Experiment
from munisim.config.scenario import Scenario

__all__ = ["scenario_schema", "experiment_schema", "SCHEMA_KINDS"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _one_or_many(prop: dict[str, Any]) -> dict[str, Any]:
    """A list property that the loader also accepts as a single item."""
    return {"anyOf": [prop["items"], {k: v for k, v in prop.items() if k not in ("title", "description")}],
            **{k: prop[k] for k in ("title", "description", "default") if k in prop}}


def _shorthands(schema: dict[str, Any]) -> None:
    """Add the short forms the loader accepts before validation (see the models' ``mode="before"`` validators)."""
    defs = schema.get("$defs", {})
    if "Fixed" in defs:  # a plain number, or {value: v, source: id}, or {dist: fixed, value: v}
        fixed = defs["Fixed"]
        fixed.setdefault("properties", {})["dist"] = {"const": "fixed"}
        defs["Fixed"] = {"anyOf": [{"type": "number"}, fixed], "description": fixed.get("description", "")}
    props = schema.get("properties", {})
    if "figures" in props and "items" in props["figures"]:
        props["figures"] = _one_or_many(props["figures"])
    for model, field in (("Transfer", "recurring"), ("Front", "rationing")):
        if model in defs and field in defs[model].get("properties", {}):
            defs[model]["properties"][field] = _one_or_many(defs[model]["properties"][field])
    if "Factory" in defs and "availability" in defs["Factory"].get("properties", {}):
        avail = defs["Factory"]["properties"]["availability"]
        avail["anyOf"] = [{"$ref": "#/$defs/Fixed"}, {"$ref": "#/$defs/Uniform"}, {"$ref": "#/$defs/Triangular"},
                          {"$ref": "#/$defs/Pert"}, *avail["anyOf"]]
        avail["description"] = "A daily up share (a value), or {share} or {mtbf_days, mttr_days}."


def _schema(model: type, title: str, description: str) -> dict[str, Any]:
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    _shorthands(schema)
    return {"$schema": _DIALECT, "title": title, "description": description, **{k: v for k, v in schema.items()
                                                                                   if k not in ("title", "description")}}


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Examples
    --------
    >>> schema = scenario_schema()
    >>> sorted(schema["required"])
    ['end', 'munitions', 'name', 'sides', 'start', 'stockpiles']
    """
    return _schema(Scenario, "munisim scenario",
                   "A munisim scenario file (docs/scenarios.md). Every number may be a plain value or a "
                   "distribution; entities are mappings keyed by id.")


def experiment_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an experiment file (docs/sweeps.md)."""
    return _schema(Experiment, "munisim experiment",
                   "A munisim experiment file: a scenario, factors, a design and outcomes (docs/sweeps.md).")


#: Schema builders by kind, as offered by ``munisim schema KIND``.
SCHEMA_KINDS = {"scenario": scenario_schema, "experiment": experiment_schema}
