"""Direct tests of the safe, position-keeping YAML reader (munisim.config.yamlload)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from munisim.config import yamlload
from munisim.config.yamlload import format_path, parse_yaml
from munisim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]


def _problems(text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "t.yaml")
    return info.value.problems


# --- tags ------------------------------------------------------------------------------------------


def test_plain_values_and_standard_tags() -> None:
    doc = parse_yaml(
        "a: 1\nb: 2.5\nc: text\nd: true\ne: ~\nf: 2024-05-01\ng: !!str 5\nh: !!float 3\ni: [1, 2]\nj: {k: v}\n"
    )
    assert doc.data == {
        "a": 1,
        "b": 2.5,
        "c": "text",
        "d": True,
        "e": None,
        "f": dt.date(2024, 5, 1),
        "g": "5",
        "h": 3.0,
        "i": [1, 2],
        "j": {"k": "v"},
    }


def test_python_tag_is_refused_and_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    (p,) = _problems('x:\n  y: !!python/object/apply:os.system ["echo hi"]\n')
    assert calls == []
    assert (p.line, p.column, p.path) == (2, 6, "x.y")
    assert "'!!python/object/apply:os.system' is not allowed" in p.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !custom 1",
        "a: !!binary aGk=",
        "a: !!set {x, y}",
        "a: !!omap [b: 1]",
        "a: !!python/name:os.system ''",
        "!!python/object:object {}",
    ],
)
def test_other_tags_are_refused(text: str) -> None:
    problems = _problems(text)
    assert any("is not allowed" in p.message for p in problems)


def test_custom_tag_on_a_key_is_refused() -> None:
    (p,) = _problems("a:\n  !custom k: 1\n")
    assert p.line == 2 and "plain scalars" in p.message


# --- duplicates, merge keys, keys as written ----------------------------------------------------


def test_duplicate_key_names_the_second_occurrence() -> None:
    (p,) = _problems("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert (p.line, p.column, p.path) == (4, 3, "a.b")
    assert "duplicate key 'b'" in p.message


def test_duplicate_key_in_flow_mapping() -> None:
    (p,) = _problems("a: {b: 1, b: 2}\n")
    assert (p.line, p.column, p.path) == (1, 11, "a.b")


def test_every_duplicate_is_reported() -> None:
    problems = _problems("a: 1\na: 2\nb: {c: 1, c: 2}\n")
    assert [(p.line, p.path) for p in problems] == [(2, "a"), (3, "b.c")]


def test_merge_key_is_refused() -> None:
    (p,) = _problems("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert p.line == 3 and "merge keys" in p.message


def test_keys_keep_the_text_as_written() -> None:
    # YAML 1.1 would read these keys as False, None, 31 and 1.5; ids must stay as the user typed them.
    doc = parse_yaml("no: 1\n~: 2\n0x1F: 3\n1.50: 4\n2024-01-01: 5\n")
    assert list(doc.data) == ["no", "~", "0x1F", "1.50", "2024-01-01"]


# --- bad scalars and syntax -----------------------------------------------------------------------


def test_impossible_date_is_a_located_problem() -> None:
    (p,) = _problems("a:\n  when: 2024-02-30\n")
    assert (p.line, p.column, p.path) == (2, 9, "a.when")
    assert "2024-02-30" in p.message and "out of range" in p.message


def test_syntax_error_has_position_and_context() -> None:
    (p,) = _problems("a: 1\nb: {c: 1\nd: 2\n")
    assert p.line == 3 and p.column is not None and p.path == ""
    assert p.message.startswith("YAML syntax error: ")
    assert "flow mapping starting at line 2" in p.message
    assert "\n" not in str(p)


def test_tab_indentation_is_a_syntax_error() -> None:
    (p,) = _problems("a:\n\tb: 1\n")
    assert p.line == 2 and "YAML syntax error" in p.message


def test_several_documents_are_refused() -> None:
    (p,) = _problems("a: 1\n---\nb: 2\n")
    assert p.line == 2 and "another document" in p.message


def test_empty_text_gives_none() -> None:
    assert parse_yaml("").data is None
    assert parse_yaml("# just a comment\n").data is None


def test_oversized_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlload, "MAX_FILE_BYTES", 100)
    (p,) = _problems("a: " + "x" * 200)
    assert p.line is None and "larger than" in p.message


# --- alias bombs ----------------------------------------------------------------------------------


def _billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    (p,) = _problems(_billion_laughs())
    assert time.perf_counter() - started < 2.0
    assert "alias bomb" in p.message and p.line is None


def test_deep_alias_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    _problems(_billion_laughs(levels=60, width=2))  # 2**60 nodes once expanded
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x [*x, *x, *x, *x, *x, *x, *x, *x]\n"])
def test_recursive_alias_is_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    (p,) = _problems(text)
    assert time.perf_counter() - started < 2.0
    assert "recursive alias" in p.message and p.line == 1


def test_ordinary_aliases_are_expanded() -> None:
    doc = parse_yaml("x: &x [1, 2]\ny: *x\nz: [*x, *x]\n")
    assert doc.data == {"x": [1, 2], "y": [1, 2], "z": [[1, 2], [1, 2]]}


def test_deep_nesting_is_refused() -> None:
    problems = _problems("a: " + "[" * 150 + "]" * 150 + "\n")
    assert any("deeper than 100" in p.message or "too deep" in p.message for p in problems)


# --- positions ------------------------------------------------------------------------------------

DOC = """\
name: m
factories:
  plant:
    capacity:
      - {date: 2024-01-01, rate: 100}
      - date: 2024-02-01
        rate: 200
"""


def test_value_positions_are_one_based() -> None:
    doc = parse_yaml(DOC)
    assert doc.value_marks[()] == (1, 1)
    assert doc.value_marks[("name",)] == (1, 7)
    assert doc.value_marks[("factories", "plant", "capacity", 0)] == (5, 9)
    assert doc.value_marks[("factories", "plant", "capacity", 0, "rate")] == (5, 34)
    assert doc.value_marks[("factories", "plant", "capacity", 1, "rate")] == (7, 15)


def test_key_positions_are_one_based() -> None:
    doc = parse_yaml(DOC)
    assert doc.key_marks[("name",)] == (1, 1)
    assert doc.key_marks[("factories", "plant")] == (3, 3)
    assert doc.key_marks[("factories", "plant", "capacity", 0, "rate")] == (5, 28)
    assert doc.key_marks[("factories", "plant", "capacity", 1, "date")] == (6, 9)


def test_position_falls_back_to_nearest_ancestor() -> None:
    doc = parse_yaml(DOC)
    assert doc.position(("factories", "plant", "capacity", 1, "rate")) == (7, 15)
    assert doc.position(("factories", "plant", "capacity", 1, "rate"), key=True) == (7, 9)
    assert doc.position(("factories", "plant", "availability")) == doc.value_marks[("factories", "plant")]
    assert doc.position(("nope", "deeper")) == (1, 1)
    assert parse_yaml("").position(("x",)) == (None, None)


def test_problem_is_located_and_rendered() -> None:
    doc = parse_yaml(DOC, "s.yaml")
    p = doc.problem(("factories", "plant", "capacity", 1, "rate"), "negative")
    assert str(p) == "s.yaml:7:15: factories.plant.capacity[1].rate: negative"


# --- format_path ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("name",), "name"),
        (("factories", "ru", "capacity", 3, "rate"), "factories.ru.capacity[3].rate"),
        (("fronts", "ru", "draws_from", 0), "fronts.ru.draws_from[0]"),
        ((0, "a"), "[0].a"),
        (("a", 1, 2), "a[1][2]"),
    ],
)
def test_format_path(path: tuple, text: str) -> None:
    assert format_path(path) == text


UNUSABLE_NAMES = ["x" * 300, "a\x00b", "/".join(["d" * 250] * 20)]


@pytest.mark.parametrize("name", UNUSABLE_NAMES, ids=["too-long", "nul-byte", "path-too-long"])
def test_unusable_file_names_are_not_files(name: str) -> None:
    assert yamlload.is_file(name) is False


@pytest.mark.parametrize("name", UNUSABLE_NAMES, ids=["too-long", "nul-byte", "path-too-long"])
def test_unusable_file_names_are_clear_problems(name: str) -> None:
    with pytest.raises(ScenarioError) as info:
        yamlload.load_yaml(name)
    (problem,) = info.value.problems
    assert "\n" not in str(problem)
    assert "file not found" in str(problem) or "cannot be read" in str(problem)


@pytest.mark.parametrize("key", ["figures", "extends"])
@pytest.mark.parametrize("name", UNUSABLE_NAMES, ids=["too-long", "nul-byte", "path-too-long"])
def test_unusable_names_in_a_scenario_are_located_problems(key: str, name: str, tmp_path: Path) -> None:
    from munisim.config.loader import load_scenario

    text = (ROOT / "scenarios" / "example-small.yaml").read_text(encoding="utf-8")
    value = name.replace("\x00", "\\0")
    if key == "figures":
        text = text.replace("figures: ../seeds/figures.yaml", f'figures: "{value}"')
    else:
        text = f'extends: "{value}"\n'
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.path.startswith(key)
    assert "not found" in problem.message


def test_a_figures_file_that_is_not_a_mapping_is_one_short_problem(tmp_path: Path) -> None:
    from munisim.config.loader import load_scenario

    (tmp_path / "figs.yaml").write_text("x" * 5000 + "\n", encoding="utf-8")
    text = (ROOT / "scenarios" / "example-small.yaml").read_text(encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("figures: ../seeds/figures.yaml", "figures: figs.yaml"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file.endswith("figs.yaml") and "expected a figures file" in problem.message
    assert len(str(problem)) < 300
