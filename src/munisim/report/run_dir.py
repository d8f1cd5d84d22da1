"""Write a run directory: summary, time series, manifest, resolved scenario and charts."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from munisim.config.overlay import parent_files
from munisim.io import (
    atomic_directory,
    cited_figures,
    file_hash,
    resolved_scenario,
    scenario_hash,
    versions,
    write_json,
)
from munisim.report.charts import write_charts
from munisim.report.run_extras import write_run_extras
from munisim.results import RunResult

__all__ = ["write_run", "RUN_FILES"]

RUN_FILES = ("summary.json", "timeseries.parquet", "timeseries.csv", "manifest.json", "scenario.resolved.yaml")


def write_run(
    result: RunResult,
    out_dir: str | Path,
    *,
    scenario_path: str | Path | None = None,
    overrides: Sequence[str] = (),
    force: bool = False,
) -> Path:
    """Write every output of ``result`` into ``out_dir`` atomically; returns the directory.

    Files: ``summary.json``, ``timeseries.parquet`` and ``timeseries.csv``
    (columns ``date, side, variable, mean, p05, p50, p95``), ``manifest.json``,
    ``scenario.resolved.yaml`` and the PNG charts of
    :data:`munisim.report.charts.CHART_FILES`.
    """
    out = Path(out_dir)
    base = Path(scenario_path).resolve().parent if scenario_path else None
    with atomic_directory(out, force=force) as tmp:
        summary = result.summary()
        write_json(tmp / "summary.json", summary)
        table = result.quantiles()
        table.to_parquet(tmp / "timeseries.parquet", index=False)
        table.assign(date=table["date"].dt.date).to_csv(tmp / "timeseries.csv", index=False, float_format="%.6g")
        manifest = {
            "munisim_run": 1,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scenario": result.scenario.name,
            "scenario_file": Path(scenario_path).name if scenario_path else None,
            "scenario_file_sha256": file_hash(scenario_path) if scenario_path else None,
            "scenario_parents": [
                {"file": Path(os.path.relpath(f, base)).as_posix(), "sha256": file_hash(f)}
                for f in parent_files(scenario_path)
            ]
            if scenario_path and base
            else [],
            "scenario_sha256": scenario_hash(result.scenario),
            "overrides": list(overrides),
            "engine": result.engine,
            "seed": result.seed,
            "replicates": result.total_replicates,
            "series_replicates": result.replicates,
            "days": result.trajectories.n_days,
            "versions": versions(),
            "figures_cited": cited_figures(result.scenario),
            "engine_stats": dict(result.meta.items()),
        }
        write_json(tmp / "manifest.json", manifest)
        (tmp / "scenario.resolved.yaml").write_text(
            resolved_scenario(result.scenario, figures_dir=base), encoding="utf-8"
        )
        write_charts(result, tmp)
        write_run_extras(result, tmp, figures_dir=base)  # outcomes.parquet, monthly.parquet, sources.json
    return out
