"""The charts of an HTML report, drawn from a run directory's files (not from a live result).

Each function returns PNG bytes.  Every chart has a title, units on the
value axis, a dated x-axis and a legend; bands are 90% intervals across
replicates (5th to 95th percentile) around the median, and probability
curves carry a 95% pointwise confidence band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from munisim.analysis.events import event_probability
from munisim.report.charts import PALETTE, finish_axes, png_bytes, quantile_band
from munisim.report.run_reader import RunFiles

__all__ = [
    "crossover_png",
    "event_png",
    "fire_ratio_png",
    "fired_png",
    "forces_png",
    "production_png",
    "side_colors",
    "stock_png",
]

_PERCENT = PercentFormatter(1.0, decimals=0)


def side_colors(run: RunFiles) -> dict[str, str]:
    """Each side's chart colour: its ``color`` in the resolved scenario, else the palette in side order."""
    sides = run.scenario_data().get("sides") or {}
    out = {}
    for i, side in enumerate(run.sides):
        given = sides.get(side, {}).get("color") if isinstance(sides.get(side), dict) else None
        out[side] = given or PALETTE[i % len(PALETTE)]
    return out


def _rows(frame: pd.DataFrame, side: str, variable: str, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """A side's rows of one variable; with ``end``, monthly rows get a closing copy of the last month at
    ``end`` so that steps drawn from each month start reach the end of the horizon."""
    rows = frame[(frame["side"] == side) & (frame["variable"] == variable)]
    if end is not None and "month" in rows and not rows.empty:
        last = rows.iloc[[-1]].assign(month=end)
        rows = pd.concat([rows, last], ignore_index=True)
    return rows


def _bands(
    ax: Axes,
    frame: pd.DataFrame,
    x: str,
    variable: str,
    run: RunFiles,
    colors: dict[str, str],
    *,
    step: bool = False,
    suffix: str = "",
) -> None:
    for side in run.sides:
        rows = _rows(frame, side, variable, run.end + pd.Timedelta(days=1) if step else None)
        if rows.empty:
            continue
        quantile_band(
            ax,
            rows[x],
            rows["p05"],
            rows["p50"],
            rows["p95"],
            colors[side],
            f"{run.side_name(side)}{suffix}",
            step=step,
        )


def stock_png(run: RunFiles, daily: pd.DataFrame, colors: dict[str, str]) -> bytes:
    """End-of-day stock per side, daily."""
    fig = Figure(figsize=(10, 4.5))
    ax = fig.subplots()
    _bands(ax, daily, "date", "stock", run, colors)
    finish_axes(ax, "End-of-day stock of rounds, by side", "stock (rounds)")
    return png_bytes(fig)


def production_png(run: RunFiles, monthly: pd.DataFrame, colors: dict[str, str]) -> bytes:
    """Monthly production per side, with the median crossover months as dashed lines."""
    fig = Figure(figsize=(10, 4.5))
    ax = fig.subplots()
    _bands(ax, monthly, "month", "produced", run, colors, step=True)
    for pair, c in run.summary.get("crossover", {}).items():
        a, b = pair.split(" over ")
        if c.get("month") and pd.Timestamp(c["month"]) > run.start:
            ax.axvline(
                pd.Timestamp(c["month"]),  # type: ignore[arg-type]  # dates are converted by matplotlib's units
                color=colors.get(a, "black"),
                ls="--",
                lw=1,
                label=f"{run.side_name(a)} overtakes {run.side_name(b)} (median, {c['month'][:7]})",
            )
    finish_axes(ax, "Rounds produced per month, by side", "production (rounds per month)")
    return png_bytes(fig)


def _probability(
    ax: Axes, dates: pd.DatetimeIndex, index: np.ndarray, color: str, label: str, end: pd.Timestamp
) -> None:
    curve = event_probability(index, len(dates))
    # Close the last step at the end of the horizon.
    curve = pd.concat([curve, curve.iloc[[-1]]], ignore_index=True)
    closed = dates.append(pd.DatetimeIndex([end]))
    ax.fill_between(
        closed,
        curve["low"],
        curve["high"],
        step="post",
        color=color,
        alpha=0.15,
        label=f"{label} (95% confidence band)",
    )
    ax.plot(closed, curve["probability"], drawstyle="steps-post", color=color, lw=1.8, label=label)


def _probability_axes(ax: Axes, title: str) -> None:
    ax.set_ylim(-0.02, 1.02)
    finish_axes(ax, title, "probability (share of replicates)", formatter=_PERCENT)


def crossover_png(run: RunFiles, colors: dict[str, str]) -> bytes:
    """Probability that each side has out-produced the other in some month, by month."""
    fig = Figure(figsize=(10, 4))
    ax = fig.subplots()
    for a in run.sides:
        for b in run.sides:
            col = f"crossover.{a} over {b}"
            if a != b and col in run.outcomes:
                _probability(
                    ax,
                    run.months,
                    run.outcomes[col].to_numpy(),
                    colors[a],
                    f"{run.side_name(a)} has out-produced {run.side_name(b)}",
                    run.end + pd.Timedelta(days=1),
                )
    _probability_axes(ax, "Production crossover: probability it has happened by each month")
    return png_bytes(fig)


def event_png(run: RunFiles, event: str, title: str, colors: dict[str, str]) -> bytes:
    """Probability that each side's ``event`` (``first_stockout`` or ``low_stock``) has happened, by day."""
    fig = Figure(figsize=(10, 4))
    ax = fig.subplots()
    for side in run.sides:
        col = f"{side}.{event}"
        if col in run.outcomes:
            _probability(
                ax,
                run.days,
                run.outcomes[col].to_numpy(),
                colors[side],
                run.side_name(side),
                run.end + pd.Timedelta(days=1),
            )
    _probability_axes(ax, title)
    return png_bytes(fig)


def fired_png(run: RunFiles, monthly: pd.DataFrame, colors: dict[str, str]) -> bytes:
    """Per side, rounds fired per month (band) against rounds demanded (median)."""
    n = len(run.sides)
    fig = Figure(figsize=(10, 3.2 * n))
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)
    end = run.end + pd.Timedelta(days=1)
    for ax, side in zip(axes[:, 0], run.sides):
        name = run.side_name(side)
        demanded = _rows(monthly, side, "demanded", end)
        ax.plot(
            demanded["month"],
            demanded["p50"],
            color="black",
            lw=1.2,
            ls=":",
            drawstyle="steps-post",
            label=f"{name} demanded (median)",
        )
        fired = _rows(monthly, side, "fired", end)
        quantile_band(
            ax, fired["month"], fired["p05"], fired["p50"], fired["p95"], colors[side], f"{name} fired", step=True
        )
        finish_axes(ax, f"{name}: rounds fired against rounds demanded, by month", "rounds per month")
        ax.tick_params(labelbottom=True)
    return png_bytes(fig)


def fire_ratio_png(run: RunFiles, monthly: pd.DataFrame, colors: dict[str, str]) -> bytes:
    """Share of demand fired (fired / demanded) per month and side; 100% means every call for fire was met."""
    fig = Figure(figsize=(10, 4))
    ax = fig.subplots()
    _bands(ax, monthly, "month", "fire_ratio", run, colors, step=True)
    ax.axhline(1.0, color="black", lw=0.8, ls=":", label="all demand fired (100%)")
    finish_axes(ax, "Fire ratio: rounds fired / rounds demanded, by month", "fired / demanded (%)", formatter=_PERCENT)
    return png_bytes(fig)


def forces_png(run: RunFiles, daily: pd.DataFrame, monthly: pd.DataFrame, colors: dict[str, str]) -> bytes:
    """Front-line strength per side (daily) and attrition losses per month."""
    fig = Figure(figsize=(10, 7))
    top, bottom = fig.subplots(2, 1, sharex=True)
    _bands(top, daily, "date", "strength", run, colors)
    finish_axes(top, "Front-line strength, by side (end of day)", "strength (forces' unit)")
    top.tick_params(labelbottom=True)
    _bands(bottom, monthly, "month", "losses", run, colors, step=True)
    finish_axes(
        bottom,
        "Attrition losses per month, by side",
        "losses per month (forces' unit)",
        formatter=FuncFormatter(lambda x, _p: f"{x:,.0f}"),
    )
    return png_bytes(fig)
