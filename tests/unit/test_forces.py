"""Forces and engagements inside scenarios: closed forms through both engines, coupling to fire, lumps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from munisim import simulate

from ..helpers import both_engines, scenario

ARMIES = """
stockpiles:
  red_depot: {{side: red, munition: m, initial_rounds: {red_stock}}}
  blue_depot: {{side: blue, munition: m, initial_rounds: 100000}}
fronts:
  red_front: {{side: red, draws_from: [red_depot], demand: {{m: [{{date: 2024-01-01, rate: 100}}]}}}}
  blue_front: {{side: blue, draws_from: [blue_depot], demand: {{m: [{{date: 2024-01-01, rate: 100}}]}}}}
forces:
  red_army: {{side: red, initial_strength: 100}}
  blue_army: {{side: blue, initial_strength: 60}}
engagements:
  battle:
    x: red_army
    y: blue_army
    law: square
    a: 0.01
    b: 0.01
{extra}
"""


def _both(s, replicates: int = 1):  # type: ignore[no-untyped-def]
    return both_engines(s, replicates=replicates, seed=3)


def test_square_law_battle_through_both_engines() -> None:
    # x0 = 100, y0 = 60, a = b = 0.01: y is wiped out at t = 100 atanh(0.6) = 69.3147 days, x keeps 80.
    s = scenario(ARMIES.format(red_stock=10**7, extra=""), end="2024-04-30")
    tr = _both(s)
    x = tr.series[("force", "red_army", "strength")][0]
    y = tr.series[("force", "blue_army", "strength")][0]
    g = 0.01
    for t in range(69):  # end of day t is time t + 1
        want_x = 100 * math.cosh(g * (t + 1)) - 60 * math.sinh(g * (t + 1))
        want_y = 60 * math.cosh(g * (t + 1)) - 100 * math.sinh(g * (t + 1))
        assert x[t] == pytest.approx(want_x, rel=1e-9)
        assert y[t] == pytest.approx(want_y, rel=1e-9)
        assert 0.01 * x[t] ** 2 - 0.01 * y[t] ** 2 == pytest.approx(100**2 * 0.01 - 60**2 * 0.01, rel=1e-9)
    assert y[68] > 0 and y[69] == 0.0  # ends during day 69 (t in [69, 70))
    np.testing.assert_allclose(x[69:], 80.0, rtol=1e-9)
    losses = tr.series[("force", "blue_army", "losses")][0]
    assert losses.sum() == pytest.approx(60.0, rel=1e-12)


def test_a_shell_famine_shows_up_as_attrition() -> None:
    # Red's front has no rounds at all: with floor 0, red's fire does nothing and blue takes no losses.
    extra = """    fires:
      x: {front: red_front, floor: 0.0}
      y: {front: blue_front, floor: 0.0}"""
    starved = _both(scenario(ARMIES.format(red_stock=0, extra=extra), end="2024-01-30"))
    assert (starved.series[("force", "blue_army", "losses")] == 0).all()
    assert (starved.series[("force", "red_army", "losses")] > 0).all()
    fed = _both(scenario(ARMIES.format(red_stock=10**6, extra=extra), end="2024-01-30"))
    assert (fed.series[("force", "blue_army", "losses")] > 0).all()
    # A floor keeps part of the effect: blue's losses scale with it on day 0 (same strengths then).
    floor = _both(
        scenario(
            ARMIES.format(
                red_stock=0,
                extra=extra.replace("x: {front: red_front, floor: 0.0}", "x: {front: red_front, floor: 0.25}"),
            ),
            end="2024-01-30",
        )
    )
    day0 = floor.series[("force", "blue_army", "losses")][0, 0]
    full = fed.series[("force", "blue_army", "losses")][0, 0]
    assert day0 == pytest.approx(0.25 * full, rel=2e-3)  # first order in the day's coefficient


def test_half_fired_halves_the_coefficient() -> None:
    # Red stock covers exactly half of each day's demand of 100 via a factory of 50/day: share 0.5.
    body = (
        ARMIES.format(
            red_stock=0,
            extra="""    fires:
      x: {front: red_front}""",
        )
        + """
factories:
  plant: {stockpile: red_depot, capacity: [{date: 2024-01-01, rate: 50}]}
"""
    )
    tr = _both(scenario(body, end="2024-01-20"))
    assert (tr.series[("front", "red_front/m", "fired")] == 50).all()
    ref = _both(
        scenario(
            ARMIES.format(red_stock=0, extra="").replace("a: 0.01\n    b: 0.01", "a: 0.01\n    b: 0.005"),
            end="2024-01-20",
        )
    )
    np.testing.assert_allclose(
        tr.series[("force", "blue_army", "strength")], ref.series[("force", "blue_army", "strength")], rtol=1e-12
    )


def test_lumps_withdrawals_breakpoint_and_window() -> None:
    body = ARMIES.format(
        red_stock=10**7,
        extra="""    start: 2024-01-05
    end: 2024-03-01
    breakpoint: {x: 0.0, y: 0.5}""",
    ).replace(
        "red_army: {side: red, initial_strength: 100}",
        """red_army:
    side: red
    initial_strength: 100
    reinforcements:
      - {start: 2024-01-01, end: 2024-01-03, rate_per_day: 10}
      - {date: 2024-01-02, amount: 5}
    withdrawals:
      - {date: 2024-01-04, amount: 1000}""",
    )
    tr = _both(scenario(body, end="2024-03-31"))
    x = tr.series[("force", "red_army", "strength")][0]
    # Days 0-2 gain 10/day, day 1 a lump of 5; day 3 withdraws everything (1000 > strength).
    np.testing.assert_allclose(x[:3], [110, 125, 135])
    assert x[3] == 0.0
    assert tr.series[("force", "red_army", "withdrawn")][0, 3] == 135.0
    # No fighting before the start (day 4): blue keeps 60; with x = 0 the engagement ends on its first day.
    y = tr.series[("force", "blue_army", "strength")][0]
    np.testing.assert_array_equal(y, 60.0)
    assert (tr.series[("force", "blue_army", "losses")] == 0).all()


def test_breakpoint_ends_the_engagement_at_the_share() -> None:
    body = ARMIES.format(red_stock=10**7, extra="    breakpoint: {x: 0.0, y: 0.5}")
    tr = _both(scenario(body, end="2024-04-30"))
    y = tr.series[("force", "blue_army", "strength")][0]
    # y(t) = 60 cosh(0.01 t) - 100 sinh(0.01 t) reaches 30 at t = 34.7...: day 34 ends at the breakpoint.
    t_break = brentq(lambda t: 60 * math.cosh(0.01 * t) - 100 * math.sinh(0.01 * t) - 30, 0, 69)
    day = int(t_break)
    assert y[day - 1] > 30 and y[day] == pytest.approx(30.0, rel=1e-12)
    np.testing.assert_allclose(y[day:], 30.0, rtol=1e-12)


def test_run_reports_strength_losses_and_exchange_ratio() -> None:
    s = scenario(ARMIES.format(red_stock=10**7, extra=""), end="2024-02-29")
    res = simulate(s, engine="vector", replicates=3, seed=1)
    strength = res.series("strength", side="red")
    assert strength.shape == (3, s.n_days) and strength.dtype == np.float64
    out = res.outcomes
    np.testing.assert_allclose(out["red.losses"] / out["blue.losses"], out["loss_exchange.red per blue"])
    summary = res.summary()
    assert set(summary["loss_exchange"]) == {"red per blue", "blue per red"}
    assert summary["sides"]["red"]["final_strength"]["p50"] == pytest.approx(strength[:, -1].mean())
    table = res.quantiles()
    assert {"strength", "losses"} <= set(table["variable"])


def test_force_metrics_are_sweep_outcomes() -> None:
    from munisim.config.experiment import Outcome
    from munisim.config.experiment_loader import metric_names
    from munisim.experiments.evaluate import outcome_stats

    s = scenario(ARMIES.format(red_stock=10**7, extra=""), end="2024-02-29")
    names = metric_names(s)
    assert {"red.losses", "blue.final_strength", "loss_exchange.red per blue"} <= set(names)
    res = simulate(s, engine="vector", replicates=4, seed=2)
    stats = outcome_stats(
        res, [Outcome(metric="blue.losses", stat="mean"), Outcome(metric="loss_exchange.red per blue", stat="p50")]
    )
    assert stats["blue.losses:mean"] == pytest.approx(res.series("losses", side="blue").sum(axis=1).mean())
    assert stats["loss_exchange.red per blue:p50"] == pytest.approx(
        float(np.median(res.outcomes["red.losses"] / res.outcomes["blue.losses"]))
    )
    assert "red.losses" not in metric_names(scenario(ARMIES.format(red_stock=1, extra="").split("forces:")[0]))
