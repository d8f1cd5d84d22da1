"""Exceptions raised by munisim.

Every error a user can cause carries enough context to be fixed without reading
the source: the file, the line and column, the key path inside the document,
what is wrong and what is expected.  :class:`ScenarioError` groups several
:class:`Problem` lines so that a user sees every mistake of a file at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MunisimError", "Problem", "ScenarioError", "SimulationError"]


class MunisimError(Exception):
    """Base class of all errors raised on purpose by munisim."""


#: Longest quoted value kept whole in a problem's message, in characters.
MAX_QUOTED = 60
_QUOTED = re.compile(rf"(['\"])([^'\"\n]{{{MAX_QUOTED + 1},}})\1")


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Parameters
    ----------
    file : str
        The file the problem is in (as the user named it), or a pseudo-file such
        as ``<--set>`` for command-line overrides.
    line, column : int or None
        1-based position of the offending node; ``None`` when unknown.
    path : str
        Key path inside the document, e.g. ``factories.ru_new.capacity[3].rate``;
        empty for the document root.
    message : str
        What is wrong and what is expected.  A quoted value longer than
        :data:`MAX_QUOTED` characters (a user's text, however long) is
        shortened, so that a problem stays one readable line.

    Examples
    --------
    >>> Problem("s.yaml", 3, 5, "sides.red.name", f"not {'x' * 100!r}").message
    "not 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __post_init__(self) -> None:
        short = _QUOTED.sub(lambda m: f"{m.group(1)}{m.group(2)[: MAX_QUOTED - 3]}...{m.group(1)}", self.message)
        object.__setattr__(self, "message", short)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        key = self.path or "(document)"
        return f"{where}: {key}: {self.message}"


class ScenarioError(MunisimError):
    """An input file is not valid; carries one :class:`Problem` per mistake."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SimulationError(MunisimError):
    """A run was asked for something it cannot do (bad engine, replicates < 1...)."""
