"""Depot strikes (docs/model.md, step 3): dated and random, on both engines."""

from __future__ import annotations

import pytest

from munisim import simulate

from ..helpers import both_engines, scenario

DEPOT = """
stockpiles:
  depot:
    side: red
    munition: m
    initial_rounds: 1000
    strikes:
{strikes}
factories:
  plant: {{stockpile: depot, capacity: [{{date: 2024-01-01, rate: 10}}]}}
"""


def _both(s, replicates: int = 1):  # type: ignore[no-untyped-def]
    return both_engines(s, replicates=replicates, seed=4)


def test_dated_strikes_destroy_a_share_of_the_stock_after_the_days_deliveries() -> None:
    # Day 2: stock 1,000 + 3 x 10 = 1,030, a strike destroys floor(0.25 x 1,030) = 257, then a second one
    # listed after it destroys floor(0.5 x 773) = 386.
    strikes = "      - {date: 2024-01-03, share: 0.25}\n      - {date: 2024-01-03, share: 0.5}"
    tr = _both(scenario(DEPOT.format(strikes=strikes), end="2024-01-05"))
    assert tr.series[("stockpile", "depot", "destroyed")][0].tolist() == [0, 0, 643, 0, 0]
    assert tr.series[("stockpile", "depot", "stock")][0].tolist() == [1010, 1020, 387, 397, 407]


def test_random_strikes_happen_at_their_rate() -> None:
    # 73 strikes a year = 0.2 a day: over 2 years x 200 replicates the share of days hit is about 0.2.
    strikes = "      - {rate_per_year: 73, share: 0.01}"
    s = scenario(DEPOT.format(strikes=strikes), end="2025-12-31")
    res = simulate(s, engine="vector", replicates=200, seed=1, keep="entities")
    hit = res.trajectories.series[("stockpile", "depot", "destroyed")] > 0
    assert hit.mean() == pytest.approx(0.2, abs=0.01)  # 146,200 Bernoulli days: sd 0.001
    _both(s, replicates=3)
