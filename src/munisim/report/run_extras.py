"""The files of a run directory that comparisons and reports read: outcomes, monthly bands, sources."""

from __future__ import annotations

from pathlib import Path

from munisim.report.monthly_file import MONTHLY_FILE, write_monthly
from munisim.report.outcomes_file import OUTCOMES_FILE, write_outcomes
from munisim.report.sources import SOURCES_FILE, collect_sources, load_scenario_figures, write_sources
from munisim.results import RunResult

__all__ = ["EXTRA_FILES", "write_run_extras"]

#: Written into every run directory besides the summary, series, manifest and charts.
EXTRA_FILES = (OUTCOMES_FILE, MONTHLY_FILE, SOURCES_FILE)


def write_run_extras(result: RunResult, directory: Path, *, figures_dir: Path | None = None) -> list[Path]:
    """Write :data:`EXTRA_FILES` into ``directory``; returns the paths written.

    Parameters
    ----------
    result : RunResult
    directory : Path
        The (temporary) run directory being assembled.
    figures_dir : Path, optional
        Folder the scenario's ``figures`` paths are relative to (the scenario
        file's folder); without it they are read relative to the working
        directory.  The cited figures are copied into ``sources.json``, so a
        report of the run needs no file outside it; figures that cannot be
        read are listed as not found.
    """
    directory = Path(directory)
    figures = load_scenario_figures(result.scenario, figures_dir)
    return [
        write_outcomes(result, directory),
        write_monthly(result, directory),
        write_sources(collect_sources(result.scenario, figures), directory / SOURCES_FILE),
    ]
