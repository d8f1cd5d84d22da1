"""Standalone Lanchester battles and fitting their coefficients to data (docs/attrition.md).

:func:`lanchester` runs one battle with no logistics, day by day on the
attrition kernel :func:`munisim.model.attrition.propagate`;
:func:`fit_lanchester` estimates the coefficients ``a`` and ``b`` (and, for
the ``general`` law, optionally the exponents) from observed strengths, by
least squares on the simulated battle or by Engel's ratio estimators.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize

from munisim.model.attrition import law_exponents, propagate

__all__ = ["LanchesterFit", "Reinforcements", "fit_lanchester", "lanchester"]

#: Reinforcement windows ``(start_day, end_day, rate_per_day)``: the rate applies for ``start_day <= t < end_day``.
Reinforcements = Sequence[tuple[float, float, float]]

METHODS = ("least_squares", "engel")
#: Observations below this share of a series' largest value are scaled by it instead (relative residuals).
_RELATIVE_FLOOR = 0.05


def lanchester(
    x0: float,
    y0: float,
    a: float,
    b: float,
    days: int,
    *,
    law: str = "square",
    p: float = 1.0,
    q: float = 1.0,
    reinforcements_x: Reinforcements | None = None,
    reinforcements_y: Reinforcements | None = None,
    breakpoint_x: float | None = None,
    breakpoint_y: float | None = None,
) -> pd.DataFrame:
    """Strengths of two forces in a standalone battle, day by day.

    Solves ``dx/dt = -a * y^p * x^q + rx(t)`` and ``dy/dt = -b * x^p * y^q + ry(t)``
    exactly where a closed form exists (see :func:`munisim.model.attrition.propagate`),
    one day at a time and split at every reinforcement boundary.  The battle
    starts as soon as both forces are present: a force of zero strength joins
    as its first reinforcements arrive (e.g. troops landing on a defended
    island) and until then both only gain reinforcements.  It ends when a
    force falls to its breakpoint; afterwards both only gain their
    reinforcements.

    Parameters
    ----------
    x0, y0 : float
        Initial strengths (>= 0).
    a : float
        Effect of force y on force x (per day; x loses ``a * y^p * x^q`` per day).
    b : float
        Effect of force x on force y (per day).
    days : int
        Number of days to simulate (>= 0).
    law : {"square", "linear", "logarithmic", "general"}
        Attrition law; ``p`` and ``q`` are its exponents for ``general``.
    p, q : float
        Exponents of the firing and the target force (``general`` law only).
    reinforcements_x, reinforcements_y : sequence of (start_day, end_day, rate_per_day), optional
        Constant reinforcement rates (strength per day) over ``start_day <= t < end_day``;
        windows may overlap (rates add) and have fractional bounds.
    breakpoint_x, breakpoint_y : float, optional
        Share of the initial strength (in ``[0, 1]``) at which that force breaks
        off, ending the battle; default 0 (fight to annihilation).

    Returns
    -------
    pandas.DataFrame
        Columns ``day`` (0..days), ``x``, ``y`` (strengths at the end of each
        day; day 0 is the start).  ``attrs`` holds ``end_day`` (time the
        battle ended, in days, NaN if it did not), ``winner`` (``"x"``,
        ``"y"`` or None: not ended, or both broke at once), ``law``, ``p``,
        ``q``, ``a``, ``b``, ``x_stop`` and ``y_stop`` (breakpoint strengths).

    Examples
    --------
    >>> df = lanchester(100.0, 60.0, a=0.01, b=0.01, days=80)
    >>> df.attrs["winner"], round(df.attrs["end_day"], 4), round(float(df["x"].iloc[-1]), 6)
    ('x', 69.3147, 80.0)
    >>> df = lanchester(100.0, 60.0, 0.01, 0.01, 80, breakpoint_y=0.5)
    >>> round(df.attrs["end_day"], 2), round(float(df["y"].iloc[-1]), 6)
    (32.64, 30.0)
    """
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 0:
        raise ValueError(f"days must be an integer >= 0 (got {days!r})")
    p_, q_ = law_exponents(law, p, q)
    x0, y0 = _nonnegative("x0", x0), _nonnegative("y0", y0)
    a, b = _nonnegative("a", a), _nonnegative("b", b)
    sched_x = _schedule("reinforcements_x", reinforcements_x)
    sched_y = _schedule("reinforcements_y", reinforcements_y)
    x_stop = _share("breakpoint_x", breakpoint_x) * x0
    y_stop = _share("breakpoint_y", breakpoint_y) * y0
    xs, ys = [x0], [y0]
    x, y = x0, y0
    end_day, winner, started = math.nan, None, False
    edges = sorted({t for s, e, _ in (*sched_x, *sched_y) for t in (s, e) if math.isfinite(t)})
    for d in range(int(days)):
        cuts = [float(d), *(t for t in edges if d < t < d + 1), float(d + 1)]
        for t0, t1 in pairwise(cuts):
            rx, ry, dt = _rate(sched_x, t0), _rate(sched_y, t0), t1 - t0
            if not math.isnan(end_day) or not (started or ((x > 0 or rx > 0) and (y > 0 or ry > 0))):
                x, y = x + rx * dt, y + ry * dt  # over, or a force has not arrived yet
                continue
            res = propagate(x, y, a, b, rx, ry, x_stop, y_stop, law=law, p=p_, q=q_, dt=dt, check_start=started)
            started = True
            x, y = float(res.x[0]), float(res.y[0])
            if res.ended[0]:
                end_day = t0 + float(res.t_end[0])
                x_out, y_out = bool(res.x_stopped[0]), bool(res.y_stopped[0])
                winner = "x" if y_out and not x_out else "y" if x_out and not y_out else None
        xs.append(x)
        ys.append(y)
    df = pd.DataFrame({"day": np.arange(int(days) + 1), "x": xs, "y": ys})
    df.attrs.update(end_day=end_day, winner=winner, law=law, p=p_, q=q_, a=a, b=b, x_stop=x_stop, y_stop=y_stop)
    return df


@dataclass(frozen=True)
class LanchesterFit:
    """Coefficients fitted by :func:`fit_lanchester` and the quality of the fit.

    Attributes
    ----------
    a, b : float
        Effect of y on x and of x on y (per day).
    p, q : float
        Exponents of the law (fitted only for ``general`` with ``fit_exponents``).
    law, method : str
        Attrition law and estimation method.
    rmse_x, rmse_y : float
        Root-mean-square error of the predicted strengths over the observed days
        (strength units).
    r2_x, r2_y : float
        Coefficient of determination of the predicted strengths (NaN for a
        constant series).
    predicted : pandas.DataFrame
        ``day, x, y`` from :func:`lanchester` with the fitted values, from the
        first to the last observed day.
    """

    a: float
    b: float
    p: float
    q: float
    law: str
    method: str
    rmse_x: float
    rmse_y: float
    r2_x: float
    r2_y: float
    predicted: pd.DataFrame = field(repr=False, compare=False)

    def __str__(self) -> str:
        return (
            f"Lanchester fit ({self.law} law, p={self.p:.4g}, q={self.q:.4g}; {self.method}): "
            f"a = {self.a:.4g}/day (y on x), b = {self.b:.4g}/day (x on y)\n"
            f"  RMSE x = {self.rmse_x:.4g}, y = {self.rmse_y:.4g}; R2 x = {self.r2_x:.4f}, y = {self.r2_y:.4f}"
        )


def fit_lanchester(
    days: ArrayLike,
    x: ArrayLike,
    y: ArrayLike,
    *,
    losses_x: ArrayLike | None = None,
    losses_y: ArrayLike | None = None,
    reinforcements_x: Reinforcements | None = None,
    reinforcements_y: Reinforcements | None = None,
    law: str = "square",
    p: float = 1.0,
    q: float = 1.0,
    method: str = "least_squares",
    fit_exponents: bool = False,
) -> LanchesterFit:
    """Estimate ``a`` and ``b`` of a Lanchester law from observed strengths.

    Parameters
    ----------
    days : array_like of int, shape (n,)
        Observation days, strictly increasing whole numbers (gaps allowed).
    x, y : array_like, shape (n,)
        Observed strengths (>= 0).  NaN marks a day a force was not observed
        (not on the first day); only ``least_squares`` accepts gaps.
    losses_x, losses_y : array_like, shape (n - 1,), optional
        Observed losses of each force between consecutive observation days.
        Default: inferred as the drop in strength plus the known reinforcement.
    reinforcements_x, reinforcements_y : sequence of (start_day, end_day, rate_per_day), optional
        Known reinforcements, on the same day axis as ``days`` (see :func:`lanchester`).
    law : {"square", "linear", "logarithmic", "general"}
        Attrition law; ``p``, ``q`` are the exponents (start values if fitted).
    method : {"least_squares", "engel"}
        ``engel``: Engel's ratio estimators ``a = sum(losses of x) / sum(y^p x^q dt)``
        and ``b = sum(losses of y) / sum(x^p y^q dt)``, with strengths at the
        start of each interval.  ``least_squares``: minimise the relative
        residuals of the simulated battle (:func:`lanchester` from the first
        observation) against the observed strengths (and losses, if given),
        with :func:`scipy.optimize.least_squares` started from the Engel estimate
        (gaps filled by linear interpolation for that start only; the
        trapezoid rule if a force is zero at every interval's start).
    fit_exponents : bool
        Also fit ``p`` and ``q`` (``general`` law, ``least_squares`` only).

    Returns
    -------
    LanchesterFit

    Notes
    -----
    A residual is ``(simulated - observed) / max(|observed|, 0.05 * max |observed|)``
    per series, so strengths and losses of both forces weigh alike whatever
    their size, and observations near zero do not dominate.  The simulated
    battle fights to annihilation (no breakpoints).  A battle that ends
    before the last observation makes the cost flat in places, so unless the
    first fit is exact, least squares is restarted from six fixed multiples
    of the start and the best result is kept (deterministic).

    Examples
    --------
    >>> battle = lanchester(1000.0, 800.0, a=0.02, b=0.03, days=10)
    >>> fit = fit_lanchester(battle["day"], battle["x"], battle["y"])
    >>> round(fit.a, 6), round(fit.b, 6)
    (0.02, 0.03)
    >>> engel = fit_lanchester(battle["day"], battle["x"], battle["y"], method="engel")
    >>> round(engel.a, 4), round(engel.b, 4)  # day-start strengths: biased low for coarse days
    (0.0196, 0.0298)
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    p0, q0 = law_exponents(law, p, q)
    if fit_exponents and law != "general":
        raise ValueError(f"fit_exponents needs law 'general' (law {law!r} fixes p and q)")
    if fit_exponents and method != "least_squares":
        raise ValueError("fit_exponents needs method 'least_squares' (Engel's estimator takes fixed exponents)")
    t, xo, yo = _observations(days, x, y)
    sched_x = _schedule("reinforcements_x", reinforcements_x)
    sched_y = _schedule("reinforcements_y", reinforcements_y)
    added_x = np.array([_added(sched_x, t[i], t[i + 1]) for i in range(len(t) - 1)])
    added_y = np.array([_added(sched_y, t[i], t[i + 1]) for i in range(len(t) - 1)])
    lx = _losses("losses_x", losses_x, len(t))
    ly = _losses("losses_y", losses_y, len(t))
    gaps = bool(np.isnan(xo).any() or np.isnan(yo).any())
    if method == "engel" and gaps:
        raise ValueError("method 'engel' needs every strength observed (no NaN); use 'least_squares'")
    xf, yf = _fill(t, xo), _fill(t, yo)
    if method == "engel":
        a0, b0 = _engel(t, xf, yf, lx, ly, added_x, added_y, p0, q0)
    else:
        a0, b0 = _start(t, xf, yf, lx, ly, added_x, added_y, p0, q0)
    span = int(t[-1] - t[0])
    shift_x = [(s - t[0], e - t[0], r) for s, e, r in sched_x]
    shift_y = [(s - t[0], e - t[0], r) for s, e, r in sched_y]
    rows = (t - t[0]).astype(np.int64)

    def simulate(theta: np.ndarray) -> pd.DataFrame:
        pp, qq = (theta[2], theta[3]) if fit_exponents else (p0, q0)
        return lanchester(
            xo[0],
            yo[0],
            float(theta[0]),
            float(theta[1]),
            span,
            law=law,
            p=float(pp),
            q=float(qq),
            reinforcements_x=shift_x,
            reinforcements_y=shift_y,
        )

    if method == "engel":
        theta = np.array([a0, b0])
    else:
        series = [(xo, "x"), (yo, "y")]
        observed_losses = [
            (obs, col, added) for obs, col, added in ((lx, "x", added_x), (ly, "y", added_y)) if obs is not None
        ]
        scales = [_scale(obs) for obs, _ in series] + [_scale(obs) for obs, _, _ in observed_losses]

        def residuals(theta: np.ndarray) -> np.ndarray:
            sim = simulate(theta)
            out = []
            for (obs, col), scale in zip(series, scales, strict=False):
                got = sim[col].to_numpy()[rows]
                keep = ~np.isnan(obs)
                keep[0] = False  # the simulation starts from the first observation
                out.append((got[keep] - obs[keep]) / scale[keep])
            for (obs, col, added), scale in zip(observed_losses, scales[2:], strict=True):
                got = sim[col].to_numpy()[rows]
                out.append((got[:-1] - got[1:] + added - obs) / scale)
            return np.concatenate(out)

        start = [max(a0, 1e-12), max(b0, 1e-12)] + ([p0, q0] if fit_exponents else [])
        n_res = residuals(np.array(start)).size
        if n_res < len(start):
            raise ValueError(f"too few observations to fit {len(start)} parameters (got {n_res} residuals)")
        theta = _least_squares(residuals, np.array(start))
    pred = simulate(theta)
    pred["day"] = pred["day"] + int(t[0])
    px_, py_ = pred["x"].to_numpy()[rows], pred["y"].to_numpy()[rows]
    p_fit, q_fit = (float(theta[2]), float(theta[3])) if fit_exponents else (p0, q0)
    return LanchesterFit(
        a=float(theta[0]),
        b=float(theta[1]),
        p=p_fit,
        q=q_fit,
        law=law,
        method=method,
        rmse_x=_rmse(px_, xo),
        rmse_y=_rmse(py_, yo),
        r2_x=_r2(px_, xo),
        r2_y=_r2(py_, yo),
        predicted=pred,
    )


# --- internals -------------------------------------------------------------------------------------------------------


#: Factors applied to the start ``(a, b)`` for further starts when the first fit is not exact.
_RESTARTS = ((0.5, 0.5), (2.0, 2.0), (0.5, 2.0), (2.0, 0.5), (0.25, 0.25), (4.0, 4.0))


def _least_squares(residuals: Callable[[np.ndarray], np.ndarray], start: np.ndarray) -> np.ndarray:
    """Best of fixed, deterministic starts (a battle that ends early makes the cost flat in places)."""
    best: Any = None  # scipy's (untyped) OptimizeResult, set by the first start
    for fa, fb in ((1.0, 1.0), *_RESTARTS):
        theta0 = start.copy()
        theta0[:2] *= (fa, fb)
        sol = optimize.least_squares(
            residuals, theta0, bounds=(0.0, np.inf), x_scale="jac", ftol=1e-14, xtol=1e-14, gtol=1e-14, max_nfev=2000
        )
        if best is None or sol.cost < best.cost:
            best = sol
        if best.cost <= 1e-20 * best.fun.size:
            break
    return best.x


def _nonnegative(name: str, v: float) -> float:
    v = float(v)
    if not (math.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a finite number >= 0 (got {v!r})")
    return v


def _share(name: str, v: float | None) -> float:
    if v is None:
        return 0.0
    v = float(v)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be a share of the initial strength in [0, 1] (got {v!r})")
    return v


def _schedule(name: str, windows: Reinforcements | None) -> list[tuple[float, float, float]]:
    out = []
    for w in windows or ():
        try:
            start, end, rate = (float(v) for v in w)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: each window must be (start_day, end_day, rate_per_day) (got {w!r})") from None
        if math.isnan(start) or math.isnan(end) or not (math.isfinite(rate) and rate >= 0):
            raise ValueError(f"{name}: window {w!r} needs numeric days and a finite rate >= 0")
        if end < start:
            raise ValueError(f"{name}: window {w!r} ends before it starts")
        out.append((start, end, rate))
    return out


def _rate(schedule: list[tuple[float, float, float]], t: float) -> float:
    """Total reinforcement rate at time ``t`` (strength per day)."""
    return sum(rate for start, end, rate in schedule if start <= t < end)


def _added(schedule: list[tuple[float, float, float]], t0: float, t1: float) -> float:
    """Strength added by reinforcements over ``[t0, t1]``."""
    return sum(rate * max(0.0, min(end, t1) - max(start, t0)) for start, end, rate in schedule)


def _observations(days: ArrayLike, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(days, dtype=np.float64).ravel()
    xo = np.asarray(x, dtype=np.float64).ravel()
    yo = np.asarray(y, dtype=np.float64).ravel()
    if not len(t) == len(xo) == len(yo):
        raise ValueError(f"days, x and y must have the same length (got {len(t)}, {len(xo)}, {len(yo)})")
    if len(t) < 2:
        raise ValueError(f"need at least 2 observation days to fit (got {len(t)})")
    if not (np.all(np.isfinite(t)) and np.all(t == np.round(t))):
        raise ValueError(f"days must be whole numbers (got {t.tolist()})")
    if np.any(np.diff(t) <= 0):
        raise ValueError("days must be strictly increasing")
    for name, v in (("x", xo), ("y", yo)):
        if np.any(v < 0) or np.any(np.isinf(v)):
            bad = v[(v < 0) | np.isinf(v)][0]
            raise ValueError(f"strengths {name} must be finite and >= 0 (got {bad!r})")
        if np.isnan(v[0]):
            raise ValueError(f"the first strength of {name} must be observed (got NaN)")
    return t, xo, yo


def _losses(name: str, losses: ArrayLike | None, n: int) -> np.ndarray | None:
    if losses is None:
        return None
    v = np.asarray(losses, dtype=np.float64).ravel()
    if len(v) != n - 1:
        raise ValueError(f"{name} must give the losses between consecutive days: {n - 1} values (got {len(v)})")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError(f"{name} must be finite and >= 0")
    return v


def _fill(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN gaps (for start values only)."""
    keep = ~np.isnan(v)
    return v if keep.all() else np.interp(t, t[keep], v[keep])


def _engel(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    lx: np.ndarray | None,
    ly: np.ndarray | None,
    added_x: np.ndarray,
    added_y: np.ndarray,
    p: float,
    q: float,
    *,
    trapezoid: bool = False,
) -> tuple[float, float]:
    """Engel's ratio estimators of ``a`` and ``b`` (strengths at the start of each interval, or trapezoid)."""
    dt = np.diff(t)
    loss_x = x[:-1] - x[1:] + added_x if lx is None else lx
    loss_y = y[:-1] - y[1:] + added_y if ly is None else ly
    xp, yp = np.maximum(x, 0.0), np.maximum(y, 0.0)
    drive_x, drive_y = yp**p * xp**q, xp**p * yp**q  # what drives the losses of x, of y
    if trapezoid:
        term_x, term_y = np.sum((drive_x[:-1] + drive_x[1:]) / 2 * dt), np.sum((drive_y[:-1] + drive_y[1:]) / 2 * dt)
    else:
        term_x, term_y = np.sum(drive_x[:-1] * dt), np.sum(drive_y[:-1] * dt)
    if term_x <= 0 or term_y <= 0:
        raise ValueError(
            "cannot estimate the coefficients by Engel's ratios: a force is zero at the start of "
            "every observed interval"
        )
    return max(float(np.sum(loss_x) / term_x), 0.0), max(float(np.sum(loss_y) / term_y), 0.0)


def _start(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    lx: np.ndarray | None,
    ly: np.ndarray | None,
    added_x: np.ndarray,
    added_y: np.ndarray,
    p: float,
    q: float,
) -> tuple[float, float]:
    """Start values for least squares: Engel's estimate, else its trapezoid variant, else a small value."""
    for trapezoid in (False, True):
        try:
            a0, b0 = _engel(t, x, y, lx, ly, added_x, added_y, p, q, trapezoid=trapezoid)
        except ValueError:
            continue
        if a0 > 0 and b0 > 0:
            return a0, b0
    return 1e-3, 1e-3


def _scale(obs: np.ndarray) -> np.ndarray:
    """Per-observation divisor of relative residuals."""
    top = float(np.nanmax(np.abs(obs))) if obs.size and not np.all(np.isnan(obs)) else 0.0
    floor = max(_RELATIVE_FLOOR * top, 1e-12)
    return np.maximum(np.abs(np.nan_to_num(obs, nan=floor)), floor)


def _rmse(pred: np.ndarray, obs: np.ndarray) -> float:
    keep = ~np.isnan(obs)
    return float(np.sqrt(np.mean((pred[keep] - obs[keep]) ** 2)))


def _r2(pred: np.ndarray, obs: np.ndarray) -> float:
    keep = ~np.isnan(obs)
    total = float(np.sum((obs[keep] - obs[keep].mean()) ** 2))
    return 1.0 - float(np.sum((pred[keep] - obs[keep]) ** 2)) / total if total > 0 else math.nan
