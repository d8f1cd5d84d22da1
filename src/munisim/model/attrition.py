"""Lanchester attrition over one interval, vectorised over lanes (docs/attrition.md).

Two forces ``x`` and ``y`` fight by

    dx/dt = -a * y^p * x^q + px,    dy/dt = -b * x^p * y^q + py

until one of them falls to its stop level; afterwards each only gains its
reinforcement.  Every lane (replicate) is independent: all arithmetic is
elementwise, and lanes that need extra work (refining the end of an
engagement, the Runge-Kutta path) are picked by integer index and get exactly
the same operations, so a lane's result does not depend on which other lanes
share the arrays.  The SimPy engine calls :func:`propagate` with ``shape (1,)``
arrays, the vector engine with ``shape (L,)``; both get the same bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["LAWS", "Propagation", "effectiveness", "law_exponents", "propagate"]

#: Names of the attrition laws, see :func:`law_exponents`.
LAWS = ("square", "linear", "logarithmic", "general")

_FIXED_EXPONENTS: dict[str, tuple[float, float]] = {
    "square": (1.0, 0.0),
    "linear": (1.0, 1.0),
    "logarithmic": (0.0, 1.0),
}

#: Sub-times scanned per interval for the end of an engagement (closed forms).
SCAN_POINTS = 16
#: Bisection iterations refining the end of an engagement.
BISECTIONS = 60
#: RK4 substeps per day (``general`` law, ``linear`` law with reinforcement).
RK4_STEPS_PER_DAY = 32
#: Below this ``|z|``, ``sinh(z) / z`` is evaluated by its Taylor series.
_SERIES_BELOW = 1e-3


def law_exponents(law: str, p: float | None = 1.0, q: float | None = 1.0) -> tuple[float, float]:
    """Exponents ``(p, q)`` of a law in ``dx/dt = -a * y^p * x^q``.

    Parameters
    ----------
    law : {"square", "linear", "logarithmic", "general"}
        ``square`` is ``(1, 0)`` (aimed fire), ``linear`` ``(1, 1)`` (area
        fire), ``logarithmic`` ``(0, 1)``; ``general`` uses ``p`` and ``q``.
    p, q : float, optional
        Exponents of the firing and of the target force (``general`` only,
        ignored otherwise); both ``>= 0``.

    Returns
    -------
    tuple of float
        ``(p, q)``.

    Examples
    --------
    >>> law_exponents("square")
    (1.0, 0.0)
    >>> law_exponents("general", 0.5, 0.5)
    (0.5, 0.5)
    """
    if law in _FIXED_EXPONENTS:
        return _FIXED_EXPONENTS[law]
    if law != "general":
        raise ValueError(f"unknown attrition law {law!r}; expected one of {', '.join(LAWS)}")
    if p is None or q is None:
        raise ValueError(f"law 'general' needs both exponents (got p={p!r}, q={q!r})")
    p, q = float(p), float(q)
    if not (p >= 0 and q >= 0 and math.isfinite(p) and math.isfinite(q)):
        raise ValueError(f"exponents must be finite and >= 0 (got p={p!r}, q={q!r})")
    return p, q


def effectiveness(share_fired: ArrayLike, floor: ArrayLike, exponent: ArrayLike) -> np.ndarray:
    """Ammunition response curve ``floor + (1 - floor) * clip(share_fired, 0, 1) ** exponent``.

    Scales an attrition coefficient by how much of its demand a side could
    fire (elementwise; arguments broadcast together).

    Parameters
    ----------
    share_fired : array_like
        Rounds fired / rounds demanded on the side's front (dimensionless;
        clipped to ``[0, 1]``).
    floor : array_like
        Effectiveness with no fire at all, in ``[0, 1]``.
    exponent : array_like
        Curvature of the response, ``> 0`` (1: proportional).

    Returns
    -------
    numpy.ndarray
        float64 multipliers in ``[floor, 1]``, of the broadcast shape.

    Examples
    --------
    >>> effectiveness([0.0, 0.25, 1.0, 1.5], 0.2, 0.5).round(6).tolist()
    [0.2, 0.6, 1.0, 1.0]
    """
    share = np.minimum(np.maximum(np.asarray(share_fired, dtype=np.float64), 0.0), 1.0)
    floor_ = np.asarray(floor, dtype=np.float64)
    return np.asarray(
        floor_ + (1.0 - floor_) * np.power(share, np.asarray(exponent, dtype=np.float64)), dtype=np.float64
    )


@dataclass(frozen=True)
class Propagation:
    """State of the lanes after :func:`propagate`.

    Attributes
    ----------
    x, y : numpy.ndarray
        ``(L,)`` float64 strengths at the end of the interval.
    ended : numpy.ndarray
        ``(L,)`` bool: the engagement ended during the interval (or at its start).
    t_end : numpy.ndarray
        ``(L,)`` float64 time in ``[0, dt]`` (days from the interval's start)
        at which it ended; NaN where it did not.
    x_stopped, y_stopped : numpy.ndarray
        ``(L,)`` bool: that force was at its stop level when the engagement
        ended (it broke off or was destroyed; both if both were).
    """

    x: np.ndarray
    y: np.ndarray
    ended: np.ndarray
    t_end: np.ndarray
    x_stopped: np.ndarray
    y_stopped: np.ndarray


def propagate(
    x0: ArrayLike,
    y0: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    px: ArrayLike,
    py: ArrayLike,
    x_stop: ArrayLike,
    y_stop: ArrayLike,
    *,
    law: str = "square",
    p: float | None = 1.0,
    q: float | None = 1.0,
    dt: float = 1.0,
    check_start: bool = True,
    validate: bool = True,
) -> Propagation:
    """Advance an engagement by one interval of ``dt`` days, in every lane.

    Solves ``dx/dt = -a * y^p * x^q + px`` and ``dy/dt = -b * x^p * y^q + py``
    from ``(x0, y0)`` until the first time ``tau`` at which ``x <= x_stop`` or
    ``y <= y_stop``.  At ``tau`` the force that reached its stop level is set
    exactly to it (both, if both did); for the rest of the interval the fight
    is over and each force only gains its reinforcement,
    ``x = x(tau) + px * (dt - tau)``.  If a force starts at or below its stop
    level, ``tau = 0``: the engagement has ended and nobody loses strength.

    Values at the end of the interval are exact (the continuous-time
    solution) where a closed form exists: ``square`` (with reinforcement,
    also for ``a = 0`` or ``b = 0``), ``logarithmic`` (with reinforcement)
    and ``linear`` without reinforcement in the lane.  ``linear`` lanes with
    reinforcement and every ``general`` lane use classical RK4 with
    ``ceil(32 * dt)`` equal substeps.  The end of an engagement is located by
    scanning 16 equal sub-times (closed forms) or the RK4 substeps for the
    first one at which a stop is reached, then bisecting 60 times on the
    closed form, or on one RK4 step of variable length, inside it.  A dip
    below a stop that recovers within one scanned sub-interval (possible
    only with reinforcement) is not seen.

    Parameters
    ----------
    x0, y0 : array_like
        Strengths at the start of the interval, ``>= 0``.
    a : array_like
        Effect of force y on force x, ``>= 0`` (per day; strength of x lost
        per day per unit of ``y^p * x^q``).
    b : array_like
        Effect of force x on force y, ``>= 0`` (per day).
    px, py : array_like
        Constant reinforcement rates over the interval, ``>= 0`` (strength per day).
    x_stop, y_stop : array_like
        Stop levels, ``>= 0`` (strength; e.g. a breakpoint, or 0).
    law : {"square", "linear", "logarithmic", "general"}
        Attrition law (shared by all lanes), see :func:`law_exponents`.
    p, q : float, optional
        Exponents for ``law="general"`` (ignored otherwise).
    dt : float
        Length of the interval (days), ``> 0``.
    check_start : bool
        If False, a force at or below its stop level at the very start does
        not end the engagement there: stops are checked only after the start.
        For a force arriving from zero strength under reinforcement (it fights
        as it lands, and ends the engagement at once only if its losses
        outpace its arrivals).
    validate : bool
        Check that every array argument is ``>= 0`` (default).  The engines,
        whose inputs were validated when the scenario was loaded, skip it.

    All array arguments broadcast to ``shape (L,)`` (scalars give ``L = 1``).

    Returns
    -------
    Propagation
        End strengths ``x``, ``y``, ``ended`` and ``t_end``, each ``(L,)``.

    Examples
    --------
    >>> r = propagate(100.0, 60.0, 0.01, 0.01, 0.0, 0.0, 0.0, 0.0, dt=100.0)
    >>> round(float(r.x[0]), 6), float(r.y[0]), bool(r.ended[0]), round(float(r.t_end[0]), 4)
    (80.0, 0.0, True, 69.3147)
    """
    p_, q_ = law_exponents(law, p, q)
    dt = float(dt)
    if not (dt > 0 and math.isfinite(dt)):
        raise ValueError(f"dt must be a finite number of days > 0 (got {dt!r})")
    x0_, y0_, a_, b_, px_, py_, xs_, ys_ = _lanes(x0, y0, a, b, px, py, x_stop, y_stop)
    for name, v in (
        (("x0", x0_), ("y0", y0_), ("a", a_), ("b", b_), ("px", px_), ("py", py_), ("x_stop", xs_), ("y_stop", ys_))
        if validate
        else ()
    ):
        if not (v >= 0).all():
            raise ValueError(f"{name} must be >= 0 in every lane (got {v[~(v >= 0)][0]!r})")
    n = x0_.shape[0]
    x_tau, y_tau = x0_.copy(), y0_.copy()
    tau = np.zeros(n)
    x_end, y_end = x0_.copy(), y0_.copy()
    ended = ((x0_ <= xs_) | (y0_ <= ys_)) & bool(check_start)
    active = ~ended
    none = _NO_LANES
    if law in ("square", "logarithmic"):
        closed, stepped = np.flatnonzero(active), none
    elif law == "linear":
        calm = (px_ == 0) & (py_ == 0)
        closed, stepped = np.flatnonzero(active & calm), np.flatnonzero(active & ~calm)
    else:
        closed, stepped = none, np.flatnonzero(active)
    for idx, solver in ((closed, _closed_form), (stepped, _runge_kutta)):
        if idx.size == n:  # every lane: no subsets to gather and scatter (the arithmetic is the same)
            x_end, y_end, x_tau, y_tau, tau, ended = solver(
                x0_, y0_, a_, b_, px_, py_, xs_, ys_, law=law, p=p_, q=q_, dt=dt
            )
        elif idx.size:
            args = (x0_[idx], y0_[idx], a_[idx], b_[idx], px_[idx], py_[idx], xs_[idx], ys_[idx])
            xe, ye, xt, yt, te, hit = solver(*args, law=law, p=p_, q=q_, dt=dt)
            x_end[idx], y_end[idx], x_tau[idx], y_tau[idx], tau[idx] = xe, ye, xt, yt, te
            ended[idx] = hit
    # After the end (or from the start, where a force began at its stop), only reinforcements.
    x_end = np.where(ended, x_tau + px_ * (dt - tau), x_end)
    y_end = np.where(ended, y_tau + py_ * (dt - tau), y_end)
    t_end = np.where(ended, tau, np.nan)
    return Propagation(
        x=np.maximum(x_end, 0.0),
        y=np.maximum(y_end, 0.0),
        ended=ended,
        t_end=t_end,
        x_stopped=ended & (x_tau <= xs_),
        y_stopped=ended & (y_tau <= ys_),
    )


_NO_LANES = np.zeros(0, dtype=np.intp)

# --- internals -------------------------------------------------------------------------------------------------------


def _lanes(*args: ArrayLike) -> list[np.ndarray]:
    """Broadcast to a common ``(L,)`` shape as contiguous float64 arrays (same SIMD path for every lane).

    Arguments that already are contiguous float64 vectors of the common shape
    are used as they are (nothing here writes into them): the engines call this
    every day, so the copies would dominate its cost for a single lane.
    """
    first = args[0]
    if type(first) is np.ndarray and first.ndim == 1:
        n = first.shape[0]
        if all(
            type(v) is np.ndarray and v.dtype == np.float64 and v.ndim == 1 and v.shape[0] == n and v.flags.c_contiguous
            for v in args
        ):
            return list(args)  # type: ignore[arg-type]
    arrays = [np.asarray(v, dtype=np.float64) for v in args]
    shape = np.broadcast_shapes(*(v.shape for v in arrays))
    if len(shape) > 1:
        raise ValueError(f"lane arrays must be scalars or one-dimensional (got shape {shape})")
    shape = shape or (1,)
    return [np.array(np.broadcast_to(v, shape), dtype=np.float64, order="C", copy=True) for v in arrays]


def _sinhc(z: np.ndarray) -> np.ndarray:
    """``sinh(z) / z``, 1 at 0, by series for ``|z| < 1e-3``."""
    small = np.abs(z) < _SERIES_BELOW
    z_safe = np.where(small, 1.0, z)
    z2 = z * z
    return np.where(small, 1.0 + z2 / 6.0 + z2 * z2 / 120.0, np.sinh(z_safe) / z_safe)


def _phi(z: np.ndarray) -> np.ndarray:
    """``-expm1(-z) / z`` (``(1 - e^{-z}) / z``), 1 at 0."""
    zero = z == 0
    z_safe = np.where(zero, 1.0, z)
    return np.where(zero, 1.0, -np.expm1(-z_safe) / z_safe)


def _closed_state(
    x0: np.ndarray,
    y0: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    t: float | np.ndarray,
    law: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Strengths after ``t`` days of uninterrupted fighting (closed forms; ``t`` scalar or ``(L,)``)."""
    if law == "square":
        g = np.sqrt(a * b)
        z = g * t
        cosh = np.cosh(z)
        s_g = t * _sinhc(z)
        half = _sinhc(0.5 * z)
        c_g = (t * t / 2.0) * (half * half)
        x = x0 * cosh - a * y0 * s_g + px * s_g - a * py * c_g
        y = y0 * cosh - b * x0 * s_g + py * s_g - b * px * c_g
        return x, y
    if law == "logarithmic":
        x = x0 * np.exp(-a * t) + px * t * _phi(a * t)
        y = y0 * np.exp(-b * t) + py * t * _phi(b * t)
        return x, y
    # linear, no reinforcement: b*x - a*y = C is conserved; x = x0 / (1 + a*y0*r), y = y0 e^{-Ct} / (1 + a*y0*r)
    # with r = (1 - e^{-Ct}) / C.  For C < 0 numerator and denominator are multiplied by e^{Ct} (no overflow).
    c = b * x0 - a * y0
    z = np.abs(c) * t
    decay = np.exp(-z)
    ay0r = a * y0 * (t * _phi(z))
    winning = c >= 0
    losing = np.where(winning, 1.0, decay + ay0r)  # > 0 where C < 0 (a*y0 > 0); 1 elsewhere, unused
    x = np.where(winning, x0 / (1.0 + ay0r), x0 * decay / losing)
    y = np.where(winning, y0 * decay / (1.0 + ay0r), y0 / losing)
    return x, y


def _closed_form(
    x0: np.ndarray,
    y0: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    law: str,
    p: float,
    q: float,
    dt: float,
) -> tuple[np.ndarray, ...]:
    """Closed-form lanes: end state, state and time at the end of the engagement, and whether it ended."""
    n = x0.shape[0]
    x_dt, y_dt = _closed_state(x0, y0, a, b, px, py, dt, law)
    # Where can a stop be reached inside the interval?  Where it is reached at its end, and, for the
    # square law, where a strength has a minimum inside it (its derivative, -a*y + px, changes sign
    # at most once).  The other laws' strengths are monotone over the interval, so their end decides.
    need = (x_dt <= xs) | (y_dt <= ys)
    if law == "square":
        need |= ((px - a * y0 < 0) & (px - a * y_dt > 0)) | ((py - b * x0 < 0) & (py - b * x_dt > 0))
    x_tau, y_tau, tau = x_dt.copy(), y_dt.copy(), np.full(n, dt)
    hit = np.zeros(n, dtype=bool)
    first = np.zeros(n, dtype=np.int64)
    scan = np.flatnonzero(need)
    if scan.size:
        # The scanned sub-times at once, (m, 16); the last one is t = dt exactly.
        times = dt * np.arange(1, SCAN_POINTS + 1, dtype=np.float64) / SCAN_POINTS
        col = (
            x0[scan][:, None],
            y0[scan][:, None],
            a[scan][:, None],
            b[scan][:, None],
            px[scan][:, None],
            py[scan][:, None],
        )
        x_k, y_k = _closed_state(*col, times[None, :], law)
        reached = (x_k <= xs[scan][:, None]) | (y_k <= ys[scan][:, None])
        # A stop reached at the end is inside the last sub-interval even if rounding hides it in the scan.
        reached[:, -1] |= (x_dt[scan] <= xs[scan]) | (y_dt[scan] <= ys[scan])
        hit[scan] = reached.any(axis=1)
        first[scan] = reached.argmax(axis=1) + 1  # first sub-time (1..16) reaching a stop
    idx = np.flatnonzero(hit)
    if idx.size:
        sub = (x0[idx], y0[idx], a[idx], b[idx], px[idx], py[idx])
        xs_i, ys_i = xs[idx], ys[idx]
        k = first[idx].astype(np.float64)
        lo, hi = dt * (k - 1.0) / SCAN_POINTS, dt * k / SCAN_POINTS
        for _ in range(BISECTIONS):
            mid = 0.5 * (lo + hi)
            xm, ym = _closed_state(*sub, mid, law)
            reached = (xm <= xs_i) | (ym <= ys_i)
            hi = np.where(reached, mid, hi)
            lo = np.where(reached, lo, mid)
        xh, yh = _closed_state(*sub, hi, law)
        x_tau[idx], y_tau[idx] = _at_stop(xh, yh, xs_i, ys_i)
        tau[idx] = hi
    return x_dt, y_dt, x_tau, y_tau, tau, hit


def _at_stop(x: np.ndarray, y: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Set the force(s) that reached their stop level exactly to it."""
    return np.where(x <= xs, xs, x), np.where(y <= ys, ys, y)


def _power(v: np.ndarray, e: float) -> np.ndarray:
    """``max(v, 0) ** e`` with exact shortcuts for ``e`` of 0 and 1."""
    v = np.maximum(v, 0.0)
    if e == 0.0:
        return np.ones_like(v)
    if e == 1.0:
        return v
    return np.power(v, e)


def _rk4(
    x: np.ndarray,
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    p: float,
    q: float,
    h: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One classical Runge-Kutta step of length ``h`` days."""

    def f(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return -a * _power(v, p) * _power(u, q) + px, -b * _power(u, p) * _power(v, q) + py

    k1x, k1y = f(x, y)
    k2x, k2y = f(x + 0.5 * h * k1x, y + 0.5 * h * k1y)
    k3x, k3y = f(x + 0.5 * h * k2x, y + 0.5 * h * k2y)
    k4x, k4y = f(x + h * k3x, y + h * k3y)
    return (x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x), y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y))


def _runge_kutta(
    x0: np.ndarray,
    y0: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    law: str,
    p: float,
    q: float,
    dt: float,
) -> tuple[np.ndarray, ...]:
    """RK4 lanes: end state, state and time at the end of the engagement, and whether it ended."""
    n = x0.shape[0]
    steps = max(1, math.ceil(RK4_STEPS_PER_DAY * dt))
    h = dt / steps
    first = np.full(n, -1, dtype=np.int64)  # first substep whose end reaches a stop; -1: none
    x_start, y_start = x0.copy(), y0.copy()  # state at the start of that substep
    x, y = x0, y0
    for k in range(steps):
        x_next, y_next = _rk4(x, y, a, b, px, py, p, q, h)
        new = (first < 0) & ((x_next <= xs) | (y_next <= ys))
        first = np.where(new, k, first)
        x_start, y_start = np.where(new, x, x_start), np.where(new, y, y_start)
        x, y = x_next, y_next
    hit = first >= 0
    x_tau, y_tau, tau = x.copy(), y.copy(), np.full(n, dt)
    idx = np.flatnonzero(hit)
    if idx.size:
        sub = (a[idx], b[idx], px[idx], py[idx])
        xs_i, ys_i, xk, yk = xs[idx], ys[idx], x_start[idx], y_start[idx]
        lo, hi = np.zeros(idx.size), np.full(idx.size, h)
        for _ in range(BISECTIONS):
            mid = 0.5 * (lo + hi)
            xm, ym = _rk4(xk, yk, *sub, p, q, mid)
            reached = (xm <= xs_i) | (ym <= ys_i)
            hi = np.where(reached, mid, hi)
            lo = np.where(reached, lo, mid)
        xh, yh = _rk4(xk, yk, *sub, p, q, hi)
        x_tau[idx], y_tau[idx] = _at_stop(xh, yh, xs_i, ys_i)
        tau[idx] = np.minimum(first[idx] * h + hi, dt)
    return x, y, x_tau, y_tau, tau, hit
