"""Run the daily model of docs/model.md over many replicates at once with NumPy.

The engine loops over days and applies each step to arrays of shape ``(R,)``
(one entry per replicate), where ``R`` is a chunk of whole replicate blocks.
Inputs come from :func:`munisim.model.inputs.build_block`, so every replicate
consumes exactly the numbers the SimPy engine consumes for it.  Daily
records are written as rows of ``(T, R)`` arrays (contiguous per day) and
transposed to ``(R, T)`` at the end.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from munisim.config.scenario import Scenario
from munisim.model.inputs import BlockInputs, build_block
from munisim.model.outputs import STOCKPILE_VARS, Trajectories
from munisim.model.rationing import rationed_target_array
from munisim.rng import REPLICATE_BLOCK

__all__ = ["run_vector", "run_blocks", "DEFAULT_CHUNK_REPLICATES"]

#: Replicates simulated together (rounded down to whole blocks, at least one block).
DEFAULT_CHUNK_REPLICATES = 2048


def _cat(arrays: list[np.ndarray], lanes: slice) -> np.ndarray:
    return np.concatenate(arrays, axis=0)[lanes]


def run_blocks(blocks: list[BlockInputs], lanes: slice) -> Trajectories:
    """Simulate the lanes ``lanes`` of the concatenated ``blocks``.

    Parameters
    ----------
    blocks : list of BlockInputs
        Consecutive replicate blocks.
    lanes : slice
        Which of the ``len(blocks) * REPLICATE_BLOCK`` concatenated lanes to keep.

    Returns
    -------
    Trajectories
        Series of shape ``(R, T)`` with ``R`` the number of kept lanes.
    """
    first = blocks[0]
    T = first.n_days

    def cat(get: Callable[[BlockInputs], np.ndarray]) -> np.ndarray:
        return _cat([get(b) for b in blocks], lanes)

    def cat_t(get: Callable[[BlockInputs], np.ndarray]) -> np.ndarray:
        """(R, T) inputs as contiguous (T, R) rows."""
        return np.ascontiguousarray(cat(get).T)

    sp_ids = [sp.id for sp in first.stockpiles]
    sp_index = {sid: i for i, sid in enumerate(sp_ids)}
    S = len(sp_ids)
    stock = np.stack([cat(lambda b, i=i: b.stockpiles[i].initial) for i in range(S)]).astype(np.int64)
    R = stock.shape[1]
    initial = {sid: stock[i].copy() for i, sid in enumerate(sp_ids)}
    capacity = [None if sp.capacity is None else cat(lambda b, i=i: b.stockpiles[i].capacity)
                for i, sp in enumerate(first.stockpiles)]
    inbox = np.zeros((S, R), dtype=np.int64)
    inflow = np.zeros((S, R), dtype=np.int64)
    rec = {v: np.zeros((S, T, R), dtype=np.int64) for v in STOCKPILE_VARS}

    # Factories.
    fac = []
    for i, f in enumerate(first.factories):
        rate = cat_t(lambda b, i=i: b.factories[i].rate)
        avail = cat_t(lambda b, i=i: b.factories[i].avail)
        lot = cat(lambda b, i=i: b.factories[i].lot_days)
        every_day = bool((lot == 1).all())
        fac.append((f.id, sp_index[f.stockpile], rate, avail, lot, every_day))
    fcarry = np.zeros((len(fac), R))
    fheld = np.zeros((len(fac), R), dtype=np.int64)
    delivered = np.zeros((len(fac), T, R), dtype=np.int64)

    # Transfers.
    trs = []
    for i, tr in enumerate(first.transfers):
        lead = cat(lambda b, i=i: b.transfers[i].lead)
        ring = int(lead.max()) + 1
        recurring = [(r.start, r.end, cat(lambda b, i=i, k=k: b.transfers[i].recurring[k].every),
                      cat(lambda b, i=i, k=k: b.transfers[i].recurring[k].quantity))
                     for k, r in enumerate(tr.recurring)]
        packages: dict[int, np.ndarray] = {}
        for k, pk in enumerate(tr.packages):
            q = cat(lambda b, i=i, k=k: b.transfers[i].packages[k].quantity)
            packages[pk.day] = packages[pk.day] + q if pk.day in packages else q
        share = None if tr.share is None else cat(lambda b, i=i: b.transfers[i].share)
        trs.append({
            "id": tr.id, "src": None if tr.source is None else sp_index[tr.source], "dst": sp_index[tr.dest],
            "lead": lead, "ring": ring, "recurring": recurring, "packages": packages, "share": share,
            "loss": cat(lambda b, i=i: b.transfers[i].loss), "suspended": tr.suspended,
            "q": np.zeros((ring, R), dtype=np.int64), "l": np.zeros((ring, R), dtype=np.int64),
            "share_carry": np.zeros(R), "loss_carry": np.zeros(R),
        })
    X = len(trs)
    t_dispatched = np.zeros((X, T, R), dtype=np.int64)
    t_arrived = np.zeros((X, T, R), dtype=np.int64)
    t_lost = np.zeros((X, T, R), dtype=np.int64)
    lanes_r = np.arange(R)

    # Fronts (one per front and munition).
    frs = []
    for i, fr in enumerate(first.fronts):
        tiers = [(cat(lambda b, i=i, k=k: b.fronts[i].tiers[k][0]), cat(lambda b, i=i, k=k: b.fronts[i].tiers[k][1]))
                 for k in range(len(fr.tiers))]
        frs.append((fr.key, [sp_index[s] for s in fr.stockpiles], cat_t(lambda b, i=i: b.fronts[i].demand),
                    cat_t(lambda b, i=i: b.fronts[i].expected), tiers))
    N = len(frs)
    f_fired = np.zeros((N, T, R), dtype=np.int64)
    f_short = np.zeros((N, T, R), dtype=np.int64)

    r_produced, r_received, r_lost = rec["produced"], rec["received"], rec["lost"]
    r_shipped, r_fired, r_refused, r_stock = rec["shipped_out"], rec["fired"], rec["refused"], rec["stock"]

    for t in range(T):
        # 1. Produce.
        for i, (_fid, s, rate, avail, lot, every_day) in enumerate(fac):
            c = fcarry[i]
            c += rate[t] * avail[t]
            n = np.floor(c)
            c -= n
            if every_day:
                out = n.astype(np.int64)
            else:
                fheld[i] += n.astype(np.int64)
                out = np.where((t + 1) % lot == 0, fheld[i], 0)
                fheld[i] -= out
            inbox[s] += out
            r_produced[s, t] += out
            delivered[i, t] = out
        # 2. Arrive.
        for k, tr in enumerate(trs):
            slot = t % tr["ring"]
            q, gone = tr["q"][slot], tr["l"][slot]
            d = tr["dst"]
            r_received[d, t] += q
            r_lost[d, t] += gone
            inbox[d] += q - gone
            t_arrived[k, t] = q
            q[:] = 0
            gone[:] = 0
        # 3. Settle.
        for s in range(S):
            accepted = inbox[s]
            if capacity[s] is not None:
                accepted = np.minimum(accepted, np.maximum(capacity[s] - stock[s], 0))
                r_refused[s, t] = inbox[s] - accepted
            stock[s] += accepted
            inflow[s] = accepted
            inbox[s] = 0
        # 4. Dispatch.
        for k, tr in enumerate(trs):
            if tr["suspended"][t]:
                continue
            q = tr["packages"].get(t)
            q = np.zeros(R, dtype=np.int64) if q is None else q.copy()
            for start, end, every, quantity in tr["recurring"]:
                if start <= t <= end:
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
                r_shipped[src, t] += q
            lc = tr["loss_carry"]
            lc += tr["loss"] * q
            gone = np.floor(lc)
            lc -= gone
            gone = gone.astype(np.int64)
            slot = (t + tr["lead"]) % tr["ring"]
            arrives = t + tr["lead"] < T
            tr["q"][slot, lanes_r] += np.where(arrives, q, 0)
            tr["l"][slot, lanes_r] += np.where(arrives, gone, 0)
            t_dispatched[k, t] = q
            t_lost[k, t] = np.where(q > 0, gone, 0)
        # 5. Fire.
        for k, (_key, sps, demand, expected, tiers) in enumerate(frs):
            d = demand[t]
            available = stock[sps[0]].copy()
            for s in sps[1:]:
                available += stock[s]
            target = rationed_target_array(available, expected[t], d, tiers) if tiers else d
            fired = np.minimum(target, available)
            need = fired.copy()
            for s in sps:
                take = np.minimum(need, stock[s])
                stock[s] -= take
                r_fired[s, t] += take
                need -= take
            f_fired[k, t] = fired
            f_short[k, t] = target - fired
        # 6. Record.
        r_stock[:, t] = stock

    series: dict[tuple[str, str, str], np.ndarray] = {}
    for s, sid in enumerate(sp_ids):
        for v in STOCKPILE_VARS:
            series[("stockpile", sid, v)] = np.ascontiguousarray(rec[v][s].T)
    for i, f in enumerate(fac):
        series[("factory", f[0], "delivered")] = np.ascontiguousarray(delivered[i].T)
    for k, tr in enumerate(trs):
        series[("transfer", tr["id"], "dispatched")] = np.ascontiguousarray(t_dispatched[k].T)
        series[("transfer", tr["id"], "arrived")] = np.ascontiguousarray(t_arrived[k].T)
        series[("transfer", tr["id"], "lost")] = np.ascontiguousarray(t_lost[k].T)
    for k, (key, _sps, demand, _e, _tiers) in enumerate(frs):
        series[("front", key, "demanded")] = np.ascontiguousarray(demand.T)
        series[("front", key, "fired")] = np.ascontiguousarray(f_fired[k].T)
        series[("front", key, "shortfall")] = np.ascontiguousarray(f_short[k].T)
    return Trajectories(n_days=T, replicates=R, series=series, initial=initial)


def run_vector(
    scenario: Scenario,
    *,
    seed: int,
    replicates: int,
    first_replicate: int = 0,
    chunk_replicates: int = DEFAULT_CHUNK_REPLICATES,
    progress: Callable[[int], None] | None = None,
) -> Trajectories:
    """Run replicates ``first_replicate .. first_replicate + replicates - 1`` in chunks of whole blocks.

    Results do not depend on ``chunk_replicates``: each replicate's numbers
    come from its own block and lane.
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
        parts.append(run_blocks(blocks, slice(lo, hi)))
        if progress is not None:
            progress(hi - lo)
        block += nb
    return Trajectories.concat(parts) if len(parts) > 1 else parts[0]
