"""Dated rate schedules -> daily rates (see docs/model.md, "Schedules").

A :class:`RateSchedule` holds a schedule's dated points with one value per
replicate lane.  ``full()`` gives every day at once (``(T, B)``, for the
reference engine and for drawing demand); ``row(t)`` gives one day for all
lanes (for the vector engine, which then never holds a ``(T, R)`` array).
Both evaluate ``(v_k + w (v_{k+1} - v_k)) / unit_days`` with the same
floating-point operations, so they agree bit for bit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from munisim.config.scenario import RATE_UNIT_DAYS

__all__ = ["RateSchedule", "daily_values", "daily_rates"]


@dataclass(frozen=True)
class RateSchedule:
    """A piecewise-linear (or step) schedule over ``T`` days for ``B`` lanes.

    Attributes
    ----------
    days : tuple of int, length K
        Day index of each point, strictly increasing (may lie outside the horizon).
    values : ndarray, shape (K, B)
        Value of each point in each lane, in ``unit_days`` units.
    n_days : int
        ``T``.
    unit_days : float
        Length in days of the rate's period (1, 30.4375 or 365.25).
    interpolation : {"linear", "step"}
    """

    days: tuple[int, ...]
    values: np.ndarray
    n_days: int
    unit_days: float = 1.0
    interpolation: str = "linear"

    def _segments(self) -> tuple[np.ndarray, np.ndarray]:
        """Per day: the segment k (-1 before the first point, K-1 after the last) and the weight w."""
        d = np.asarray(self.days, dtype=np.int64)
        t = np.arange(self.n_days, dtype=np.int64)
        k = np.searchsorted(d, t, side="right") - 1
        w = np.zeros(self.n_days)
        inner = (k >= 0) & (k < len(d) - 1)
        ki = k[inner]
        w[inner] = (t[inner] - d[ki]) / (d[ki + 1] - d[ki])
        return k, w

    def full(self) -> np.ndarray:
        """Every day's rate per day: ``ndarray, shape (T, B)``, day-major."""
        vals = self.values
        d = self.days
        out = np.empty((self.n_days, vals.shape[1]))
        out[: max(0, min(d[0], self.n_days))] = vals[0]
        for k in range(len(d) - 1):
            lo, hi = max(d[k], 0), min(d[k + 1], self.n_days)
            if lo >= hi:
                continue
            if self.interpolation == "step":
                out[lo:hi] = vals[k]
            else:
                w = ((np.arange(lo, hi) - d[k]) / (d[k + 1] - d[k]))[:, None]
                out[lo:hi] = vals[k] + w * (vals[k + 1] - vals[k])
        out[max(0, d[-1]) :] = vals[-1]
        return out / self.unit_days

    @cached_property
    def daily(self) -> np.ndarray:
        """:meth:`full`, computed once."""
        return self.full()

    def rows(self) -> RateRows:
        """A per-day evaluator of the same numbers as :meth:`full`."""
        return RateRows(self)

    @staticmethod
    def concat(parts: Sequence[RateSchedule], lanes: Sequence[slice] | None = None) -> RateSchedule:
        """The same schedule over the lanes of several blocks (``lanes[i]`` of part ``i``)."""
        first = parts[0]
        sel = lanes if lanes is not None else [slice(None)] * len(parts)
        values = np.concatenate([p.values[:, sl] for p, sl in zip(parts, sel)], axis=1)
        return RateSchedule(first.days, values, first.n_days, first.unit_days, first.interpolation)


class RateRows:
    """``rows[t]``: the rate of day ``t`` in every lane, ``ndarray, shape (B,)``."""

    def __init__(self, schedule: RateSchedule) -> None:
        self.k, self.w = schedule._segments()
        vals = schedule.values
        self.vals = vals
        self.diff = vals[1:] - vals[:-1]
        self.last = len(schedule.days) - 1
        self.unit = schedule.unit_days
        self.step = schedule.interpolation == "step"
        self.constant = bool((vals == vals[0]).all()) if len(vals) > 1 else True
        self._const_row = vals[0] / self.unit

    def __getitem__(self, t: int) -> np.ndarray:
        if self.constant:
            return self._const_row
        k = self.k[t]
        if k < 0:
            return self.vals[0] / self.unit
        if k >= self.last:
            return self.vals[-1] / self.unit
        if self.step:
            return self.vals[k] / self.unit
        return (self.vals[k] + self.w[t] * self.diff[k]) / self.unit


def daily_values(days: Sequence[int], values: np.ndarray, n_days: int, *, interpolation: str = "linear") -> np.ndarray:
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
    sched = RateSchedule(tuple(int(x) for x in days), np.asarray(values, dtype=float).T, n_days, 1.0, interpolation)
    return sched.full()


def daily_rates(
    dates: Sequence[dt.date], values: np.ndarray, start: dt.date, n_days: int, *, unit: str, interpolation: str
) -> np.ndarray:
    """Daily rates in rounds per day, ``ndarray, shape (T, B)``, from dated points in ``unit``."""
    return schedule_of(dates, values, start, n_days, unit=unit, interpolation=interpolation).full()


def schedule_of(
    dates: Sequence[dt.date], values: np.ndarray, start: dt.date, n_days: int, *, unit: str, interpolation: str
) -> RateSchedule:
    """A :class:`RateSchedule` from dated points; ``values`` is ``(B, K)``."""
    days = tuple((d - start).days for d in dates)
    return RateSchedule(days, np.asarray(values, dtype=float).T.copy(), n_days, RATE_UNIT_DAYS[unit], interpolation)
