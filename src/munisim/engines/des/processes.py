"""SimPy processes of the daily model, one per factory, shipment, stockpile, transfer and front.

Each process wakes once a day at its step's phase (a fraction of the day), so
SimPy's clock orders the steps of docs/model.md: produce (t + 0), arrive
(t + 1/8), settle (t + 2/8), strike (t + 5/16), dispatch (t + 3/8), fire
(t + 4/8), record (t + 5/8).  Within a phase, processes run in the order they were started,
which is the alphabetical order of component ids.  Phases are multiples of
1/8, exact in binary floating point, so the clock never drifts.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from typing import Any

import simpy

from munisim.model.outputs import STOCKPILE_VARS
from munisim.model.rationing import rationed_target

__all__ = ["Depot", "PHASE", "produce", "settle", "strike", "dispatch", "ship", "fire", "record"]

PHASE = {
    "produce": 0.0,
    "arrive": 0.125,
    "settle": 0.25,
    "strike": 0.3125,
    "dispatch": 0.375,
    "fire": 0.5,
    "record": 0.625,
}

Proc = Generator[simpy.Event, Any, None]


class Depot:
    """State of one stockpile in one replicate, and its daily records (lists of length T)."""

    __slots__ = ("capacity", "inbox", "inflow", "rec", "stock")

    def __init__(self, initial: int, capacity: int | None, n_days: int) -> None:
        self.stock = initial
        self.inbox = 0
        self.inflow = 0
        self.capacity = capacity
        self.rec = {v: [0] * n_days for v in STOCKPILE_VARS}


def produce(
    env: simpy.Environment,
    rate: list[float],
    avail: list[float],
    lot_days: int,
    depot: Depot,
    delivered: list[int],
    inputs: Sequence[tuple[Depot, list[float]]] = (),
    unmade: list[int] | None = None,
) -> Proc:
    """Step 1: accrue ``rate * availability`` into whole rounds, as far as the components allow;
    deliver every ``lot_days`` days."""
    carry = 0.0
    held = 0
    used = [0.0] * len(inputs)  # consumption carry of each component
    yield env.timeout(PHASE["produce"])
    for t in range(len(rate)):
        carry += rate[t] * avail[t]
        n = math.floor(carry)
        carry -= n
        if inputs:
            made = n
            for (src, per_unit), c in zip(inputs, used):
                made = min(made, math.ceil((src.stock + 1 - c) / per_unit[t]) - 1)
            made = max(made, 0)
            for k, (src, per_unit) in enumerate(inputs):
                used[k] += made * per_unit[t]
                take = min(math.floor(used[k]), src.stock)
                used[k] -= take
                src.stock -= take
                src.rec["consumed"][t] += take
            if unmade is not None:
                unmade[t] = n - made
            n = made
        held += n
        if (t + 1) % lot_days == 0:
            depot.inbox += held
            depot.rec["produced"][t] += held
            delivered[t] = held
            held = 0
        yield env.timeout(1)


def ship(env: simpy.Environment, delay: float, quantity: int, lost: int, depot: Depot, arrived: list[int]) -> Proc:
    """Step 2: one shipment in transit; on arrival the destination receives it, less the lost part."""
    yield env.timeout(delay)
    t = int(env.now)
    depot.rec["received"][t] += quantity
    depot.rec["lost"][t] += lost
    depot.inbox += quantity - lost
    arrived[t] += quantity


def settle(env: simpy.Environment, depot: Depot, n_days: int) -> Proc:
    """Step 3: take in the day's deliveries up to capacity; the rest is refused."""
    yield env.timeout(PHASE["settle"])
    rec_refused = depot.rec["refused"]
    for t in range(n_days):
        accepted = depot.inbox
        if depot.capacity is not None:
            accepted = min(accepted, max(depot.capacity - depot.stock, 0))
            rec_refused[t] = depot.inbox - accepted
        depot.stock += accepted
        depot.inflow = accepted
        depot.inbox = 0
        yield env.timeout(1)


def strike(
    env: simpy.Environment, depot: Depot, strikes: list[tuple[float, int | None, list[bool] | None]], n_days: int
) -> Proc:
    """Step 3b: depot strikes, in listed order, each destroying ``floor(share * stock)`` rounds."""
    yield env.timeout(PHASE["strike"])
    destroyed = depot.rec["destroyed"]
    for t in range(n_days):
        for share, day, hits in strikes:
            if hits[t] if hits is not None else day == t:
                gone = math.floor(share * depot.stock)
                depot.stock -= gone
                destroyed[t] += gone
        yield env.timeout(1)


def dispatch(
    env: simpy.Environment,
    *,
    n_days: int,
    suspended: list[bool],
    recurring: list[tuple[int, int, int, int]],
    packages: dict[int, int],
    share: float | None,
    lead_days: int,
    loss_share: float,
    source: Depot | None,
    dest: Depot,
    dispatched: list[int],
    arrived: list[int],
    lost: list[int],
) -> Proc:
    """Step 4: a transfer's daily dispatch (recurring, packages, share of inflow), then ship it."""
    share_carry = 0.0
    loss_carry = 0.0
    delay = lead_days - (PHASE["dispatch"] - PHASE["arrive"])
    yield env.timeout(PHASE["dispatch"])
    for t in range(n_days):
        if not suspended[t]:
            q = packages.get(t, 0)
            for start, end, every, quantity in recurring:
                if start <= t <= end and (t - start) % every == 0:
                    q += quantity
            if share is not None:
                share_carry += share * source.inflow  # type: ignore[union-attr]
                n = math.floor(share_carry)
                share_carry -= n
                q += n
            if source is not None:
                q = min(q, source.stock)
                source.stock -= q
                source.rec["shipped_out"][t] += q
            loss_carry += loss_share * q
            gone = math.floor(loss_carry)
            loss_carry -= gone
            if q > 0:
                dispatched[t] = q
                lost[t] = gone
                env.process(ship(env, delay, q, gone, dest, arrived))
        yield env.timeout(1)


def fire(
    env: simpy.Environment,
    *,
    demand: list[int],
    expected: list[float],
    tiers: list[tuple[float, float]],
    depots: list[Depot],
    rec: dict[str, list[int]],
    tubes: tuple[Depot, float, float] | None = None,
) -> Proc:
    """Step 5: a front fires one munition: demand, rationing, tubes, draw from depots in priority order."""
    wear = 0.0  # barrel wear carry
    yield env.timeout(PHASE["fire"])
    for t in range(len(demand)):
        available = sum(d.stock for d in depots)
        target = rationed_target(available, expected[t], demand[t], tiers) if tiers else demand[t]
        if tubes is not None:
            barrels, per_barrel, per_tube = tubes
            capped = min(target, math.floor(barrels.stock * per_tube))
            rec["tube_limited"][t] = target - capped
            target = capped
        fired = min(target, available)
        need = fired
        for d in depots:
            take = min(need, d.stock)
            d.stock -= take
            d.rec["fired"][t] += take
            need -= take
            if need == 0:
                break
        rec["demanded"][t] = demand[t]
        rec["fired"][t] = fired
        rec["shortfall"][t] = target - fired
        if tubes is not None:
            wear += fired / per_barrel
            worn = min(math.floor(wear), barrels.stock)
            wear -= worn
            barrels.stock -= worn
            barrels.rec["consumed"][t] += worn
        yield env.timeout(1)


def record(env: simpy.Environment, depots: list[Depot], n_days: int) -> Proc:
    """Step 6: end-of-day stock of every stockpile."""
    yield env.timeout(PHASE["record"])
    for t in range(n_days):
        for d in depots:
            d.rec["stock"][t] = d.stock
        yield env.timeout(1)
