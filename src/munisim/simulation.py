"""``simulate``: the library entry point that runs a scenario on an engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from munisim.config.loader import load_scenario
from munisim.config.scenario import Scenario
from munisim.engines import ENGINES
from munisim.errors import SimulationError
from munisim.limits import check_run
from munisim.model.outputs import Recording, Trajectories
from munisim.results import RunResult, side_recording
from munisim.rng import REPLICATE_BLOCK, check_seed

__all__ = ["simulate", "DEFAULT_REPLICATES"]

#: Replicates simulated together in large runs (memory per chunk grows with
#: it): whole replicate blocks, so no chunk draws lanes it does not use.
CHUNK_REPLICATES = 10 * REPLICATE_BLOCK

#: Replicates run when none are asked for, by engine.
DEFAULT_REPLICATES = {"des": 20, "vector": 1000}


def series_count(scenario: Scenario, recording: Recording | None = None) -> int:
    """The daily series one replicate records under ``recording`` (every entity's variables when omitted).

    Parameters
    ----------
    scenario : Scenario
    recording : Recording, optional
        What the engine keeps (see :class:`munisim.model.outputs.Recording`).

    Returns
    -------
    int
        Number of ``(T,)`` int64 or float64 series per replicate.
    """
    from munisim.model.outputs import FACTORY_VARS, FORCE_VARS, FRONT_VARS, STOCKPILE_VARS, TRANSFER_VARS

    rec = recording or Recording.entities()
    fronts = sum(len(f.demand) for f in scenario.fronts.values())
    stockpile_rows = len(set(rec.row_keys(list(scenario.stockpiles))))
    factories = len(scenario.factories) if rec.factories else 0
    transfers = sum(1 for t in scenario.transfers.values() if rec.keeps_transfer(t.from_stockpile is not None))
    return (
        stockpile_rows * len(STOCKPILE_VARS)
        + factories * len(FACTORY_VARS)
        + transfers * len(TRANSFER_VARS)
        + fronts * len(FRONT_VARS)
        + len(scenario.forces) * len(FORCE_VARS)
    )


def input_count(scenario: Scenario) -> int:
    """Daily 8-byte input arrays one replicate holds: a factory's availability, a front's demand per munition.

    Everything else an engine reads (schedules, per-replicate parameters,
    suspension days) is small beside them.
    """
    available = sum(1 for f in scenario.factories.values() if f.availability is not None)
    return available + sum(len(f.demand) for f in scenario.fronts.values())


def simulate(
    scenario: Scenario | str | Path,
    *,
    engine: str = "des",
    replicates: int | None = None,
    seed: int = 0,
    keep: str = "sides",
    series_replicates: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``replicates`` Monte Carlo replicates of a scenario.

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario, or the path of a scenario file.
    engine : {"des", "vector"}
        ``des`` is the SimPy reference engine.
    replicates : int, optional
        Number of replicates; defaults to ``DEFAULT_REPLICATES[engine]``.
    seed : int
        Non-negative seed; the same seed gives identical results.
    keep : {"sides", "entities"}
        ``sides`` (default) keeps daily series per side and munition, the
        fronts and stockpile-to-stockpile transfers: everything a run
        reports.  ``entities`` also keeps every stockpile, factory and
        transfer (``RunResult.to_frame(level="entity")``), at several times
        the memory.
    series_replicates : int
        Largest number of replicates whose daily series are kept.  Larger
        runs are simulated in chunks: every replicate's outcomes (totals,
        final stock, first stock-out, crossover) are kept, the daily series
        only for the first ``series_replicates`` (the daily quantiles are
        estimated from them), so memory does not grow with ``replicates``.
    progress : callable, optional
        Called with the number of replicates finished since the last call.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> import munisim
    >>> result = munisim.simulate("scenarios/example-small.yaml", replicates=2, seed=1)  # doctest: +SKIP
    >>> result.summary()["sides"]["red"]["fired"]["p50"]  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if engine not in ENGINES:
        raise SimulationError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    n = DEFAULT_REPLICATES[engine] if replicates is None else replicates
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SimulationError(f"replicates must be a positive integer, got {n!r}")
    try:
        seed = check_seed(seed)
    except ValueError as exc:
        raise SimulationError(str(exc)) from None
    if keep not in ("sides", "entities"):
        raise SimulationError(f"keep must be 'sides' or 'entities', got {keep!r}")
    if isinstance(series_replicates, bool) or not isinstance(series_replicates, int) or series_replicates < 1:
        raise SimulationError(f"series_replicates must be a positive integer, got {series_replicates!r}")
    recording = Recording.entities() if keep == "entities" else side_recording(scenario)
    check_run(
        n_days=scenario.n_days,
        replicates=n,
        kept_replicates=min(n, series_replicates),
        # The SimPy engine records every entity and regroups at the end of a chunk.
        series_per_replicate=series_count(scenario, None if engine == "des" else recording),
        chunk_replicates=min(n, CHUNK_REPLICATES),
        inputs_per_replicate=input_count(scenario),
        what=f"{n:,} replicates of {scenario.name}",
    )
    started = time.perf_counter()
    meta: dict[str, object] = {"events": 0} if engine == "des" else {}
    kept: list[Trajectories] = []
    outcomes: list[dict[str, np.ndarray]] = []
    chunk = max(series_replicates, CHUNK_REPLICATES) if n > series_replicates else n
    for first in range(0, n, chunk):
        size = min(chunk, n - first)
        if engine == "des":
            from munisim.engines.des import run_des

            traj, events = run_des(
                scenario, seed=seed, replicates=size, first_replicate=first, recording=recording, progress=progress
            )
            meta["events"] += events  # type: ignore[operator]
        else:
            from munisim.engines.vector import run_vector

            traj = run_vector(
                scenario, seed=seed, replicates=size, first_replicate=first, recording=recording, progress=progress
            )
        if n <= series_replicates:
            kept.append(traj)
            continue
        outcomes.append(RunResult(scenario, traj, seed, engine).outcomes)
        room = series_replicates - sum(k.replicates for k in kept)
        if room > 0:
            kept.append(traj.head(min(room, size)))
    meta["seconds"] = time.perf_counter() - started
    trajectories = kept[0] if len(kept) == 1 else Trajectories.concat(kept)
    merged = {k: np.concatenate([o[k] for o in outcomes]) for k in outcomes[0]} if outcomes else None
    return RunResult(
        scenario=scenario, trajectories=trajectories, seed=seed, engine=engine, meta=meta, precomputed_outcomes=merged
    )
