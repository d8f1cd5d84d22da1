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
    return {
        "anyOf": [prop["items"], {k: v for k, v in prop.items() if k not in ("title", "description")}],
        **{k: prop[k] for k in ("title", "description", "default") if k in prop},
    }


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
        avail["anyOf"] = [
            {"$ref": "#/$defs/Fixed"},
            {"$ref": "#/$defs/Uniform"},
            {"$ref": "#/$defs/Triangular"},
            {"$ref": "#/$defs/Pert"},
            *avail["anyOf"],
        ]
        avail["description"] = "A daily up share (a value), or {share} or {mtbf_days, mttr_days}."


#: Help for keys whose model field carries no description, by (model, key); ``""`` is the top level.  Shown by
#: editors on hover and in docs/reference/; a test checks that every key of both schemas has help.
FIELD_HELP: dict[tuple[str, str], str] = {
    # scenario, top level
    ("Scenario", "description"): "Free text: what the scenario assumes.",
    ("Scenario", "start"): "First simulated day (day 0).",
    ("Scenario", "end"): "Last simulated day (inclusive).",
    ("Scenario", "munitions"): "Munition types by id (e.g. `152mm`).",
    ("Scenario", "sides"): "Belligerents or coalitions by id (e.g. `ru`, `ua`).",
    ("Scenario", "stockpiles"): "Depots and pools by id; each holds one munition of one side.",
    ("Scenario", "factories"): "Producers by id; each delivers into one stockpile.",
    ("Scenario", "transfers"): "Shipments by id: between stockpiles, or from a source outside the model.",
    ("Scenario", "fronts"): "Where each side fires, by id: daily demand met from stockpiles.",
    ("Scenario", "forces"): "Front-line forces by id, for Lanchester attrition (docs/attrition.md).",
    ("Scenario", "engagements"): "Lanchester engagements between two forces, by id (docs/attrition.md).",
    ("Stockpile", "side"): "Id of the side it belongs to.",
    ("Stockpile", "munition"): "Id of the munition it holds.",
    ("Strike", "date"): "Date of a single strike (instead of rate_per_year).",
    ("Factory", "rate_unit"): "Unit of the capacity rates: rounds per day, month (365.25/12 days) or year.",
    ("Factory", "interpolation"): "Between two capacity points: linear, or step (hold until the next point).",
    ("Factory", "capacity"): "Dated capacity rates in rate_unit; flat before the first and after the last point.",
    ("SchedulePoint", "date"): "Date the rate applies from.",
    ("SchedulePoint", "rate"): "Rate in the schedule's rate_unit (rounds; for a component input, rounds per round).",
    ("Availability", "share"): "Chance that the factory is up on a day (0 to 1).",
    ("Availability", "mtbf_days"): "Mean time between failures, days (> 0).",
    ("Availability", "mttr_days"): "Mean time to repair, days (> 0).",
    ("Transfer", "recurring"): "Regular shipments: a quantity every N days.",
    ("Transfer", "packages"): "One-off shipments on given dates.",
    ("Recurring", "every_days"): "Days between two dispatches (>= 1).",
    ("Recurring", "quantity"): "Rounds per dispatch.",
    ("Package", "date"): "Dispatch date.",
    ("Package", "quantity"): "Rounds dispatched.",
    ("Window", "start"): "First day of the window.",
    ("Window", "end"): "Last day of the window (inclusive).",
    ("Front", "side"): "Id of the side that fires here.",
    ("Front", "rate_unit"): "Unit of the demand rates: rounds per day, month or year.",
    ("Front", "interpolation"): "Between two demand points: linear, or step.",
    ("Front", "demand"): "Per munition id: dated demand rates in rate_unit.",
    ("Front", "demand_noise"): "Daily noise on demand; none means the expected demand, rounded.",
    ("Front", "rationing"): "Fire less while stock runs low: tiers of (below_days, fire_share).",
    ("DemandNoise", "dist"): "poisson, or negative_binomial (over-dispersed: needs dispersion).",
    ("DemandNoise", "dispersion"): "Negative binomial k: variance = mean + mean^2 / k (> 0).",
    ("Rationing", "below_days"): "Applies while stock covers fewer than this many days of expected demand.",
    ("Rationing", "fire_share"): "Share of demand fired then (0 to 1).",
    ("Force", "side"): "Id of the side it belongs to.",
    ("Force", "reinforcements"): "Strength joining: rates {start, end, rate_per_day} or lumps {date, amount}.",
    ("Force", "withdrawals"): "Strength leaving on dates: {date, amount}.",
    ("Reinforcement", "start"): "First day of a rate period.",
    ("Reinforcement", "end"): "Last day of a rate period (inclusive).",
    ("Reinforcement", "date"): "Date of a lump.",
    ("Withdrawal", "date"): "Date the strength leaves.",
    ("Withdrawal", "amount"): "Strength leaving (>= 0).",
    ("Engagement", "law"): "square (aimed fire), linear (area fire), logarithmic, or general (with p and q).",
    ("Engagement", "breakpoint"): "Shares of initial strength below which a force breaks off, ending the engagement.",
    ("Engagement", "fires"): "Per force (x, y): the front whose share of demand fired scales its coefficient.",
    ("Breakpoint", "x"): "Share of force x's strength at the start (0 to 1; 0: fight to the end).",
    ("Breakpoint", "y"): "Share of force y's strength at the start (0 to 1; 0: fight to the end).",
    # distributions
    ("Fixed", "dist"): "`fixed` (optional).",
    ("Fixed", "value"): "The number.",
    ("Uniform", "dist"): "`uniform`.",
    ("Uniform", "low"): "Lower bound.",
    ("Uniform", "high"): "Upper bound (>= low).",
    ("Triangular", "dist"): "`triangular`.",
    ("Triangular", "low"): "Minimum.",
    ("Triangular", "mode"): "Most likely value (low <= mode <= high).",
    ("Triangular", "high"): "Maximum.",
    ("Normal", "dist"): "`normal`.",
    ("Normal", "mean"): "Mean of the unclipped law.",
    ("Normal", "sd"): "Standard deviation of the unclipped law.",
    ("Normal", "low"): "Optional lower clip.",
    ("Normal", "high"): "Optional upper clip.",
    ("LogNormal", "dist"): "`lognormal`.",
    ("LogNormal", "median"): "Median (> 0).",
    ("LogNormal", "sigma"): "Standard deviation of the logarithm.",
    ("Pert", "dist"): "`pert`.",
    ("Pert", "low"): "Minimum.",
    ("Pert", "mode"): "Most likely value (low <= mode <= high).",
    ("Pert", "high"): "Maximum.",
    ("Pert", "lamb"): "Weight of the mode (4 is classic PERT; larger is more peaked).",
    # experiment
    ("Experiment", "name"): "Short name; used for the default output directory (sweeps/<name>/).",
    ("Experiment", "description"): "Free text: the question the experiment asks.",
    ("Experiment", "seed"): "Random seed; replicate r uses the same streams in every sample.",
    ("Experiment", "replicates"): "Monte Carlo replicates per sample.",
    ("Experiment", "engine"): "vector (fast) or des (the SimPy reference engine).",
    ("Experiment", "design"): "How factor values are chosen, and how many samples.",
    ("Experiment", "factors"): "The inputs varied, by name (the name becomes a column of samples.parquet).",
    ("Experiment", "outcomes"): "What is reported per sample: a metric and its statistic across replicates.",
    ("Design", "method"): "grid, lhs (Latin hypercube), sobol (scrambled Sobol'), morris or saltelli.",
    ("Design", "samples"): "Design size (base size for saltelli, trajectories for morris).",
    ("Design", "levels"): "Points per factor for grid and morris.",
    ("Design", "scramble"): "Scramble the Sobol' and Latin hypercube points (seeded by the experiment's seed).",
    ("Factor", "range"): "[low, high]: uniform between them.",
    ("Factor", "dist"): "A distribution instead of a range.",
    ("FactorDist", "dist"): "uniform, triangular, normal or pert.",
    ("FactorDist", "low"): "Lower bound (uniform, triangular, pert; optional clip for normal).",
    ("FactorDist", "mode"): "Most likely value (triangular, pert).",
    ("FactorDist", "high"): "Upper bound (uniform, triangular, pert; optional clip for normal).",
    ("FactorDist", "mean"): "Mean (normal).",
    ("FactorDist", "sd"): "Standard deviation (normal).",
    ("Outcome", "metric"): "<side>.<variable>, crossover.<A> over <B> or loss_exchange.<A> per <B> (docs/sweeps.md).",
    ("Outcome", "stat"): "mean, median, std, min, max, pNN (a percentile) or probability (of an event).",
}


def _add_help(schema: dict[str, Any], root: str) -> None:
    """Fill in the help of keys whose model field has no description (:data:`FIELD_HELP`)."""
    models = {root: schema, **schema.get("$defs", {})}
    for name, model in models.items():
        for target in [model, *(o for o in model.get("anyOf", []) if isinstance(o, dict))]:
            for key, prop in target.get("properties", {}).items():
                if not prop.get("description") and (name, key) in FIELD_HELP:
                    prop["description"] = FIELD_HELP[(name, key)]


def _schema(model: type, title: str, description: str) -> dict[str, Any]:
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    _shorthands(schema)
    _add_help(schema, model.__name__)
    return {
        "$schema": _DIALECT,
        "title": title,
        "description": description,
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Examples
    --------
    >>> schema = scenario_schema()
    >>> sorted(schema["required"])
    ['end', 'munitions', 'name', 'sides', 'start', 'stockpiles']
    """
    return _schema(
        Scenario,
        "munisim scenario",
        "A munisim scenario file (docs/scenarios.md). Every number may be a plain value or a "
        "distribution; entities are mappings keyed by id.",
    )


def experiment_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an experiment file (docs/sweeps.md)."""
    return _schema(
        Experiment,
        "munisim experiment",
        "A munisim experiment file: a scenario, factors, a design and outcomes (docs/sweeps.md).",
    )


#: Schema builders by kind, as offered by ``munisim schema KIND``.
SCHEMA_KINDS = {"scenario": scenario_schema, "experiment": experiment_schema}
