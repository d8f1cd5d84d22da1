"""Cited public figures (the ``seeds/`` files) that scenario values point to.

A figures file maps figure ids to a description, a unit, a low/central/high
range, the date it refers to and its public sources.  A scenario value cites
one with ``source: <figure id>``; validation fails on ids that do not exist.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Source", "SeriesPoint", "Figure", "FigureSet"]


class Source(BaseModel):
    """One public source of a figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    url: str | None = None
    publisher: str | None = None
    date: str | None = None


class SeriesPoint(BaseModel):
    """A dated observation behind a figure (dates are free text: '2023-10', '2024 (plan)')."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: str
    value: float | None = None
    range: list[float] | None = None
    source: str | None = None
    note: str | None = None


class Figure(BaseModel):
    """A cited public figure with its range."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    description: str
    unit: str
    low: float | None = None
    central: float | None = None
    high: float | None = None
    as_of: str | None = None
    series: list[SeriesPoint] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    reliability: str | None = None
    note: str | None = None


class FigureSet(BaseModel):
    """The content of a figures file: ``figures: {id: Figure}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str | None = None
    figures: dict[str, Figure]

    def merged(self, other: FigureSet) -> FigureSet:
        """Union of two sets (ids of ``other`` win)."""
        return FigureSet(title=self.title, figures={**self.figures, **other.figures})

    def as_rows(self) -> list[dict[str, Any]]:
        """One dict per figure, for tables."""
        return [{"id": k, **f.model_dump()} for k, f in self.figures.items()]
