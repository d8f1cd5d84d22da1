"""PNG charts of a run: stocks, monthly production with the crossover, fired against demanded,
and (with forces) front-line strength and daily losses.

Every chart has a title, units on the value axis, dated x-axis and a legend.
matplotlib runs with the non-interactive Agg backend.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter
from numpy.typing import ArrayLike

from munisim.results import RunResult, censored_median

__all__ = [
    "CHART_FILES",
    "FORCE_CHART_FILES",
    "PALETTE",
    "finish_axes",
    "png_bytes",
    "quantile_band",
    "rounds_formatter",
    "write_charts",
]

CHART_FILES = ("stock.png", "production.png", "fired_vs_demanded.png")
#: Written in addition when the scenario has forces.
FORCE_CHART_FILES = ("strength.png",)

_PALETTE = ["#c0392b", "#2e86c1", "#27ae60", "#8e44ad", "#d68910", "#566573"]
#: Colours given to sides without their own ``color``, in side order.
PALETTE = tuple(_PALETTE)


def _rounds(x: float, _pos: int) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:.1f}M"
    if abs(x) >= 1e3:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"


def _count(x: float, _pos: int) -> str:
    """Axis labels for counts in the thousands (losses per day): 1,200 rather than 1k."""
    return _rounds(x, _pos) if abs(x) >= 1e5 else f"{x:,.0f}"


def _trailing_mean(x: np.ndarray, days: int) -> np.ndarray:
    """Mean over the last ``days`` days (fewer at the start), along the last axis."""
    c = np.cumsum(x, axis=-1, dtype=float)
    out = c.copy()
    out[..., days:] -= c[..., :-days]
    return out / np.minimum(np.arange(1, x.shape[-1] + 1), days)


def _colors(result: RunResult) -> dict[str, str]:
    out = {}
    for i, side in enumerate(result.sides):
        out[side] = result.scenario.sides[side].color or _PALETTE[i % len(_PALETTE)]
    return out


def _finish(ax: plt.Axes, title: str, ylabel: str, result: RunResult) -> None:
    finish_axes(ax, title, ylabel)


#: Value-axis formatter for rounds: 1.2M, 350k, 900.
rounds_formatter = FuncFormatter(_rounds)


def finish_axes(ax: plt.Axes, title: str, ylabel: str, *, formatter: Formatter | None = None) -> None:
    """Title, value-axis label (with its unit), dated x-axis, grid and legend of a chart over dates.

    ``formatter`` formats the value axis (default: rounds, as 1.2M / 350k).
    """
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(formatter or FuncFormatter(_rounds))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    ax.set_xlabel("date")


def quantile_band(
    ax: plt.Axes,
    x: ArrayLike,
    low: ArrayLike,
    mid: ArrayLike,
    high: ArrayLike,
    color: str,
    label: str,
    *,
    step: bool = False,
    interval: str = "90% interval",
) -> None:
    """A median line with a shaded interval, from precomputed quantiles (each of ``x``'s length).

    ``step`` draws monthly values as steps starting at each month.
    """
    ax.fill_between(x, low, high, color=color, alpha=0.2, label=f"{label} ({interval})", step="post" if step else None)
    ax.plot(x, mid, color=color, lw=1.6, label=f"{label} (median)", drawstyle="steps-post" if step else "default")


def png_bytes(fig: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (a pyplot figure is closed)."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def _band(ax: plt.Axes, x: ArrayLike, data: np.ndarray, color: str, label: str, *, step: bool = False) -> None:
    q05, q50, q95 = np.quantile(data.astype(float), [0.05, 0.5, 0.95], axis=0)
    if data.shape[0] > 1:
        ax.fill_between(
            x, q05, q95, color=color, alpha=0.2, label=f"{label} (90% interval)", step="post" if step else None
        )
    ax.plot(x, q50, color=color, lw=1.6, label=f"{label} (median)", drawstyle="steps-post" if step else "default")


def stock_chart(result: RunResult, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(10, 5))
    colors = _colors(result)
    for side in result.sides:
        _band(ax, result.dates, result.series("stock", side=side), colors[side], result.scenario.side_name(side))
    _finish(ax, f"{result.scenario.name}: end-of-day stock by side", "stock (rounds)", result)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def production_chart(result: RunResult, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(10, 5))
    colors = _colors(result)
    months = None
    for side in result.sides:
        months, data = result.monthly("produced", side=side)
        _band(ax, months, data, colors[side], result.scenario.side_name(side), step=True)
    for a in result.sides:
        for b in result.sides:
            if a == b:
                continue
            mo, idx = result.crossover_month(a, b)
            med = censored_median(idx)
            if med is not None and med > 0:
                ax.axvline(
                    mo[med],  # type: ignore[arg-type]  # dates are converted by matplotlib's units
                    color=colors[a],
                    ls="--",
                    lw=1,
                    label=f"{result.scenario.side_name(a)} overtakes {result.scenario.side_name(b)} "
                    f"(median, {mo[med]:%b %Y})",
                )
    _finish(ax, f"{result.scenario.name}: monthly production by side", "production (rounds per month)", result)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fired_chart(result: RunResult, path: Path) -> None:
    n = len(result.sides)
    fig, axes = plt.subplots(n, 1, figsize=(10, 3.2 * n), sharex=True, squeeze=False)
    colors = _colors(result)
    for ax, side in zip(axes[:, 0], result.sides):
        months, fired = result.monthly("fired", side=side)
        _, demanded = result.monthly("demanded", side=side)
        name = result.scenario.side_name(side)
        ax.plot(
            months,
            np.median(demanded, axis=0),
            color="black",
            lw=1.2,
            ls=":",
            label=f"{name} demanded (median)",
            drawstyle="steps-post",
        )
        _band(ax, months, fired, colors[side], f"{name} fired", step=True)
        _finish(ax, f"{name}: rounds fired against demanded, by month", "rounds per month", result)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def strength_chart(result: RunResult, path: Path) -> None:
    """Strength by side (top) and daily losses by side, as trailing 30-day means (bottom), with 90% bands."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    colors = _colors(result)
    for side in result.sides:
        if not any(f.side == side for f in result.scenario.forces.values()):
            continue
        name = result.scenario.side_name(side)
        _band(top, result.dates, result.series("strength", side=side), colors[side], name)
        losses = result.series("losses", side=side)
        _band(bottom, result.dates, _trailing_mean(losses, 30), colors[side], name)
    _finish(top, f"{result.scenario.name}: front-line strength by side", "strength (end of day)", result)
    _finish(bottom, "attrition losses per day (mean of the last 30 days)", "losses per day", result)
    bottom.yaxis.set_major_formatter(FuncFormatter(_count))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_charts(result: RunResult, directory: Path) -> list[Path]:
    """Write every chart of ``CHART_FILES`` (and ``FORCE_CHART_FILES`` with forces) into ``directory``.

    Returns the paths written.
    """
    paths = [directory / name for name in CHART_FILES]
    stock_chart(result, paths[0])
    production_chart(result, paths[1])
    fired_chart(result, paths[2])
    if result.scenario.forces:
        paths.append(directory / FORCE_CHART_FILES[0])
        strength_chart(result, paths[-1])
    return paths
