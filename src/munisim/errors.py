"""Exceptions raised by munisim.

Every error a user can cause carries enough context to be fixed without reading
the source: the file, the line and column, the key path inside the document,
what is wrong and what is expected.  :class:`ScenarioError` groups several
:class:`Problem` lines so that a user sees every mistake of a file at once.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MunisimError", "Problem", "ScenarioError", "SimulationError"]


class MunisimError(Exception):
    """Base class of all errors raised on purpose by munisim."""


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
        What is wrong and what is expected.
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

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
