"""Scenario variants: ``extends`` a parent, deep merge, ``set`` key paths, and errors in the right file and line."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim.cli import main
from munisim.config.experiment_loader import load_experiment
from munisim.config.loader import load_scenario, scenario_from_located
from munisim.config.overlay import MAX_DEPTH, parent_files, resolve_overlay
from munisim.config.yamlload import Located, load_yaml, parse_yaml
from munisim.errors import Problem, ScenarioError

BASE = """\
# The parent scenario of the tests.
name: base
start: 2024-01-01
end: 2024-03-31
figures: figs.yaml
munitions: {m: {}}
sides: {red: {}}
stockpiles:
  depot: {side: red, munition: m, initial_rounds: 50000}
factories:
  plant:
    stockpile: depot
    capacity:
      - {date: 2024-01-01, rate: 1000}
      - {date: 2024-03-01, rate: {value: 1500, source: fig_a}}
transfers:
  aid:
    from_external: Ally
    to: depot
    recurring:
      - {every_days: 30, quantity: 10000}
    suspensions:
      - {start: 2024-02-01, end: 2024-02-15}
    lead_time_days: 10
fronts:
  front:
    side: red
    draws_from: [depot]
    demand: {m: [{date: 2024-01-01, rate: 900}]}
"""

FIGURES = """\
figures:
  fig_a:
    description: A test figure
    unit: rounds per month
    sources: [{title: A report}]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line of ``path`` containing ``needle``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    write(tmp_path / "figs.yaml", FIGURES)
    return write(tmp_path / "base.yaml", BASE)


def problems(path: Path, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    return info.value.problems


# --- merge semantics -------------------------------------------------------------------------------


def test_deep_merge_mapping_list_scalar_and_new_entities(base: Path) -> None:
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        name: v
        end: 2024-06-30                      # scalar replaces
        transfers:
          aid:
            lead_time_days: 20               # merged into the parent's mapping
            suspensions: []                  # a list replaces the parent's list
        factories:
          second:                            # a new entity is added
            stockpile: depot
            capacity: [{date: 2024-01-01, rate: 10}]
        """,
    )
    s = load_scenario(variant)
    assert s.name == "v" and str(s.end) == "2024-06-30" and str(s.start) == "2024-01-01"
    aid = s.transfers["aid"]
    assert aid.lead_time_days.value == 20 and aid.suspensions == [] and aid.to == "depot"
    assert len(aid.recurring) == 1
    assert set(s.factories) == {"plant", "second"}
    assert len(s.factories["plant"].capacity) == 2
    assert s.figures == ["figs.yaml"]


def test_a_list_is_replaced_whole_not_merged_item_by_item(base: Path) -> None:
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        factories:
          plant:
            capacity: [{date: 2024-01-01, rate: 7}]
        """,
    )
    cap = load_scenario(variant).factories["plant"].capacity
    assert len(cap) == 1 and cap[0].rate.value == 7


def test_set_assigns_into_list_items(base: Path) -> None:
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        set:
          factories.plant.capacity[1].rate: {dist: pert, low: 1200, mode: 1500, high: 1900, source: fig_a}
          transfers.aid.recurring[0].quantity: 5
          fronts.front.draws_from[0]: depot
        """,
    )
    s = load_scenario(variant)
    rate = s.factories["plant"].capacity[1].rate
    assert rate.dist == "pert" and rate.source == "fig_a" and (rate.low, rate.high) == (1200, 1900)
    assert s.factories["plant"].capacity[0].rate.value == 1000
    assert s.transfers["aid"].recurring[0].quantity.value == 5


def test_set_applies_after_the_merge_in_file_order(base: Path) -> None:
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        transfers:
          aid:
            recurring: [{every_days: 7, quantity: 1}, {every_days: 14, quantity: 2}]
        set:
          transfers.aid.recurring[1].quantity: 3
          transfers.aid.recurring[1]: {every_days: 21, quantity: 4}
        """,
    )
    rec = load_scenario(variant).transfers["aid"].recurring
    assert [(r.every_days.value, r.quantity.value) for r in rec] == [(7, 1), (21, 4)]


def test_chain_of_two_levels(base: Path) -> None:
    middle = write(
        base.parent / "mid" / "middle.yaml",
        """\
        extends: ../base.yaml
        name: middle
        transfers: {aid: {lead_time_days: 15}}
        """,
    )
    child = write(
        base.parent / "child.yaml",
        """\
        extends: mid/middle.yaml
        name: child
        stockpiles: {depot: {initial_rounds: 7}}
        """,
    )
    s = load_scenario(child)
    assert s.name == "child" and s.transfers["aid"].lead_time_days.value == 15
    assert s.stockpiles["depot"].initial_rounds.value == 7
    assert s.figures == ["figs.yaml"]  # rewritten twice: base -> mid -> child's directory
    assert parent_files(child) == [middle.resolve(), base.resolve()]
    assert parent_files(base) == []


def test_plain_scenario_is_not_changed(base: Path) -> None:
    doc = load_yaml(base)
    assert resolve_overlay(doc, base.parent) is doc and doc.files == {}


def test_set_without_extends_edits_the_file_itself(base: Path) -> None:
    plain = write(base.parent / "p.yaml", BASE + "set:\n  transfers.aid.lead_time_days: 3\n")
    assert load_scenario(plain).transfers["aid"].lead_time_days.value == 3


# --- errors in the right file and line -------------------------------------------------------------


def test_shape_errors_are_reported_in_the_file_that_wrote_the_value(base: Path) -> None:
    write(base, BASE.replace("    lead_time_days: 10", "    lead_time_dayz: 10"))
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        factories:
          plant:
            availabilty: 0.9
        """,
    )
    got = problems(variant)
    assert [(p.file, p.line, p.path) for p in got] == [
        (str(base), line_of(base, "lead_time_dayz"), "transfers.aid.lead_time_dayz"),
        (str(variant), line_of(variant, "availabilty"), "factories.plant.availabilty"),
    ]
    assert "did you mean 'availability'" in got[1].message


def test_check_errors_name_the_parent_line_for_a_parent_value(base: Path) -> None:
    write(base, BASE.replace("lead_time_days: 10", "lead_time_days: 0"))
    variant = write(base.parent / "v.yaml", "extends: base.yaml\nname: v\n")
    (p,) = problems(variant)
    assert (p.file, p.line, p.path) == (str(base), line_of(base, "lead_time_days"), "transfers.aid.lead_time_days")


def test_check_errors_name_the_variant_line_for_a_variant_value(base: Path) -> None:
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        transfers:
          aid:
            lead_time_days: 0
        """,
    )
    (p,) = problems(variant)
    assert (p.file, p.line, p.column, p.path) == (str(variant), 4, 21, "transfers.aid.lead_time_days")
    assert "at least 1 day" in p.message


def test_errors_in_set_values_and_new_ids_name_the_variant(base: Path) -> None:
    variant = write(
        base.parent / "v.yaml",
        """\
        extends: base.yaml
        set:
          factories.plant.capacity[0].rate: -5
        stockpiles:
          "bad id!": {side: red, munition: m, initial_rounds: 1}
        """,
    )
    got = problems(variant)
    assert {(p.file, p.line) for p in got} == {(str(variant), 5)}
    variant = write(
        variant,
        """\
        extends: base.yaml
        set:
          factories.plant.capacity[0].rate: -5
        """,
    )
    (p,) = problems(variant)
    assert (p.file, p.line, p.path) == (str(variant), 3, "factories.plant.capacity[0].rate")


def test_overrides_apply_on_top_of_a_variant(base: Path) -> None:
    variant = write(base.parent / "v.yaml", "extends: base.yaml\ntransfers: {aid: {lead_time_days: 20}}\n")
    s = load_scenario(variant, overrides=["transfers.aid.lead_time_days=30", "factories.plant.capacity[0].rate=2"])
    assert s.transfers["aid"].lead_time_days.value == 30 and s.factories["plant"].capacity[0].rate.value == 2
    (p,) = problems(variant, ("stockpiles.depot.initial_rounds=-1",))
    assert p.file == "<--set stockpiles.depot.initial_rounds>"
    (p,) = problems(variant, ("factories.plnt.stockpile=depot",))
    assert "did you mean 'plant'" in p.message


def test_cli_validate_and_run_a_variant(base: Path, tmp_path: Path) -> None:
    variant = write(
        tmp_path / "variants" / "v.yaml",
        """\
        # A variant in a subdirectory: the parent's figures path is rewritten.
        extends: ../base.yaml
        name: v
        stockpiles: {depot: {initial_rounds: 1000}}
        """,
    )
    result = CliRunner().invoke(main, ["validate", str(variant)])
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["run", str(variant), "-n", "2", "--out", str(out), "--set", "transfers.aid.lead_time_days=12"]
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario_file"] == "v.yaml"
    assert manifest["scenario_file_sha256"] == hashlib.sha256(variant.read_bytes()).hexdigest()
    assert manifest["scenario_parents"] == [
        {"file": "../base.yaml", "sha256": hashlib.sha256(base.read_bytes()).hexdigest()}
    ]
    assert manifest["figures_cited"] == ["fig_a"]
    # The resolved scenario is a plain scenario (no extends) that validates again.
    resolved = (out / "scenario.resolved.yaml").read_text()
    assert "extends" not in resolved and "set:" not in resolved
    assert CliRunner().invoke(main, ["validate", str(out / "scenario.resolved.yaml")]).exit_code == 0
    write(variant, "extends: ../base.yaml\nstockpiles: {depot: {initial_rounds: -4}}\n")
    result = CliRunner().invoke(main, ["validate", str(variant)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"{variant}:2:")


def test_figures_of_a_parent_resolve_from_a_variant_in_a_subdirectory(base: Path, tmp_path: Path) -> None:
    variant = write(tmp_path / "a" / "b" / "v.yaml", "extends: ../../base.yaml\n")
    s = load_scenario(variant)
    assert s.figures == ["../../figs.yaml"]
    assert (variant.parent / s.figures[0]).resolve() == (tmp_path / "figs.yaml").resolve()
    # The variant's own figures list replaces the parent's and stays relative to the variant.
    write(tmp_path / "a" / "b" / "own.yaml", FIGURES)
    write(variant, "extends: ../../base.yaml\nfigures: [own.yaml]\n")
    assert load_scenario(variant).figures == ["own.yaml"]


def test_a_missing_figures_file_of_the_parent_is_reported_in_the_parent(base: Path) -> None:
    (base.parent / "figs.yaml").unlink()
    variant = write(base.parent / "sub" / "v.yaml", "extends: ../base.yaml\n")
    (p,) = problems(variant)
    assert (p.file, p.line, p.path) == (str(base), 5, "figures")
    assert "'../figs.yaml' not found" in p.message


def test_a_sweep_of_a_variant(base: Path, tmp_path: Path) -> None:
    variant = write(tmp_path / "variants" / "v.yaml", "extends: ../base.yaml\nname: v\n")
    exp = write(
        tmp_path / "exp.yaml",
        """\
        name: e
        scenario: variants/v.yaml
        replicates: 2
        design: {method: lhs, samples: 2}
        factors:
          rate: {path: "factories.plant.capacity[0].rate", range: [700, 1100]}
        outcomes:
          - {metric: red.share_met, stat: mean}
        """,
    )
    spec = load_experiment(exp)
    assert spec.scenario.name == "v" and "extends" not in spec.scenario_data
    assert spec.figure_ids == frozenset({"fig_a"})
    assert variant.is_file()


# --- malformed variants ----------------------------------------------------------------------------


def test_missing_parent(base: Path) -> None:
    variant = write(base.parent / "v.yaml", "name: v\nextends: nothere.yaml\n")
    (p,) = problems(variant)
    assert (p.file, p.line, p.column, p.path) == (str(variant), 2, 10, "extends")
    assert "parent scenario 'nothere.yaml' not found" in p.message


def test_cycle(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path / "b.yaml", "# b\nextends: a.yaml\n")
    (p,) = problems(a)
    assert (p.file, p.line, p.path) == (str(b), 2, "extends")
    assert f"'extends' cycle: {a} -> {b} -> {a}" in p.message
    write(a, "extends: ./a.yaml\n")
    (p,) = problems(a)
    assert (p.file, p.line) == (str(a), 1) and "cycle" in p.message


def test_depth_limit(base: Path) -> None:
    prev = "base.yaml"
    for i in range(MAX_DEPTH + 1):
        write(base.parent / f"v{i}.yaml", f"extends: {prev}\n")
        prev = f"v{i}.yaml"
    load_scenario(base.parent / f"v{MAX_DEPTH - 1}.yaml")  # MAX_DEPTH parents: accepted
    (p,) = problems(base.parent / f"v{MAX_DEPTH}.yaml")
    assert p.path == "extends" and f"more than {MAX_DEPTH} levels" in p.message


@pytest.mark.parametrize(
    ("text", "line", "path", "part"),
    [
        ("extends: [base.yaml]\n", 1, "extends", "expected the path of the parent scenario file"),
        ("extends: ''\n", 1, "extends", "expected the path of the parent scenario file"),
        ("extends: base.yaml\nset: [a, b]\n", 2, "set", "expected a mapping of KEY.PATH: VALUE"),
        (
            "extends: base.yaml\nset:\n  factories.plnt.capacity[0].rate: 3\n",
            3,
            "set.factories.plnt.capacity[0].rate",
            "no 'plnt' under factories; did you mean 'plant'?",
        ),
        (
            "extends: base.yaml\nset:\n  factories.plant.capacity[5].rate: 3\n",
            3,
            "set.factories.plant.capacity[5].rate",
            "no index [5] under factories.plant.capacity (it has 2 items)",
        ),
        ("extends: base.yaml\nset:\n  name.x: 3\n", 3, "set.name.x", "name is a single value"),
        ("extends: base.yaml\nset:\n  a..b: 3\n", 3, "set.a..b", "cannot read key path"),
        ("extends: base.yaml\nset:\n  extends: other.yaml\n", 3, "set.extends", "'extends' cannot be set"),
    ],
)
def test_malformed_variant(base: Path, text: str, line: int, path: str, part: str) -> None:
    variant = write(base.parent / "v.yaml", text)
    (p,) = problems(variant)
    assert (p.file, p.line, p.path) == (str(variant), line, path)
    assert part in p.message


def test_parent_that_is_not_a_mapping(tmp_path: Path) -> None:
    parent = write(tmp_path / "list.yaml", "- a\n- b\n")
    variant = write(tmp_path / "v.yaml", "extends: list.yaml\n")
    (p,) = problems(variant)
    assert (p.file, p.line, p.path) == (str(parent), 1, "")
    assert "expected a mapping of scenario keys to extend" in p.message


def test_variant_that_is_not_a_mapping(base: Path) -> None:
    variant = write(base.parent / "v.yaml", "- extends: base.yaml\n")
    (p,) = problems(variant)
    assert (p.file, p.line) == (str(variant), 1) and "expected a mapping of scenario keys" in p.message


def test_syntax_error_in_a_parent_names_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path / "sub" / "p.yaml", "name: [unclosed\n")
    variant = write(tmp_path / "v.yaml", "extends: sub/p.yaml\n")
    (p,) = problems(variant)
    assert p.file == str(parent) and "YAML syntax error" in p.message


def test_extends_needs_a_file() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_located(parse_yaml("extends: base.yaml\n", "<text>"), None)
    (p,) = info.value.problems
    assert (p.file, p.line, p.path) == ("<text>", 1, "extends") and "read from a file" in p.message


# --- Located with several files --------------------------------------------------------------------


def test_located_file_map_nearest_ancestor_wins() -> None:
    doc = Located(
        {},
        "v.yaml",
        {(): (1, 1), ("a",): (2, 3), ("a", "b"): (7, 5)},
        {("a", "b"): (7, 2)},
        {("a",): "p.yaml", ("a", "b"): "v.yaml"},
    )
    assert doc.file_of(()) == "v.yaml" and doc.file_of(("a", "x", 0)) == "p.yaml"
    assert doc.file_of(("a", "b", "c")) == "v.yaml"
    assert doc.locate(("a", "x")) == ("p.yaml", 2, 3)
    assert doc.locate(("a", "b"), key=True) == ("v.yaml", 7, 2)
    assert doc.problem(("z",), "m") == Problem("v.yaml", 1, 1, "z", "m")
    assert Located(None, "f").locate(("x",)) == ("f", None, None)
