"""Load an experiment file and the scenario it names, checking every reference.

Problems are reported like a scenario's: ``FILE:LINE:COL: key.path: message``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from munisim.config.checks import did_you_mean
from munisim.config.experiment import Experiment
from munisim.config.loader import (
    _is_index,
    _problems_from_validation,
    _sort_key,
    load_figures,
    parse_key_path,
    scenario_from_located,
)
from munisim.config.scenario import Scenario
from munisim.config.yamlload import is_file, load_yaml
from munisim.errors import ScenarioError

__all__ = ["ExperimentSpec", "load_experiment", "metric_names", "looks_like_experiment"]

_SIDE_METRICS = (
    "produced",
    "received",
    "fired",
    "demanded",
    "lost",
    "shipped_out",
    "refused",
    "consumed",
    "destroyed",
    "final_stock",
    "share_met",
    "first_stockout",
    "low_stock",
)
#: Per-side metrics that are days to an event (-1 when it never happens).
_EVENT_METRICS = ("first_stockout", "low_stock")


def metric_names(scenario: Scenario) -> list[str]:
    """Every per-replicate metric an outcome may name for ``scenario``."""
    sides = list(scenario.sides)
    out = [f"{s}.{m}" for s in sides for m in _SIDE_METRICS]
    out += [f"crossover.{a} over {b}" for a in sides for b in sides if a != b]
    if scenario.forces:
        out += [f"{s}.{m}" for s in sides for m in ("losses", "final_strength")]
        out += [f"loss_exchange.{a} per {b}" for a in sides for b in sides if a != b]
    return out


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment with what its samples need: the scenario as data, its figure ids."""

    experiment: Experiment
    file: str
    scenario_file: str
    scenario_data: dict[str, Any]
    figure_ids: frozenset[str] | None
    scenario: Scenario


def looks_like_experiment(data: object) -> bool:
    """Whether a parsed file is an experiment (it has ``factors`` or ``outcomes``, and no ``stockpiles``).

    Examples
    --------
    >>> looks_like_experiment({"name": "x", "scenario": "s.yaml", "factors": {}})
    True
    >>> looks_like_experiment({"name": "x", "stockpiles": {}})
    False
    """
    return isinstance(data, dict) and ("factors" in data or "outcomes" in data) and "stockpiles" not in data


def load_experiment(path: str | Path) -> ExperimentSpec:
    """Read, validate and cross-check an experiment file.

    Raises
    ------
    ScenarioError
        One problem per mistake, in the experiment file (or in the scenario it names).
    """
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise ScenarioError([doc.problem((), "expected a mapping of experiment keys (name, scenario, factors, ...)")])
    try:
        exp = Experiment.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(sorted(_problems_from_validation(exc, doc, Experiment, set()), key=_sort_key)) from None
    base = Path(path).resolve().parent
    scen_path = base / exp.scenario
    if not is_file(scen_path):
        raise ScenarioError(
            [
                doc.problem(
                    ("scenario",),
                    f"scenario file {exp.scenario!r} not found; expected a path relative to the experiment file",
                )
            ]
        )
    scen_doc = load_yaml(scen_path)
    scenario = scenario_from_located(scen_doc, scen_path.parent)
    figure_ids = None
    if scenario.figures:
        figure_ids = frozenset(load_figures([scen_path.parent / f for f in scenario.figures]).figures)
    problems = []
    for name, f in exp.factors.items():
        key = f.kind
        try:
            parts = parse_key_path(f.target)
        except ValueError as exc:
            problems.append(doc.problem(("factors", name, key), str(exc)))
            continue
        node: Any = scen_doc.data
        for i, part in enumerate(parts):
            if (isinstance(node, dict) and part in node) or _is_index(node, part):
                node = node[part]
            else:
                choices = list(node) if isinstance(node, dict) else []
                where = ".".join(str(p) for p in parts[:i]) or "the top level"
                problems.append(
                    doc.problem(
                        ("factors", name, key),
                        f"{f.target!r} is not in the scenario: no "
                        f"{part!r} under {where}{did_you_mean(str(part), choices)}",
                    )
                )
                break
    known = metric_names(scenario)
    for i, o in enumerate(exp.outcomes):
        if o.metric not in known:
            problems.append(
                doc.problem(
                    ("outcomes", i, "metric"),
                    f"unknown metric {o.metric!r}"
                    f"{did_you_mean(o.metric, known)}; expected <side>.<variable> or "
                    "crossover.<A> over <B>",
                )
            )
        if o.before is not None:
            if o.stat != "probability":
                problems.append(doc.problem(("outcomes", i, "before"), "'before' goes with stat: probability"))
            elif not isinstance(o.before, dt.date):
                problems.append(doc.problem(("outcomes", i, "before"), f"expected a date YYYY-MM-DD, got {o.before!r}"))
        if o.stat == "probability" and not (
            o.metric.startswith("crossover.") or o.metric.endswith(tuple(f".{m}" for m in _EVENT_METRICS))
        ):
            problems.append(
                doc.problem(
                    ("outcomes", i, "stat"),
                    "probability needs a time-to-event metric "
                    "(<side>.first_stockout, <side>.low_stock or crossover.<A> over <B>)",
                )
            )
    if problems:
        raise ScenarioError(sorted(problems, key=_sort_key))
    return ExperimentSpec(exp, str(path), str(scen_path), scen_doc.data, figure_ids, scenario)
