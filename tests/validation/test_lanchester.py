"""Standalone Lanchester battles against closed forms, and fitting their coefficients (docs/attrition.md)."""

from __future__ import annotations

import contextlib
import io
import math
import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from munisim import LanchesterFit, fit_lanchester, lanchester

REL = 1e-6
DOC = Path(__file__).resolve().parents[2] / "docs" / "attrition.md"


def rel_err(got: np.ndarray, want: np.ndarray) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))


def test_square_law_annihilation() -> None:
    df = lanchester(100.0, 60.0, a=0.01, b=0.01, days=100)
    assert list(df.columns) == ["day", "x", "y"] and df["day"].tolist() == list(range(101))
    assert df.attrs["end_day"] == pytest.approx(100.0 * math.atanh(0.6), rel=REL)  # 69.3147 days
    assert df.attrs["winner"] == "x"
    after = df[df["day"] >= 70]
    assert rel_err(after["x"], np.full(len(after), 80.0)) <= REL
    assert (after["y"] == 0.0).all()
    before = df[df["day"] < df.attrs["end_day"]]
    invariant = 0.01 * before["x"] ** 2 - 0.01 * before["y"] ** 2
    assert rel_err(invariant, np.full(len(before), 0.01 * 100**2 - 0.01 * 60**2)) <= REL


def test_square_law_with_constant_reinforcement() -> None:
    x0, y0, a, b, rate = 100.0, 80.0, 0.01, 0.005, 2.0
    df = lanchester(x0, y0, a, b, 40, reinforcements_x=[(0.0, math.inf, rate)])
    g = math.sqrt(a * b)
    t = df["day"].to_numpy(dtype=float)
    x = x0 * np.cosh(g * t) - math.sqrt(a / b) * y0 * np.sinh(g * t) + rate / g * np.sinh(g * t)
    y = y0 * np.cosh(g * t) - math.sqrt(b / a) * x0 * np.sinh(g * t) - rate / a * (np.cosh(g * t) - 1.0)
    assert y.min() > 0 and x.min() > 0  # nobody is wiped out in the window
    assert math.isnan(df.attrs["end_day"]) and df.attrs["winner"] is None
    assert rel_err(df["x"], x) <= REL
    assert rel_err(df["y"], y) <= REL


def test_linear_law() -> None:
    x0, y0, a, b = 100.0, 80.0, 0.0004, 0.0006
    df = lanchester(x0, y0, a, b, 60, law="linear")
    x, y, t = df["x"].to_numpy(), df["y"].to_numpy(), df["day"].to_numpy(dtype=float)
    # b (x0 - x) = a (y0 - y): both sides are the same number of "encounters".
    assert rel_err(b * (x0 - x[1:]), a * (y0 - y[1:])) <= REL
    c = b * x0 - a * y0
    assert rel_err(x, c * x0 / (b * x0 - a * y0 * np.exp(-c * t))) <= REL


def test_logarithmic_law_with_reinforcement() -> None:
    x0, y0, a, b = 100.0, 80.0, 0.05, 0.02
    df = lanchester(x0, y0, a, b, 30, law="logarithmic", reinforcements_y=[(0, 100, 1.5)])
    t = df["day"].to_numpy(dtype=float)
    assert rel_err(df["x"], x0 * np.exp(-a * t)) <= REL
    assert rel_err(df["y"], y0 * np.exp(-b * t) + 1.5 * (1.0 - np.exp(-b * t)) / b) <= REL


def test_general_law_with_square_exponents_matches_the_square_closed_form() -> None:
    x0, y0, a, b = 100.0, 80.0, 0.01, 0.005
    sq = lanchester(x0, y0, a, b, 40, reinforcements_x=[(0, 50, 2.0)])
    gen = lanchester(x0, y0, a, b, 40, law="general", p=1.0, q=0.0, reinforcements_x=[(0, 50, 2.0)])
    assert rel_err(gen["x"], sq["x"]) <= 1e-8
    assert rel_err(gen["y"], sq["y"]) <= 1e-8


@pytest.mark.parametrize(
    ("p", "q", "a", "b"),
    [(0.6, 0.3, 0.02, 0.015), (1.5, 0.5, 0.0002, 0.00015), (0.0, 0.0, 1.0, 0.8), (0.5, 1.5, 0.0005, 0.0004)],
)
def test_general_law_matches_a_tight_ode_solution(p: float, q: float, a: float, b: float) -> None:
    x0, y0, rx = 100.0, 80.0, 1.0
    days = 20

    def rhs(_t: float, s: np.ndarray) -> list[float]:
        x, y = max(s[0], 0.0), max(s[1], 0.0)
        return [-a * y**p * x**q + rx, -b * x**p * y**q]

    ref = solve_ivp(rhs, (0, days), [x0, y0], method="DOP853", rtol=1e-10, atol=1e-10, t_eval=np.arange(days + 1.0))
    df = lanchester(x0, y0, a, b, days, law="general", p=p, q=q, reinforcements_x=[(0, days, rx)])
    assert ref.y[1].min() > 1.0  # still fighting
    assert rel_err(df["x"], ref.y[0]) <= 1e-7
    assert rel_err(df["y"], ref.y[1]) <= 1e-7


def test_breakpoint_ends_the_battle_exactly() -> None:
    df = lanchester(100.0, 60.0, 0.01, 0.01, 60, breakpoint_y=0.5)
    # y(t) = 60 cosh(s) - 100 sinh(s) = -20 e^s + 80 e^-s = 30 with s = t/100, i.e. 2v^2 + 3v - 8 = 0 for v = e^s.
    v = (-3.0 + math.sqrt(73.0)) / 4.0
    tau = 100.0 * math.log(v)  # 32.64 days
    assert df.attrs["end_day"] == pytest.approx(tau, rel=REL)
    assert df.attrs["winner"] == "x" and df.attrs["y_stop"] == 30.0
    s = tau / 100.0
    x_end = 100.0 * math.cosh(s) - 60.0 * math.sinh(s)
    after = df[df["day"] > tau]
    assert rel_err(after["y"], np.full(len(after), 30.0)) <= REL
    assert rel_err(after["x"], np.full(len(after), x_end)) <= REL


def test_breakpoint_of_x_and_reinforcement_after_the_end() -> None:
    df = lanchester(60.0, 100.0, 0.01, 0.01, 60, breakpoint_x=0.5, reinforcements_y=[(40.0, 50.0, 1.0)])
    assert df.attrs["winner"] == "y" and df.attrs["x_stop"] == 30.0
    end = df.attrs["end_day"]
    assert end < 40
    y_at = df.loc[df["day"] == 39, "y"].item()
    assert df.loc[df["day"] == 55, "y"].item() == pytest.approx(y_at + 10.0, rel=1e-12)
    assert (df.loc[df["day"] > end, "x"] == 30.0).all()


def square_with_windows(
    x0: float, y0: float, a: float, b: float, windows: list[tuple[float, float, float]], days: int
) -> np.ndarray:
    """Reference by matrix exponentials of the augmented linear system d(x, y, 1)/dt, piece by piece."""
    cuts = sorted({0.0, float(days), *(t for w in windows for t in w[:2] if 0 < t < days)} | set(range(days + 1)))
    state = np.array([x0, y0, 1.0])
    out = {0: state[:2].copy()}
    for t0, t1 in pairwise(cuts):
        rate = sum(r for s, e, r in windows if s <= t0 < e)
        m = np.array([[0.0, -a, rate], [-b, 0.0, 0.0], [0.0, 0.0, 0.0]])
        state = expm(m * (t1 - t0)) @ state
        if float(t1).is_integer():
            out[int(t1)] = state[:2].copy()
    return np.array([out[d] for d in range(days + 1)])


def test_fractional_reinforcement_boundaries_stay_exact() -> None:
    windows = [(2.5, 7.25, 30.0), (5.0, 5.125, 80.0), (6.75, 30.0, 1.0)]
    df = lanchester(100.0, 90.0, 0.01, 0.008, 30, reinforcements_x=windows)
    ref = square_with_windows(100.0, 90.0, 0.01, 0.008, windows, 30)
    assert ref.min() > 0
    assert rel_err(df["x"], ref[:, 0]) <= 1e-9
    assert rel_err(df["y"], ref[:, 1]) <= 1e-9


@pytest.mark.parametrize("law", ["square", "linear", "logarithmic", "general"])
def test_strengths_are_never_negative(law: str) -> None:
    df = lanchester(50.0, 500.0, 2.0, 0.5, 30, law=law, p=0.5, q=0.5, reinforcements_x=[(3.3, 9.9, 20.0)])
    assert (df[["x", "y"]] >= 0).all().all()


def test_zero_coefficients() -> None:
    df = lanchester(50.0, 60.0, 0.0, 0.1, 20)
    assert (df["x"] == 50.0).all()
    assert df.attrs["end_day"] == pytest.approx(60.0 / (0.1 * 50.0), rel=1e-12)  # y falls linearly
    assert df.attrs["winner"] == "x"
    quiet = lanchester(50.0, 60.0, 0.0, 0.0, 5, reinforcements_y=[(0, 5, 2.0)])
    assert quiet["x"].tolist() == [50.0] * 6 and quiet["y"].tolist() == pytest.approx([60, 62, 64, 66, 68, 70])
    assert math.isnan(quiet.attrs["end_day"])


def test_a_force_landing_from_zero_joins_the_fight() -> None:
    # x arrives at 100/day from day 0 against y; the closed form holds from t = 0.
    df = lanchester(0.0, 50.0, 0.1, 0.01, 3, reinforcements_x=[(0, 10, 100.0)])
    a, b, g, t = 0.1, 0.01, math.sqrt(0.001), 3.0
    sg, cg = math.sinh(g * t) / g, (math.cosh(g * t) - 1) / g**2
    assert df["x"].iloc[-1] == pytest.approx(100.0 * sg - a * 50.0 * sg, rel=1e-12)
    assert df["y"].iloc[-1] == pytest.approx(50.0 * math.cosh(g * t) - b * 100.0 * cg, rel=1e-12)
    # ... but not before it arrives.
    late = lanchester(0.0, 50.0, 0.1, 0.01, 5, reinforcements_x=[(2.0, 10, 100.0)])
    assert late["y"].tolist()[:3] == [50.0, 50.0, 50.0] and late["y"].iloc[-1] < 50.0


def test_lanchester_input_errors() -> None:
    with pytest.raises(ValueError, match="days"):
        lanchester(1.0, 1.0, 0.1, 0.1, -1)
    with pytest.raises(ValueError, match="days"):
        lanchester(1.0, 1.0, 0.1, 0.1, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="x0"):
        lanchester(-1.0, 1.0, 0.1, 0.1, 3)
    with pytest.raises(ValueError, match="breakpoint_y"):
        lanchester(1.0, 1.0, 0.1, 0.1, 3, breakpoint_y=1.5)
    with pytest.raises(ValueError, match="ends before it starts"):
        lanchester(1.0, 1.0, 0.1, 0.1, 3, reinforcements_x=[(3, 1, 1.0)])
    with pytest.raises(ValueError, match="unknown attrition law"):
        lanchester(1.0, 1.0, 0.1, 0.1, 3, law="cubic")


# --- fitting ---------------------------------------------------------------------------------------------------


def synthetic(law: str = "square", *, a: float = 0.004, b: float = 0.006, days: int = 30, **kw: object) -> pd.DataFrame:
    """A battle of 1,000 against 800 to fit."""
    return lanchester(1000.0, 800.0, a, b, days, law=law, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("law", ["square", "logarithmic"])
def test_least_squares_recovers_the_coefficients(law: str) -> None:
    battle = synthetic(law, reinforcements_x=[(5.5, 12.0, 20.0)])
    fit = fit_lanchester(battle["day"], battle["x"], battle["y"], reinforcements_x=[(5.5, 12.0, 20.0)], law=law)
    assert isinstance(fit, LanchesterFit) and fit.method == "least_squares"
    assert fit.a == pytest.approx(0.004, rel=1e-6) and fit.b == pytest.approx(0.006, rel=1e-6)
    assert fit.rmse_x < 1e-6 and fit.r2_y == pytest.approx(1.0, abs=1e-12)
    assert fit.predicted["x"].to_numpy() == pytest.approx(battle["x"].to_numpy(), rel=1e-9)


def test_engel_recovers_the_coefficients() -> None:
    battle = synthetic()
    fit = fit_lanchester(battle["day"], battle["x"], battle["y"], method="engel")
    # Day-start strengths overstate the day's mean strength of a shrinking enemy: the ratios are biased low,
    # by about half a day of attrition (well under 1 % here).
    assert fit.a == pytest.approx(0.004, rel=0.01) and fit.b == pytest.approx(0.006, rel=0.01)
    assert fit.a < 0.004 and fit.b < 0.006


def test_engel_with_observed_losses() -> None:
    battle = synthetic(reinforcements_x=[(0, 30, 5.0)])
    x, y = battle["x"].to_numpy(), battle["y"].to_numpy()
    losses_x = x[:-1] - x[1:] + 5.0
    fit = fit_lanchester(battle["day"], x, y, losses_x=losses_x, method="engel")
    inferred = fit_lanchester(battle["day"], x, y, reinforcements_x=[(0, 30, 5.0)], method="engel")
    assert fit.a == pytest.approx(inferred.a, rel=1e-12)
    forgotten = fit_lanchester(battle["day"], x, y, method="engel")  # reinforcement ignored: losses look smaller
    assert forgotten.a < fit.a


def test_noisy_battle_is_fitted_approximately() -> None:
    battle = synthetic(days=40)
    rng = np.random.default_rng(1954)
    x = battle["x"].to_numpy() * (1 + rng.normal(0, 0.01, len(battle)))
    y = battle["y"].to_numpy() * (1 + rng.normal(0, 0.01, len(battle)))
    x[0], y[0] = 1000.0, 800.0
    fit = fit_lanchester(battle["day"], x, y)
    assert fit.a == pytest.approx(0.004, rel=0.05) and fit.b == pytest.approx(0.006, rel=0.05)
    assert fit.r2_x > 0.85 and fit.r2_y > 0.95  # x changes by only 11 %: 1 % noise weighs more
    assert 0 < fit.rmse_x < 30


def test_gaps_and_losses_in_least_squares() -> None:
    battle = synthetic(days=20)
    x, y = battle["x"].to_numpy().copy(), battle["y"].to_numpy().copy()
    y[1:-1] = np.nan  # y only seen at the start and the end
    fit = fit_lanchester(battle["day"], x, y)
    assert fit.a == pytest.approx(0.004, rel=1e-6) and fit.b == pytest.approx(0.006, rel=1e-6)
    with pytest.raises(ValueError, match="engel"):
        fit_lanchester(battle["day"], x, y, method="engel")


def test_days_need_not_start_at_zero() -> None:
    battle = synthetic(days=15, reinforcements_y=[(3.0, 8.0, 10.0)])
    fit = fit_lanchester(battle["day"] + 100, battle["x"], battle["y"], reinforcements_y=[(103.0, 108.0, 10.0)])
    assert fit.b == pytest.approx(0.006, rel=1e-6)
    assert fit.predicted["day"].tolist() == list(range(100, 116))


def test_general_law_exponents_are_recovered() -> None:
    battle = synthetic("general", p=0.8, q=0.3, a=0.01, b=0.015, days=8)
    fit = fit_lanchester(battle["day"], battle["x"], battle["y"], law="general", p=1.0, q=0.0, fit_exponents=True)
    assert fit.p == pytest.approx(0.8, rel=1e-4) and fit.q == pytest.approx(0.3, rel=1e-4)
    assert fit.a == pytest.approx(0.01, rel=1e-3) and fit.b == pytest.approx(0.015, rel=1e-3)


def test_fit_input_errors() -> None:
    with pytest.raises(ValueError, match="same length"):
        fit_lanchester([0, 1, 2], [1.0, 0.9], [1.0, 0.9, 0.8])
    with pytest.raises(ValueError, match=">= 0"):
        fit_lanchester([0, 1, 2], [1.0, -0.9, 0.8], [1.0, 0.9, 0.8])
    with pytest.raises(ValueError, match="at least 2"):
        fit_lanchester([0], [1.0], [1.0])
    with pytest.raises(ValueError, match="increasing"):
        fit_lanchester([0, 2, 1], [1.0, 0.9, 0.8], [1.0, 0.9, 0.8])
    with pytest.raises(ValueError, match="whole numbers"):
        fit_lanchester([0, 0.5, 1], [1.0, 0.9, 0.8], [1.0, 0.9, 0.8])
    with pytest.raises(ValueError, match="losses_x"):
        fit_lanchester([0, 1, 2], [1.0, 0.9, 0.8], [1.0, 0.9, 0.8], losses_x=[0.1])
    with pytest.raises(ValueError, match="unknown method"):
        fit_lanchester([0, 1, 2], [1.0, 0.9, 0.8], [1.0, 0.9, 0.8], method="mle")
    with pytest.raises(ValueError, match="fit_exponents"):
        fit_lanchester([0, 1, 2], [1.0, 0.9, 0.8], [1.0, 0.9, 0.8], fit_exponents=True)
    with pytest.raises(ValueError, match="too few observations"):
        fit_lanchester([0, 1], [1.0, 0.9], [1.0, np.nan])


def test_fit_summary_is_readable() -> None:
    battle = synthetic(days=10)
    text = str(fit_lanchester(battle["day"], battle["x"], battle["y"]))
    assert "square law" in text and "a = 0.004/day" in text and "b = 0.006/day" in text and "RMSE" in text


# --- the worked example of docs/attrition.md ------------------------------------------------------------------------


def test_doc_worked_example_prints_what_the_doc_says() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Worked example", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    shown = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert code and shown
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), str(DOC), "exec"), {})
    assert out.getvalue() == shown.group(1)
