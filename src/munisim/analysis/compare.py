"""Paired comparisons of two runs that share a seed (common random numbers)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from munisim.errors import SimulationError
from munisim.results import RunResult

__all__ = ["paired_difference"]


def paired_difference(a: RunResult, b: RunResult, metric: str, *, level: float = 0.95) -> dict[str, float]:
    """Mean of ``b - a`` for a per-replicate metric, with a t confidence interval.

    Replicate ``r`` of two runs with the same seed uses the same random
    streams, so the differences are paired and their spread is much smaller
    than that of either run.

    Returns
    -------
    dict
        ``mean``, ``low``, ``high`` (the interval at ``level``), ``sd`` and ``n``.
    """
    if a.seed != b.seed:
        raise SimulationError(f"paired differences need the same seed (got {a.seed} and {b.seed})")
    x, y = a.outcomes[metric], b.outcomes[metric]
    n = min(len(x), len(y))
    d = np.asarray(y[:n], dtype=float) - np.asarray(x[:n], dtype=float)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
    return {"mean": mean, "low": mean - half, "high": mean + half, "sd": sd, "n": n}
