"""``outcomes.parquet``: the per-replicate outcomes of a run, one row per replicate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from munisim.results import RunResult

__all__ = ["OUTCOMES_FILE", "outcomes_frame", "write_outcomes"]

OUTCOMES_FILE = "outcomes.parquet"


def outcomes_frame(result: RunResult) -> pd.DataFrame:
    """Every replicate's outcomes as a table.

    Returns
    -------
    DataFrame
        One row per replicate run (``result.total_replicates`` rows): column
        ``replicate`` (0 .. R-1), then one column per key of
        :attr:`munisim.results.RunResult.outcomes` (totals in rounds, final
        stock, ``share_met``, ``first_stockout`` and ``low_stock`` as day
        indices, ``crossover.<A> over <B>`` as month indices, -1 when the
        event never happens; with forces, losses, final strength and
        loss-exchange ratios).
    """
    outcomes = result.outcomes
    n = result.total_replicates
    return pd.DataFrame({"replicate": np.arange(n, dtype=np.int64), **{k: np.asarray(v) for k, v in outcomes.items()}})


def write_outcomes(result: RunResult, directory: Path) -> Path:
    """Write :func:`outcomes_frame` to ``directory / OUTCOMES_FILE``; returns the path."""
    path = Path(directory) / OUTCOMES_FILE
    outcomes_frame(result).to_parquet(path, index=False)
    return path
