"""Run replicates of a scenario on the SimPy reference engine."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from munisim.config.scenario import Scenario
from munisim.engines.des.forces import Troops, fight, muster
from munisim.engines.des.processes import Depot, dispatch, fire, produce, record, settle, strike
from munisim.model.inputs import BlockInputs, build_block
from munisim.model.outputs import FRONT_VARS, Recording, Trajectories
from munisim.rng import REPLICATE_BLOCK

__all__ = ["run_des", "run_lane"]


def run_lane(inputs: BlockInputs, lane: int) -> tuple[dict[tuple[str, str, str], list[int]], dict[str, int], int]:
    """Simulate one replicate (``lane`` of a block).

    Returns
    -------
    series : dict
        ``(kind, id, variable) -> list of T ints``.
    initial : dict
        Stockpile id -> initial stock.
    events : int
        Number of SimPy events processed (for benchmarks).
    """
    j = lane
    T = inputs.n_days
    env = simpy.Environment()
    depots: dict[str, Depot] = {}
    initial: dict[str, int] = {}
    for sp in inputs.stockpiles:
        cap = None if sp.capacity is None else int(sp.capacity[j])
        initial[sp.id] = int(sp.initial[j])
        depots[sp.id] = Depot(initial[sp.id], cap, T)
    out: dict[tuple[str, str, str], list[int]] = {}
    for f in inputs.factories:
        delivered = out[("factory", f.id, "delivered")] = [0] * T
        avail = [1.0] * T if f.avail is None else f.avail[:, j].tolist()
        env.process(
            produce(
                env,
                f.rate.daily[:, j].tolist(),
                avail,
                int(f.lot_days[j]),
                depots[f.stockpile],
                delivered,
                [(depots[sid], u.daily[:, j].tolist()) for sid, u in f.inputs],
                out.setdefault(("factory", f.id, "unmade"), [0] * T),
            )
        )
    for d in depots.values():
        env.process(settle(env, d, T))
    for sp in inputs.stockpiles:
        if sp.strikes:
            env.process(
                strike(
                    env,
                    depots[sp.id],
                    [(float(k.share[j]), k.day, None if k.hits is None else k.hits[:, j].tolist()) for k in sp.strikes],
                    T,
                )
            )
    for tr in inputs.transfers:
        packages: dict[int, int] = {}
        for pk in tr.packages:
            packages[pk.day] = packages.get(pk.day, 0) + int(pk.quantity[j])
        env.process(
            dispatch(
                env,
                n_days=T,
                suspended=tr.suspended.tolist(),
                recurring=[(r.start, r.end, int(r.every[j]), int(r.quantity[j])) for r in tr.recurring],
                packages=packages,
                share=None if tr.share is None else float(tr.share[j]),
                lead_days=int(tr.lead[j]),
                loss_share=float(tr.loss[j]),
                source=None if tr.source is None else depots[tr.source],
                dest=depots[tr.dest],
                dispatched=out.setdefault(("transfer", tr.id, "dispatched"), [0] * T),
                arrived=out.setdefault(("transfer", tr.id, "arrived"), [0] * T),
                lost=out.setdefault(("transfer", tr.id, "lost"), [0] * T),
            )
        )
    for fr in inputs.fronts:
        rec = {v: out.setdefault(("front", fr.key, v), [0] * T) for v in FRONT_VARS}
        env.process(
            fire(
                env,
                demand=fr.demand[:, j].tolist(),
                expected=fr.expected.daily[:, j].tolist(),
                tiers=[(float(b[j]), float(s[j])) for b, s in fr.tiers],
                depots=[depots[s] for s in fr.stockpiles],
                rec=rec,
                tubes=None if fr.tubes is None else (depots[fr.tubes[0]], float(fr.tubes[1][j]), float(fr.tubes[2][j])),
            )
        )
    troops = {f.id: Troops(float(f.initial[j]), T) for f in inputs.forces}
    for force in inputs.forces:
        env.process(muster(env, force, j, troops[force.id], T))
    if inputs.engagements:
        keys_of: dict[str, list[str]] = {}
        for fr in inputs.fronts:
            keys_of.setdefault(fr.front, []).append(fr.key)

        def share_fired(front: str, t: int) -> np.ndarray:
            """The front's fired / demanded on day ``t`` (1 when nothing is demanded), shape (1,)."""
            keys = keys_of.get(front, [])
            fired = sum(out[("front", k, "fired")][t] for k in keys)
            demanded = sum(out[("front", k, "demanded")][t] for k in keys)
            # Python's int / int is the correctly rounded double quotient, as NumPy's division of the vector engine.
            return np.array([fired / demanded if demanded > 0 else 1.0])

        for e in inputs.engagements:
            env.process(fight(env, e, j, troops[e.x], troops[e.y], share_fired, T))
    env.process(record(env, list(depots.values()), T))
    events = 0
    while env.peek() < T:
        env.step()
        events += 1
    for sid, d in depots.items():
        for var, values in d.rec.items():
            out[("stockpile", sid, var)] = values
    for fid, tp in troops.items():
        for var, arr in tp.rec.items():
            out[("force", fid, var)] = arr  # type: ignore[assignment]
    return out, initial, events


def run_des(
    scenario: Scenario,
    *,
    seed: int,
    replicates: int,
    first_replicate: int = 0,
    recording: Recording | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Trajectories, int]:
    """Run replicates ``first_replicate .. first_replicate + replicates - 1``.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    seed : int
        Run seed.
    replicates : int
        Number of replicates ``R`` (>= 1).
    first_replicate : int, optional
        Index of the first replicate (for chunked runs).
    recording : Recording, optional
        What to keep (every entity when omitted); the engine records every
        entity and regroups at the end.
    progress : callable, optional
        Called with the number of replicates just finished.

    Returns
    -------
    trajectories : Trajectories
        Series of shape ``(R, T)``.
    events : int
        Total SimPy events processed.
    """
    T = scenario.n_days
    # Each replicate's lists go into (R, T) arrays as soon as it ends: 8 bytes a value, not a Python int's 36.
    arrays: dict[tuple[str, str, str], np.ndarray] = {}
    initial: dict[str, np.ndarray] = {}
    total_events = 0
    block_inputs: BlockInputs | None = None
    for i, r in enumerate(range(first_replicate, first_replicate + replicates)):
        block, lane = divmod(r, REPLICATE_BLOCK)
        if block_inputs is None or block_inputs.block != block:
            block_inputs = build_block(scenario, seed, block)
        series, init, events = run_lane(block_inputs, lane)
        total_events += events
        for k, v in series.items():
            if k not in arrays:
                arrays[k] = np.zeros((replicates, T), dtype=np.float64 if k[0] == "force" else np.int64)
            arrays[k][i] = v
        for sid, v0 in init.items():
            if sid not in initial:
                initial[sid] = np.zeros(replicates, dtype=np.int64)
            initial[sid][i] = v0
        if progress is not None:
            progress(1)
    traj = Trajectories(n_days=T, replicates=replicates, series=arrays, initial=initial)
    if recording is not None:
        internal = {tid for tid, t in scenario.transfers.items() if t.from_stockpile is not None}
        traj = traj.regroup(recording, internal)
    return traj, total_events
