"""Sensitivity indices of sweep outcomes with SALib.

Sobol' first- and total-order indices (with bootstrap confidence intervals)
need a ``saltelli`` design; Morris ``mu*`` and ``sigma`` need a ``morris``
design.  Indices are computed on the unit-cube design, so they measure each
factor over its whole range (or distribution).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from munisim.errors import SimulationError
from munisim.experiments.design import salib_problem

if TYPE_CHECKING:
    from munisim.config.experiment_loader import ExperimentSpec
    from munisim.experiments.sweep import SweepResult

__all__ = ["sobol_indices", "morris_indices"]


def _check(y: np.ndarray, what: str) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        bad = int((~np.isfinite(y)).sum())
        raise SimulationError(
            f"{what}: {bad} sample(s) have no finite value (failed samples, or an event that never "
            "happens); sensitivity indices need every sample; choose another outcome or fix them"
        )
    return y


def sobol_indices(
    y: np.ndarray, names: list[str], *, seed: int = 0, what: str = "outcome"
) -> dict[str, dict[str, float]]:
    """First- and total-order Sobol' indices of ``y`` (in Saltelli design order), per factor.

    Returns
    -------
    dict
        factor -> ``{S1, S1_conf, ST, ST_conf}`` (95% bootstrap half-widths).
    """
    from SALib.analyze import sobol

    y = _check(y, what)
    if np.ptp(y) == 0:
        return {n: {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} for n in names}
    res = sobol.analyze(salib_problem(names), y, calc_second_order=False, seed=seed)
    return {n: {k: float(res[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf")} for i, n in enumerate(names)}


def morris_indices(
    unit: np.ndarray, y: np.ndarray, names: list[str], *, levels: int, seed: int = 0, what: str = "outcome"
) -> dict[str, dict[str, float]]:
    """Morris elementary-effect statistics of ``y`` over the unit-cube design ``unit``.

    Returns
    -------
    dict
        factor -> ``{mu_star, mu_star_conf, sigma, mu}``.
    """
    from SALib.analyze import morris

    y = _check(y, what)
    res = morris.analyze(salib_problem(names), np.asarray(unit), y, num_levels=levels, seed=seed)
    return {n: {k: float(res[k][i]) for k in ("mu_star", "mu_star_conf", "sigma", "mu")} for i, n in enumerate(names)}


def sensitivity(
    experiment: str | Path | ExperimentSpec,
    *,
    method: str = "sobol",
    samples: int | None = None,
    replicates: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SweepResult, dict[str, dict[str, dict[str, float]]]]:
    """Run an experiment on a Saltelli (``sobol``) or Morris design and analyse every outcome.

    Returns
    -------
    (SweepResult, indices)
        ``indices[outcome column][factor]``: Sobol' ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``, or Morris ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``.
        An outcome whose samples are not all finite gets ``{"error": ...}``.
    """
    from munisim.experiments.sweep import sweep

    if method not in ("sobol", "morris"):
        raise SimulationError(f"method must be 'sobol' or 'morris', got {method!r}")
    result = sweep(
        experiment,
        method="saltelli" if method == "sobol" else "morris",
        samples=samples,
        replicates=replicates,
        workers=workers,
        scheduler=scheduler,
        out=out,
        resume=resume,
        progress=progress,
    )
    names = list(result.samples.columns)
    exp = result.experiment
    indices: dict[str, dict[str, dict[str, float]]] = {}
    for o in exp.outcomes:
        y = result.outcomes[o.column].to_numpy()
        try:
            if method == "sobol":
                indices[o.column] = sobol_indices(y, names, seed=exp.seed, what=o.column)
            else:
                indices[o.column] = morris_indices(
                    result.unit, y, names, levels=exp.design.levels, seed=exp.seed, what=o.column
                )
        except SimulationError as exc:
            indices[o.column] = {"error": str(exc)}  # type: ignore[dict-item]
    return result, indices
