"""Read a run directory written by :func:`munisim.write_run` back: summary, manifest, outcomes, series."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from munisim.errors import MunisimError
from munisim.report.monthly_file import MONTHLY_FILE
from munisim.report.outcomes_file import OUTCOMES_FILE
from munisim.report.sources import SOURCES_FILE, SourcesReport

__all__ = ["EVENT_SUFFIXES", "RunDirError", "RunFiles", "is_event_outcome", "read_run"]

#: Per-side outcomes that are day indices of an event (-1 when it never happens).
EVENT_SUFFIXES = (".first_stockout", ".low_stock")


class RunDirError(MunisimError):
    """A path is not a readable run directory, or lacks a file (one line: ``PATH: what is wrong``)."""


def is_event_outcome(name: str) -> bool:
    """True for time-to-event outcomes: ``<side>.first_stockout``, ``<side>.low_stock``, ``crossover.<A> over <B>``."""
    return name.startswith("crossover.") or name.endswith(EVENT_SUFFIXES)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunDirError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: expected a JSON object")
    return data


def _read_parquet(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise RunDirError(f"{path}: missing; {what}")
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors for a damaged file are ValueErrors
        raise RunDirError(f"{path}: cannot be read ({exc.__class__.__name__})") from None


_OLDER = "the run was written by an older munisim; run its scenario again"


@dataclass(frozen=True)
class RunFiles:
    """A run directory's files, read on demand.

    Attributes
    ----------
    path : Path
    summary : dict
        ``summary.json`` (see :meth:`munisim.results.RunResult.summary`).
    manifest : dict
        ``manifest.json``: engine, seed, replicates, versions, figures cited...
    outcomes : DataFrame
        ``outcomes.parquet``: one row per replicate (see
        :func:`munisim.report.outcomes_file.outcomes_frame`).
    """

    path: Path
    summary: dict[str, Any]
    manifest: dict[str, Any]
    outcomes: pd.DataFrame

    @property
    def sides(self) -> list[str]:
        """Side ids, in the scenario's order."""
        return list(self.summary["sides"])

    def side_name(self, side: str) -> str:
        return str(self.summary["sides"][side].get("name") or side)

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.summary["start"])

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.summary["end"])

    @cached_property
    def days(self) -> pd.DatetimeIndex:
        """The simulated dates (day index ``t`` is ``days[t]``)."""
        return pd.date_range(self.start, self.end, freq="D")

    @cached_property
    def months(self) -> pd.DatetimeIndex:
        """First day of each simulated calendar month (month index ``m`` is ``months[m]``)."""
        return pd.period_range(self.start, self.end, freq="M").to_timestamp()

    def event_axis(self, outcome: str) -> pd.DatetimeIndex:
        """The dates an event outcome's indices point into: :attr:`months` for crossovers, else :attr:`days`."""
        return self.months if outcome.startswith("crossover.") else self.days

    def event_date(self, outcome: str, index: int | None) -> pd.Timestamp | None:
        """The date of an event index (``None`` for ``None`` or -1)."""
        if index is None or index < 0:
            return None
        return self.event_axis(outcome)[index]

    def timeseries(self) -> pd.DataFrame:
        """``timeseries.parquet``: daily ``date, side, variable, mean, p05, p50, p95``."""
        return _read_parquet(self.path / "timeseries.parquet", "the run directory is incomplete")

    def monthly(self) -> pd.DataFrame:
        """``monthly.parquet``: ``month, side, variable, mean, p05, p50, p95``."""
        return _read_parquet(self.path / MONTHLY_FILE, _OLDER)

    def sources(self) -> SourcesReport | None:
        """``sources.json`` (the cited figures and uncited values), or ``None`` if the run has none."""
        path = self.path / SOURCES_FILE
        if not path.is_file():
            return None
        try:
            return SourcesReport.from_dict(_read_json(path))
        except (KeyError, TypeError) as exc:
            raise RunDirError(f"{path}: not a sources file ({exc})") from None

    def scenario_data(self) -> dict[str, Any]:
        """``scenario.resolved.yaml`` as plain data (not validated: its figures files may be elsewhere)."""
        path = self.path / "scenario.resolved.yaml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise RunDirError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
        return data if isinstance(data, dict) else {}


def read_run(path: str | Path) -> RunFiles:
    """Read the summary, manifest and per-replicate outcomes of a run directory.

    Raises
    ------
    RunDirError
        When ``path`` is not a munisim run directory, or has no
        ``outcomes.parquet`` (runs written before it existed).
    """
    path = Path(path)
    if not path.is_dir():
        raise RunDirError(
            f"{path}: {'not a directory' if path.exists() else 'no such directory'}; "
            "expected a run directory written by munisim run"
        )
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise RunDirError(f"{path}: not a munisim run directory (no manifest.json)")
    manifest = _read_json(manifest_path)
    if "munisim_run" not in manifest:
        raise RunDirError(f"{manifest_path}: not a run manifest (a sweep directory?); expected a run directory")
    summary = _read_json(path / "summary.json")
    if not isinstance(summary.get("sides"), dict) or "start" not in summary:
        raise RunDirError(f"{path / 'summary.json'}: not a run summary")
    outcomes = _read_parquet(path / OUTCOMES_FILE, _OLDER)
    return RunFiles(path, summary, manifest, outcomes)
