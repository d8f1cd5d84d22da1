"""Differences between two runs: paired when they share a seed (common random numbers), else Welch."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from munisim.errors import SimulationError
from munisim.results import RunResult

__all__ = ["compare_samples", "paired_difference", "paired_stats", "welch_stats"]


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
    return paired_stats(x[:n], y[:n], level=level)


def paired_stats(x: np.ndarray, y: np.ndarray, *, level: float = 0.95) -> dict[str, float]:
    """Mean of the per-replicate differences ``y - x``, with a t confidence interval.

    Parameters
    ----------
    x, y : ndarray, shape (R,)
        The same per-replicate metric in two runs; replicate ``r`` of both
        used the same random numbers.  Pairs where either value is NaN are
        dropped.
    level : float
        Coverage of the interval.

    Returns
    -------
    dict
        ``mean``, ``low``, ``high`` (the interval; NaN with fewer than two
        pairs), ``sd`` (of the differences) and ``n`` (pairs used).

    Examples
    --------
    >>> paired_stats(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]))["mean"]
    2.0
    """
    d = np.asarray(y, dtype=float) - np.asarray(x, dtype=float)
    d = d[np.isfinite(d)]
    n = int(d.size)
    if n == 0:
        return {"mean": float("nan"), "low": float("nan"), "high": float("nan"), "sd": float("nan"), "n": 0}
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
    return {"mean": mean, "low": mean - half, "high": mean + half, "sd": sd, "n": n}


def welch_stats(x: np.ndarray, y: np.ndarray, *, level: float = 0.95) -> dict[str, Any]:
    """Difference of means ``mean(y) - mean(x)`` of two independent samples, with a Welch t interval.

    Parameters
    ----------
    x, y : ndarray
        The same metric in two runs that do not share random numbers (any
        lengths); NaN values are dropped.
    level : float
        Coverage of the interval.

    Returns
    -------
    dict
        ``mean``, ``low``, ``high`` (the interval, with Welch-Satterthwaite
        degrees of freedom; NaN when a sample has fewer than two values),
        ``se`` (standard error of the difference), ``df`` and ``n`` (the two
        sample sizes as ``[len(x), len(y)]``).

    Examples
    --------
    >>> welch_stats(np.array([1.0, 2.0, 3.0]), np.array([5.0, 6.0, 7.0]))["mean"]
    4.0
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    nx, ny = int(x.size), int(y.size)
    nan = float("nan")
    if nx == 0 or ny == 0:
        return {"mean": nan, "low": nan, "high": nan, "se": nan, "df": nan, "n": [nx, ny]}
    mean = float(y.mean() - x.mean())
    if nx < 2 or ny < 2:
        return {"mean": mean, "low": nan, "high": nan, "se": nan, "df": nan, "n": [nx, ny]}
    vx, vy = x.var(ddof=1) / nx, y.var(ddof=1) / ny
    se = float(np.sqrt(vx + vy))
    if se == 0:
        return {"mean": mean, "low": mean, "high": mean, "se": 0.0, "df": float(nx + ny - 2), "n": [nx, ny]}
    df = float((vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1)))
    half = float(stats.t.ppf(0.5 + level / 2, df) * se)
    return {"mean": mean, "low": mean - half, "high": mean + half, "se": se, "df": df, "n": [nx, ny]}


def compare_samples(
    experiment: object, a: int, b: int, metric: str, *, samples: int | None = None, level: float = 0.95
) -> dict[str, float]:
    """Paired difference (sample ``b`` minus sample ``a``) of a metric between two design points of a sweep.

    The two samples are simulated again with the experiment's seed and
    replicates, keeping every replicate's outcome, so replicate ``r`` of both
    uses the same random streams.

    Parameters
    ----------
    experiment : path or ExperimentSpec
    a, b : int
        Sample indices (as in ``samples.parquet``).
    metric : str
        A per-replicate metric, e.g. ``"ua.share_met"``.
    samples : int, optional
        The design size used for the sweep, if it was overridden.
    """
    from munisim.config.experiment_loader import ExperimentSpec, load_experiment
    from munisim.experiments.design import design_points
    from munisim.experiments.evaluate import SweepTask, _scenario
    from munisim.experiments.sweep import with_overrides
    from munisim.simulation import simulate

    spec = experiment if isinstance(experiment, ExperimentSpec) else load_experiment(experiment)  # type: ignore[arg-type]
    exp = with_overrides(spec.experiment, samples=samples)
    names, _unit, values = design_points(exp.design, exp.factors, seed=exp.seed)
    for i in (a, b):
        if not 0 <= i < len(values):
            raise SimulationError(f"sample {i} is not in the design (0..{len(values) - 1})")
    task = SweepTask(exp, spec.scenario_data, spec.figure_ids, tuple(names), (), values)
    runs = [
        simulate(_scenario(task, values[i]), engine=exp.engine, replicates=exp.replicates, seed=exp.seed)
        for i in (a, b)
    ]
    return paired_difference(runs[0], runs[1], metric, level=level)
