"""``monthly.parquet``: calendar-month totals per side, as quantiles across replicates.

A run's daily quantiles (``timeseries.parquet``) cannot be summed into
monthly bands (a sum of quantiles is not the quantile of the sum), so the
monthly flows a report charts are reduced per replicate first and written here.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from munisim.results import QUANTILES, RunResult

__all__ = ["MONTHLY_FILE", "MONTHLY_FLOWS", "monthly_frame", "write_monthly"]

MONTHLY_FILE = "monthly.parquet"
#: Flows summed per calendar month (rounds per month); ``losses`` is added with forces.
MONTHLY_FLOWS = ("produced", "received", "fired", "demanded")


def _month_sums(result: RunResult, daily: np.ndarray) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Calendar-month sums of a daily ``(R, T)`` series: month starts ``(M,)`` and ``(R, M)`` float64."""
    periods = result.dates.to_period("M")
    starts = np.flatnonzero(np.r_[True, periods[1:] != periods[:-1]])
    sums = np.add.reduceat(np.asarray(daily, dtype=float), starts, axis=1)
    return periods[starts].to_timestamp(), sums


def _rows(months: pd.DatetimeIndex, side: str, variable: str, data: np.ndarray) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # months where no replicate has a value stay NaN
        q = np.nanquantile(data, list(QUANTILES.values()), axis=0)
        mean = np.nanmean(data, axis=0)
    return pd.DataFrame(
        {
            "month": months,
            "side": side,
            "variable": variable,
            "mean": mean,
            **{k: q[i] for i, k in enumerate(QUANTILES)},
        }
    )


def monthly_frame(result: RunResult) -> pd.DataFrame:
    """Monthly totals per side across the replicates whose daily series are held.

    Returns
    -------
    DataFrame
        Columns ``month`` (first day of the calendar month), ``side``,
        ``variable``, ``mean``, ``p05``, ``p50``, ``p95``.  Variables: the
        :data:`MONTHLY_FLOWS` in rounds per month (the first and last months
        may be partial), ``fire_ratio`` (fired / demanded in the month, per
        replicate; NaN where nothing was demanded) and, with forces,
        ``losses`` (attrition per month, in the forces' unit).
    """
    frames = []
    for side in result.sides:
        sums = {}
        for var in MONTHLY_FLOWS:
            months, sums[var] = _month_sums(result, result.series(var, side=side))
            frames.append(_rows(months, side, var, sums[var]))
        ratio = np.divide(
            sums["fired"], sums["demanded"], out=np.full_like(sums["fired"], np.nan), where=sums["demanded"] > 0
        )
        frames.append(_rows(months, side, "fire_ratio", ratio))
        if result.scenario.forces:
            months, losses = _month_sums(result, result.series("losses", side=side))
            frames.append(_rows(months, side, "losses", losses))
    return pd.concat(frames, ignore_index=True)


def write_monthly(result: RunResult, directory: Path) -> Path:
    """Write :func:`monthly_frame` to ``directory / MONTHLY_FILE``; returns the path."""
    path = Path(directory) / MONTHLY_FILE
    monthly_frame(result).to_parquet(path, index=False)
    return path
