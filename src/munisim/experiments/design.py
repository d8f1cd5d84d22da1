"""Experimental designs: points in the unit cube, then scaled to each factor.

Sampling the unit cube (scipy.stats.qmc, SALib) is kept apart from mapping it
to factor values (ranges, inverse CDFs, explicit levels), as in
``scipy.stats.qmc``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
from scipy import stats
from scipy.stats import qmc

from munisim.config.experiment import Design, Factor

__all__ = ["unit_design", "scale_design", "design_points", "salib_problem"]


def salib_problem(names: list[str]) -> dict[str, object]:
    """A SALib problem over the unit cube for ``names``."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def unit_design(
    design: Design, names: list[str], factors: Mapping[str, Factor], *, seed: int, samples: int | None = None
) -> np.ndarray:
    """Design points in ``[0, 1]^k``, ``ndarray, shape (n, k)``, in factor order ``names``.

    ``samples`` overrides ``design.samples``.  A factor with explicit
    ``levels`` takes level ``floor(u * m)`` of its ``m`` levels.
    """
    k = len(names)
    n = samples or design.samples
    rng = np.random.default_rng(seed)
    if design.method == "grid":
        axes = []
        for name in names:
            f = factors[name]
            m = len(f.levels) if f.levels is not None else design.levels
            # A range's grid includes its ends; levels and distributions take cell midpoints.
            axes.append(np.linspace(0.0, 1.0, m) if f.range is not None else (np.arange(m) + 0.5) / m)
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, k)
    if design.method == "lhs":
        return qmc.LatinHypercube(d=k, rng=rng).random(n)
    if design.method == "sobol":
        return qmc.Sobol(d=k, scramble=design.scramble, rng=rng).random(n)
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(salib_problem(names), N=n, num_levels=design.levels, seed=seed)
    from SALib.sample import sobol as saltelli

    return saltelli.sample(salib_problem(names), N=n, calc_second_order=False, scramble=design.scramble, seed=seed)


def _ppf(f: Factor, u: np.ndarray) -> np.ndarray:
    d = f.dist
    assert d is not None
    u = np.clip(u, 1e-12, 1 - 1e-12)
    if d.dist == "uniform":
        return d.low + u * (d.high - d.low)  # type: ignore[operator]
    if d.dist == "normal":
        return stats.norm.ppf(u, loc=d.mean, scale=d.sd)
    lo, mode, hi = d.low, d.mode, d.high
    if d.dist == "triangular":
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)  # type: ignore[operator]
    a = 1 + 4 * (mode - lo) / (hi - lo)  # type: ignore[operator]
    b = 1 + 4 * (hi - mode) / (hi - lo)  # type: ignore[operator]
    return stats.beta.ppf(u, a, b, loc=lo, scale=hi - lo)  # type: ignore[operator]


def scale_design(unit: np.ndarray, names: list[str], factors: Mapping[str, Factor]) -> np.ndarray:
    """Map unit-cube points to factor values, ``ndarray, shape (n, k)``."""
    out = np.empty_like(unit, dtype=float)
    for j, name in enumerate(names):
        f = factors[name]
        u = unit[:, j]
        if f.levels is not None:
            idx = np.minimum((u * len(f.levels)).astype(int), len(f.levels) - 1)
            out[:, j] = np.asarray(f.levels, dtype=float)[idx]
        elif f.range is not None:
            lo, hi = f.range
            out[:, j] = lo + u * (hi - lo)
        else:
            out[:, j] = _ppf(f, u)
    return out


def design_points(
    design: Design, factors: Mapping[str, Factor], *, seed: int, samples: int | None = None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Factor names, unit points ``(n, k)`` and factor values ``(n, k)`` of a design."""
    names = list(factors)
    unit = unit_design(design, names, factors, seed=seed, samples=samples)
    return names, unit, scale_design(unit, names, factors)
