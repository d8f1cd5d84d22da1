"""Write a sweep's outputs: samples.parquet, manifest.json, sensitivity.json and charts."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from munisim.experiments.sweep import SweepResult
from munisim.io import versions, write_json
from munisim.report.sweep_charts import indices_chart, outcome_scatter, probability_map

__all__ = ["write_sweep"]


def write_sweep(
    result: SweepResult,
    out: str | Path,
    *,
    experiment_file: str | None = None,
    indices: dict[str, Any] | None = None,
    method: str | None = None,
) -> list[Path]:
    """Write the outputs of ``result`` into ``out`` (next to its ``chunks/``); returns the files written."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    exp = result.experiment
    table = result.samples.join(result.outcomes)
    written = []
    tmp = root / f".samples.{os.getpid()}.tmp"
    table.to_parquet(tmp)
    os.replace(tmp, root / "samples.parquet")
    written.append(root / "samples.parquet")
    manifest = {
        "munisim_sweep": 1,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "experiment_file": Path(experiment_file).name if experiment_file else None,
        "experiment": exp.model_dump(mode="json"),
        "design": exp.design.model_dump(mode="json"),
        "seed": exp.seed,
        "replicates": exp.replicates,
        "chunk_samples": exp.chunk_samples,
        "samples": result.meta.get("samples"),
        "failures": result.meta.get("failures"),
        "seconds": result.meta.get("seconds"),
        "versions": versions(),
    }
    write_json(root / "manifest.json", manifest)
    written.append(root / "manifest.json")
    if indices is not None:
        write_json(root / "sensitivity.json", {"method": method, "indices": indices})
        written.append(root / "sensitivity.json")
        indices_chart(indices, method or "sobol", root / "sensitivity.png", exp.name)
        if (root / "sensitivity.png").exists():
            written.append(root / "sensitivity.png")
    outcome_scatter(result.samples, result.outcomes, root / "outcomes_by_factor.png", exp.name)
    written.append(root / "outcomes_by_factor.png")
    prob = [o.column for o in exp.outcomes if o.stat == "probability"]
    if prob and len(result.samples.columns) >= 2:
        x, y = list(result.samples.columns)[:2]
        probability_map(result.samples, result.outcomes, prob[0], x, y, root / "probability_map.png", exp.name)
        written.append(root / "probability_map.png")
    return written
