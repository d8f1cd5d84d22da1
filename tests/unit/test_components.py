"""Factories limited by their components (docs/model.md, step 1): hand-computed cases on both engines."""

from __future__ import annotations

import numpy as np

from munisim import simulate
from munisim.config.loader import scenario_from_located
from munisim.config.yamlload import parse_yaml

from ..helpers import BASE, both_engines

PLANT = """
stockpiles:
  shells: {{side: red, munition: m}}
  charge_depot: {{side: red, munition: charges, initial_rounds: {charges}}}
  storage: {{side: red, munition: stored, initial_rounds: {stored}}}
factories:
  charge_plant: {{stockpile: charge_depot, capacity: [{{date: 2024-01-01, rate: {charge_rate}}}]}}
  shell_plant:
    stockpile: shells
    capacity: [{{date: 2024-01-01, rate: 100}}]
    inputs: [{{stockpile: charge_depot, per_unit: 1}}]
  refurbishment:
    stockpile: shells
    capacity: [{{date: 2024-01-01, rate: {refurb_rate}}}]
    inputs: [{{stockpile: storage, per_unit: 2}}]
"""


def scenario(body: str, *, end: str):  # type: ignore[no-untyped-def]
    """The common header with two component munitions added, plus ``body``."""
    head = BASE.format(end=end).replace(
        "munitions: {m: {}}", "munitions: {m: {}, charges: {component: true}, stored: {component: true}}"
    )
    return scenario_from_located(parse_yaml(head + body, "<test>"), None)


def _both(s, replicates: int = 1):  # type: ignore[no-untyped-def]
    vec = both_engines(s, replicates=replicates, seed=0)
    return {k: v[0].tolist() for k, v in vec.series.items()}


def test_output_is_limited_by_the_scarcest_component() -> None:
    # Shells need one charge set each; charges are made at 40 a day and reach stock the next morning:
    # 100 shells a day could be made, 40 are (the first day none: no charges in stock yet).
    r = _both(scenario(PLANT.format(charges=0, charge_rate=40, stored=0, refurb_rate=0), end="2024-01-06"))
    assert r[("factory", "shell_plant", "delivered")] == [0, 40, 40, 40, 40, 40]
    assert r[("factory", "shell_plant", "unmade")] == [100, 60, 60, 60, 60, 60]
    assert r[("stockpile", "charge_depot", "consumed")] == [0, 40, 40, 40, 40, 40]
    assert r[("stockpile", "charge_depot", "stock")] == [40, 40, 40, 40, 40, 40]


def test_refurbishment_draws_down_a_finite_pool() -> None:
    # 1,000 stored shells, half serviceable (2 stored per round made), 100 a day: 5 days of output, then none.
    r = _both(scenario(PLANT.format(charges=0, charge_rate=0, stored=1000, refurb_rate=100), end="2024-01-08"))
    assert r[("factory", "refurbishment", "delivered")] == [100, 100, 100, 100, 100, 0, 0, 0]
    assert r[("stockpile", "storage", "stock")] == [800, 600, 400, 200, 0, 0, 0, 0]
    assert sum(r[("stockpile", "storage", "consumed")]) == 1000


def test_fractional_use_is_carried_and_stock_never_negative() -> None:
    # 0.5 charges per shell: 100 shells use 50 charges a day; 120 in stock: day 0 makes 100 (uses 50),
    # day 1 makes 100 (uses 50), day 2 can make ceil((20 + 1 - 0) / 0.5) - 1 = 41, using 20 and carrying 0.5.
    body = PLANT.format(charges=120, charge_rate=0, stored=0, refurb_rate=0).replace("per_unit: 1}", "per_unit: 0.5}")
    r = _both(scenario(body, end="2024-01-05"))
    assert r[("factory", "shell_plant", "delivered")] == [100, 100, 41, 0, 0]
    assert r[("stockpile", "charge_depot", "consumed")] == [50, 50, 20, 0, 0]
    assert min(r[("stockpile", "charge_depot", "stock")]) == 0


def test_side_totals_leave_components_out() -> None:
    s = scenario(PLANT.format(charges=0, charge_rate=40, stored=1000, refurb_rate=100), end="2024-01-10")
    res = simulate(s, engine="vector", replicates=2, seed=0)
    produced = res.series("produced", side="red")
    shells = res.series("produced", side="red", munition="m")
    np.testing.assert_array_equal(produced, shells)  # charge sets are not rounds
    assert res.series("consumed", side="red", munition="charges").sum() > 0


def test_a_declining_serviceable_share_uses_more_stored_shells_per_round() -> None:
    # Serviceable share 1 on day 0 falling linearly to 1/2 on day 4 (per_unit 1 -> 2): 100 rounds a day use
    # 100, 125, 150, 175, 200 stored shells.
    body = PLANT.format(charges=0, charge_rate=0, stored=10000, refurb_rate=100).replace(
        "inputs: [{stockpile: storage, per_unit: 2}]",
        "inputs: [{stockpile: storage, per_unit_schedule: [{date: 2024-01-01, rate: 1}, {date: 2024-01-05, rate: 2}]}]",
    )
    r = _both(scenario(body, end="2024-01-06"))
    assert r[("factory", "refurbishment", "delivered")] == [100] * 6
    assert r[("stockpile", "storage", "consumed")] == [100, 125, 150, 175, 200, 200]
