"""Properties of the attrition kernel (munisim.model.attrition): lanes, intervals, stops."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from munisim.model.attrition import LAWS, Propagation, effectiveness, law_exponents, propagate

FIELDS = ("x", "y", "ended", "t_end", "x_stopped", "y_stopped")


def random_lanes(rng: np.random.Generator, n: int, law: str) -> dict[str, np.ndarray]:
    """Lanes mixing every case: fights that end or not, breakpoints, zero coefficients, reinforcement or none."""
    x0 = rng.uniform(0.0, 200.0, n)
    y0 = rng.uniform(0.0, 200.0, n)
    scale = {"square": 0.1, "linear": 0.005, "logarithmic": 1.0, "general": 0.1}[law]
    a = rng.uniform(0.0, scale, n) * (rng.random(n) > 0.05)
    b = rng.uniform(0.0, scale, n) * (rng.random(n) > 0.05)
    px = rng.uniform(0.0, 5.0, n) * (rng.random(n) < 0.5)
    py = rng.uniform(0.0, 5.0, n) * (rng.random(n) < 0.5)
    xs = rng.uniform(0.0, 0.95, n) * x0 * (rng.random(n) < 0.6)
    ys = rng.uniform(0.0, 0.95, n) * y0 * (rng.random(n) < 0.6)
    xs[:10] = x0[:10]  # at the stop from the start
    return {"x0": x0, "y0": y0, "a": a, "b": b, "px": px, "py": py, "x_stop": xs, "y_stop": ys}


def run(lanes: dict[str, np.ndarray], **kw: object) -> Propagation:
    return propagate(
        lanes["x0"],
        lanes["y0"],
        lanes["a"],
        lanes["b"],
        lanes["px"],
        lanes["py"],
        lanes["x_stop"],
        lanes["y_stop"],
        **kw,
    )  # type: ignore[arg-type]


@pytest.mark.filterwarnings("error")  # no overflow or 0/0, not even in discarded branches
@pytest.mark.parametrize("law", LAWS)
@pytest.mark.parametrize("dt", [1.0, 2.5])
def test_a_lane_does_not_depend_on_the_other_lanes(law: str, dt: float) -> None:
    rng = np.random.default_rng(20240611)
    lanes = random_lanes(rng, 1000, law)
    kw = {"law": law, "p": 0.7, "q": 0.4, "dt": dt}
    together = run(lanes, **kw)
    # The sample must exercise both outcomes, or the comparison proves little.
    assert 50 < together.ended.sum() < 950
    perm = rng.permutation(1000)
    shuffled = run({k: v[perm] for k, v in lanes.items()}, **kw)
    # Every lane that ended (they take the refining paths) and a quarter of the others.
    for i in np.union1d(np.flatnonzero(together.ended), np.arange(0, 1000, 4)):
        alone = run({k: v[i : i + 1] for k, v in lanes.items()}, **kw)
        for f in FIELDS:
            assert np.array_equal(getattr(alone, f), getattr(together, f)[i : i + 1], equal_nan=True), (i, f)
    for f in FIELDS:
        assert np.array_equal(getattr(shuffled, f), getattr(together, f)[perm], equal_nan=True), f


def test_lane_independence_with_scalars_and_broadcast_arguments() -> None:
    together = propagate([100.0, 5.0, 80.0], [60.0, 60.0, 80.0], 0.05, 0.05, 0.0, 1.0, 0.0, 0.0)
    for i, x0 in enumerate([100.0, 5.0, 80.0]):
        alone = propagate(x0, [60.0, 60.0, 80.0][i], 0.05, 0.05, 0.0, 1.0, 0.0, 0.0)
        assert alone.x.shape == (1,)
        assert alone.x[0] == together.x[i] and alone.y[0] == together.y[i]


def square_closed_form(x0: float, y0: float, a: float, b: float, px: float, py: float, t: float) -> tuple[float, float]:
    g = math.sqrt(a * b)
    c, s, cm1 = math.cosh(g * t), math.sinh(g * t) / g, (math.cosh(g * t) - 1.0) / g**2
    return (x0 * c - a * y0 * s + px * s - a * py * cm1, y0 * c - b * x0 * s + py * s - b * px * cm1)


@pytest.mark.parametrize(
    ("law", "a", "b", "px", "py"),
    [
        ("square", 0.02, 0.03, 3.0, 1.5),
        ("square", 0.02, 0.03, 0.0, 0.0),
        ("square", 0.0, 0.03, 2.0, 0.0),
        ("logarithmic", 0.02, 0.03, 2.0, 4.0),
        ("linear", 0.0004, 0.0006, 0.0, 0.0),  # x winning (b x0 > a y0)
        ("linear", 0.0008, 0.0004, 0.0, 0.0),  # y winning
    ],
)
def test_two_steps_of_a_day_equal_one_step_of_two_days(law: str, a: float, b: float, px: float, py: float) -> None:
    x0, y0 = 120.0, 90.0
    one = propagate(x0, y0, a, b, px, py, 0.0, 0.0, law=law)
    two = propagate(one.x, one.y, a, b, px, py, 0.0, 0.0, law=law)
    both = propagate(x0, y0, a, b, px, py, 0.0, 0.0, law=law, dt=2.0)
    assert not (two.ended[0] or both.ended[0])
    if law == "square" and a == 0:
        want = (x0 + 2 * px, y0 - b * (2 * x0 + 2 * px))  # y loses b * integral of x = x0 + px t
    elif law == "square":
        want = square_closed_form(x0, y0, a, b, px, py, 2.0)
    elif law == "logarithmic":
        want = (
            x0 * math.exp(-2 * a) + px * (1 - math.exp(-2 * a)) / a,
            y0 * math.exp(-2 * b) + py * (1 - math.exp(-2 * b)) / b,
        )
    else:
        c = b * x0 - a * y0
        denominator = b * x0 - a * y0 * math.exp(-2 * c)
        want = (c * x0 / denominator, c * y0 * math.exp(-2 * c) / denominator)
    for got in (two, both):
        assert got.x[0] == pytest.approx(want[0], rel=1e-12)
        assert got.y[0] == pytest.approx(want[1], rel=1e-12)


def test_linear_law_does_not_overflow_when_one_side_is_crushed() -> None:
    # b x0 - a y0 = -975 per day: exp(975 t) would overflow.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = propagate(50.0, 500.0, 2.0, 0.5, 0.0, 0.0, 0.0, 0.0, law="linear", dt=1.0)
    assert 0.0 <= r.x[0] < 1e-300  # x is crushed (and may end the engagement by underflowing to 0)
    assert r.y[0] == pytest.approx(500.0 - 0.5 / 2.0 * 50.0, rel=1e-12)  # b (x0 - x) = a (y0 - y)


def test_rk4_path_is_accurate_over_a_day() -> None:
    # general with the square law's exponents runs RK4; compare with the closed form.
    got = propagate(120.0, 90.0, 0.02, 0.03, 3.0, 1.5, 0.0, 0.0, law="general", p=1.0, q=0.0, dt=3.0)
    want = square_closed_form(120.0, 90.0, 0.02, 0.03, 3.0, 1.5, 3.0)
    assert got.x[0] == pytest.approx(want[0], rel=1e-12)
    assert got.y[0] == pytest.approx(want[1], rel=1e-12)


def test_not_ended_means_nan_end_time_and_no_stop() -> None:
    r = propagate(100.0, 60.0, 0.01, 0.01, 0.0, 0.0, 0.0, 0.0)
    assert not r.ended[0] and math.isnan(r.t_end[0])
    assert not (r.x_stopped[0] or r.y_stopped[0])


def test_a_force_at_its_stop_ends_the_engagement_at_the_start_without_attrition() -> None:
    r = propagate([50.0, 100.0], [60.0, 0.0], 0.5, 0.5, [2.0, 0.0], [0.0, 3.0], [50.0, 0.0], [0.0, 0.0], dt=2.0)
    assert r.ended.all() and r.t_end.tolist() == [0.0, 0.0]
    assert r.x.tolist() == [54.0, 100.0]  # only reinforcement
    assert r.y.tolist() == [60.0, 6.0]
    assert r.x_stopped.tolist() == [True, False] and r.y_stopped.tolist() == [False, True]


def test_check_start_false_lets_an_arriving_force_fight() -> None:
    # x lands at 50/day against y; losses a*y = 6/day are slower than arrivals, so the fight goes on.
    r = propagate(0.0, 60.0, 0.1, 0.01, 50.0, 0.0, 0.0, 0.0, check_start=False)
    assert not r.ended[0]
    want = square_closed_form(0.0, 60.0, 0.1, 0.01, 50.0, 0.0, 1.0)
    assert r.x[0] == pytest.approx(want[0], rel=1e-12) and r.y[0] == pytest.approx(want[1], rel=1e-12)
    # Arrivals slower than losses: the engagement ends at once.
    r = propagate(0.0, 60.0, 0.1, 0.01, 1.0, 0.0, 0.0, 0.0, check_start=False)
    assert r.ended[0] and r.t_end[0] == pytest.approx(0.0, abs=1e-9) and r.x_stopped[0]


@pytest.mark.parametrize("law", LAWS)
def test_the_engagement_ends_exactly_at_the_stop_level(law: str) -> None:
    a = {"square": 0.01, "linear": 0.0001, "logarithmic": 0.2, "general": 0.01}[law]
    dt = 200.0
    r = propagate(100.0, 60.0, a, a, 0.0, 0.1, 0.0, 30.0, law=law, p=1.0, q=0.5, dt=dt)
    assert r.ended[0] and r.y_stopped[0] and not r.x_stopped[0]
    tau = float(r.t_end[0])
    assert 0.0 < tau < dt
    # y is set to 30 at tau, then only gains its reinforcement.
    assert r.y[0] == pytest.approx(30.0 + 0.1 * (dt - tau), rel=1e-12)
    # The state at tau is the one reached by fighting until tau (within one interval).
    until = propagate(100.0, 60.0, a, a, 0.0, 0.1, 0.0, 0.0, law=law, p=1.0, q=0.5, dt=tau)
    assert until.x[0] == pytest.approx(r.x[0], rel=1e-7)
    assert until.y[0] == pytest.approx(30.0, rel=1e-7)


def test_square_law_end_time_is_exact() -> None:
    r = propagate(100.0, 60.0, 0.01, 0.01, 0.0, 0.0, 0.0, 0.0, dt=100.0)
    assert r.t_end[0] == pytest.approx(100.0 * math.atanh(0.6), rel=1e-12)
    assert r.x[0] == pytest.approx(80.0, rel=1e-12) and r.y[0] == 0.0
    assert r.y_stopped[0] and not r.x_stopped[0]


def test_both_forces_reaching_their_stops_at_once() -> None:
    # Equal forces decay as 100 exp(-0.01 t) and reach 50 together at t = 100 ln 2.
    r = propagate(100.0, 100.0, 0.01, 0.01, 0.0, 0.0, 50.0, 50.0, dt=1000.0)
    assert r.x_stopped[0] and r.y_stopped[0]
    assert r.x[0] == 50.0 and r.y[0] == 50.0
    assert r.t_end[0] == pytest.approx(100.0 * math.log(2.0), rel=1e-12)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("law", LAWS)
def test_strengths_are_never_negative(law: str) -> None:
    rng = np.random.default_rng(7)
    lanes = random_lanes(rng, 300, law)
    lanes["a"] = lanes["a"] * 50.0
    lanes["b"] = lanes["b"] * 50.0
    r = run(lanes, law=law, p=1.3, q=0.2, dt=5.0)
    assert (r.x >= 0).all() and (r.y >= 0).all()
    assert np.isfinite(r.x).all() and np.isfinite(r.y).all()


def test_zero_coefficients() -> None:
    # a = 0: x loses nothing, y falls linearly (square law).
    r = propagate(50.0, 60.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, dt=5.0)
    assert r.x[0] == 50.0 and r.y[0] == pytest.approx(60.0 - 0.1 * 50.0 * 5.0, rel=1e-14)
    r = propagate(50.0, 60.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, dt=5.0)
    assert r.x[0] == 55.0 and r.y[0] == 70.0 and not r.ended[0]


def test_validation_messages_show_the_value() -> None:
    with pytest.raises(ValueError, match="'cubic'"):
        propagate(1.0, 1.0, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, law="cubic")
    with pytest.raises(ValueError, match=r"-1\.0"):
        propagate(1.0, 1.0, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, dt=-1.0)
    with pytest.raises(ValueError, match="dt"):
        propagate(1.0, 1.0, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, dt=0.0)
    with pytest.raises(ValueError, match="a must be >= 0"):
        propagate(1.0, 1.0, -0.1, 0.1, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="exponents"):
        propagate(1.0, 1.0, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, law="general", p=-1.0, q=0.0)


def test_law_exponents() -> None:
    assert law_exponents("square") == (1.0, 0.0)
    assert law_exponents("linear") == (1.0, 1.0)
    assert law_exponents("logarithmic") == (0.0, 1.0)
    assert law_exponents("square", None, None) == (1.0, 0.0)  # fixed laws ignore p, q
    assert law_exponents("general", 0.5, 2.0) == (0.5, 2.0)
    with pytest.raises(ValueError, match="both exponents"):
        law_exponents("general", None, 1.0)


def test_effectiveness_curve() -> None:
    got = effectiveness(np.array([-0.5, 0.0, 0.25, 1.0, 2.0]), 0.2, 2.0)
    assert got == pytest.approx([0.2, 0.2, 0.2 + 0.8 * 0.0625, 1.0, 1.0], rel=1e-15)
    assert effectiveness(0.5, np.array([0.0, 1.0]), np.array([1.0, 3.0])).tolist() == [0.5, 1.0]
    assert effectiveness([0.3], 0.0, 1.0).dtype == np.float64
