"""Fuzzing: mutated scenario and experiment files give a valid run or clear errors, never a traceback, a hang or
partial output.

Hypothesis mutates the shipped example scenario (and a version of it with
forces, components, strikes and tubes): deleted keys, wrong types, huge and
negative numbers, NaN and infinity, unicode, deep nesting, duplicate keys,
cycles of transfers, dates far in the past or future.  Every mutated file
must either load and run (vector engine, two replicates), or be refused with
located one-line problems.  Mutated experiment files must sweep or be refused
the same way.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from munisim import simulate
from munisim.cli import main
from munisim.config.loader import scenario_from_located
from munisim.config.yamlload import parse_yaml
from munisim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
EXAMPLE = (SCENARIOS / "example-small.yaml").read_text(encoding="utf-8")

EXTRAS = """
munitions:
  barrel: {component: true}
  charges: {component: true}
stockpiles:
  red_barrels: {side: red, munition: barrel, initial_rounds: 300}
  red_charges: {side: red, munition: charges, initial_rounds: 50000}
factories:
  red_barrel_plant: {stockpile: red_barrels, capacity: [{date: 2024-01-01, rate: 2}]}
forces:
  red_army:
    side: red
    initial_strength: 100000
    reinforcements: [{start: 2024-01-01, end: 2024-06-30, rate_per_day: 50}]
  blue_army: {side: blue, initial_strength: 80000, withdrawals: [{date: 2024-05-01, amount: 1000}]}
engagements:
  front_line: {x: red_army, y: blue_army, law: square, a: 0.001, b: 0.002, fires: {x: {front: red_front}}}
"""


def _rich_example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE)
    extra = yaml.safe_load(EXTRAS)
    for key, value in extra.items():
        data.setdefault(key, {}).update(value)
    data["stockpiles"]["red_depot"]["strikes"] = [
        {"date": "2024-07-01", "share": 0.1},
        {"rate_per_year": 4, "share": 0.02},
    ]
    data["factories"]["red_plant"]["inputs"] = [{"stockpile": "red_charges", "per_unit": 1.0}]
    data["fronts"]["red_front"]["tubes"] = {
        "152mm": {"stockpile": "red_barrels", "rounds_per_barrel": 2500, "max_rounds_per_tube_per_day": 60}
    }
    return data


BASES = [yaml.safe_load(EXAMPLE), _rich_example()]


def _deep(n: int) -> Any:
    value: Any = 1
    for _ in range(n):
        value = [value]
    return value


WEIRD: list[Any] = [
    None,
    "",
    "x" * 300,
    "a\x00b",
    "/".join(["d" * 250] * 20),
    "../../../../etc/passwd",
    "üñíçødé ☃ 𝔘",
    "\t",
    -1,
    0,
    1,
    -1e308,
    1e308,
    10**30,
    -(10**30),
    0.5,
    math.nan,
    math.inf,
    -math.inf,
    True,
    [],
    {},
    _deep(40),
    {"dist": "uniform"},
    {"dist": "uniform", "low": 5, "high": 1},
    {"dist": "lognormal", "median": -3, "sigma": 1},
    {"dist": "nope"},
    "2024-13-45",
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    dt.date(2024, 6, 1),
    dt.date(1900, 1, 1),
    "red_depot",
    "blue_depot",
    "red",
    {"side": "red", "munition": "152mm"},
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, path + (i,))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> str:
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        op = draw(st.sampled_from(["delete", "replace", "replace", "replace", "nest", "rename", "cycle"]))
        if op == "delete":
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WEIRD)))
        elif op == "nest":
            value = parent[path[-1]]
            for _ in range(draw(st.integers(1, 60))):
                value = [value]
            parent[path[-1]] = value
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["ünïcode id", "a" * 200, "1", "-x", "red_depot"]))] = parent.pop(path[-1])
        elif op == "cycle":
            data.setdefault("transfers", {})
            if isinstance(data["transfers"], dict):
                data["transfers"]["loop_a"] = {"from_stockpile": "red_depot", "to": "red_depot2", "share_of_inflow": 1}
                data["transfers"]["loop_b"] = {"from_stockpile": "red_depot2", "to": "red_depot", "share_of_inflow": 1}
                if isinstance(data.get("stockpiles"), dict):
                    data["stockpiles"]["red_depot2"] = {"side": "red", "munition": "152mm"}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    lines = text.splitlines(keepends=True)
    if lines and draw(st.booleans()) and draw(st.booleans()):  # a duplicated line: duplicate keys or ids
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    if lines and draw(st.integers(0, 9)) == 0:  # a truncated file
        lines = lines[: draw(st.integers(0, len(lines) - 1))]
    return "".join(lines)


# A problem is in the fuzzed file, or in a file it names (a figures file); key paths may hold spaces.
LINE = re.compile(r"^(<fuzz>|[^:\n]+)(:\d+:\d+)?: .+: \S.*$")
INTERNALS = ("Traceback", "function-after", "tagged-union", "type=", "errors.pydantic.dev")


def _check_problems(err: ScenarioError) -> None:
    assert err.problems, "a ScenarioError must name at least one problem"
    for p in err.problems:
        text = str(p)
        assert "\n" not in text, text
        assert LINE.match(text), text
        # The message stays short (the key path is the user's own, however long); no file contents in it.
        assert len(p.message) < 600, f"a message fits on a line: {p.message[:600]}"
        assert not any(word in text for word in INTERNALS), text


@pytest.mark.untraced  # thousands of runs of code the other tests cover; three times slower under the tracer
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
def test_mutated_scenarios_run_or_fail_clearly(text: str) -> None:
    try:
        scenario = scenario_from_located(parse_yaml(text, "<fuzz>"), SCENARIOS)
    except ScenarioError as err:
        _check_problems(err)
        return
    if scenario.n_days <= 800:
        result = simulate(scenario, engine="vector", replicates=2, seed=1)
        assert result.summary()["replicates"] == 2


@pytest.mark.slow
@pytest.mark.untraced
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
def test_mutated_scenarios_on_the_command_line(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    path = work / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    (work / "figures.yaml").write_text((ROOT / "seeds" / "figures.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path.write_text(text.replace("../seeds/figures.yaml", "figures.yaml"), encoding="utf-8")
    out = work / "run"
    r = CliRunner().invoke(main, ["run", str(path), "--engine", "vector", "-n", "2", "--out", str(out)])
    assert r.exit_code in (0, 2), r.output
    assert "Traceback" not in r.output
    if r.exit_code == 2:
        assert not out.exists(), "a refused run must leave no output behind"
    else:
        assert (out / "summary.json").exists()


EXPERIMENT = yaml.safe_load((ROOT / "tests" / "data" / "experiments" / "toy-sweep.yaml").read_text(encoding="utf-8"))
EXPERIMENT["scenario"] = "toy.yaml"


def _check_experiment_problems(err: ScenarioError) -> None:
    assert err.problems, "a ScenarioError must name at least one problem"
    assert all("\n" not in str(p) and "Traceback" not in str(p) for p in err.problems)


@st.composite
def mutated_experiment(draw: st.DrawFn) -> str:
    data = copy.deepcopy(EXPERIMENT)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(
                draw(
                    st.sampled_from(
                        WEIRD
                        + [
                            "factories.nope.rate",
                            "fronts.front.demand",
                            "missing.yaml",
                            {"scale": "x", "range": [1, 0]},
                            {"method": "sobol", "samples": 3},
                            {"metric": "red.nope", "stat": "p101"},
                        ]
                    )
                )
            )
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.mark.untraced  # thousands of runs of code the other tests cover; three times slower under the tracer
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_experiment())
def test_mutated_experiments_sweep_or_fail_clearly(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from munisim.config.experiment_loader import load_experiment
    from munisim.experiments.sweep import sweep
    from munisim.limits import ResourceLimitError

    work = tmp_path_factory.mktemp("exp")
    (work / "toy.yaml").write_text((ROOT / "benchmarks" / "toy.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = work / "exp.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        spec = load_experiment(path)
    except ScenarioError as err:
        _check_experiment_problems(err)
        return
    try:
        samples, outcomes = sweep(spec, samples=min(spec.experiment.design.samples, 4), replicates=2)
    except ResourceLimitError:
        return
    assert len(samples) == len(outcomes)
