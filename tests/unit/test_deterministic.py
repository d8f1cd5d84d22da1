"""Deterministic scenarios against results computed by hand from docs/model.md."""

from __future__ import annotations

import numpy as np
import pytest

from munisim.engines.des import run_des
from munisim.engines.vector import run_vector

from ..helpers import scenario


def both(s, **kw):  # type: ignore[no-untyped-def]
    a, _ = run_des(s, seed=1, replicates=1, **kw)
    b = run_vector(s, seed=1, replicates=1, **kw)
    for k in a.series:
        np.testing.assert_array_equal(a.series[k], b.series[k], err_msg=str(k))
    return {k: v[0].tolist() for k, v in a.series.items()}


def test_carry_production_and_firing() -> None:
    s = scenario(
        """
    stockpiles: {d: {side: red, munition: m, initial_rounds: 0}}
    factories: {f: {stockpile: d, capacity: [{date: 2024-01-01, rate: 2.5}]}}
    fronts: {fr: {side: red, draws_from: [d], demand: {m: [{date: 2024-01-01, rate: 2}]}}}
    """,
        end="2024-01-05",
    )
    r = both(s)
    assert r[("factory", "f", "delivered")] == [2, 3, 2, 3, 2]  # 2.5/day through the carry
    assert r[("front", "fr/m", "fired")] == [2, 2, 2, 2, 2]
    assert r[("stockpile", "d", "stock")] == [0, 1, 1, 2, 2]


def test_linear_ramp_per_month_and_lots() -> None:
    # 30.4375 rounds/month = 1 round/day on the first point, 2/day 4 days later; lots of 3 days.
    s = scenario(
        """
    stockpiles: {d: {side: red, munition: m}}
    factories:
      f:
        stockpile: d
        rate_unit: per_month
        lot_days: 3
        capacity: [{date: 2024-01-01, rate: 30.4375}, {date: 2024-01-05, rate: 60.875}]
    """,
        end="2024-01-07",
    )
    r = both(s)
    # daily rates 1, 1.25, 1.5, 1.75, 2, 2, 2; carry -> whole rounds 1, 1, 1, 2, 2, 2, 2; lots on days 2 and 5
    assert r[("factory", "f", "delivered")] == [0, 0, 3, 0, 0, 6, 0]
    assert r[("stockpile", "d", "stock")] == [0, 0, 3, 3, 3, 9, 9]


def test_transfer_lead_time_loss_and_suspension() -> None:
    s = scenario("""
    stockpiles: {d: {side: blue, munition: m}}
    transfers:
      aid:
        from_external: partners
        to: d
        recurring: [{every_days: 2, quantity: 10}]
        packages: [{date: 2024-01-04, quantity: 5}]
        lead_time_days: 3
        loss_share: 0.25
        suspensions: [{start: 2024-01-03, end: 2024-01-03}]
    """)
    r = both(s)
    # dispatch days 0, 2(suspended), 4, 6, 8 + package on day 3 (5 rounds)
    assert r[("transfer", "aid", "dispatched")] == [10, 0, 0, 5, 10, 0, 10, 0, 10, 0]
    # loss carry 0.25*q: 2.5 -> 2 (c .5); 1.25+.5=1.75 -> 1 (c .75); 2.5+.75=3.25 -> 3 (.25);
    # 2.75 -> 2; 3.25->3 (past end)
    assert r[("transfer", "aid", "lost")] == [2, 0, 0, 1, 3, 0, 2, 0, 3, 0]
    assert r[("stockpile", "d", "received")] == [0, 0, 0, 10, 0, 0, 5, 10, 0, 10]
    assert r[("stockpile", "d", "lost")] == [0, 0, 0, 2, 0, 0, 1, 3, 0, 2]
    assert r[("stockpile", "d", "stock")] == [0, 0, 0, 8, 8, 8, 12, 19, 19, 27]


def test_capacity_refusal_and_share_of_inflow() -> None:
    s = scenario(
        """
    stockpiles:
      a: {side: red, munition: m, initial_rounds: 5, capacity_rounds: 10}
      b: {side: red, munition: m}
    factories: {f: {stockpile: a, capacity: [{date: 2024-01-01, rate: 4}]}}
    transfers: {fwd: {from_stockpile: a, to: b, share_of_inflow: 0.5, lead_time_days: 1}}
    """,
        end="2024-01-06",
    )
    r = both(s)
    # day0: stock 5 + 4 accepted = 9, ships floor(0.5*4) = 2 -> 7
    # day1: space 3: accept 3, refuse 1 -> 10; carry 1.5 ships 1 -> 9
    # day2: space 1: accept 1, refuse 3 -> 10; carry 0.5+0.5 ships 1 -> 9
    # day3: accept 1, refuse 3 -> 10; carry 0.5 ships 0; from day 4 the depot is full: all 4 refused, nothing flows
    assert r[("stockpile", "a", "refused")] == [0, 1, 3, 3, 4, 4]
    assert r[("transfer", "fwd", "dispatched")] == [2, 1, 1, 0, 0, 0]
    assert r[("stockpile", "a", "stock")] == [7, 9, 9, 10, 10, 10]
    assert r[("stockpile", "b", "stock")] == [0, 2, 3, 4, 4, 4]


def test_rationing_and_priority_draw() -> None:
    s = scenario(
        """
    stockpiles:
      near: {side: red, munition: m, initial_rounds: 30}
      far: {side: red, munition: m, initial_rounds: 25}
    fronts:
      fr:
        side: red
        draws_from: [near, far]
        demand: {m: [{date: 2024-01-01, rate: 10}]}
        rationing: [{below_days: 4, fire_share: 0.5}, {below_days: 2, fire_share: 0.2}]
    """,
        end="2024-01-08",
    )
    r = both(s)
    # A=55 >= 40: 10 (45); 45: 10 (35); 35 < 40: 5 (30); 30: 5 (25); 25: 5 (20); 20 < 20 is false -> 5 (15);
    # 15 < 20: the tighter tier, 2 (13); 13: 2 (11)
    assert r[("front", "fr/m", "fired")] == [10, 10, 5, 5, 5, 5, 2, 2]
    assert r[("stockpile", "near", "fired")] == [10, 10, 5, 5, 0, 0, 0, 0]
    assert r[("stockpile", "far", "fired")] == [0, 0, 0, 0, 5, 5, 2, 2]
    assert r[("front", "fr/m", "shortfall")] == [0] * 8


def test_stockout_shortfall() -> None:
    s = scenario(
        """
    stockpiles: {d: {side: red, munition: m, initial_rounds: 25}}
    fronts: {fr: {side: red, draws_from: [d], demand: {m: [{date: 2024-01-01, rate: 10}]}}}
    """,
        end="2024-01-04",
    )
    r = both(s)
    assert r[("front", "fr/m", "fired")] == [10, 10, 5, 0]
    assert r[("front", "fr/m", "shortfall")] == [0, 0, 5, 10]


def test_same_seed_same_result_and_prefix_property() -> None:
    from pathlib import Path

    from munisim import simulate

    path = Path(__file__).resolve().parents[2] / "scenarios" / "example-small.yaml"
    a = simulate(path, replicates=3, seed=7)
    b = simulate(path, replicates=3, seed=7)
    c = simulate(path, replicates=70, seed=7, engine="vector")
    d = simulate(path, replicates=3, seed=8)
    for k, v in a.trajectories.series.items():
        np.testing.assert_array_equal(v, b.trajectories.series[k])
        np.testing.assert_array_equal(v, c.trajectories.series[k][:3])
    assert any(not np.array_equal(v, d.trajectories.series[k]) for k, v in a.trajectories.series.items())


@pytest.mark.parametrize("chunk", [64, 128, 4096])
def test_vector_chunking_does_not_change_results(chunk: int) -> None:
    from pathlib import Path

    from munisim import load_scenario

    s = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "example-small.yaml")
    ref = run_vector(s, seed=5, replicates=150, chunk_replicates=4096)
    got = run_vector(s, seed=5, replicates=150, chunk_replicates=chunk)
    part = run_vector(s, seed=5, replicates=40, first_replicate=100, chunk_replicates=chunk)
    for k, v in ref.series.items():
        np.testing.assert_array_equal(v, got.series[k])
        np.testing.assert_array_equal(v[100:140], part.series[k])


@pytest.mark.parametrize("engine", ["des", "vector"])
def test_large_runs_keep_every_outcome_and_a_sample_of_series(engine: str) -> None:
    from pathlib import Path

    from munisim import simulate

    path = Path(__file__).resolve().parents[2] / "scenarios" / "example-small.yaml"
    n = 150 if engine == "vector" else 9
    full = simulate(path, engine=engine, replicates=n, seed=4)
    sampled = simulate(path, engine=engine, replicates=n, seed=4, series_replicates=5)
    assert sampled.replicates == 5 and sampled.total_replicates == n
    for key, arr in full.outcomes.items():
        np.testing.assert_array_equal(sampled.outcomes[key], arr, err_msg=key)
    for key, arr in sampled.trajectories.series.items():
        np.testing.assert_array_equal(arr, full.trajectories.series[key][:5])
    a, b = full.summary(), sampled.summary()
    assert a["sides"] == b["sides"] and a["crossover"] == b["crossover"]
    assert b["replicates"] == n and b["series_replicates"] == 5
