"""``simulate``: the library entry point that runs a scenario on an engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from munisim.config.loader import load_scenario
from munisim.config.scenario import Scenario
from munisim.engines import ENGINES
from munisim.errors import SimulationError
from munisim.model.outputs import Recording
from munisim.results import RunResult, side_recording
from munisim.rng import check_seed

__all__ = ["simulate", "DEFAULT_REPLICATES"]

#: Replicates run when none are asked for, by engine.
DEFAULT_REPLICATES = {"des": 20, "vector": 200}


def simulate(
    scenario: Scenario | str | Path,
    *,
    engine: str = "des",
    replicates: int | None = None,
    seed: int = 0,
    keep: str = "sides",
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
    recording = Recording.entities() if keep == "entities" else side_recording(scenario)
    started = time.perf_counter()
    meta: dict[str, object] = {}
    if engine == "des":
        from munisim.engines.des import run_des

        traj, events = run_des(scenario, seed=seed, replicates=n, recording=recording, progress=progress)
        meta["events"] = events
    else:
        from munisim.engines.vector import run_vector

        traj = run_vector(scenario, seed=seed, replicates=n, recording=recording, progress=progress)
    meta["seconds"] = time.perf_counter() - started
    return RunResult(scenario=scenario, trajectories=traj, seed=seed, engine=engine, meta=meta)
