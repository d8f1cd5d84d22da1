"""A self-contained HTML report of a run directory: ``report.html``.

The page needs nothing outside itself: charts are PNG images embedded as
base64 ``data:`` URIs, the style sheet is inline, there is no script.  The
only external addresses are the links of the sources list.  Every text taken
from the run (names, descriptions, sources) is HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
from html import escape
from pathlib import Path
from typing import Any

from munisim.errors import MunisimError
from munisim.report.report_charts import (
    crossover_png,
    event_png,
    fire_ratio_png,
    fired_png,
    forces_png,
    production_png,
    side_colors,
    stock_png,
)
from munisim.report.run_reader import RunFiles, read_run
from munisim.report.sources import CitedFigure, SourcesReport, ValueUse, range_text

__all__ = ["REPORT_FILE", "render_report", "write_report"]

REPORT_FILE = "report.html"

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 62rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; } h3 { font-size: 1.15rem; }
h4 { font-size: 1rem; margin-bottom: 0.3rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; vertical-align: top; }
th { background: #f4f4f4; text-align: left; } td.num { text-align: right; white-space: nowrap; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #555; } .note { color: #555; font-size: 0.92rem; }
code { font-size: 0.88rem; } .figure-block { margin-bottom: 1.2rem; }
"""


def _num(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _cell(stats: dict[str, float], fmt: Any = _num) -> str:
    return f'{fmt(stats["p50"])} <span class="note">[{fmt(stats["p05"])} – {fmt(stats["p95"])}]</span>'


def _image(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _event_cell(date: str | None, share: float) -> str:
    when = escape(date) if date else "not in most runs"
    return f'{when} <span class="note">({_pct(share)} of runs)</span>'


def _key_table(run: RunFiles) -> str:
    sides = run.summary["sides"]
    low_days = run.summary.get("low_stock_days", 30)
    head = "".join(f"<th>{escape(run.side_name(s))}</th>" for s in sides)
    rows = []
    for key, label in (
        ("produced", "rounds produced"),
        ("received", "rounds received from abroad"),
        ("fired", "rounds fired"),
        ("demanded", "rounds demanded by the front"),
    ):
        rows.append((label, [_cell(s[key]) for s in sides.values()]))
    rows.append(("share of demand fired", [_cell(s["share_met"], _pct) for s in sides.values()]))
    rows.append(("stock at the end (rounds)", [_cell(s["final_stock"]) for s in sides.values()]))
    rows.append(
        (
            "first stock-out (a front could not fire all it needed)",
            [_event_cell(s.get("first_stockout"), s.get("stockout_share", 0.0)) for s in sides.values()],
        )
    )
    if all("low_stock" in s for s in sides.values()):
        rows.append(
            (
                f"low stock (under {low_days} days of demand)",
                [_event_cell(s.get("low_stock"), s.get("low_stock_share", 0.0)) for s in sides.values()],
            )
        )
    if all("losses" in s for s in sides.values()):
        rows.append(("attrition losses", [_cell(s["losses"]) for s in sides.values()]))
        rows.append(("strength at the end", [_cell(s["final_strength"]) for s in sides.values()]))
    body = "".join(
        f"<tr><th>{escape(label)}</th>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>"
        for label, cells in rows
    )
    return (
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
        '<p class="note">Totals from the first to the last simulated day. Each cell: median '
        "[5th – 95th percentile] across replicates; dates are the median over replicates, counting "
        "replicates where the event never happens as later than any date.</p>"
    )


def _crossover_list(run: RunFiles) -> str:
    items = []
    for pair, c in run.summary.get("crossover", {}).items():
        a, b = pair.split(" over ")
        when = f"median first month {c['month'][:7]}" if c.get("month") else "not in most replicates"
        items.append(
            f"<li>Production of {escape(run.side_name(a))} exceeds that of {escape(run.side_name(b))} in some month in "
            f"{_pct(c['share'])} of replicates; {escape(when)}.</li>"
        )
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _intro(run: RunFiles) -> str:
    s, m = run.summary, run.manifest
    return (
        "<p>This report shows one run of <strong>munisim</strong>, a simulation of the artillery-ammunition race "
        "of the Russia–Ukraine war: factories making shells, stockpiles, foreign deliveries, the rounds each front "
        f"asks for and the rounds actually fired, day by day from {escape(s['start'])} to {escape(s['end'])}. "
        f"Many inputs are uncertain, so the scenario was simulated {int(s['replicates']):,} times (replicates), "
        "each drawing its uncertain inputs afresh; the results are therefore ranges, not single numbers. "
        "Tables give the median and the 90% interval (5th to 95th percentile) across replicates; charts show "
        "the median as a line and the 90% interval as a shaded band. Probabilities are the share of replicates "
        "in which something has happened by a date, with a 95% confidence band for the number of replicates run. "
        f"The simulation used the {escape(str(m.get('engine')))} engine with seed {escape(str(m.get('seed')))}: "
        "the same inputs and seed give the same numbers.</p>"
    )


def _assumptions(run: RunFiles) -> str:
    m = run.manifest
    desc = run.scenario_data().get("description")
    rows = [
        ("scenario", run.summary.get("scenario")),
        ("scenario file", m.get("scenario_file")),
        ("scenario hash (SHA-256)", m.get("scenario_sha256")),
        ("values changed on the command line", ", ".join(m.get("overrides") or []) or "none"),
        ("engine", m.get("engine")),
        ("seed", m.get("seed")),
        ("replicates", f"{int(m.get('replicates', 0)):,}"),
        (
            "replicates with daily series (charts of daily values)",
            f"{int(m.get('series_replicates', m.get('replicates', 0))):,}",
        ),
        ("days simulated", m.get("days")),
        ("run created", m.get("created")),
        ("versions", ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items())),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v is not None)
    low_days = run.summary.get("low_stock_days", 30)
    text = f"<p>{escape(str(desc).strip())}</p>" if desc else ""
    return (
        f"{text}<table>{table}</table>"
        '<p class="note">Definitions. <em>Stock</em>: rounds held by the side at the end of a day (components '
        "such as charges excluded). <em>Demanded</em>: rounds the side's fronts call for; <em>fired</em>: rounds "
        "they actually fire, fewer when stocks run short or are rationed. <em>First stock-out</em>: the first day "
        "a front could not fire all it called for. <em>Low stock</em>: the first day the stock covers fewer than "
        f"{escape(str(low_days))} days of expected demand, the mean daily demand of the last 30 days. "
        "<em>Crossover</em>: the first calendar month in which one side produces more than the other.</p>"
    )


def _source_item(source: dict[str, str | None]) -> str:
    title = escape(source.get("title") or "untitled")
    url = source.get("url") or ""
    head = f'<a href="{escape(url, quote=True)}">{title}</a>' if url.startswith(("https://", "http://")) else title
    rest = [escape(str(source[k])) for k in ("publisher", "date") if source.get(k)]
    if url and not url.startswith(("https://", "http://")):
        rest.append(escape(url))
    return f"<li>{', '.join([head, *rest])}</li>"


def _uses(uses: list[ValueUse]) -> str:
    return "".join(f"<li><code>{escape(u.path)}</code>: {escape(u.text)}</li>" for u in uses)


def _figure_block(fig: CitedFigure) -> str:
    title = f"<h4><code>{escape(fig.id)}</code>{': ' + escape(fig.description) if fig.description else ''}</h4>"
    if not fig.found:
        facts = '<p class="note">Not found in the figures files available when the run was written.</p>'
    else:
        facts = (
            f"<p>Unit: {escape(fig.unit or '')}; low / central / high: {escape(range_text(fig))}"
            + (f"; as of {escape(fig.as_of)}" if fig.as_of else "")
            + ".</p>"
        )
        if fig.reliability:
            facts += f'<p class="note">Reliability: {escape(fig.reliability)}</p>'
    sources = f"<p>Sources:</p><ul>{''.join(_source_item(s) for s in fig.sources)}</ul>" if fig.sources else ""
    return f'<div class="figure-block">{title}{facts}<p>Used at:</p><ul>{_uses(fig.uses)}</ul>{sources}</div>'


def _sources_section(report: SourcesReport | None) -> str:
    if report is None:
        return (
            '<p class="note">This run directory holds no record of the cited figures (it was written by an '
            "older munisim) and its figures files cannot be found; run its scenario again to include them.</p>"
        )
    intro = (
        "<p>Every number in the scenario taken from a public figure cites it; below, each cited figure with "
        "its range, where the scenario uses it and with which value or distribution, and its public sources. "
        "The values after it cite nothing: they are modelling assumptions.</p>"
    )
    cited = "".join(_figure_block(f) for f in report.cited) or "<p>No value cites a figure.</p>"
    uncited = "".join(
        f"<tr><td><code>{escape(u.path)}</code></td><td>{escape(u.text)}</td></tr>" for u in report.uncited
    )
    table = (
        f"<table><thead><tr><th>key path</th><th>value</th></tr></thead><tbody>{uncited}</tbody></table>"
        if uncited
        else "<p>Every value cites a figure.</p>"
    )
    return f"{intro}<h3>Cited figures</h3>{cited}<h3>Uncited values (modelling assumptions)</h3>{table}"


def _run_sources(run: RunFiles) -> SourcesReport | None:
    """The run's recorded sources, else those of its resolved scenario if its figures files are still there."""
    recorded = run.sources()
    if recorded is not None:
        return recorded
    from munisim.report.sources import scenario_sources

    try:
        return scenario_sources(run.path / "scenario.resolved.yaml")
    except MunisimError:
        return None


def render_report(run: RunFiles) -> str:
    """The HTML page of a run (see :func:`write_report`)."""
    colors = side_colors(run)
    daily = run.timeseries()
    monthly = run.monthly()
    names = " and ".join(run.side_name(s) for s in run.sides)
    title = f"{run.summary['scenario']}: artillery ammunition, {run.summary['start']} to {run.summary['end']}"
    parts = [f"<h1>{escape(title)}</h1>", _intro(run), "<h2>Key results</h2>", _key_table(run), _crossover_list(run)]
    parts += [
        "<h2>Production</h2>",
        _image(
            production_png(run, monthly, colors),
            "monthly production by side",
            f"Rounds produced per calendar month by {names} (median and 90% interval); dashed lines mark "
            "the median month in which one side first out-produces the other. The first and last months "
            "may be partial.",
        ),
        _image(
            crossover_png(run, colors),
            "probability of the production crossover by month",
            "Share of replicates in which each side has out-produced the other in at least one month, by "
            "month; replicates where it never happens count in the denominator.",
        ),
    ]
    parts += [
        "<h2>Stocks</h2>",
        _image(stock_png(run, daily, colors), "stock by side", "Rounds held at the end of each day."),
    ]
    parts += [
        "<h2>Fire: demanded and fired</h2>",
        _image(
            fired_png(run, monthly, colors),
            "rounds fired against demanded",
            "Rounds the fronts asked for (median, dotted) and the rounds they fired, per month.",
        ),
        _image(
            fire_ratio_png(run, monthly, colors),
            "fire ratio by month",
            "Fired divided by demanded, per month: below 100% the guns were short of shells or rationed.",
        ),
    ]
    if "strength" in set(daily["variable"]):
        parts += [
            "<h2>Forces and losses</h2>",
            _image(
                forces_png(run, daily, monthly, colors),
                "strength and losses by side",
                "Front-line strength at the end of each day and attrition losses per month, in the "
                "scenario's force units.",
            ),
        ]
    low_days = run.summary.get("low_stock_days", 30)
    parts += [
        "<h2>Running short</h2>",
        _image(
            event_png(run, "first_stockout", "First stock-out: probability it has happened by each date", colors),
            "probability of a first stock-out by date",
            "Share of replicates in which a front of the side has had a day it could not fire all it "
            "called for, by date.",
        ),
        _image(
            event_png(
                run,
                "low_stock",
                f"Low stock (under {low_days} days of demand): probability it has happened by each date",
                colors,
            ),
            "probability of low stock by date",
            f"Share of replicates in which the side's stock has fallen below {low_days} days of its "
            "expected demand, by date.",
        ),
    ]
    parts += [
        "<h2>Assumptions</h2>",
        _assumptions(run),
        '<h2>Sources</h2><section id="sources">',
        _sources_section(_run_sources(run)),
        "</section>",
    ]
    made = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    footer = f'<p class="note">Report written {escape(made)} from the run directory\'s files.</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(parts) + f"\n{footer}\n</body></html>\n"
    )


def write_report(run_dir: str | Path, *, out: str | Path | None = None) -> Path:
    """Write the HTML report of a run directory; returns its path.

    Parameters
    ----------
    run_dir : str or Path
        A directory written by :func:`munisim.write_run` (it must hold
        ``outcomes.parquet`` and ``monthly.parquet``).
    out : str or Path, optional
        The file to write (default ``run_dir / "report.html"``).

    Raises
    ------
    RunDirError
        When ``run_dir`` is not a run directory or lacks a file the report needs.
    """
    run = read_run(run_dir)
    target = Path(out) if out is not None else run.path / REPORT_FILE
    page = render_report(run)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target
