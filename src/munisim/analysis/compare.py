"""Paired comparisons of two runs that share a seed (common random numbers)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from munisim.errors import SimulationError
from munisim.results import RunResult

__all__ = ["compare_samples", "paired_difference"]


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


def compare_samples(experiment: object, a: int, b: int, metric: str, *, samples: int | None = None,
                    level: float = 0.95) -> dict[str, float]:
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
    runs = [simulate(_scenario(task, values[i]), engine=exp.engine, replicates=exp.replicates, seed=exp.seed)
            for i in (a, b)]
    return paired_difference(runs[0], runs[1], metric, level=level)
