"""Everything an engine needs for one replicate block, drawn and precomputed.

:func:`build_block` turns a validated scenario, a seed and a block index into
arrays over the block's ``B = REPLICATE_BLOCK`` lanes: parameter draws, daily
rates from schedules, availability factors and demand draws (docs/model.md).
Both engines run on these arrays; they differ only in how they apply the
day's rules to them.  Components are listed in alphabetical order of id, the
order in which the daily steps visit them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np

from munisim.config.scenario import Engagement, Factory, FactoryInput, Force, Front, Scenario, Stockpile, Transfer
from munisim.config.yamlload import KeyPath
from munisim.model.params import draw_component
from munisim.model.schedules import RateSchedule, schedule_of
from munisim.rng import REPLICATE_BLOCK, Purpose, stream

__all__ = [
    "StrikeInputs",
    "StockpileInputs",
    "FactoryInputs",
    "RecurringInputs",
    "PackageInputs",
    "TransferInputs",
    "FrontInputs",
    "ForceInputs",
    "reinforcement_rate",
    "EngagementInputs",
    "BlockInputs",
    "build_block",
    "structure",
]


@dataclass(frozen=True)
class StrikeInputs:
    """One strike entry: destroys ``share`` (B,) of the stock on day ``day`` (dated), or on the days
    where ``hits`` ``(T, B)`` bool is true (random)."""

    share: np.ndarray
    day: int | None = None
    hits: np.ndarray | None = None


@dataclass(frozen=True)
class StockpileInputs:
    """``initial``, ``capacity``: ``ndarray, shape (B,), int64`` (capacity None if unlimited);
    ``strikes`` in listed order."""

    id: str
    side: str
    munition: str
    initial: np.ndarray
    capacity: np.ndarray | None
    strikes: tuple[StrikeInputs, ...] = ()


@dataclass(frozen=True)
class FactoryInputs:
    """``rate``: capacity in rounds/day; ``avail``: ``(T, B)`` availability factor (bool for daily
    up/down draws, float for an expected share), or None when always 1; ``lot_days``: ``(B,)`` int64;
    ``inputs``: components as ``(stockpile id, per_unit schedule)`` in listed order."""

    id: str
    stockpile: str
    rate: RateSchedule
    avail: np.ndarray | None
    lot_days: np.ndarray
    inputs: tuple[tuple[str, RateSchedule], ...] = ()


@dataclass(frozen=True)
class RecurringInputs:
    """Dispatch ``quantity`` (B,) every ``every`` (B,) days on days ``start..end``."""

    start: int
    end: int
    every: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class PackageInputs:
    """A one-off dispatch of ``quantity`` (B,) on day ``day``."""

    day: int
    quantity: np.ndarray


@dataclass(frozen=True)
class TransferInputs:
    """A transfer's parameters; ``suspended`` is ``(T,)`` bool, others ``(B,)``."""

    id: str
    source: str | None
    dest: str
    recurring: tuple[RecurringInputs, ...]
    packages: tuple[PackageInputs, ...]
    share: np.ndarray | None
    lead: np.ndarray
    loss: np.ndarray
    suspended: np.ndarray


@dataclass(frozen=True)
class FrontInputs:
    """One front's demand for one munition.

    ``demand`` (T, B) int64 rounds; ``expected`` the demand schedule in rounds/day;
    ``tiers`` rationing ``(below_days (B,), fire_share (B,))`` in listed order;
    ``stockpiles`` the ids it draws from, in priority order; ``tubes`` the barrel stockpile id,
    rounds per barrel (B,) and most rounds per tube a day (B,), or None.
    """

    key: str
    front: str
    side: str
    munition: str
    stockpiles: tuple[str, ...]
    demand: np.ndarray
    expected: RateSchedule
    tiers: tuple[tuple[np.ndarray, np.ndarray], ...]
    tubes: tuple[str, np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True)
class ForceInputs:
    """One force: ``initial`` strength (B,); reinforcement ``rates`` as ``(first day, last day, rate/day (B,))``
    in listed order; ``lumps`` and ``withdrawals`` as day -> amount (B,) (amounts on one day summed in listed
    order).  Days may lie outside ``0..T-1``."""

    id: str
    side: str
    initial: np.ndarray
    rates: tuple[tuple[int, int, np.ndarray], ...]
    lumps: dict[int, np.ndarray]
    withdrawals: dict[int, np.ndarray]


#: A reinforcement rate: per lane ``(B,)`` or ``(R,)`` (vector engine) or one lane's float (SimPy engine).
_Rate = TypeVar("_Rate", np.ndarray, float)


def reinforcement_rate(rates: Sequence[tuple[int, int, _Rate]], t: int) -> _Rate | None:
    """Reinforcement rate on day ``t``: the rates of the periods containing ``t``, summed in listed order.

    Returns None when no period contains ``t``.  Both engines use this, so sums happen in one order.
    """
    total: _Rate | None = None
    for first, last, rate in rates:
        if first <= t <= last:
            total = rate if total is None else total + rate
    return total


@dataclass(frozen=True)
class FireInputs:
    """A side's ammunition coupling: its ``front`` id and the response curve's ``floor`` and ``exponent`` (B,)."""

    front: str
    floor: np.ndarray
    exponent: np.ndarray


@dataclass(frozen=True)
class EngagementInputs:
    """One engagement between forces ``x`` and ``y``; ``a``, ``b``, ``break_x``, ``break_y`` are (B,);
    ``first``/``last`` its day range (inclusive, may lie outside the horizon); ``fires`` by role (``"x"``/``"y"``)."""

    id: str
    x: str
    y: str
    law: str
    p: float
    q: float
    a: np.ndarray
    b: np.ndarray
    first: int
    last: int
    break_x: np.ndarray
    break_y: np.ndarray
    fires: dict[str, FireInputs]


@dataclass(frozen=True)
class BlockInputs:
    """All inputs of one replicate block (``B = REPLICATE_BLOCK`` lanes, ``T`` days).

    Daily arrays are day-major, ``(T, B)``: row ``t`` holds day ``t`` of every lane.
    """

    block: int
    n_days: int
    stockpiles: tuple[StockpileInputs, ...]
    factories: tuple[FactoryInputs, ...]
    transfers: tuple[TransferInputs, ...]
    fronts: tuple[FrontInputs, ...]
    forces: tuple[ForceInputs, ...] = ()
    engagements: tuple[EngagementInputs, ...] = ()


def _count(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)


def _availability(f: Factory, p: dict[KeyPath, np.ndarray], n_days: int, rng_factory) -> np.ndarray | None:  # type: ignore[no-untyped-def]
    B = REPLICATE_BLOCK
    a = f.availability
    if a is None:
        return None
    if a.share is not None:
        share = p[("availability", "share")]
        if not f.uptime_noise:
            return np.broadcast_to(share, (n_days, B)).copy()
        u = rng_factory().random((n_days, B))
        return u < share
    mtbf = p[("availability", "mtbf_days")]
    mttr = p[("availability", "mttr_days")]
    if not f.uptime_noise:
        return np.broadcast_to(mtbf / (mtbf + mttr), (n_days, B)).copy()
    u = rng_factory().random((n_days, B))
    fail, repair = 1.0 / mtbf, 1.0 / mttr
    up = np.ones(B, dtype=bool)
    out = np.empty((n_days, B), dtype=bool)
    for t in range(n_days):
        ut = u[t]
        up = np.where(up, ~(ut < fail), ut < repair)
        out[t] = up
    return out


def _schedule(points, p, prefix: KeyPath, s: Scenario, unit: str, interp: str) -> RateSchedule:  # type: ignore[no-untyped-def]
    values = np.stack([p[prefix + (i, "rate")] for i in range(len(points))], axis=1)  # (B, K)
    return schedule_of([pt.date for pt in points], values, s.start, s.n_days, unit=unit, interpolation=interp)


def _demand(expected: np.ndarray, activity: np.ndarray, front: Front, rng_factory) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Daily demand ``(T, B)`` int64 from the expected rate ``(T, B)`` (docs/model.md, "Demand")."""
    noise = front.demand_noise
    rng = None
    mean = expected
    if not (activity == 1.0).all():
        rng = rng_factory()
        mean = expected * (rng.random(expected.shape) < activity)
    if noise is None:
        out = np.empty(expected.shape, dtype=np.int64)
        carry = np.zeros(expected.shape[1])
        for t in range(expected.shape[0]):
            carry = carry + mean[t]
            n = np.floor(carry)
            carry = carry - n
            out[t] = n
        return out
    rng = rng or rng_factory()
    if noise.dist == "poisson":
        return rng.poisson(mean).astype(np.int64, copy=False)
    k = float(noise.dispersion)  # type: ignore[arg-type]
    return rng.negative_binomial(k, k / (k + mean)).astype(np.int64, copy=False)


def _per_unit(inp: FactoryInput, i: int, p: dict[KeyPath, np.ndarray], s: Scenario) -> RateSchedule:
    """A component's use per round made, as a schedule (one point when it is a single value)."""
    if inp.per_unit_schedule is None:
        return schedule_of(
            [s.start], p[("inputs", i, "per_unit")][:, None], s.start, s.n_days, unit="per_day", interpolation="linear"
        )
    return _schedule(inp.per_unit_schedule, p, ("inputs", i, "per_unit_schedule"), s, "per_day", "linear")


def _factory(fid: str, f: Factory, s: Scenario, seed: int, block: int) -> FactoryInputs:
    comp = f"factory:{fid}"
    p = draw_component(f, comp, seed, block)
    rate = _schedule(f.capacity, p, ("capacity",), s, f.rate_unit, f.interpolation)
    avail = _availability(f, p, s.n_days, lambda: stream(seed, block, comp, Purpose.NOISE))
    inputs = tuple((inp.stockpile, _per_unit(inp, i, p, s)) for i, inp in enumerate(f.inputs))
    return FactoryInputs(fid, f.stockpile, rate, avail, _count(p[("lot_days",)]), inputs)


def _transfer(tid: str, t: Transfer, s: Scenario, seed: int, block: int) -> TransferInputs:
    p = draw_component(t, f"transfer:{tid}", seed, block)
    recurring = tuple(
        RecurringInputs(
            start=s.day_index(r.start) if r.start else 0,
            end=s.day_index(r.end) if r.end else s.n_days - 1,
            every=_count(p[("recurring", i, "every_days")]),
            quantity=_count(p[("recurring", i, "quantity")]),
        )
        for i, r in enumerate(t.recurring)
    )
    packages = tuple(
        PackageInputs(s.day_index(pk.date), _count(p[("packages", i, "quantity")])) for i, pk in enumerate(t.packages)
    )
    suspended = np.zeros(s.n_days, dtype=bool)
    for w in t.suspensions:
        lo, hi = max(s.day_index(w.start), 0), min(s.day_index(w.end), s.n_days - 1)
        if lo <= hi:
            suspended[lo : hi + 1] = True
    return TransferInputs(
        id=tid,
        source=t.from_stockpile,
        dest=t.to,
        recurring=recurring,
        packages=packages,
        share=p[("share_of_inflow",)] if t.share_of_inflow is not None else None,
        lead=_count(p[("lead_time_days",)]),
        loss=p[("loss_share",)],
        suspended=suspended,
    )


def _fronts(fid: str, fr: Front, s: Scenario, seed: int, block: int) -> list[FrontInputs]:
    p = draw_component(fr, f"front:{fid}", seed, block)
    tiers = tuple(
        (p[("rationing", i, "below_days")], p[("rationing", i, "fire_share")]) for i in range(len(fr.rationing))
    )
    out = []
    for mun in sorted(fr.demand):
        expected = _schedule(fr.demand[mun], p, ("demand", mun), s, fr.rate_unit, fr.interpolation)
        key = f"{fid}/{mun}"
        demand = _demand(
            expected.daily, p[("activity",)], fr, lambda key=key: stream(seed, block, f"front:{key}", Purpose.NOISE)
        )
        sps = tuple(sp for sp in fr.draws_from if s.stockpiles[sp].munition == mun)
        tb = fr.tubes.get(mun)
        tubes = (
            None
            if tb is None
            else (
                tb.stockpile,
                p[("tubes", mun, "rounds_per_barrel")],
                p[("tubes", mun, "max_rounds_per_tube_per_day")],
            )
        )
        out.append(FrontInputs(key, fid, fr.side, mun, sps, demand, expected, tiers, tubes))
    return out


def _strikes(
    sid: str, st: Stockpile, p: dict[KeyPath, np.ndarray], s: Scenario, seed: int, block: int
) -> tuple[StrikeInputs, ...]:
    """Dated strikes keep their day; random ones get their hit days from one ``(K, T, B)`` uniform draw."""
    randoms = [i for i, k in enumerate(st.strikes) if k.rate_per_year is not None]
    u = (
        stream(seed, block, f"stockpile:{sid}", Purpose.NOISE).random((len(randoms), s.n_days, REPLICATE_BLOCK))
        if randoms
        else None
    )
    out = []
    for i, k in enumerate(st.strikes):
        share = p[("strikes", i, "share")]
        if k.date is not None:
            out.append(StrikeInputs(share, day=s.day_index(k.date)))
        else:
            chance = p[("strikes", i, "rate_per_year")] / 365.25
            out.append(StrikeInputs(share, hits=u[randoms.index(i)] < chance))  # type: ignore[index]
    return tuple(out)


def _add_on(days: dict[int, np.ndarray], day: int, amount: np.ndarray) -> None:
    days[day] = days[day] + amount if day in days else amount


def _force(fid: str, f: Force, s: Scenario, seed: int, block: int) -> ForceInputs:
    p = draw_component(f, f"force:{fid}", seed, block)
    rates: list[tuple[int, int, np.ndarray]] = []
    lumps: dict[int, np.ndarray] = {}
    withdrawals: dict[int, np.ndarray] = {}
    # A validated reinforcement is a rate with start and end, or a lump with a date.
    for i, r in enumerate(f.reinforcements):
        if r.is_rate:
            start, end = cast(dt.date, r.start), cast(dt.date, r.end)
            rates.append((s.day_index(start), s.day_index(end), p[("reinforcements", i, "rate_per_day")]))
        else:
            _add_on(lumps, s.day_index(cast(dt.date, r.date)), p[("reinforcements", i, "amount")])
    for i, w in enumerate(f.withdrawals):
        _add_on(withdrawals, s.day_index(w.date), p[("withdrawals", i, "amount")])
    return ForceInputs(fid, f.side, p[("initial_strength",)], tuple(rates), lumps, withdrawals)


def _engagement(eid: str, e: Engagement, s: Scenario, seed: int, block: int) -> EngagementInputs:
    p = draw_component(e, f"engagement:{eid}", seed, block)
    zero = np.zeros(REPLICATE_BLOCK)
    pe, qe = e.exponents
    fires: dict[str, FireInputs] = {
        role: FireInputs(c.front, p[("fires", role, "floor")], p[("fires", role, "exponent")])
        for role, c in sorted(e.fires.items())
    }
    return EngagementInputs(
        id=eid,
        x=e.x,
        y=e.y,
        law=e.law,
        p=pe,
        q=qe,
        a=p[("a",)],
        b=p[("b",)],
        first=s.day_index(e.start) if e.start else 0,
        last=s.day_index(e.end) if e.end else s.n_days - 1,
        break_x=p[("breakpoint", "x")] if e.breakpoint else zero,
        break_y=p[("breakpoint", "y")] if e.breakpoint else zero,
        fires=fires,
    )


def build_block(scenario: Scenario, seed: int, block: int) -> BlockInputs:
    """Draw and precompute the inputs of replicate ``block`` (lanes ``0..REPLICATE_BLOCK-1``).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    seed : int
        The run's seed.
    block : int
        Replicate block index (replicate ``r`` is lane ``r % B`` of block ``r // B``).
    """
    s = scenario
    stockpiles = []
    for sid in sorted(s.stockpiles):
        st = s.stockpiles[sid]
        p = draw_component(st, f"stockpile:{sid}", seed, block)
        cap = _count(p[("capacity_rounds",)]) if st.capacity_rounds is not None else None
        stockpiles.append(
            StockpileInputs(
                sid, st.side, st.munition, _count(p[("initial_rounds",)]), cap, _strikes(sid, st, p, s, seed, block)
            )
        )
    factories = [_factory(fid, s.factories[fid], s, seed, block) for fid in sorted(s.factories)]
    transfers = [_transfer(tid, s.transfers[tid], s, seed, block) for tid in sorted(s.transfers)]
    fronts = [fi for fid in sorted(s.fronts) for fi in _fronts(fid, s.fronts[fid], s, seed, block)]
    forces = tuple(_force(fid, s.forces[fid], s, seed, block) for fid in sorted(s.forces))
    engagements = tuple(_engagement(eid, s.engagements[eid], s, seed, block) for eid in sorted(s.engagements))
    return BlockInputs(
        block, s.n_days, tuple(stockpiles), tuple(factories), tuple(transfers), tuple(fronts), forces, engagements
    )


def structure(b: BlockInputs) -> tuple[object, ...]:
    """What must be equal for blocks to be simulated together (everything but the values).

    Blocks of different scenarios (e.g. sweep samples) with the same structure
    can share one vectorised run, each lane keeping its own values.
    """
    return (
        b.n_days,
        tuple(
            (s.id, s.side, s.munition, s.capacity is None, tuple((k.day, k.hits is None) for k in s.strikes))
            for s in b.stockpiles
        ),
        tuple(
            (
                f.id,
                f.stockpile,
                f.rate.days,
                f.rate.interpolation,
                f.rate.unit_days,
                None if f.avail is None else f.avail.dtype.str,
                tuple((i, u.days, u.interpolation) for i, u in f.inputs),
            )
            for f in b.factories
        ),
        tuple(
            (
                t.id,
                t.source,
                t.dest,
                tuple((r.start, r.end) for r in t.recurring),
                tuple(p.day for p in t.packages),
                t.share is None,
                t.suspended.tobytes(),
            )
            for t in b.transfers
        ),
        tuple(
            (
                f.key,
                f.stockpiles,
                f.expected.days,
                f.expected.interpolation,
                f.expected.unit_days,
                len(f.tiers),
                None if f.tubes is None else f.tubes[0],
            )
            for f in b.fronts
        ),
        tuple(
            (f.id, f.side, tuple((r[0], r[1]) for r in f.rates), tuple(sorted(f.lumps)), tuple(sorted(f.withdrawals)))
            for f in b.forces
        ),
        tuple(
            (e.id, e.x, e.y, e.law, e.p, e.q, e.first, e.last, tuple((k, v.front) for k, v in e.fires.items()))
            for e in b.engagements
        ),
    )
