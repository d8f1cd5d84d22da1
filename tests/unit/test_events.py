"""Time to an event with right-censoring: probability by step, intervals, medians; the low-stock outcome."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from munisim import simulate
from munisim.analysis.events import binomial_interval, event_probability, event_summary
from munisim.results import LOW_STOCK_DAYS, trailing_mean

from ..helpers import scenario


def test_probability_counts_censored_replicates_in_the_denominator() -> None:
    # Events at steps 0, 2, 2; one replicate never has it (-1) and one is at the last step.
    curve = event_probability(np.array([0, 2, 2, -1, 4]), 5)
    assert curve["step"].tolist() == [0, 1, 2, 3, 4]
    assert curve["events"].tolist() == [1, 1, 3, 3, 4]
    assert curve["n"].tolist() == [5] * 5
    assert curve["probability"].tolist() == [0.2, 0.2, 0.6, 0.6, 0.8]
    # Dropping the censored replicate would wrongly reach 1.
    assert curve["probability"].iloc[-1] < 1


def test_probability_of_an_event_that_never_happens_is_zero_with_an_upper_bound() -> None:
    curve = event_probability(np.full(10, -1), 3)
    assert curve["probability"].tolist() == [0.0, 0.0, 0.0]
    assert curve["low"].tolist() == [0.0, 0.0, 0.0]
    assert (curve["high"] > 0).all()


def test_wilson_interval_by_hand() -> None:
    # k = 1, n = 4, z = 1.959964: centre = (p + z^2/2n) / (1 + z^2/n), half = z/(1 + z^2/n) sqrt(p q/n + z^2/4n^2).
    z = stats.norm.ppf(0.975)
    p, n = 0.25, 4
    centre = (p + z * z / 8) / (1 + z * z / 4)
    half = z / (1 + z * z / 4) * math.sqrt(p * (1 - p) / 4 + z * z / 64)
    low, high = binomial_interval(1, n)
    assert float(low) == pytest.approx(centre - half, abs=1e-12)
    assert float(high) == pytest.approx(centre + half, abs=1e-12)
    assert float(low) == pytest.approx(0.0456, abs=1e-4) and float(high) == pytest.approx(0.6994, abs=1e-4)


def test_clopper_pearson_interval_by_hand() -> None:
    # With no success the upper bound solves (1 - p)^n = alpha / 2; with all successes the lower bound p^n = alpha / 2.
    n = 10
    low, high = binomial_interval(np.array([0, n]), n, method="clopper-pearson")
    assert low[0] == 0.0 and high[0] == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-9)
    assert low[1] == pytest.approx(0.025 ** (1 / n), rel=1e-9) and high[1] == 1.0
    # In between it matches scipy's exact binomial interval.
    lo, hi = binomial_interval(3, n, method="clopper-pearson")
    ref = stats.binomtest(3, n).proportion_ci(0.95, method="exact")
    assert (float(lo), float(hi)) == pytest.approx((ref.low, ref.high), rel=1e-9)


def test_interval_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown interval method"):
        binomial_interval(1, 2, method="wald")
    with pytest.raises(ValueError, match="at least one trial"):
        binomial_interval(0, 0)
    with pytest.raises(ValueError, match="beyond the horizon"):
        event_probability(np.array([5]), 5)


def test_summary_uses_the_censored_median() -> None:
    # Sorted with never = +inf: 0, 2, 2, inf -> lower median 2.
    assert event_summary(np.array([0, 2, 2, -1])) == {"n": 4, "events": 3, "share": 0.75, "median": 2}
    # The event in fewer than half of the replicates: no median.
    assert event_summary(np.array([3, -1, -1]))["median"] is None


def test_trailing_mean_by_hand() -> None:
    x = np.array([[30, 0, 0, 60]])
    np.testing.assert_allclose(trailing_mean(x, 3), [[30, 15, 10, 20]])


LOW = """
stockpiles:
  red_depot: {side: red, munition: m, initial_rounds: 1000}
  blue_depot: {side: blue, munition: m, initial_rounds: 1000000}
fronts:
  red_front: {side: red, draws_from: [red_depot], demand: {m: [{date: 2024-01-01, rate: 10}]}}
  blue_front: {side: blue, draws_from: [blue_depot], demand: {m: [{date: 2024-01-01, rate: 10}]}}
"""


def test_low_stock_day_by_hand() -> None:
    # Red fires 10 a day from 1,000: end-of-day stock 1000 - 10 (t + 1); expected demand 10 a day, so stock is
    # below 30 days of demand (300) from t = 70; it runs out at the end of day 99 and misses fire on day 100.
    assert LOW_STOCK_DAYS == 30
    res = simulate(scenario(LOW, end="2024-04-30"), engine="vector", replicates=2, seed=1)
    out = res.outcomes
    assert out["red.low_stock"].tolist() == [70, 70]
    assert out["red.first_stockout"].tolist() == [100, 100]
    assert out["blue.low_stock"].tolist() == [-1, -1]
    summary = res.summary()
    assert summary["low_stock_days"] == 30
    assert summary["sides"]["red"]["low_stock"] == "2024-03-11" and summary["sides"]["red"]["low_stock_share"] == 1.0
    assert summary["sides"]["blue"]["low_stock"] is None and summary["sides"]["blue"]["low_stock_share"] == 0.0


def test_a_side_without_demand_is_never_low() -> None:
    body = LOW.replace("rate: 10}]}}\n", "rate: 0}]}}\n", 1).replace("initial_rounds: 1000}", "initial_rounds: 0}")
    res = simulate(scenario(body, end="2024-02-10"), engine="vector", replicates=1, seed=1)
    assert res.outcomes["red.low_stock"].tolist() == [-1]


def test_low_stock_is_a_sweep_event_metric() -> None:
    import datetime as dt

    from munisim.config.experiment import Outcome
    from munisim.config.experiment_loader import metric_names
    from munisim.experiments.evaluate import outcome_stats

    s = scenario(LOW, end="2024-04-30")
    assert {"red.low_stock", "blue.low_stock"} <= set(metric_names(s))
    res = simulate(s, engine="vector", replicates=2, seed=1)
    got = outcome_stats(
        res,
        [
            Outcome(metric="red.low_stock", stat="probability"),
            Outcome(metric="red.low_stock", stat="probability", before=dt.date(2024, 3, 11)),
            Outcome(metric="red.low_stock", stat="median"),
            Outcome(metric="blue.low_stock", stat="median"),
        ],
    )
    assert list(got.values()) == [1.0, 0.0, 70.0, math.inf]
