"""SimPy processes of step 6 of docs/model.md: forces and Lanchester engagements.

Each force runs :func:`muster` and each engagement :func:`fight`; within a
day they wake at three phases after the fronts have fired (t + 4/8):

- t + 9/16, ``muster``: the force takes its dated lumps and withdrawals and
  notes the day's reinforcement rate;
- t + 37/64, ``fight``: each active engagement (in id order) propagates its
  two forces over the day;
- t + 19/32, ``muster`` again: a force no engagement moved gains its rate;
  the day's strength, losses, reinforcement and withdrawal are recorded.

Strengths are Python floats: their additions, subtractions and minima are
the same IEEE double operations as the vector engine's.  The attrition
itself is :func:`munisim.model.attrition.propagate` on arrays of shape (1,),
the very function the vector engine applies to many lanes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from munisim.model.attrition import effectiveness, propagate
from munisim.model.inputs import EngagementInputs, ForceInputs, reinforcement_rate

__all__ = ["Troops", "muster", "fight", "FORCE_PHASE"]

FORCE_PHASE = {"muster": 0.5625, "fight": 0.578125, "hold": 0.59375}

Proc = Generator[simpy.Event, Any, None]


class Troops:
    """State of one force in one replicate: strength, the day's working values, daily records."""

    __slots__ = ("mid", "moved", "rate", "rec", "strength")

    def __init__(self, initial: float, n_days: int) -> None:
        self.strength = initial
        self.mid = initial
        self.rate = 0.0
        self.moved: float | None = None
        self.rec = {v: [0.0] * n_days for v in ("strength", "losses", "reinforced", "withdrawn")}


def muster(env: simpy.Environment, force: ForceInputs, lane: int, troops: Troops, n_days: int) -> Proc:
    """A force's day: lumps and withdrawals, then (if no engagement moved it) its reinforcement; records."""
    rates = [(lo, hi, float(r[lane])) for lo, hi, r in force.rates]
    lumps = {d: float(v[lane]) for d, v in force.lumps.items()}
    withdrawals = {d: float(v[lane]) for d, v in force.withdrawals.items()}
    rec_strength, rec_losses = troops.rec["strength"], troops.rec["losses"]
    rec_reinforced, rec_withdrawn = troops.rec["reinforced"], troops.rec["withdrawn"]
    yield env.timeout(FORCE_PHASE["muster"])
    for t in range(n_days):
        lump_in = lumps.get(t, 0.0)
        s = troops.strength + lump_in
        withdrawn = min(withdrawals[t], s) if t in withdrawals else 0.0
        s = s - withdrawn
        rate = reinforcement_rate(rates, t)
        troops.mid = s
        troops.rate = 0.0 if rate is None else rate
        troops.moved = None
        yield env.timeout(FORCE_PHASE["hold"] - FORCE_PHASE["muster"])
        end = troops.mid + troops.rate if troops.moved is None else troops.moved
        troops.strength = end
        rec_strength[t] = end
        rec_losses[t] = (troops.mid + troops.rate) - end
        rec_reinforced[t] = lump_in + troops.rate
        rec_withdrawn[t] = withdrawn
        yield env.timeout(1 - (FORCE_PHASE["hold"] - FORCE_PHASE["muster"]))


def fight(
    env: simpy.Environment,
    e: EngagementInputs,
    lane: int,
    x: Troops,
    y: Troops,
    share_fired: Callable[[str, int], np.ndarray],
    n_days: int,
) -> Proc:
    """An engagement's days: scale coefficients by the sides' fire, propagate both forces until it ends."""
    sl = slice(lane, lane + 1)
    a0, b0 = e.a[sl], e.b[sl]
    fires = {role: (c.front, c.floor[sl], c.exponent[sl]) for role, c in e.fires.items()}
    first, last = max(e.first, 0), min(e.last, n_days - 1)
    if first > last:
        return
    yield env.timeout(first + FORCE_PHASE["fight"])
    x_stop = e.break_x[sl] * x.mid
    y_stop = e.break_y[sl] * y.mid
    state = np.empty((4, 1))
    for t in range(first, last + 1):
        a, b = a0, b0
        if "y" in fires:
            front, floor, exponent = fires["y"]
            a = a * effectiveness(share_fired(front, t), floor, exponent)
        if "x" in fires:
            front, floor, exponent = fires["x"]
            b = b * effectiveness(share_fired(front, t), floor, exponent)
        state[:, 0] = (x.mid, y.mid, x.rate, y.rate)
        res = propagate(
            state[0], state[1], a, b, state[2], state[3], x_stop, y_stop, law=e.law, p=e.p, q=e.q, validate=False
        )
        x.moved, y.moved = float(res.x[0]), float(res.y[0])
        if res.ended[0]:
            return  # from tomorrow both forces only gain reinforcements
        yield env.timeout(1)
