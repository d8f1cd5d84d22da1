"""Time to an event across replicates, with right-censoring at the horizon.

An event outcome (first stock-out, low stock, production crossover) is an
index per replicate: the first day (or month) on which the event happens,
``-1`` when it never happens within the horizon.  Every replicate runs to the
same horizon, so a replicate without the event is censored after the last
step: it still counts in the denominator of "has it happened by step k", which
is then the Kaplan-Meier estimate (no replicate is censored earlier).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from munisim.results import censored_median

__all__ = ["INTERVAL_METHODS", "binomial_interval", "event_probability", "event_summary"]

#: Pointwise interval methods for a share: Wilson score, Clopper-Pearson (exact).
INTERVAL_METHODS = ("wilson", "clopper-pearson")


def binomial_interval(
    k: np.ndarray | int, n: int, *, level: float = 0.95, method: str = "wilson"
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of a share ``k / n``, for each ``k``.

    Parameters
    ----------
    k : int or ndarray of int
        Counts of successes, each in ``0 .. n``.
    n : int
        Trials (replicates), ``n >= 1``.
    level : float
        Coverage, e.g. 0.95.
    method : {"wilson", "clopper-pearson"}
        Wilson score interval, or the exact Clopper-Pearson interval (beta quantiles).

    Returns
    -------
    low, high : ndarray
        Bounds (shares in ``[0, 1]``), of ``k``'s shape.

    Examples
    --------
    >>> low, high = binomial_interval(0, 10, method="clopper-pearson")
    >>> float(low), round(float(high), 4)
    (0.0, 0.3085)
    """
    if n < 1:
        raise ValueError(f"need at least one trial, got n={n}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    k = np.asarray(k, dtype=float)
    alpha = 1 - level
    if method == "wilson":
        z = stats.norm.ppf(1 - alpha / 2)
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    if method == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
            high = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
        return np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    raise ValueError(f"unknown interval method {method!r}; expected one of {', '.join(INTERVAL_METHODS)}")


def event_probability(index: np.ndarray, steps: int, *, level: float = 0.95, method: str = "wilson") -> pd.DataFrame:
    """Probability that the event has happened by each step, with a pointwise confidence band.

    Parameters
    ----------
    index : ndarray of int, shape (R,)
        Per replicate, the step (day or month index) of the event; ``-1`` if
        it never happens within the horizon (right-censored).
    steps : int
        Steps in the horizon (days or months); indices must be below it.
    level, method
        See :func:`binomial_interval`.

    Returns
    -------
    DataFrame
        ``steps`` rows with columns ``step`` (0 .. steps-1), ``events``
        (replicates whose event happened at or before the step), ``n`` (all
        replicates, censored ones included), ``probability`` (``events / n``,
        a non-decreasing step function) and ``low``, ``high`` (the interval).

    Examples
    --------
    >>> event_probability(np.array([0, 2, 2, -1]), 4)["probability"].tolist()
    [0.25, 0.25, 0.75, 0.75]
    """
    index = np.asarray(index)
    n = index.size
    if n == 0:
        raise ValueError("no replicates")
    if index.max(initial=-1) >= steps:
        raise ValueError(f"an event index ({int(index.max())}) is beyond the horizon of {steps} steps")
    hits = np.bincount(index[index >= 0].astype(np.int64), minlength=steps)
    events = np.cumsum(hits)
    low, high = binomial_interval(events, n, level=level, method=method)
    return pd.DataFrame(
        {"step": np.arange(steps), "events": events, "n": n, "probability": events / n, "low": low, "high": high}
    )


def event_summary(index: np.ndarray) -> dict[str, Any]:
    """Share of replicates with the event and the censored median step.

    Returns
    -------
    dict
        ``n`` (replicates), ``events`` (replicates with the event), ``share``
        (``events / n``) and ``median`` (the censored median step from
        :func:`munisim.results.censored_median`: ``None`` when the event
        happens in fewer than half of the replicates).

    Examples
    --------
    >>> event_summary(np.array([5, -1, 3]))
    {'n': 3, 'events': 2, 'share': 0.6666666666666666, 'median': 5}
    """
    index = np.asarray(index)
    events = int((index >= 0).sum())
    return {
        "n": int(index.size),
        "events": events,
        "share": events / index.size if index.size else float("nan"),
        "median": censored_median(index),
    }
