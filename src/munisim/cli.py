"""The ``munisim`` command line: parse, call the library, render, exit.

Exit status: 0 success, 1 the run failed, 2 bad input (invalid scenario or
options), 130 interrupted.  No model logic lives here.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, cast

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from munisim.errors import MunisimError, ScenarioError, SimulationError

__all__ = ["main"]

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

#: Width of tables written to a file or a pipe (a terminal's own width is used otherwise; COLUMNS overrides both).
PIPE_WIDTH = 120


def _width(stream: Any) -> int | None:
    interactive = hasattr(stream, "isatty") and stream.isatty()
    return None if interactive or os.environ.get("COLUMNS") else PIPE_WIDTH


out = Console(highlight=False, width=_width(sys.stdout))
err = Console(stderr=True, highlight=False, width=_width(sys.stderr))


def _bad_input(lines: list[str]) -> NoReturn:
    for line in lines:
        err.print(line, markup=False, soft_wrap=True)
    sys.exit(EXIT_BAD_INPUT)


@contextmanager
def _errors() -> Iterator[None]:
    from munisim.analysis.compare_runs import IncomparableRunsError
    from munisim.experiments.executors import DaskMissingError, SchedulerError
    from munisim.experiments.store import ResumeMismatchError
    from munisim.io import OutputExistsError
    from munisim.report.run_reader import RunDirError

    try:
        yield
    except ScenarioError as exc:
        _bad_input([str(p) for p in exc.problems])
    except (RunDirError, IncomparableRunsError) as exc:
        _bad_input([str(exc)])
    except (SimulationError, OutputExistsError, ResumeMismatchError, DaskMissingError, SchedulerError) as exc:
        _bad_input([f"error: {exc}"])
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written", markup=False)
        sys.exit(130)
    except MunisimError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(EXIT_FAILED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="munisim")
def main() -> None:
    """Simulate the artillery-ammunition race: factories, stockpiles, transfers, fronts."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario and experiment FILES; print one line per problem (FILE:LINE:COL: key.path: message).

    An experiment file (one with factors or outcomes) is checked with the scenario it names.
    """
    from munisim.config.experiment_loader import load_experiment, looks_like_experiment
    from munisim.config.loader import load_scenario
    from munisim.config.yamlload import load_yaml

    problems: list[str] = []
    for f in files:
        try:
            if looks_like_experiment(load_yaml(f).data):
                load_experiment(f)
            else:
                load_scenario(f)
        except ScenarioError as exc:
            problems.extend(str(p) for p in exc.problems)
        else:
            out.print(f"{f}: ok", markup=False)
    if problems:
        _bad_input(problems)


def _progress(total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A progress callback that shows a bar once the work has lasted more than a second."""
    started = time.perf_counter()
    state: dict[str, Any] = {"done": 0, "bar": None}

    def advance(n: int) -> None:
        state["done"] += n
        bar = state["bar"]
        if bar is None and time.perf_counter() - started > 1.0 and err.is_terminal:
            bar = Progress(
                TextColumn("replicates"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            bar.start()
            state["task"] = bar.add_task("run", total=total, completed=state["done"])
            state["bar"] = bar
        elif bar is not None:
            bar.update(state["task"], completed=state["done"])

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].stop()

    return advance, close


def _fmt(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:,.0f}"


def _cell(stats: dict[str, float], fmt: Callable[[float], str] = _fmt) -> str:
    return f"{fmt(stats['p50'])} [{fmt(stats['p05'])}–{fmt(stats['p95'])}]"


def _summary_table(summary: dict[str, Any]) -> Table:
    sides = summary["sides"]
    units = "rounds; losses and strength in the forces' unit" if "loss_exchange" in summary else "rounds"
    table = Table(
        title=f"{summary['scenario']}, {summary['start']} to {summary['end']}",
        caption=f"{units}; median [90% interval] over {summary['replicates']:,} replicates",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("")
    for side in sides.values():
        table.add_column(side["name"], justify="right", no_wrap=True)
    for key in ("produced", "received", "fired", "demanded"):
        table.add_row(key, *[_cell(s[key]) for s in sides.values()])
    table.add_row("demand met", *[_cell(s["share_met"], lambda x: f"{x:.0%}") for s in sides.values()])
    table.add_row("final stock", *[_cell(s["final_stock"]) for s in sides.values()])
    table.add_row(
        "first stock-out",
        *[f"{s['first_stockout'] or 'none'} ({s['stockout_share']:.0%} of runs)" for s in sides.values()],
    )
    if "low_stock_days" in summary:
        table.add_row(
            f"low stock (<{summary['low_stock_days']} days)",
            *[f"{s['low_stock'] or 'none'} ({s['low_stock_share']:.0%} of runs)" for s in sides.values()],
        )
    if "loss_exchange" in summary:
        table.add_row("attrition losses", *[_cell(s["losses"]) for s in sides.values()])
        table.add_row("final strength", *[_cell(s["final_strength"]) for s in sides.values()])
    return table


def _exchange_lines(summary: dict[str, Any]) -> list[str]:
    names = {sid: side["name"] for sid, side in summary["sides"].items()}
    lines = []
    for pair, x in summary.get("loss_exchange", {}).items():
        a, b = pair.split(" per ")
        if x["replicates"] and a < b:
            lines.append(
                f"loss-exchange ratio: {names[a]} loses {x['p50']:.2f} per loss of {names[b]} "
                f"(median; 90% interval {x['p05']:.2f}-{x['p95']:.2f})"
            )
    return lines


def _crossover_lines(summary: dict[str, Any]) -> list[str]:
    names = {sid: side["name"] for sid, side in summary["sides"].items()}
    lines = []
    for pair, c in summary["crossover"].items():
        a, b = pair.split(" over ")
        when = f"median first month {c['month'][:7]}" if c["month"] else "not in most replicates"
        lines.append(
            f"Production of {names[a]} exceeds that of {names[b]} in some month in {c['share']:.0%} of replicates; "
            f"{when}"
        )
    return lines


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replicates",
    "-n",
    type=click.IntRange(min=1),
    default=None,
    help="Number of replicates [default: 20 on des, 1000 on vector].",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed.")
@click.option(
    "--engine",
    type=click.Choice(["des", "vector"]),
    default="des",
    show_default=True,
    help="des: SimPy reference engine; vector: NumPy engine over replicates.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory [default: runs/<scenario name>/].",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY.PATH=VALUE",
    help="Override a scenario value, e.g. --set fronts.ru.rate_unit=per_month (repeatable).",
)
@click.option("--force", is_flag=True, help="Replace --out even if it is not a munisim run directory.")
def run(
    scenario: Path,
    replicates: int | None,
    seed: int,
    engine: str,
    out_dir: Path | None,
    overrides: tuple[str, ...],
    force: bool,
) -> None:
    """Run SCENARIO, print a summary per side and write the run directory."""
    from munisim.config.loader import load_scenario
    from munisim.report.run_dir import write_run
    from munisim.simulation import DEFAULT_REPLICATES, simulate

    with _errors():
        sc = load_scenario(scenario, overrides=overrides)
        n = replicates or DEFAULT_REPLICATES[engine]
        target = out_dir or Path("runs") / sc.name
        err.print(
            f"running {sc.name}: {sc.n_days:,} days × {n:,} replicates on the {engine} engine (seed {seed})",
            markup=False,
        )
        advance, close = _progress(n)
        try:
            result = simulate(sc, engine=engine, replicates=n, seed=seed, progress=advance)
        finally:
            close()
        written = write_run(result, target, scenario_path=scenario, overrides=overrides, force=force)
        summary = result.summary()
        out.print(_summary_table(summary))
        for line in _crossover_lines(summary) + _exchange_lines(summary):
            out.print(line, markup=False)
        kept = "" if result.replicates == n else f" (daily series of the first {result.replicates:,})"
        out.print(
            f"engine {engine}: {n:,} replicates in {result.meta['seconds']:.2f} s{kept}; wrote {written}/", markup=False
        )


def _sweep_progress() -> tuple[Callable[[int, int], None], Callable[[], None]]:
    state: dict[str, Any] = {"bar": None}

    def update(done: int, total: int) -> None:
        if state["bar"] is None:
            bar = state["bar"] = Progress(
                TextColumn("samples"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            )
            bar.start()
            state["task"] = bar.add_task("sweep", total=total)
        state["bar"].update(state["task"], completed=done)

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].stop()

    return update, close


def _sweep_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.argument("experiment", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--samples", type=click.IntRange(min=1), help="Design size (overrides the file)."),
        click.option("--replicates", type=click.IntRange(min=1), help="Replicates per sample (overrides the file)."),
        click.option(
            "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Local worker processes."
        ),
        click.option("--scheduler", metavar="ADDRESS", help="dask.distributed scheduler, e.g. tcp://HOST:8786."),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Output directory [default: sweeps/<experiment name>/].",
        ),
        click.option("--resume", is_flag=True, help="Run only the chunks missing from --out."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _finish_line(result: Any, written: Path) -> None:
    meta = result.meta
    rate = meta["samples"] / meta["seconds"] if meta["seconds"] > 0 else float("inf")
    reused = f", {meta['chunks_reused']} chunks reused" if meta["chunks_reused"] else ""
    out.print(
        f"{meta['samples']:,} samples ({result.experiment.replicates:,} replicates each), "
        f"{meta['failures']:,} failed{reused}, in {meta['seconds']:.1f} s ({rate:,.1f} samples/s); "
        f"wrote {written}/",
        markup=False,
    )
    if meta["failures"]:
        for sample, error in list(result.failures.items())[:5]:
            err.print(f"sample {sample}: {error.splitlines()[0]}", markup=False)
        if meta["failures"] > 5:
            err.print(f"... {meta['failures'] - 5} more in samples.parquet (column 'error')", markup=False)


@main.command()
@_sweep_options
@click.option("--retry-failed", is_flag=True, help="Rerun the chunks of --out that hold failed samples.")
def sweep(
    experiment: Path,
    samples: int | None,
    replicates: int | None,
    workers: int,
    scheduler: str | None,
    out_dir: Path | None,
    resume: bool,
    retry_failed: bool,
) -> None:
    """Run EXPERIMENT's design; write samples.parquet, manifest.json and charts."""
    from munisim.config.experiment_loader import load_experiment
    from munisim.experiments.sweep import sweep as run_sweep
    from munisim.report.sweep_dir import write_sweep

    with _errors():
        spec = load_experiment(experiment)
        target = out_dir or Path("sweeps") / spec.experiment.name
        update, close = _sweep_progress()
        try:
            result = run_sweep(
                spec,
                samples=samples,
                replicates=replicates,
                workers=workers,
                scheduler=scheduler,
                out=target,
                resume=resume,
                retry_failed=retry_failed,
                progress=update,
            )
        finally:
            close()
        write_sweep(result, target, experiment_file=str(experiment))
        _finish_line(result, target)


@main.command()
@_sweep_options
@click.option(
    "--method",
    type=click.Choice(["sobol", "morris"]),
    default="sobol",
    show_default=True,
    help="sobol: first- and total-order indices (Saltelli design); morris: mu* and sigma.",
)
def sensitivity(
    experiment: Path,
    samples: int | None,
    replicates: int | None,
    workers: int,
    scheduler: str | None,
    out_dir: Path | None,
    resume: bool,
    method: str,
) -> None:
    """Sensitivity indices of EXPERIMENT's outcomes to its factors; writes sensitivity.json and charts."""
    from munisim.analysis.sensitivity import sensitivity as run_sensitivity
    from munisim.config.experiment_loader import load_experiment
    from munisim.report.sweep_dir import write_sweep

    with _errors():
        spec = load_experiment(experiment)
        target = out_dir or Path("sweeps") / f"{spec.experiment.name}-{method}"
        update, close = _sweep_progress()
        try:
            result, indices = run_sensitivity(
                spec,
                method=method,
                samples=samples,
                replicates=replicates,
                workers=workers,
                scheduler=scheduler,
                out=target,
                resume=resume,
                progress=update,
            )
        finally:
            close()
        write_sweep(result, target, experiment_file=str(experiment), indices=indices, method=method)
        table = Table(title=f"{spec.experiment.name}: {method} sensitivity", title_justify="left")
        table.add_column("outcome")
        table.add_column("factor")
        keys = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
        for k in keys:
            table.add_column(k, justify="right")
        for col, per in indices.items():
            if "error" in per:
                table.add_row(col, "—", *["n/a"] * len(keys))
                continue
            for factor, vals in per.items():
                cells = [
                    f"{vals[k]:.3g} ± {vals[k + '_conf']:.2g}" if k + "_conf" in vals else f"{vals[k]:.3g}"
                    for k in keys
                ]
                table.add_row(col, factor, *cells)
        out.print(table)
        _finish_line(result, target)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn a failure to write ``path`` into a one-line bad-input error."""
    try:
        yield
    except OSError as exc:
        _bad_input([f"{exc.filename or path}: cannot write ({exc.strerror or exc})"])


def _signed(x: float, fmt: Callable[[float], str]) -> str:
    if math.isnan(x):
        return "n/a"
    text = fmt(x)
    return text if text.startswith("-") or not x or text.strip("0.%") == "" else "+" + text


def _points(x: float) -> str:
    return f"{x * 100:.1f}"


def _interval(d: dict[str, float], fmt: Callable[[float], str], unit: str = "") -> str:
    return f"{_signed(d['mean'], fmt)}{unit}\n[{_signed(d['low'], fmt)}, {_signed(d['high'], fmt)}]"


def _comparison_table(comparison: Any) -> Table:
    runs = comparison.runs
    table = Table(
        title="Key outcomes per run: median [90% interval] across replicates; then each run minus the first",
        caption=f"differences: mean [{comparison.level:.0%} confidence interval]; shares in percentage "
        "points (pts); events: median date (share of runs with the event)",
        title_justify="left",
        caption_justify="left",
        show_lines=True,
    )
    table.add_column("outcome")
    for i, r in enumerate(runs):
        table.add_column(f"#{i + 1} {Path(r.path).name}", justify="right", overflow="fold")
    for i in range(1, len(runs)):
        table.add_column(f"#{i + 1} − #1", justify="right", overflow="fold")
    for row in comparison.totals:
        share = row["label"] == "share_met"
        fmt = (lambda x: f"{x:.0%}") if share else _fmt
        cells = [f"{fmt(st['p50'])}\n[{fmt(st['p05'])}–{fmt(st['p95'])}]" if st["n"] else "n/a" for st in row["runs"]]
        cells += [_interval(d, _points if share else _fmt, " pts" if share else "") for d in row["differences"][1:]]
        table.add_row(row["title"], *cells)
    for row in comparison.events:
        cells = [f"{st['median'] or 'none'}\n({st['share']:.0%})" for st in row["runs"]]
        for d in row["differences"][1:]:
            days = "" if d["median_days"] is None else f"\nmedian {_signed(d['median_days'], lambda x: f'{x:,.0f}')} d"
            cells.append(_interval(d["share"], _points, " pts") + days)
        table.add_row(row["title"], *cells)
    return table


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the numbers to this JSON file.",
)
def compare(run_dirs: tuple[Path, ...], json_file: Path | None) -> None:
    """Compare RUN_DIRS (written by munisim run): key outcomes side by side, differences from the first.

    Runs sharing the seed, engine and replicate count are compared replicate by
    replicate (paired, common random numbers); others by a Welch interval.
    """
    from munisim.analysis.compare_runs import compare_files
    from munisim.io import write_json

    if len(run_dirs) < 2:
        _bad_input([f"{run_dirs[0]}: compare needs at least two run directories"])
    with _errors():
        comparison = compare_files(run_dirs)
        first = comparison.runs[0]
        out.print(_comparison_table(comparison))
        pairs = cast("list[dict[str, str]]", comparison.pairing[1:])  # None only for the first run
        for i, (r, p) in enumerate(zip(comparison.runs[1:], pairs), start=2):
            out.print(
                f"#{i} − #1 ({Path(r.path).name} − {Path(first.path).name}): {p['method']}: {p['reason']}", markup=False
            )
        if json_file is not None:
            with _writing(json_file):
                write_json(json_file, comparison.to_dict())
            out.print(f"wrote {json_file}", markup=False)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the list as Markdown to this file.",
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the list as JSON to this file.",
)
def sources(scenario: Path, markdown_file: Path | None, json_file: Path | None) -> None:
    """List where SCENARIO's numbers come from: cited figures with their sources, then uncited values."""
    from munisim.report.sources import range_text, scenario_sources, write_sources

    with _errors():
        report = scenario_sources(scenario)
        table = Table(title=f"{report.scenario}: cited figures", title_justify="left", show_lines=True)
        for col in ("figure", "unit; low / central / high; as of", "used at (key path: value)", "sources"):
            table.add_column(col, overflow="fold")
        for fig in report.cited:
            facts = (
                (f"{fig.unit}; {range_text(fig)}" + (f"; {fig.as_of}" if fig.as_of else ""))
                if fig.found
                else "not found in the figures files"
            )
            used = "\n".join(f"{u.path}: {u.text}" for u in fig.uses)
            refs = "\n".join(
                ", ".join(str(s[k]) for k in ("title", "publisher", "date", "url") if s.get(k)) for s in fig.sources
            )
            table.add_row(Text(f"{fig.id}\n{fig.description or ''}"), Text(facts), Text(used), Text(refs))
        out.print(table)
        uncited = Table(title="uncited values (modelling assumptions)", title_justify="left")
        uncited.add_column("key path", overflow="fold")
        uncited.add_column("value", overflow="fold")
        for u in report.uncited:
            uncited.add_row(Text(u.path), Text(u.text))
        out.print(uncited)
        out.print(f"{len(report.cited)} cited figures, {len(report.uncited)} uncited values", markup=False)
        if markdown_file is not None:
            with _writing(markdown_file):
                markdown_file.write_text(report.to_markdown(), encoding="utf-8")
            out.print(f"wrote {markdown_file}", markup=False)
        if json_file is not None:
            with _writing(json_file):
                write_sources(report, json_file)
            out.print(f"wrote {json_file}", markup=False)


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write [default: RUN_DIR/report.html].",
)
def report(run_dir: Path, out_file: Path | None) -> None:
    """Write a self-contained HTML report of RUN_DIR (charts embedded, no network needed)."""
    from munisim.report.html import write_report

    with _errors():
        with _writing(out_file or run_dir):
            written = write_report(run_dir, out=out_file)
        out.print(f"wrote {written}", markup=False)


@main.command()
@click.argument("kind", type=click.Choice(["scenario", "experiment"]))
@click.option("--markdown", is_flag=True, help="Print the Markdown file reference instead (docs/reference/).")
def schema(kind: str, markdown: bool) -> None:
    """Print the JSON Schema of KIND files (for editors' completion and checks; see docs/scenarios.md)."""
    import json

    from munisim.config.schema import SCHEMA_KINDS
    from munisim.config.schema_doc import schema_markdown

    click.echo(schema_markdown(kind) if markdown else json.dumps(SCHEMA_KINDS[kind](), indent=2), nl=not markdown)


@main.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Replace NAME.yaml if it exists.")
def init(name: str, force: bool) -> None:
    """Write NAME.yaml, a commented starter scenario to edit."""
    from munisim.config.starter import starter_scenario, valid_name

    if not valid_name(name):
        _bad_input(
            [
                (
                    f"{name}: not a valid scenario name; expected letters, digits, '_', '-' or '.', "
                    "starting with a letter or digit"
                )
            ]
        )
    path = Path(f"{name}.yaml")
    if path.exists() and not force:
        _bad_input([f"{path}: exists; expected a new name, or --force to replace it"])
    path.write_text(starter_scenario(name), encoding="utf-8")
    out.print(f"wrote {path}; run it with: munisim run {path}", markup=False)


if __name__ == "__main__":  # pragma: no cover
    main()
