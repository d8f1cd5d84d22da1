"""Compare run directories: key outcomes side by side, and each run's difference from the first.

Two runs with the same seed, engine and replicate count use the same random
numbers replicate by replicate (common random numbers, docs/model.md), so
their difference is estimated per replicate: the mean paired difference with
a t interval, far narrower than either run's spread.  Otherwise the runs are
independent samples and the difference of means gets a Welch interval.
Event outcomes (first stock-out, low stock, crossover) compare the share of
replicates in which the event happens (the same paired or Welch
machinery on 0/1 indicators) and the censored median dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from munisim.analysis.compare import paired_stats, welch_stats
from munisim.analysis.events import event_summary
from munisim.errors import MunisimError
from munisim.report.run_reader import RunFiles, read_run

__all__ = [
    "KEY_EVENTS",
    "KEY_TOTALS",
    "Comparison",
    "IncomparableRunsError",
    "RunInfo",
    "compare_files",
    "compare_runs",
]

#: Per-side totals compared, in this order (those present in every run).
KEY_TOTALS = ("produced", "received", "fired", "demanded", "share_met", "final_stock", "losses", "final_strength")
#: Per-side event outcomes compared; crossovers follow them.
KEY_EVENTS = ("first_stockout", "low_stock")
#: How outcomes are named in tables.
_TITLES = {
    "share_met": "share of demand fired",
    "final_stock": "final stock",
    "final_strength": "final strength",
    "first_stockout": "first stock-out",
    "low_stock": "low stock",
}
#: Coverage of the per-run interval (5th to 95th percentile across replicates).
RUN_INTERVAL = 0.90


class IncomparableRunsError(MunisimError):
    """The runs cannot be compared (e.g. their scenarios have different sides)."""


@dataclass(frozen=True)
class RunInfo:
    """What identifies a run in a comparison."""

    path: str
    scenario: str
    start: str
    end: str
    engine: str
    seed: int
    replicates: int


@dataclass(frozen=True)
class Comparison:
    """Key outcomes of several runs and each run's difference from the first.

    Attributes
    ----------
    runs : list of RunInfo
    side_names : dict
        Display name of each side id (from the first run).
    level : float
        Coverage of the difference intervals (e.g. 0.95).
    pairing : list of dict or None
        One per run: ``None`` for the first; then ``{"method": "paired" |
        "unpaired", "reason": str}``.
    totals : list of dict
        Per outcome: ``outcome`` (e.g. ``"red.produced"``), ``side``,
        ``label`` (the variable, e.g. ``"produced"``), ``title`` (for
        tables, e.g. ``"Red: produced"``), ``runs`` (per run ``mean, p05, p50, p95, n`` across
        replicates) and ``differences`` (``None`` for the first run; then
        ``method, mean, low, high, n`` of run minus first run: for
        ``paired`` the mean per-replicate difference, ``n`` pairs; for
        ``unpaired`` the difference of means, Welch interval, ``n`` the two
        sizes).  Units are those of the outcome (rounds, share, strength).
    events : list of dict
        Per event outcome: ``outcome``, ``side`` (``None`` for crossovers),
        ``label``, ``title``, ``runs`` (per run ``share`` of replicates with the
        event, ``events``, ``n`` and ``median``: the censored median date,
        ISO, or ``None``) and ``differences`` (``method``, ``share``:
        ``mean, low, high`` of the difference in share, and
        ``median_days``: difference of the median dates in days, ``None``
        when either is ``None``).
    """

    runs: list[RunInfo]
    side_names: dict[str, str]
    level: float
    pairing: list[dict[str, str] | None]
    totals: list[dict[str, Any]]
    events: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as written by ``munisim compare --json``."""
        return {
            "level": self.level,
            "run_interval": RUN_INTERVAL,
            "runs": [asdict(r) for r in self.runs],
            "side_names": self.side_names,
            "pairing": self.pairing,
            "totals": self.totals,
            "events": self.events,
        }


def _info(run: RunFiles) -> RunInfo:
    m = run.manifest
    return RunInfo(
        str(run.path),
        str(run.summary.get("scenario", m.get("scenario"))),
        str(run.summary["start"]),
        str(run.summary["end"]),
        str(m.get("engine")),
        int(m.get("seed", -1)),
        int(m.get("replicates", len(run.outcomes))),
    )


def _pairing(first: RunFiles, other: RunFiles) -> dict[str, str]:
    a, b = _info(first), _info(other)
    differ = [
        f"{what} ({x} vs {y})"
        for what, x, y in (
            ("seed", a.seed, b.seed),
            ("engine", a.engine, b.engine),
            ("replicates", a.replicates, b.replicates),
        )
        if x != y
    ]
    if a.replicates == b.replicates and len(first.outcomes) != len(other.outcomes):
        differ.append(f"outcome rows ({len(first.outcomes)} vs {len(other.outcomes)})")
    if differ:
        return {"method": "unpaired", "reason": "different " + ", ".join(differ) + ": Welch interval"}
    return {
        "method": "paired",
        "reason": f"same seed ({a.seed}), engine ({a.engine}) and replicates "
        f"({a.replicates:,}): per-replicate differences (common random numbers)",
    }


def _difference(x: np.ndarray, y: np.ndarray, method: str, level: float) -> dict[str, Any]:
    st = paired_stats(x, y, level=level) if method == "paired" else welch_stats(x, y, level=level)
    return {"method": method, "mean": st["mean"], "low": st["low"], "high": st["high"], "n": st["n"]}


def _spread(x: np.ndarray) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        nan = float("nan")
        return {"mean": nan, "p05": nan, "p50": nan, "p95": nan, "n": 0}
    lo, mid, hi = np.quantile(x, [(1 - RUN_INTERVAL) / 2, 0.5, (1 + RUN_INTERVAL) / 2])
    return {"mean": float(x.mean()), "p05": float(lo), "p50": float(mid), "p95": float(hi), "n": int(x.size)}


def _event_columns(runs: Sequence[RunFiles]) -> list[tuple[str, str | None, str]]:
    first = runs[0]
    cols: list[tuple[str, str | None, str]] = []
    for side in first.sides:
        cols += [(f"{side}.{e}", side, e) for e in KEY_EVENTS]
    for a in first.sides:
        for b in first.sides:
            if a != b:
                cols.append(
                    (f"crossover.{a} over {b}", None, f"production of {first.side_name(a)} above {first.side_name(b)}")
                )
    return [c for c in cols if all(c[0] in r.outcomes.columns for r in runs)]


def compare_runs(runs: Sequence[RunFiles], *, level: float = 0.95) -> Comparison:
    """Compare runs read with :func:`munisim.report.run_reader.read_run`; the first is the reference.

    Raises
    ------
    IncomparableRunsError
        Fewer than two runs, or runs whose scenarios have different sides.
    """
    if len(runs) < 2:
        raise IncomparableRunsError("compare needs at least two run directories")
    first = runs[0]
    for run in runs[1:]:
        if set(run.sides) != set(first.sides):
            raise IncomparableRunsError(
                f"{run.path}: sides {', '.join(run.sides)} differ from those of {first.path} "
                f"({', '.join(first.sides)}); compare runs of scenarios with the same sides"
            )
    others = [_pairing(first, r) for r in runs[1:]]  # how each run after the first compares with it
    pairing: list[dict[str, str] | None] = [None, *others]
    totals = []
    for side in first.sides:
        for var in KEY_TOTALS:
            col = f"{side}.{var}"
            if not all(col in r.outcomes.columns for r in runs):
                continue
            values = [r.outcomes[col].to_numpy(dtype=float) for r in runs]
            totals.append(
                {
                    "outcome": col,
                    "side": side,
                    "label": var,
                    "title": f"{first.side_name(side)}: {_TITLES.get(var, var)}",
                    "runs": [_spread(v) for v in values],
                    "differences": [
                        None,
                        *(_difference(values[0], v, p["method"], level) for v, p in zip(values[1:], others)),
                    ],
                }
            )
    events = []
    for col, ev_side, label in _event_columns(runs):
        idx = [r.outcomes[col].to_numpy() for r in runs]
        per_run = []
        for run, x in zip(runs, idx):
            s = event_summary(x)
            date = run.event_date(col, s["median"])
            per_run.append(
                {
                    "share": s["share"],
                    "events": s["events"],
                    "n": s["n"],
                    "median": None if date is None else date.date().isoformat(),
                }
            )
        diffs: list[dict[str, Any] | None] = [None]
        for x, p, r in zip(idx[1:], others, per_run[1:]):
            share = _difference((idx[0] >= 0).astype(float), (x >= 0).astype(float), p["method"], level)
            a: str | None = per_run[0]["median"]  # ISO dates
            b: str | None = r["median"]
            days = None if a is None or b is None else int((np.datetime64(b) - np.datetime64(a)).astype(int))
            diffs.append(
                {
                    "method": share["method"],
                    "share": {k: share[k] for k in ("mean", "low", "high")},
                    "median_days": days,
                }
            )
        title = label if ev_side is None else f"{first.side_name(ev_side)}: {_TITLES.get(label, label)}"
        events.append(
            {"outcome": col, "side": ev_side, "label": label, "title": title, "runs": per_run, "differences": diffs}
        )
    names = {side: first.side_name(side) for side in first.sides}
    return Comparison([_info(r) for r in runs], names, level, pairing, totals, events)


def compare_files(paths: Sequence[str | Path], *, level: float = 0.95) -> Comparison:
    """Read run directories and compare them (see :func:`compare_runs`).

    Raises
    ------
    RunDirError
        A path is not a run directory or lacks ``outcomes.parquet``.
    IncomparableRunsError
    """
    return compare_runs([read_run(p) for p in paths], level=level)
