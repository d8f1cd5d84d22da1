"""Tube wear (docs/model.md, step 5): fire capped by serviceable barrels, barrels worn by rounds fired."""

from __future__ import annotations

from munisim import simulate

from ..helpers import both_engines, scenario

GUNS = """
stockpiles:
  depot: {{side: red, munition: m, initial_rounds: 100000}}
  barrels: {{side: red, munition: m, initial_rounds: 2}}
factories:
{factories}
fronts:
  front:
    side: red
    draws_from: [depot]
    demand: {{m: [{{date: 2024-01-01, rate: 100}}]}}
    tubes:
      m: {{stockpile: barrels, rounds_per_barrel: 60, max_rounds_per_tube_per_day: 30}}
"""


def _series(s):  # type: ignore[no-untyped-def]
    vec = both_engines(s)
    return {k: v[0].tolist() for k, v in vec.series.items()}


def test_worn_barrels_cap_fire() -> None:
    # 2 tubes x 30 = 60 a day; every 60 rounds wear one barrel out: 60 on day 0 (one left), then 30, 30.
    r = _series(scenario(GUNS.format(factories="  {}"), end="2024-01-05"))
    assert r[("front", "front/m", "fired")] == [60, 30, 30, 0, 0]
    assert r[("front", "front/m", "tube_limited")] == [40, 70, 70, 100, 100]
    assert r[("front", "front/m", "shortfall")] == [0, 0, 0, 0, 0]  # plenty of rounds: it is the guns
    assert r[("stockpile", "barrels", "consumed")] == [1, 0, 1, 0, 0]
    assert r[("stockpile", "barrels", "stock")] == [1, 1, 0, 0, 0]


def test_new_barrels_keep_the_guns_firing() -> None:
    # One new barrel a day, in stock before the guns fire. Day 0: 3 tubes fire 90 (wear 1.5: one out, 2 left);
    # day 1: 3 tubes fire 90 (wear 2.0: two out, 1 left); from day 2: 2 tubes fire 60 and wear out one a day.
    plant = "  barrel_plant: {stockpile: barrels, capacity: [{date: 2024-01-01, rate: 1}]}"
    r = _series(scenario(GUNS.format(factories=plant), end="2024-01-06"))
    assert r[("front", "front/m", "fired")] == [90, 90, 60, 60, 60, 60]
    assert r[("stockpile", "barrels", "consumed")] == [1, 2, 1, 1, 1, 1]
    res = simulate(scenario(GUNS.format(factories=plant), end="2024-01-06"), engine="vector", replicates=1, seed=0)
    assert res.series("tube_limited", side="red").sum() > 0
