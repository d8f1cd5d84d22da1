"""Dated rate schedules -> daily rates (see docs/model.md, "Schedules")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from munisim.config.scenario import RATE_UNIT_DAYS

__all__ = ["daily_values", "daily_rates"]


def daily_values(
    days: Sequence[int], values: np.ndarray, n_days: int, *, interpolation: str = "linear"
) -> np.ndarray:
    """Evaluate a schedule of dated points on every day.

    Parameters
    ----------
    days : sequence of int, length K
        Day index of each point, strictly increasing (may lie outside ``0..n_days-1``).
    values : ndarray, shape (B, K)
        Value of each point for each of ``B`` replicates.
    n_days : int
        Number of days ``T``.
    interpolation : {"linear", "step"}
        Linear between points, or constant from each point to the next.

    Returns
    -------
    ndarray, shape (T, B)
        Day-major (one row per day). Flat before the first point and after the last.

    Examples
    --------
    >>> daily_values([0, 4], np.array([[0.0, 8.0]]), 6)[:, 0].tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 8.0]
    """
    vals = np.asarray(values, dtype=float).T  # (K, B)
    d = [int(x) for x in days]
    out = np.empty((n_days, vals.shape[1]))
    # Segment by segment, so each lane's point values broadcast instead of being gathered per day.
    out[: max(0, min(d[0], n_days))] = vals[0]
    for k in range(len(d) - 1):
        lo, hi = max(d[k], 0), min(d[k + 1], n_days)
        if lo >= hi:
            continue
        if interpolation == "step":
            out[lo:hi] = vals[k]
        else:
            w = ((np.arange(lo, hi) - d[k]) / (d[k + 1] - d[k]))[:, None]
            out[lo:hi] = vals[k] + w * (vals[k + 1] - vals[k])
    out[max(0, d[-1]) :] = vals[-1]
    return out


def daily_rates(
    dates: Sequence[dt.date], values: np.ndarray, start: dt.date, n_days: int, *, unit: str, interpolation: str
) -> np.ndarray:
    """Daily rates in rounds per day, ``ndarray, shape (T, B)``, from dated points in ``unit``."""
    days = [(d - start).days for d in dates]
    return daily_values(days, values, n_days, interpolation=interpolation) / RATE_UNIT_DAYS[unit]
