"""Evaluate sweep samples: apply factors, validate, simulate, reduce to outcome statistics.

On the vector engine, samples whose scenarios share a structure (see
:func:`munisim.model.inputs.structure`) run as one batch: each sample
contributes its replicate blocks as lanes with its own parameter values.
Replicate ``r`` of every sample uses the same random streams (common random
numbers), so differences between samples are paired.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from munisim.config.experiment import Experiment, Outcome
from munisim.config.loader import scenario_from_located
from munisim.config.scenario import Scenario
from munisim.config.yamlload import Located
from munisim.engines.vector.engine import run_blocks
from munisim.errors import MunisimError
from munisim.experiments.factors import FactorError, apply_factors
from munisim.model.inputs import BlockInputs, build_block, structure
from munisim.results import RunResult, side_recording
from munisim.rng import REPLICATE_BLOCK

__all__ = ["SweepTask", "evaluate", "outcome_stats", "MAX_BATCH_LANES", "blocks_per_sample", "samples_per_batch"]

#: Most lanes simulated together in one vectorised batch (bounds memory per worker).
MAX_BATCH_LANES = 2048


def blocks_per_sample(replicates: int) -> int:
    """Replicate blocks a sample of ``replicates`` replicates draws (whole blocks; the last one in part)."""
    return -(-replicates // REPLICATE_BLOCK)


def samples_per_batch(replicates: int) -> int:
    """Samples run together in one vectorised batch (at most :data:`MAX_BATCH_LANES` lanes, at least one sample)."""
    return max(1, MAX_BATCH_LANES // (blocks_per_sample(replicates) * REPLICATE_BLOCK))


@dataclass(frozen=True)
class SweepTask:
    """Everything a worker needs for a chunk of samples (picklable, no file access)."""

    experiment: Experiment
    scenario_data: dict[str, Any]
    figure_ids: frozenset[str] | None
    names: tuple[str, ...]
    indices: tuple[int, ...]
    values: np.ndarray  # (n, k)


def _is_event(metric: str) -> bool:
    return metric.startswith("crossover.") or metric.endswith((".first_stockout", ".low_stock"))


def _event_days(metric: str, x: np.ndarray, scenario: Scenario, months: pd.DatetimeIndex) -> np.ndarray:
    """Event times in days since the start (inf when it never happens)."""
    out = np.full(x.shape, np.inf)
    hit = x >= 0
    if metric.startswith("crossover."):
        start = pd.Timestamp(scenario.start)
        out[hit] = (months[x[hit]] - start).days
    else:
        out[hit] = x[hit]
    return out


def outcome_stats(result: RunResult, outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Each outcome's statistic across the replicates of ``result``.

    Time-to-event metrics (``first_stockout``, ``low_stock``, ``crossover``) are in days since
    the scenario start, ``inf`` for replicates where the event never happens;
    their ``median`` and ``pNN`` count those as later than any date (censoring),
    and ``probability`` is the share where it happens (before ``before``).
    """
    values = result.outcomes
    months = result._month_index[1]
    out: dict[str, float] = {}
    for o in outcomes:
        x = values[o.metric]
        if _is_event(o.metric):
            days = _event_days(o.metric, x, result.scenario, months)
            if o.stat == "probability":
                limit = np.inf if o.before is None else (o.before - result.scenario.start).days
                out[o.column] = float(np.mean(days < limit)) if o.before is not None else float(np.mean(x >= 0))
                continue
            q = 0.5 if o.stat == "median" else int(o.stat[1:]) / 100 if o.stat.startswith("p") else None
            if q is None:
                finite = days[np.isfinite(days)]
                out[o.column] = float(getattr(np, o.stat)(finite)) if finite.size else float("nan")
            else:
                srt = np.sort(days)
                out[o.column] = float(srt[min(int(np.floor(q * (len(srt) - 1))), len(srt) - 1)])
            continue
        xf = np.asarray(x, dtype=float)
        if o.stat == "median":
            out[o.column] = float(np.median(xf))
        elif o.stat.startswith("p") and o.stat != "probability":
            out[o.column] = float(np.quantile(xf, int(o.stat[1:]) / 100))
        else:
            out[o.column] = float(getattr(np, o.stat)(xf))
    return out


def _scenario(task: SweepTask, row: np.ndarray) -> Scenario:
    data = apply_factors(task.scenario_data, task.experiment.factors, dict(zip(task.names, row)))
    ids = set(task.figure_ids) if task.figure_ids is not None else None
    return scenario_from_located(Located(data, "<sample>"), None, figure_ids=ids)


def _error(exc: BaseException) -> str:
    if isinstance(exc, (MunisimError, FactorError)):
        return str(exc).replace("<sample>: ", "")
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def evaluate(task: SweepTask) -> pd.DataFrame:
    """Evaluate the samples of ``task``.

    Returns
    -------
    DataFrame
        One row per sample, indexed by ``sample``: factor values, one column
        per outcome, and ``error`` (empty when the sample ran).
    """
    exp = task.experiment
    R = exp.replicates
    nb = blocks_per_sample(R)
    rows: dict[int, dict[str, Any]] = {}
    pending: dict[tuple[object, ...], list[tuple[int, Scenario, list[BlockInputs]]]] = {}
    for idx, row in zip(task.indices, task.values):
        rows[idx] = {**dict(zip(task.names, map(float, row))), "error": ""}
        try:
            scenario = _scenario(task, row)
            if exp.engine == "des":
                from munisim.simulation import simulate

                res = simulate(scenario, engine="des", replicates=R, seed=exp.seed)
                rows[idx].update(outcome_stats(res, exp.outcomes))
                continue
            blocks = [build_block(scenario, exp.seed, b) for b in range(nb)]
            pending.setdefault(structure(blocks[0]), []).append((idx, scenario, blocks))
        except Exception as exc:  # a failed sample is recorded, the sweep goes on
            rows[idx]["error"] = _error(exc)
    per_batch = samples_per_batch(R)
    for group in pending.values():
        for start in range(0, len(group), per_batch):
            batch = group[start : start + per_batch]
            try:
                _run_batch(batch, exp, rows, nb)
            except Exception as exc:
                for idx, _s, _b in batch:
                    rows[idx]["error"] = _error(exc)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "sample"
    return frame


def _run_batch(
    batch: list[tuple[int, Scenario, list[BlockInputs]]], exp: Experiment, rows: dict[int, dict[str, Any]], nb: int
) -> None:
    R = exp.replicates
    # Each sample keeps replicates 0..R-1: whole blocks, then part of its last block.
    own = [slice(0, REPLICATE_BLOCK)] * (nb - 1) + [slice(0, R - (nb - 1) * REPLICATE_BLOCK)]
    lanes = own * len(batch)
    blocks = [b for _idx, _s, bs in batch for b in bs]
    first = batch[0][1]
    traj = run_blocks(blocks, lanes, side_recording(first))
    res = RunResult(first, traj, exp.seed, "vector")
    outcomes = res.outcomes
    for i, (idx, scenario, _b) in enumerate(batch):
        part = {k: v[i * R : (i + 1) * R] for k, v in outcomes.items()}
        single = RunResult(scenario, traj, exp.seed, "vector", precomputed_outcomes=part)
        rows[idx].update(outcome_stats(single, exp.outcomes))
