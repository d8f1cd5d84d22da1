"""``sweep``: run an experiment's design, chunk by chunk, locally or on a Dask cluster, resumably."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from munisim.config.experiment import Experiment
from munisim.config.experiment_loader import ExperimentSpec, load_experiment
from munisim.errors import SimulationError
from munisim.experiments.design import design_points
from munisim.experiments.evaluate import SweepTask, blocks_per_sample, evaluate, samples_per_batch
from munisim.experiments.executors import run_tasks
from munisim.experiments.store import SweepStore
from munisim.limits import check_run
from munisim.results import side_recording
from munisim.rng import REPLICATE_BLOCK
from munisim.simulation import input_count, series_count

__all__ = ["sweep", "SweepResult", "with_overrides"]


@dataclass
class SweepResult:
    """Samples and outcomes of a sweep, aligned on the sample index.

    Unpacks as ``samples, outcomes = munisim.sweep(...)``.

    Attributes
    ----------
    samples : DataFrame
        One row per sample: the factor values.
    outcomes : DataFrame
        One row per sample: one column per outcome and ``error`` ("" when the sample ran).
    unit : ndarray, shape (n, k)
        The design's points in the unit cube (for sensitivity analysis).
    experiment : Experiment
    meta : dict
        ``seconds``, ``samples``, ``failures``, ``chunks_run``, ``chunks_reused``, ``samples_run``.
    """

    samples: pd.DataFrame
    outcomes: pd.DataFrame
    unit: np.ndarray
    experiment: Experiment
    meta: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.samples, self.outcomes))

    @property
    def failures(self) -> pd.Series:
        """Errors of the samples that failed, by sample."""
        err = self.outcomes["error"]
        return err[err != ""]


def with_overrides(
    exp: Experiment,
    *,
    samples: int | None = None,
    replicates: int | None = None,
    method: str | None = None,
    chunk_samples: int | None = None,
) -> Experiment:
    """``exp`` with command-line overrides applied (and validated)."""
    design = exp.design.model_dump()
    if samples is not None:
        design["samples"] = samples
    if method is not None:
        design["method"] = method
    data = exp.model_dump()
    data["design"] = design
    if replicates is not None:
        data["replicates"] = replicates
    if chunk_samples is not None:
        data["chunk_samples"] = chunk_samples
    return Experiment.model_validate(data)


def _identity(spec: ExperimentSpec, exp: Experiment, n: int) -> dict[str, Any]:
    scen = hashlib.sha256(json.dumps(spec.scenario_data, sort_keys=True, default=str).encode()).hexdigest()
    return {
        "experiment": exp.model_dump(mode="json"),
        "scenario_sha256": scen,
        "samples": n,
        "chunk_samples": exp.chunk_samples,
    }


def sweep(
    experiment: str | Path | ExperimentSpec,
    *,
    samples: int | None = None,
    replicates: int | None = None,
    method: str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    chunk_samples: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run an experiment's design.

    Parameters
    ----------
    experiment : path or ExperimentSpec
        An experiment file (see :mod:`munisim.config.experiment`).
    samples, replicates, method, chunk_samples : optional
        Override the file's design size, replicates per sample, design method
        and samples per chunk.
    workers : int
        Local worker processes.
    scheduler : str, optional
        A dask.distributed scheduler address; chunks run on its workers.
    out : path, optional
        Directory for chunk files (and, from the CLI, the outputs).  Needed
        for ``resume`` and ``retry_failed``.
    resume : bool
        Run only the chunks missing from ``out``.
    retry_failed : bool
        Also rerun the failed samples recorded in ``out`` (and nothing else).
    progress : callable, optional
        Called with ``(samples finished, total samples)``.

    Returns
    -------
    SweepResult
        Unpacks as ``(samples, outcomes)``.  The result is identical for any
        worker count, chunk size, executor or resume point.
    """
    spec = experiment if isinstance(experiment, ExperimentSpec) else load_experiment(experiment)
    exp = with_overrides(
        spec.experiment, samples=samples, replicates=replicates, method=method, chunk_samples=chunk_samples
    )
    if (resume or retry_failed) and out is None:
        raise SimulationError("resume and retry-failed need an output directory (--out)")
    if workers < 1:
        raise SimulationError(f"workers must be >= 1, got {workers}")
    started = time.perf_counter()
    names, unit, values = design_points(exp.design, exp.factors, seed=exp.seed)
    n = len(values)
    # Work of the whole sweep; memory of one batch of samples run together (their records) and of the inputs of
    # a chunk of samples (built before its batches run); see evaluate.evaluate.
    check_run(
        n_days=spec.scenario.n_days,
        replicates=n * exp.replicates,
        kept_replicates=0,
        series_per_replicate=series_count(spec.scenario, side_recording(spec.scenario)),
        chunk_replicates=min(n, samples_per_batch(exp.replicates)) * exp.replicates,
        inputs_per_replicate=input_count(spec.scenario),
        input_replicates=min(n, exp.chunk_samples) * blocks_per_sample(exp.replicates) * REPLICATE_BLOCK,
        hint="use fewer replicates per sample, fewer samples per chunk (chunk_samples) or a shorter horizon",
        what=f"this sweep ({n:,} samples x {exp.replicates:,} replicates)",
    )
    size = exp.chunk_samples
    n_chunks = -(-n // size)
    store = SweepStore(out) if out is not None else None
    todo = list(range(n_chunks))
    subsets: dict[int, list[int]] = {k: list(range(k * size, min(n, (k + 1) * size))) for k in todo}
    reused = 0
    if store is not None:
        store.prepare(_identity(spec, exp, n), resume=resume or retry_failed)
        if resume or retry_failed:
            done = store.done()
            todo = [k for k in todo if k not in done]
            if retry_failed:  # rerun only the failed samples of finished chunks
                for k in sorted(done):
                    err = store.read_chunk(k)["error"]
                    if (err != "").any():
                        todo.append(k)
                        subsets[k] = [int(i) for i in err.index[err != ""]]
            reused = n_chunks - len(todo)
    tasks = [
        SweepTask(exp, spec.scenario_data, spec.figure_ids, tuple(names), tuple(subsets[k]), values[subsets[k]])
        for k in todo
    ]
    frames: dict[int, pd.DataFrame] = {}
    finished = n - sum(len(subsets[k]) for k in todo)
    if progress is not None:
        progress(min(finished, n), n)
    for i, frame in run_tasks(evaluate, tasks, workers=workers, scheduler=scheduler):
        k = todo[i]
        if store is not None:
            if k in store.done():  # a retry: merge the rerun samples into the chunk
                old = store.read_chunk(k)
                old.loc[frame.index, frame.columns] = frame
                frame = old
            store.write_chunk(k, frame)
        else:
            frames[k] = frame
        finished += len(tasks[i].indices)
        if progress is not None:
            progress(min(finished, n), n)
    table = store.read_all(n_chunks) if store is not None else pd.concat([frames[k] for k in range(n_chunks)])
    table = table.sort_index()
    sample_df = table[names].copy()
    outcome_df = table[[o.column for o in exp.outcomes if o.column in table] + ["error"]].copy()
    for o in exp.outcomes:
        if o.column not in outcome_df:
            outcome_df.insert(0, o.column, np.nan)
    outcome_df = outcome_df[[o.column for o in exp.outcomes] + ["error"]]
    meta = {
        "seconds": time.perf_counter() - started,
        "samples": n,
        "failures": int((outcome_df["error"] != "").sum()),
        "chunks": n_chunks,
        "chunks_run": len(todo),
        "chunks_reused": reused,
        "workers": workers,
        "samples_run": sum(len(t.indices) for t in tasks),
        "scheduler": scheduler,
    }
    return SweepResult(sample_df, outcome_df, unit, exp, meta)
