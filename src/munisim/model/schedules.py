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
    ndarray, shape (B, T)
        Flat before the first point and after the last.

    Examples
    --------
    >>> daily_values([0, 4], np.array([[0.0, 8.0]]), 6).tolist()
    [[0.0, 2.0, 4.0, 6.0, 8.0, 8.0]]
    """
    vals = np.asarray(values, dtype=float)
    d = np.asarray(days, dtype=np.int64)
    t = np.arange(n_days, dtype=np.int64)
    k = np.searchsorted(d, t, side="right") - 1  # last point at or before t; -1 before the first
    if len(d) == 1:
        return np.repeat(vals[:, :1], n_days, axis=1)
    before = k < 0
    after = k >= len(d) - 1
    kk = np.clip(k, 0, len(d) - 2)
    v0 = vals[:, kk]
    if interpolation == "step":
        out = v0.copy()
        out[:, after] = vals[:, -1:]
    else:
        w = (t - d[kk]) / (d[kk + 1] - d[kk])
        out = v0 + w * (vals[:, kk + 1] - v0)
        out[:, after] = vals[:, -1:]
    out[:, before] = vals[:, :1]
    return out


def daily_rates(
    dates: Sequence[dt.date], values: np.ndarray, start: dt.date, n_days: int, *, unit: str, interpolation: str
) -> np.ndarray:
    """Daily rates in rounds per day, ``ndarray, shape (B, T)``, from dated points in ``unit``."""
    days = [(d - start).days for d in dates]
    return daily_values(days, values, n_days, interpolation=interpolation) / RATE_UNIT_DAYS[unit]
