"""Charts of a sweep: each outcome against each factor, Sobol' indices, a probability map over two factors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["outcome_scatter", "indices_chart", "probability_map"]


def outcome_scatter(samples: Any, outcomes: Any, path: Path, title: str) -> None:
    """A grid: rows are outcomes, columns factors; one point per sample."""
    cols = [c for c in outcomes.columns if c != "error"]
    names = list(samples.columns)
    ok = outcomes["error"] == ""
    fig, axes = plt.subplots(len(cols), len(names), figsize=(3.2 * len(names), 2.6 * len(cols)), squeeze=False)
    for i, c in enumerate(cols):
        for j, n in enumerate(names):
            ax = axes[i, j]
            ax.scatter(samples.loc[ok, n], outcomes.loc[ok, c], s=6, alpha=0.5, color="#2e86c1", label="sample")
            if (~ok).any():
                ax.scatter(samples.loc[~ok, n], np.zeros((~ok).sum()), s=8, marker="x", color="#c0392b", label="failed")
            if i == len(cols) - 1:
                ax.set_xlabel(n)
            if j == 0:
                ax.set_ylabel(c, fontsize="small")
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize="x-small")
    fig.suptitle(f"{title}: outcomes against factors (one point per sample)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def indices_chart(indices: dict[str, dict[str, dict[str, float]]], method: str, path: Path, title: str) -> None:
    """Bar chart of Sobol' S1/ST (or Morris mu*) per factor and outcome, with confidence intervals."""
    usable = {k: v for k, v in indices.items() if "error" not in v}
    if not usable:
        return
    fig, axes = plt.subplots(len(usable), 1, figsize=(8, 2.8 * len(usable)), squeeze=False)
    for ax, (col, per) in zip(axes[:, 0], usable.items()):
        names = list(per)
        x = np.arange(len(names))
        if method == "sobol":
            for off, key, color in ((-0.2, "S1", "#2e86c1"), (0.2, "ST", "#c0392b")):
                ax.bar(
                    x + off,
                    [per[n][key] for n in names],
                    0.4,
                    yerr=[per[n][key + "_conf"] for n in names],
                    color=color,
                    capsize=3,
                    label={"S1": "first order S1", "ST": "total order ST"}[key],
                )
            ax.set_ylabel("Sobol' index")
        else:
            ax.bar(
                x,
                [per[n]["mu_star"] for n in names],
                0.6,
                yerr=[per[n]["mu_star_conf"] for n in names],
                color="#2e86c1",
                capsize=3,
                label="mu* (95% interval)",
            )
            ax.set_ylabel("Morris mu*")
        ax.set_xticks(x, names)
        ax.set_title(col, fontsize="small")
        ax.legend(fontsize="x-small")
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{title}: {'Sobol' if method == 'sobol' else 'Morris'} sensitivity (bars: 95% intervals)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def probability_map(
    samples: Any, outcomes: Any, column: str, x: str, y: str, path: Path, title: str, bins: int = 8
) -> None:
    """Mean of ``column`` (e.g. a probability) in a grid over factors ``x`` and ``y``."""
    ok = outcomes["error"] == ""
    xs, ys, zs = samples.loc[ok, x].to_numpy(), samples.loc[ok, y].to_numpy(), outcomes.loc[ok, column].to_numpy()
    if len(xs) == 0:
        return
    xe = np.linspace(xs.min(), xs.max(), bins + 1)
    ye = np.linspace(ys.min(), ys.max(), bins + 1)
    total, _, _ = np.histogram2d(xs, ys, [xe, ye], weights=zs)
    count, _, _ = np.histogram2d(xs, ys, [xe, ye])
    grid = np.divide(total, count, out=np.full_like(total, np.nan), where=count > 0)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    mesh = ax.pcolormesh(xe, ye, grid.T, cmap="viridis", shading="flat")
    fig.colorbar(mesh, ax=ax, label=column)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{title}: {column}\nby {x} and {y} (mean over samples in each cell)", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
