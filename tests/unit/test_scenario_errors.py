"""Malformed scenarios: each gives exit status 2 and one line per problem naming the right line and key.

Every file in tests/data/malformed/ starts with ``# expect: LINE key.path | message part``
(LINE is ``-`` when the problem has no line, e.g. an empty file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim.cli import main
from munisim.config.loader import load_scenario
from munisim.errors import ScenarioError

CASES = sorted((Path(__file__).resolve().parents[1] / "data" / "malformed").glob("*.yaml"))
LINE_RE = re.compile(r"^\S.*?:\d+:\d+: \S+: .+$|^\S.*?: \(document\): .+$")
INTERNALS = ("Traceback", "function-after", "tagged-union", "type=", "For further information", "pydantic")


def _expect(path: Path) -> tuple[str, str, str]:
    m = re.match(r"# expect: (\S+) (\S+) \| (.+)$", path.read_text().splitlines()[0] if path.read_text() else "")
    assert m, f"{path.name}: first line must be '# expect: LINE key.path | message'"
    return m.group(1), m.group(2), m.group(3)


def test_enough_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_problem_names_line_and_key(path: Path) -> None:
    line, key, part = _expect(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = info.value.problems
    found = [p for p in problems
             if (p.path or "(document)") == key and part in p.message and str(p.line or "-") == line]
    assert found, "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_cli_exit_status_and_format(path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines
    for text in lines:
        assert LINE_RE.match(text), text
        assert text.startswith(str(path))
        assert not any(word in text for word in INTERNALS), text
