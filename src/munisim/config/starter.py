"""A commented starter scenario, as written by ``munisim init NAME``."""

from __future__ import annotations

import re

__all__ = ["starter_scenario", "valid_name"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

_TEMPLATE = """\
# {name}: a starter scenario. Every key is explained in docs/scenarios.md; the daily model
# (what happens in which order each day) is in docs/model.md.
#
# Run it:       munisim run {name}.yaml
# Check it:     munisim validate {name}.yaml
# Editor help:  munisim schema scenario > scenario.schema.json  (see docs/scenarios.md)
name: {name}
description: >
  Two sides, one munition each: Red fires from a depot fed by a factory and a foreign
  supplier; Blue fires from a depot fed by a ramping factory and aid. Replace with yours.
start: 2024-01-01          # first simulated day
end: 2025-12-31            # last simulated day (inclusive)
# figures: ../seeds/figures.yaml   # cite public figures with `source: <figure id>` (docs/scenarios.md)

munitions:
  152mm: {{name: 152 mm HE, calibre_mm: 152}}
  155mm: {{name: 155 mm HE, calibre_mm: 155}}

sides:
  red: {{name: Red, color: firebrick}}
  blue: {{name: Blue, color: steelblue}}

stockpiles:                # one side and one munition each
  red_depot: {{side: red, munition: 152mm, initial_rounds: 500000}}
  blue_depot: {{side: blue, munition: 155mm, initial_rounds: 150000}}

factories:
  red_plant:
    stockpile: red_depot
    rate_unit: per_month   # capacity rates below are rounds per month
    capacity:              # dated points, linear in between, flat outside
      - {{date: 2024-01-01, rate: 150000}}
      # An uncertain value: drawn once per replicate.
      - {{date: 2025-12-31, rate: {{dist: triangular, low: 160000, mode: 200000, high: 250000}}}}
    availability: 0.95     # each day up with probability 0.95
  blue_plant:
    stockpile: blue_depot
    rate_unit: per_month
    capacity:
      - {{date: 2024-01-01, rate: 30000}}
      - {{date: 2025-06-01, rate: 80000}}

transfers:
  red_supplier:
    from_external: Ally    # an unlimited source outside the model
    to: red_depot
    recurring: [{{every_days: 30, quantity: 100000, start: 2024-03-01}}]
    lead_time_days: 10
    loss_share: 0.2        # share lost or found defective on arrival
  blue_aid:
    from_external: Partners
    to: blue_depot
    recurring: [{{every_days: 14, quantity: 25000}}]
    suspensions: [{{start: 2024-04-01, end: 2024-05-15}}]   # an aid pause
    lead_time_days: 21

fronts:
  red_front:
    side: red
    draws_from: [red_depot]
    demand:
      152mm: [{{date: 2024-01-01, rate: 10000}}]       # rounds per day
    demand_noise: {{dist: negative_binomial, dispersion: 20}}
    rationing: [{{below_days: 30, fire_share: 0.6}}]   # fire 60% while stock covers < 30 days
  blue_front:
    side: blue
    draws_from: [blue_depot]
    demand:
      155mm: [{{date: 2024-01-01, rate: 3000}}]
    demand_noise: {{dist: poisson}}

# Optional: front-line forces and Lanchester attrition driven by the share of demand fired
# (docs/attrition.md).
forces:
  red_army: {{side: red, initial_strength: 100000}}
  blue_army: {{side: blue, initial_strength: 80000}}
engagements:
  main_front:
    x: red_army
    y: blue_army
    law: square
    a: 0.002               # per day: effect of blue on red
    b: 0.003               # per day: effect of red on blue
    fires:
      x: {{front: red_front, floor: 0.3}}
      y: {{front: blue_front, floor: 0.3}}
"""


def valid_name(name: str) -> bool:
    """True when ``name`` can name a scenario.

    Letters, digits, ``_``, ``-`` and ``.``, starting with a letter or digit.
    """
    return bool(_NAME.match(name))


def starter_scenario(name: str) -> str:
    """The text of a commented starter scenario called ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a valid scenario name.
    """
    if not valid_name(name):
        raise ValueError(
            f"{name!r} is not a valid scenario name; expected letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    return _TEMPLATE.format(name=name)
