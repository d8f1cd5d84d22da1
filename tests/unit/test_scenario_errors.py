"""Malformed scenarios: each is refused with a ScenarioError naming the right line, key and mistake.

Every file in tests/data/malformed/ is a small scenario with exactly one mistake.
Its first line says what must be reported::

    # expect: LINE key.path | part of the message

LINE is the 1-based line of the offending key or value, or ``-`` for a
problem about the whole file (an empty file, a file that is not UTF-8...);
``key.path`` is the key path the problem names (``(document)`` for the root).
A case that shows a known loader bug is listed in ``KNOWN_BUGS`` and runs as
``xfail(strict=True)``, so that fixing the bug makes the list shrink.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim.cli import main
from munisim.config.loader import load_scenario, scenario_from_located
from munisim.config.yamlload import parse_yaml
from munisim.errors import Problem, ScenarioError

HERE = Path(__file__).parent
MALFORMED = HERE.parent / "data" / "malformed"
EXAMPLE_SMALL = HERE.parent.parent / "scenarios" / "example-small.yaml"
CASES = sorted(p for p in MALFORMED.iterdir() if p.is_file())

HEADER_RE = re.compile(r"# expect: (-|\d+) (\S+) \| (.+)")
#: A located problem, or a problem about the whole file.
LOCATED_RE = re.compile(r"^[^:]+:\d+:\d+: \S+: .+")
FILE_LEVEL_RE = re.compile(r"^[^:]+: \(document\): .+")
#: Words that betray a raw exception or pydantic's own error text.
INTERNALS = (
    "Traceback",
    "function-after",
    "function-before",
    "tagged-union",
    "type=",
    "For further information visit",
    "pydantic",
    "errors.pydantic.dev",
)

#: File name -> reason, for cases that show a loader bug not fixed yet.
KNOWN_BUGS: dict[str, str] = {}


def _expect(path: Path) -> tuple[int | None, str, str]:
    first = path.read_bytes().decode("utf-8", errors="replace").splitlines()[0]
    m = HEADER_RE.fullmatch(first.rstrip())
    assert m, f"{path.name}: line 1 must be '# expect: LINE key.path | message part', got {first!r}"
    line = None if m.group(1) == "-" else int(m.group(1))
    return line, m.group(2), m.group(3).strip()


def _cases() -> list[object]:
    return [
        pytest.param(p, id=p.stem, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[p.name]))
        if p.name in KNOWN_BUGS
        else pytest.param(p, id=p.stem)
        for p in CASES
    ]


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems
    return info.value.problems


def test_enough_cases() -> None:
    assert len(CASES) >= 25
    assert all(p.suffix == ".yaml" for p in CASES)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_header_is_well_formed(path: Path) -> None:
    line, key, part = _expect(path)
    n_lines = len(path.read_bytes().splitlines())
    assert line is None or 1 <= line <= n_lines + 1, f"{path.name}: expected line {line} is past the end"
    assert key and part


@pytest.mark.parametrize("path", _cases())
def test_problem_names_line_key_and_message(path: Path) -> None:
    line, key, part = _expect(path)
    problems = _problems(path)
    shown = "\n".join(str(p) for p in problems)
    assert any(p.line == line and (p.path or "(document)") == key and part in p.message for p in problems), (
        f"expected a problem at line {line}, key {key!r}, containing {part!r}; got:\n{shown}"
    )


@pytest.mark.parametrize("path", _cases())
def test_problem_lines_are_clean(path: Path) -> None:
    for problem in _problems(path):
        text = str(problem)
        assert "\n" not in text, text
        if problem.line is None:
            assert FILE_LEVEL_RE.match(text), text
        else:
            assert LOCATED_RE.match(text), text
            assert problem.line >= 1 and problem.column is not None and problem.column >= 1, text
        assert problem.file == str(path), text
        assert not any(word in text for word in INTERNALS), text


@pytest.mark.parametrize("path", _cases())
def test_one_mistake_gives_few_problems(path: Path) -> None:
    # One mistake may legitimately give two lines (e.g. a misspelt parameter is both unknown and
    # missing), but not a cascade of follow-on errors.
    problems = _problems(path)
    assert len(problems) <= 2, "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_cli_validate_exit_status_and_format(path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines
    for text in lines:
        assert LOCATED_RE.match(text) or FILE_LEVEL_RE.match(text), text
        assert text.startswith(str(path)), text
        assert not any(word in text for word in INTERNALS), text


def test_python_object_tag_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    _problems(MALFORMED / "python_object_tag.yaml")
    assert calls == []


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "~\n"], ids=["empty", "blank", "comment", "null"])
def test_empty_documents(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    (problem,) = _problems(path)
    assert problem.path == "" and "expected a mapping" in problem.message
    assert FILE_LEVEL_RE.match(str(problem)) or LOCATED_RE.match(str(problem))


def test_missing_file(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path / "nope.yaml")
    assert problem.message == "file not found"


def test_example_small_loads() -> None:
    scenario = load_scenario(EXAMPLE_SMALL)
    assert scenario.name == "example-small"
    assert set(scenario.fronts) == {"red_front", "blue_front"}
    assert scenario.n_days == 366


def test_malformed_base_is_valid() -> None:
    # The base the malformed files are cut from is itself valid, so each file's one edit is its only mistake.
    text = (MALFORMED / "lead_time_zero.yaml").read_text().replace("lead_time_days: 0", "lead_time_days: 5")
    scenario = scenario_from_located(parse_yaml(text, "base.yaml"), MALFORMED)
    assert set(scenario.factories) == {"plant"}
