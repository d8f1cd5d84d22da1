"""Run the daily model of docs/model.md over many replicates at once with NumPy.

The engine loops over days and applies each step to arrays of shape ``(R,)``
(one entry per replicate), where ``R`` is a chunk of whole replicate blocks.
Inputs come from :func:`munisim.model.inputs.build_block`, so every replicate
consumes exactly the numbers the SimPy engine consumes for it.

Only what the run keeps is recorded (see :class:`munisim.model.outputs.Recording`):
per-side-and-munition stockpile totals, fronts and stockpile-to-stockpile
transfers by default, every entity on request.  Inputs and records are day-major
``(T, R)`` arrays (one contiguous row per day); records are returned as
``(R, T)`` transposed views.  Days on
which a transfer can neither dispatch nor receive are skipped for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypedDict, TypeVar, cast

import numpy as np

from munisim.config.scenario import Scenario
from munisim.engines.vector.forces import ForceStep
from munisim.model.inputs import BlockInputs, TransferInputs, build_block
from munisim.model.outputs import STOCKPILE_VARS, Recording, Trajectories
from munisim.model.rationing import rationed_target_array
from munisim.model.schedules import RateRows, RateSchedule
from munisim.rng import REPLICATE_BLOCK

__all__ = ["run_vector", "run_blocks", "DEFAULT_CHUNK_REPLICATES"]

#: Replicates simulated together (rounded down to whole blocks, at least one block).
DEFAULT_CHUNK_REPLICATES = 10 * REPLICATE_BLOCK

_V = TypeVar("_V")

#: A factory: id, stockpile index, rate, availability ``(T, R)`` or None, lot days ``(R,)``, whether every lot is one
#: day, and its components as ``(stockpile index, per_unit, consumption carry (R,))``.
_Factory = tuple[str, int, RateRows, np.ndarray | None, np.ndarray, bool, list[tuple[int, RateRows, np.ndarray]]]
#: A strike: share ``(R,)``, day or None, hits ``(T, R)`` or None.
_Strike = tuple[np.ndarray, int | None, np.ndarray | None]
#: A front's tubes: barrel stockpile index, rounds per barrel ``(R,)``, most rounds per tube a day ``(R,)``,
#: wear carry ``(R,)``.
_Tubes = tuple[int, np.ndarray, np.ndarray, np.ndarray]
#: A front: key, stockpile indices, demand ``(T, R)``, expected rate (None without tiers), rationing tiers,
#: the loosest tier's threshold ``(R,)`` (None without tiers), tubes or None.
_Front = tuple[str, list[int], np.ndarray, RateRows, list[tuple[np.ndarray, np.ndarray]], np.ndarray, _Tubes | None]


class _Transfer(TypedDict):
    """A transfer's state during a run (a plain dict: the daily loop reads it by key)."""

    id: str
    src: int | None
    dst: int
    lead: np.ndarray
    lead1: int | None
    ring: int
    recurring: list[tuple[int, int, int | None, np.ndarray, np.ndarray]]
    packages: dict[int, np.ndarray]
    share: np.ndarray | None
    loss: np.ndarray | None
    may: np.ndarray
    pending: np.ndarray
    q: np.ndarray
    l: np.ndarray  # noqa: E741  (the key the daily loop uses)
    share_carry: np.ndarray
    loss_carry: np.ndarray
    rec: dict[str, np.ndarray] | None


def _constant(x: np.ndarray) -> int | None:
    """The common value of an integer lane array, or None if lanes differ."""
    return int(x[0]) if x.size and (x == x[0]).all() else None


def _present(items: Sequence[_V | None]) -> list[_V]:
    """Every block's value of a field the first block sets: blocks run together share one structure."""
    return cast("list[_V]", items)


def _may_dispatch(tr: TransferInputs, T: int) -> np.ndarray:
    """(T,) bool: days on which the transfer may dispatch in some lane."""
    days = np.zeros(T, dtype=bool)
    if tr.share is not None:
        days[:] = True
    for pk in tr.packages:
        if 0 <= pk.day < T:
            days[pk.day] = True
    for r in tr.recurring:
        lo, hi = max(r.start, 0), min(r.end, T - 1)
        if lo > hi:
            continue
        every = _constant(r.every)
        if every is None:
            days[lo : hi + 1] = True
        else:
            first = lo + (-(lo - r.start)) % every
            days[first : hi + 1 : every] = True
    return days & ~tr.suspended


def _per_block(lanes: slice | Sequence[slice], n_blocks: int) -> list[slice]:
    """Lanes to keep of each block: from a slice over the concatenated lanes, or given per block."""
    if not isinstance(lanes, slice):
        return list(lanes)
    lo, hi, _ = lanes.indices(n_blocks * REPLICATE_BLOCK)
    out = []
    for b in range(n_blocks):
        start = b * REPLICATE_BLOCK
        out.append(slice(min(max(lo - start, 0), REPLICATE_BLOCK), min(max(hi - start, 0), REPLICATE_BLOCK)))
    return out


def run_blocks(
    blocks: list[BlockInputs], lanes: slice | Sequence[slice], recording: Recording | None = None
) -> Trajectories:
    """Simulate the lanes ``lanes`` of the concatenated ``blocks``.

    Parameters
    ----------
    blocks : list of BlockInputs
        Consecutive replicate blocks.
    lanes : slice or sequence of slice
        Which of the ``len(blocks) * REPLICATE_BLOCK`` concatenated lanes to
        keep, or one slice per block (lanes of that block to keep).
    recording : Recording, optional
        What to record; every entity when omitted.

    Returns
    -------
    Trajectories
        Series of shape ``(R, T)`` with ``R`` the number of kept lanes.
    """
    first = blocks[0]
    T = first.n_days
    rec_spec = recording or Recording.entities()

    per_block = _per_block(lanes, len(blocks))

    def cat(arrays: Sequence[np.ndarray]) -> np.ndarray:
        """Per-block (B,) arrays, one per block, as one (R,) array of the kept lanes."""
        return np.concatenate([a[sl] for a, sl in zip(arrays, per_block)], axis=0)

    def cat_t(arrays: Sequence[np.ndarray]) -> np.ndarray:
        """Day-major (T, B) inputs of every block as one (T, R) array."""
        return np.concatenate([a[:, sl] for a, sl in zip(arrays, per_block)], axis=1)

    def cat_schedule(parts: Sequence[RateSchedule]) -> RateSchedule:
        return RateSchedule.concat(parts, per_block)

    # Stockpiles, and the record rows they add up into.
    sp_ids = [sp.id for sp in first.stockpiles]
    sp_index = {sid: i for i, sid in enumerate(sp_ids)}
    S = len(sp_ids)
    stock = np.stack([cat([b.stockpiles[i].initial for b in blocks]) for i in range(S)]).astype(np.int64)
    R = stock.shape[1]
    row_keys = rec_spec.row_keys(sp_ids)
    row_ids = sorted(set(row_keys))
    row_of = [row_ids.index(k) for k in row_keys]
    G = len(row_ids)
    order = np.argsort(row_of, kind="stable")
    starts = np.searchsorted(np.asarray(row_of)[order], np.arange(G))
    identity = G == S and list(order) == list(range(S))
    initial = {k: np.zeros(R, dtype=np.int64) for k in row_ids}
    for i in range(S):
        initial[row_ids[row_of[i]]] += stock[i]
    capacity = [
        None if sp.capacity is None else cat(_present([b.stockpiles[i].capacity for b in blocks]))
        for i, sp in enumerate(first.stockpiles)
    ]
    # Depot strikes: per stockpile, [(share (R,), day or None, hits (T, R) or None)] in listed order.
    strikes: list[tuple[int, list[_Strike]]] = []
    for i, sp in enumerate(first.stockpiles):
        items: list[_Strike] = [
            (
                cat([b.stockpiles[i].strikes[k].share for b in blocks]),
                k_in.day,
                None if k_in.hits is None else cat_t(_present([b.stockpiles[i].strikes[k].hits for b in blocks])),
            )
            for k, k_in in enumerate(sp.strikes)
        ]
        if items:
            strikes.append((i, items))
    inbox = np.zeros((S, R), dtype=np.int64)
    inflow = np.zeros((S, R), dtype=np.int64)
    rec = {v: np.zeros((G, T, R), dtype=np.int64) for v in STOCKPILE_VARS}
    r_produced, r_received, r_lost = rec["produced"], rec["received"], rec["lost"]
    r_shipped, r_fired, r_refused, r_stock = rec["shipped_out"], rec["fired"], rec["refused"], rec["stock"]

    # Factories, and their components: [stockpile index, per_unit (R,), consumption carry (R,)].
    fac: list[_Factory] = []
    for i, f in enumerate(first.factories):
        rate = cat_schedule([b.factories[i].rate for b in blocks]).rows()
        avail = None if f.avail is None else cat_t(_present([b.factories[i].avail for b in blocks]))
        lot = cat([b.factories[i].lot_days for b in blocks])
        comps = [
            (sp_index[sid], cat_schedule([b.factories[i].inputs[k][1] for b in blocks]).rows(), np.zeros(R))
            for k, (sid, _u) in enumerate(f.inputs)
        ]
        fac.append((f.id, sp_index[f.stockpile], rate, avail, lot, bool((lot == 1).all()), comps))
    fcarry = np.zeros((len(fac), R))
    fheld = np.zeros((len(fac), R), dtype=np.int64)
    delivered = np.zeros((len(fac), T, R), dtype=np.int64) if rec_spec.factories else None
    unmade = np.zeros((len(fac), T, R), dtype=np.int64) if rec_spec.factories else None
    r_consumed, r_destroyed = rec["consumed"], rec["destroyed"]

    # Transfers.
    trs: list[_Transfer] = []
    for i, tr_in in enumerate(first.transfers):
        # A shipment due on or after day T never arrives: leads beyond T change nothing and would make
        # the ring of shipments in transit needlessly long.
        lead = np.minimum(cat([b.transfers[i].lead for b in blocks]), T)
        ring = int(lead.max()) + 1
        recurring = []
        for k, r in enumerate(tr_in.recurring):
            every = cat([b.transfers[i].recurring[k].every for b in blocks])
            quantity = cat([b.transfers[i].recurring[k].quantity for b in blocks])
            recurring.append((r.start, r.end, _constant(every), every, quantity))
        packages: dict[int, np.ndarray] = {}
        for k, pk in enumerate(tr_in.packages):
            pq = cat([b.transfers[i].packages[k].quantity for b in blocks])
            packages[pk.day] = packages[pk.day] + pq if pk.day in packages else pq
        loss = cat([b.transfers[i].loss for b in blocks])
        keep = rec_spec.keeps_transfer(tr_in.source is not None)
        trs.append(
            {
                "id": tr_in.id,
                "src": None if tr_in.source is None else sp_index[tr_in.source],
                "dst": sp_index[tr_in.dest],
                "lead": lead,
                "lead1": _constant(lead),
                "ring": ring,
                "recurring": recurring,
                "packages": packages,
                "share": None if tr_in.share is None else cat(_present([b.transfers[i].share for b in blocks])),
                "loss": loss if (loss != 0).any() else None,
                "may": _may_dispatch(tr_in, T),
                "pending": np.zeros(T + ring, dtype=bool),
                "q": np.zeros((ring, R), dtype=np.int64),
                "l": np.zeros((ring, R), dtype=np.int64),
                "share_carry": np.zeros(R),
                "loss_carry": np.zeros(R),
                "rec": {v: np.zeros((T, R), dtype=np.int64) for v in ("dispatched", "arrived", "lost")}
                if keep
                else None,
            }
        )
    lanes_r = np.arange(R)
    zeros_r = np.zeros(R, dtype=np.int64)
    # A stockpile with no capacity, no share-of-inflow transfer and no factory using it as a
    # component needs no settling: its deliveries can go straight into its stock (nothing reads it
    # before step 4).
    fed_on = {tr["src"] for tr in trs if tr["share"] is not None} | {k for f in fac for k, _u, _c in f[6]}
    settles = [s for s in range(S) if capacity[s] is not None or s in fed_on]
    into = [inbox if s in settles else stock for s in range(S)]

    # Fronts (one per front and munition).
    frs: list[_Front] = []
    for i, fr in enumerate(first.fronts):
        tiers = [
            (cat([b.fronts[i].tiers[k][0] for b in blocks]), cat([b.fronts[i].tiers[k][1] for b in blocks]))
            for k in range(len(fr.tiers))
        ]
        # Both are read only when there are tiers.
        loosest = cast(np.ndarray, np.max([below for below, _ in tiers], axis=0) if tiers else None)
        expected = cast(RateRows, cat_schedule([b.fronts[i].expected for b in blocks]).rows() if tiers else None)
        # Tubes: (barrel stockpile index, rounds per barrel (R,), most rounds per tube a day (R,), wear carry (R,)).
        tubes: _Tubes | None = None
        if fr.tubes is not None:
            tubes_in = _present([b.fronts[i].tubes for b in blocks])
            tubes = (
                sp_index[fr.tubes[0]],
                cat([tb[1] for tb in tubes_in]),
                cat([tb[2] for tb in tubes_in]),
                np.zeros(R),
            )
        frs.append(
            (
                fr.key,
                [sp_index[s] for s in fr.stockpiles],
                cat_t([b.fronts[i].demand for b in blocks]),
                expected,
                tiers,
                loosest,
                tubes,
            )
        )
    f_fired = np.zeros((len(frs), T, R), dtype=np.int64)
    f_short = np.zeros((len(frs), T, R), dtype=np.int64)
    f_tube = np.zeros((len(frs), T, R), dtype=np.int64)

    # Forces and engagements (step 6), driven by the share of each front's demand fired.
    forces = ForceStep(blocks, cat, T) if first.forces else None
    front_rows: dict[str, list[int]] = {}
    for k, fr in enumerate(first.fronts):
        front_rows.setdefault(fr.front, []).append(k)

    def share_fired(front: str, t: int) -> np.ndarray:
        rows = front_rows.get(front, [])
        fired = np.zeros(R, dtype=np.int64)
        demanded = np.zeros(R, dtype=np.int64)
        for k in rows:
            fired += f_fired[k, t]
            demanded += frs[k][2][t]
        return np.divide(fired, demanded, out=np.ones(R), where=demanded > 0)

    for t in range(T):
        # 1. Produce.
        for i, (_fid, s, rate, avail, lot, every_day, comps) in enumerate(fac):
            c = fcarry[i]
            c += rate[t] if avail is None else rate[t] * avail[t]
            n = c.astype(np.int64)  # the carry is never negative, so truncation is floor
            c -= n
            if comps:
                most = n.astype(np.float64)  # compared as doubles: a tiny per_unit allows more than int64 holds
                for k, per_unit, cc in comps:
                    most = np.minimum(most, np.ceil((stock[k] + 1 - cc) / per_unit[t]) - 1)
                made = np.maximum(most, 0.0).astype(np.int64)
                for k, per_unit, cc in comps:
                    cc += made * per_unit[t]
                    take = np.minimum(np.floor(cc).astype(np.int64), stock[k])
                    cc -= take
                    stock[k] -= take
                    r_consumed[row_of[k], t] += take
                if unmade is not None:
                    unmade[i, t] = n - made
                n = made
            if every_day:
                out = n
            else:
                fheld[i] += n
                out = np.where((t + 1) % lot == 0, fheld[i], 0)
                fheld[i] -= out
            into[s][s] += out
            r_produced[row_of[s], t] += out
            if delivered is not None:
                delivered[i, t] = out
        # 2. Arrive.
        for tr in trs:
            if not tr["pending"][t]:
                continue
            slot = t % tr["ring"]
            q, gone = tr["q"][slot], tr["l"][slot]
            d = tr["dst"]
            r_received[row_of[d], t] += q
            r_lost[row_of[d], t] += gone
            into[d][d] += q - gone
            if tr["rec"] is not None:
                tr["rec"]["arrived"][t] = q
            q[:] = 0
            gone[:] = 0
        # 3. Settle.
        for s in settles:
            accepted = inbox[s]
            if capacity[s] is not None:
                accepted = np.minimum(accepted, np.maximum(capacity[s] - stock[s], 0))
                r_refused[row_of[s], t] += inbox[s] - accepted
            stock[s] += accepted
            inflow[s] = accepted
            inbox[s] = 0
        # 3b. Strike.
        for s, items in strikes:
            for share, day, hits in items:
                if hits is None:
                    if day != t:
                        continue
                    gone = np.floor(share * stock[s]).astype(np.int64)
                else:
                    hit = hits[t]
                    if not hit.any():
                        continue
                    gone = np.where(hit, np.floor(share * stock[s]).astype(np.int64), 0)
                stock[s] -= gone
                r_destroyed[row_of[s], t] += gone
        # 4. Dispatch.
        for tr in trs:
            if not tr["may"][t]:
                continue
            q = tr["packages"].get(t)
            q = zeros_r.copy() if q is None else q.copy()
            for start, end, every1, every, quantity in tr["recurring"]:
                if start <= t <= end:
                    if every1 is not None:
                        if (t - start) % every1 == 0:
                            q += quantity
                    else:
                        q += np.where((t - start) % every == 0, quantity, 0)
            if tr["share"] is not None:
                sc = tr["share_carry"]
                sc += tr["share"] * inflow[tr["src"]]
                n = np.floor(sc)
                sc -= n
                q += n.astype(np.int64)
            if tr["src"] is not None:
                src = tr["src"]
                q = np.minimum(q, stock[src])
                stock[src] -= q
                r_shipped[row_of[src], t] += q
            if tr["loss"] is not None:
                lc = tr["loss_carry"]
                lc += tr["loss"] * q
                gone = np.floor(lc)
                lc -= gone
                gone = gone.astype(np.int64)
            else:
                gone = zeros_r
            lead1 = tr["lead1"]
            if lead1 is not None:
                if t + lead1 < T:
                    slot = (t + lead1) % tr["ring"]
                    tr["q"][slot] += q
                    tr["l"][slot] += gone
                    tr["pending"][t + lead1] = True
            else:
                slots = (t + tr["lead"]) % tr["ring"]
                arrives = t + tr["lead"] < T
                tr["q"][slots, lanes_r] += np.where(arrives, q, 0)
                tr["l"][slots, lanes_r] += np.where(arrives, gone, 0)
                tr["pending"][t + int(tr["lead"].min()) : t + int(tr["lead"].max()) + 1] = True
            if tr["rec"] is not None:
                tr["rec"]["dispatched"][t] = q
                tr["rec"]["lost"][t] = np.where(q > 0, gone, 0)
        # 5. Fire.
        for k, (_key, sps, demand, expected, tiers, loosest, tubes) in enumerate(frs):
            d = demand[t]
            if len(sps) == 1:
                available = stock[sps[0]]
            else:
                available = stock[sps[0]].copy()
                for s in sps[1:]:
                    available += stock[s]
            # No tier can apply where stock covers the loosest threshold in every lane.
            if tiers and (available < loosest * (lam := expected[t])).any():
                target = rationed_target_array(available, lam, d, tiers)
            else:
                target = d
            if tubes is not None:
                barrels, per_barrel, per_tube, wear = tubes
                cap = np.floor(stock[barrels] * per_tube).astype(np.int64)
                capped = np.minimum(target, cap)
                np.subtract(target, capped, out=f_tube[k, t])
                target = capped
            fired = np.minimum(target, available, out=f_fired[k, t])
            if len(sps) == 1:
                stock[sps[0]] -= fired
                r_fired[row_of[sps[0]], t] += fired
            else:
                need = fired.copy()
                for s in sps:
                    take = np.minimum(need, stock[s])
                    stock[s] -= take
                    r_fired[row_of[s], t] += take
                    need -= take
            np.subtract(target, fired, out=f_short[k, t])
            if tubes is not None:
                wear += fired / per_barrel
                worn = np.minimum(np.floor(wear).astype(np.int64), stock[barrels])
                wear -= worn
                stock[barrels] -= worn
                r_consumed[row_of[barrels], t] += worn
        # 6. Engage.
        if forces is not None:
            day_shares: dict[str, np.ndarray] = {}

            def shares(front: str, t: int = t, cache: dict[str, np.ndarray] = day_shares) -> np.ndarray:
                if front not in cache:
                    cache[front] = share_fired(front, t)
                return cache[front]

            forces.step(t, shares)
        # 7. Record.
        if identity:
            r_stock[:, t] = stock
        else:
            r_stock[:, t] = np.add.reduceat(stock[order], starts, axis=0)

    # (T, R) records are returned as (R, T) transposed views: no copy.
    kind = "stockpile" if rec_spec.stockpiles else "group"
    series: dict[tuple[str, str, str], np.ndarray] = {}
    for g, key in enumerate(row_ids):
        for v in STOCKPILE_VARS:
            series[(kind, key, v)] = rec[v][g].T
    if delivered is not None and unmade is not None:
        for i, fa in enumerate(fac):
            series[("factory", fa[0], "delivered")] = delivered[i].T
            series[("factory", fa[0], "unmade")] = unmade[i].T
    for tr in trs:
        if tr["rec"] is not None:
            for v, arr in tr["rec"].items():
                series[("transfer", tr["id"], v)] = arr.T
    for k, (key, _sps, demand, *_rest) in enumerate(frs):
        series[("front", key, "demanded")] = demand.T
        series[("front", key, "fired")] = f_fired[k].T
        series[("front", key, "shortfall")] = f_short[k].T
        series[("front", key, "tube_limited")] = f_tube[k].T
    if forces is not None:
        series.update(forces.series())
    return Trajectories(n_days=T, replicates=R, series=series, initial=initial)


def run_vector(
    scenario: Scenario,
    *,
    seed: int,
    replicates: int,
    first_replicate: int = 0,
    chunk_replicates: int = DEFAULT_CHUNK_REPLICATES,
    recording: Recording | None = None,
    progress: Callable[[int], None] | None = None,
) -> Trajectories:
    """Run replicates ``first_replicate .. first_replicate + replicates - 1`` in chunks of whole blocks.

    Results do not depend on ``chunk_replicates``: each replicate's numbers
    come from its own block and lane.  ``recording`` chooses what is kept
    (every entity by default).
    """
    per_chunk = max(1, chunk_replicates // REPLICATE_BLOCK)
    stop = first_replicate + replicates
    parts = []
    block = first_replicate // REPLICATE_BLOCK
    last_block = (stop - 1) // REPLICATE_BLOCK
    while block <= last_block:
        nb = min(per_chunk, last_block - block + 1)
        blocks = [build_block(scenario, seed, b) for b in range(block, block + nb)]
        lo = max(first_replicate - block * REPLICATE_BLOCK, 0)
        hi = min(stop - block * REPLICATE_BLOCK, nb * REPLICATE_BLOCK)
        parts.append(run_blocks(blocks, slice(lo, hi), recording))
        if progress is not None:
            progress(hi - lo)
        block += nb
    return Trajectories.concat(parts) if len(parts) > 1 else parts[0]
