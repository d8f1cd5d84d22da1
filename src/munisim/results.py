"""Results of a run: daily series per replicate, side aggregates, summaries.

A :class:`RunResult` holds the engine's integer series per entity
(``(R, T)`` arrays) and derives everything a user reports from them: side
totals, daily quantiles across replicates, per-replicate totals, the first
stock-out and the production crossover.  It is data first: ``to_frame``
gives tidy pandas tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

import numpy as np
import pandas as pd

from munisim.config.scenario import Scenario
from munisim.model.outputs import FORCE_VARS, STOCKPILE_VARS, Recording, Trajectories

__all__ = [
    "RunResult",
    "SIDE_VARIABLES",
    "FORCE_VARIABLES",
    "QUANTILES",
    "LOW_STOCK_DAYS",
    "first_true_index",
    "censored_median",
    "trailing_mean",
    "group_key",
    "side_recording",
    "replicate_outcomes",
]

#: Daily variables aggregated per side.
SIDE_VARIABLES = (
    "produced",
    "received",
    "fired",
    "demanded",
    "stock",
    "lost",
    "shipped_out",
    "refused",
    "consumed",
    "destroyed",
    "shortfall",
    "tube_limited",
    "in_transit",
)
#: Daily force variables per side (float), reported when the scenario has forces.
FORCE_VARIABLES = FORCE_VARS
#: Quantiles reported across replicates.
QUANTILES = {"p05": 0.05, "p50": 0.50, "p95": 0.95}
#: A side is low on stock when its stock covers fewer than this many days of expected demand.
LOW_STOCK_DAYS = 30


def group_key(scenario: Scenario, stockpile: str) -> str:
    """The ``"side/munition"`` group a stockpile's series are summed into."""
    st = scenario.stockpiles[stockpile]
    return f"{st.side}/{st.munition}"


def side_recording(scenario: Scenario) -> Recording:
    """The recording that keeps what a run reports: stockpiles summed per side and munition."""
    return Recording.groups({sid: group_key(scenario, sid) for sid in scenario.stockpiles})


def first_true_index(mask: np.ndarray) -> np.ndarray:
    """Index of the first True along the last axis; ``-1`` where there is none.

    Examples
    --------
    >>> first_true_index(np.array([[False, True, True], [False, False, False]])).tolist()
    [1, -1]
    """
    any_ = mask.any(axis=-1)
    return np.where(any_, mask.argmax(axis=-1), -1)


def censored_median(index: np.ndarray) -> int | None:
    """Median of event indices where ``-1`` means "never happened" (right-censored).

    Never-events count as later than every observed one, so the median is
    ``None`` when the event happens in fewer than half of the replicates.
    """
    n = index.size
    if n == 0:
        return None
    times = np.sort(np.where(index < 0, np.iinfo(np.int64).max, index))
    # Lower median for even n keeps the answer an observed index.
    mid = times[(n - 1) // 2]
    return None if mid == np.iinfo(np.int64).max else int(mid)


def trailing_mean(x: np.ndarray, days: int) -> np.ndarray:
    """Mean over the last ``days`` values, the current one included, along the last axis.

    The first ``days - 1`` positions average the values so far.  Returns float64 of ``x``'s shape.

    Examples
    --------
    >>> trailing_mean(np.array([3, 0, 6, 3]), 2).tolist()
    [3.0, 1.5, 3.0, 4.5]
    """
    c = np.cumsum(x, axis=-1, dtype=float)
    out = c.copy()
    out[..., days:] -= c[..., :-days]
    return out / np.minimum(np.arange(1, x.shape[-1] + 1), days)


def _stats(x: np.ndarray) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    out = {"mean": float(x.mean())}
    out.update({k: float(np.quantile(x, q)) for k, q in QUANTILES.items()})
    return out


@dataclass
class RunResult:
    """The outcome of :func:`munisim.simulate`.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run.
    trajectories : Trajectories
        Integer daily series, each ``(R, T)``: per side-and-munition group by
        default, per entity with ``keep="entities"``.  For large runs only
        the first replicates' series are kept (see :func:`munisim.simulate`).
    seed : int
    engine : str
    meta : dict
        Engine figures (events processed, wall time...).
    precomputed_outcomes : dict, optional
        Per-replicate outcomes of every replicate, when the daily series are a sample.
    """

    scenario: Scenario
    trajectories: Trajectories
    seed: int
    engine: str
    meta: dict[str, Any] = field(default_factory=dict)
    precomputed_outcomes: dict[str, np.ndarray] | None = None

    # -- axes -----------------------------------------------------------------------------------
    @property
    def replicates(self) -> int:
        """Replicates whose daily series are held (``R``)."""
        return self.trajectories.replicates

    @cached_property
    def dates(self) -> pd.DatetimeIndex:
        """The simulated dates, length ``T``."""
        return pd.date_range(self.scenario.start, self.scenario.end, freq="D")

    @property
    def sides(self) -> list[str]:
        """Side ids, in the scenario's order."""
        return list(self.scenario.sides)

    @property
    def variables(self) -> tuple[str, ...]:
        """Daily side variables of this run: :data:`SIDE_VARIABLES`, plus :data:`FORCE_VARIABLES` with forces."""
        return SIDE_VARIABLES + (FORCE_VARIABLES if self.scenario.forces else ())

    # -- series ---------------------------------------------------------------------------------
    def series(self, variable: str, *, side: str | None = None, munition: str | None = None) -> np.ndarray:
        """Daily series summed over the matching entities, ``ndarray, shape (R, T)``, int64.

        Stockpile variables (``stock``, ``produced``, ``received``, ``lost``,
        ``shipped_out``, ``fired``, ``refused``, ``consumed``, ``destroyed``) sum the selected
        stockpiles (without ``munition``, those of every munition not marked
        ``component``: components are not rounds),
        except that transfers between two selected stockpiles are moves, not
        receipts or shipments: ``received`` and ``shipped_out`` count only
        rounds crossing the selection's boundary, and ``in_transit`` (end of
        day) holds internal moves still on the way.  Then, cumulatively,
        ``initial + produced + received = fired + consumed + destroyed + lost
        + shipped_out + refused + stock + in_transit``.  ``demanded``,
        ``shortfall`` and ``tube_limited`` sum fronts.
        Force variables (``strength``, ``losses``, ``reinforced``,
        ``withdrawn``) sum the side's forces and are float64.
        The result may be the stored array itself: do not modify it.
        """
        R, T = self.replicates, self.trajectories.n_days
        ser = self.trajectories.series
        plus: list[np.ndarray] = []
        minus: list[np.ndarray] = []
        if variable in STOCKPILE_VARS:
            plus = [ser[key + (variable,)] for key in self._stock_keys(side, munition)]
            # Moves between the selected stockpiles are neither received nor shipped out.
            if variable in ("received", "shipped_out"):
                minus = [
                    ser[("transfer", tid, "arrived" if variable == "received" else "dispatched")]
                    for tid in self._internal_transfers(side, munition)
                ]
        elif variable == "in_transit":
            total = np.zeros((R, T), dtype=np.int64)
            for tid in self._internal_transfers(side, munition):
                total += ser[("transfer", tid, "dispatched")] - ser[("transfer", tid, "arrived")]
            return np.cumsum(total, axis=1, out=total)
        elif variable in FORCE_VARS:
            if munition is not None:
                raise KeyError(f"{variable!r} is a force variable; it has no munition")
            plus = [
                ser[("force", fid, variable)]
                for fid, f in self.scenario.forces.items()
                if side is None or f.side == side
            ]
            if not plus:
                return np.zeros((R, T))
            if len(plus) == 1:
                return plus[0]
            return np.sum(plus, axis=0)
        elif variable in ("demanded", "shortfall", "tube_limited"):
            for fid, fr in self.scenario.fronts.items():
                if side is not None and fr.side != side:
                    continue
                plus += [ser[("front", f"{fid}/{m}", variable)] for m in fr.demand if munition is None or m == munition]
        else:
            raise KeyError(f"unknown variable {variable!r}; expected one of {', '.join(SIDE_VARIABLES + FORCE_VARS)}")
        if len(plus) == 1 and not minus:
            return plus[0]  # a read-only view of the stored series: no copy
        total = np.zeros((R, T), dtype=np.int64)
        for arr in plus:
            total += arr
        for arr in minus:
            total -= arr
        return total

    def _stockpiles(self, side: str | None, munition: str | None) -> list[str]:
        """Stockpiles of ``side`` holding ``munition``; with no munition, every round but components."""
        munitions = self.scenario.munitions
        return [
            sid
            for sid, st in self.scenario.stockpiles.items()
            if (side is None or st.side == side)
            and (st.munition == munition if munition is not None else not munitions[st.munition].component)
        ]

    def _stock_keys(self, side: str | None, munition: str | None) -> list[tuple[str, str]]:
        """Series key prefixes covering the selected stockpiles: per stockpile, or per side/munition group."""
        ids = self._stockpiles(side, munition)
        if not ids or ("stockpile", ids[0], "stock") in self.trajectories.series:
            return [("stockpile", sid) for sid in ids]
        groups = sorted({group_key(self.scenario, sid) for sid in ids})
        return [("group", g) for g in groups]

    def _internal_transfers(self, side: str | None, munition: str | None) -> list[str]:
        inside = set(self._stockpiles(side, munition))
        return [tid for tid, t in self.scenario.transfers.items() if t.from_stockpile in inside and t.to in inside]

    def initial_stock(self, *, side: str | None = None, munition: str | None = None) -> np.ndarray:
        """Initial stock per replicate, ``(R,)``."""
        total = np.zeros(self.replicates, dtype=np.int64)
        for _kind, key in self._stock_keys(side, munition):
            total += self.trajectories.initial[key]
        return total

    # -- derived outcomes -----------------------------------------------------------------------
    @cached_property
    def _month_index(self) -> tuple[np.ndarray, pd.DatetimeIndex]:
        months = self.dates.to_period("M")
        codes, uniques = pd.factorize(months)
        # factorize keeps the index type; the stubs only promise an Index.
        return codes, cast(pd.PeriodIndex, uniques).to_timestamp()

    def monthly(self, variable: str, *, side: str | None = None) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Calendar-month totals of a flow: ``(month starts (M,), ndarray (R, M))``."""
        codes, months = self._month_index
        daily = self.series(variable, side=side)
        out = np.zeros((self.replicates, len(months)), dtype=np.int64)
        bounds = np.flatnonzero(np.diff(codes)) + 1  # codes are sorted: days are in date order
        out[:] = np.add.reduceat(daily, np.concatenate([[0], bounds]), axis=1)
        return months, out

    def crossover_month(self, side_a: str, side_b: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Per replicate, the first month index where ``side_a`` produces more than ``side_b``; -1 if never."""
        months, a = self.monthly("produced", side=side_a)
        _, b = self.monthly("produced", side=side_b)
        return months, first_true_index(a > b)

    def first_stockout_day(self, side: str) -> np.ndarray:
        """Per replicate, the first day index on which a front of ``side`` had a shortfall; -1 if never."""
        return first_true_index(self.series("shortfall", side=side) > 0)

    def low_stock_day(self, side: str, days: int = LOW_STOCK_DAYS) -> np.ndarray:
        """Per replicate, the first day index on which ``side`` is low on stock; -1 if never.

        ``side`` is low on day ``t`` when its end-of-day ``stock`` is below
        ``days`` times its expected demand, taken as the mean of its daily
        ``demanded`` over the last 30 days (``t-29 .. t``; fewer at the
        start).  A side with no demand in that window is never low.
        Returns ``ndarray, shape (R,)``, int64.
        """
        expected = trailing_mean(self.series("demanded", side=side), 30)
        return first_true_index(self.series("stock", side=side) < days * expected)

    # -- tables ---------------------------------------------------------------------------------
    def quantiles(self) -> pd.DataFrame:
        """Daily quantiles across replicates: one row per date, side and variable.

        Columns ``date, side, variable, mean, p05, p50, p95``.
        """
        frames = []
        qs = list(QUANTILES.values())
        for side in self.sides:
            for var in self.variables:
                # C order: a float reduction's rounding depends on the memory layout, which differs by engine.
                x = self.series(var, side=side).astype(float, order="C")
                q = np.quantile(x, qs, axis=0)
                frames.append(
                    pd.DataFrame(
                        {
                            "date": self.dates,
                            "side": side,
                            "variable": var,
                            "mean": x.mean(axis=0),
                            **{k: q[i] for i, k in enumerate(QUANTILES)},
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    def to_frame(self, *, level: str = "side") -> pd.DataFrame:
        """Tidy per-replicate daily values.

        Parameters
        ----------
        level : {"side", "entity"}
            ``side``: columns ``replicate, date, side, variable, value``;
            ``entity``: columns ``replicate, date, kind, entity, variable, value``.
        """
        R, T = self.replicates, self.trajectories.n_days
        rep = np.repeat(np.arange(R), T)
        date = np.tile(self.dates.values, R)
        frames = []
        if level == "side":
            for side in self.sides:
                for var in self.variables:
                    frames.append(
                        pd.DataFrame(
                            {
                                "replicate": rep,
                                "date": date,
                                "side": side,
                                "variable": var,
                                "value": self.series(var, side=side).ravel(),
                            }
                        )
                    )
        elif level == "entity":
            for (kind, eid, var), arr in self.trajectories.series.items():
                frames.append(
                    pd.DataFrame(
                        {
                            "replicate": rep,
                            "date": date,
                            "kind": kind,
                            "entity": eid,
                            "variable": var,
                            "value": arr.ravel(),
                        }
                    )
                )
        else:
            raise ValueError(f"level must be 'side' or 'entity', got {level!r}")
        return pd.concat(frames, ignore_index=True)

    # -- summary --------------------------------------------------------------------------------
    @cached_property
    def outcomes(self) -> dict[str, np.ndarray]:
        """Per-replicate outcomes, each ``ndarray, shape (replicates,)``.

        Keys ``"<side>.<variable>"`` for the totals of ``produced``,
        ``received``, ``fired``, ``demanded``, ``lost``, ``shipped_out`` and
        ``refused``, and for ``final_stock``, ``share_met`` (fired / demanded),
        ``first_stockout`` (day index, -1 if none) and ``low_stock`` (the
        first day index on which the side's stock covers fewer than
        :data:`LOW_STOCK_DAYS` days of its expected demand, the 30-day
        trailing mean of ``demanded``; -1 if never; see
        :meth:`low_stock_day`); ``"crossover.<A> over <B>"``: index of the
        first month (in :meth:`monthly` order) in which A produces more
        than B, -1 if never.  With forces, also
        ``"<side>.losses"`` (total attrition), ``"<side>.final_strength"`` and
        ``"loss_exchange.<A> per <B>"`` (A's losses per unit of B's losses,
        NaN where B lost nothing).  Computed over every replicate run,
        also when the daily series were kept for a sample only.
        """
        if self.precomputed_outcomes is not None:
            return self.precomputed_outcomes
        return replicate_outcomes(self)

    @property
    def total_replicates(self) -> int:
        """Replicates run (the daily series may hold only the first of them)."""
        return len(next(iter(self.outcomes.values())))

    def summary(self) -> dict[str, Any]:
        """Key outcomes across replicates, as written to ``summary.json``.

        Returns
        -------
        dict
            ``sides.<side>``: ``produced``, ``received``, ``fired``, ``demanded``,
            ``lost``, ``shipped_out``, ``refused``, ``final_stock`` and
            ``share_met`` (fired / demanded) as ``{mean, p05, p50, p95}`` of
            per-replicate totals; ``first_stockout`` (median date, censored, or
            null) and ``stockout_share`` (share of replicates with one);
            ``low_stock`` and ``low_stock_share`` likewise for the first day
            the stock covers fewer than ``low_stock_days`` days of demand.
            ``crossover``: for each ordered pair ``"A over B"``, the median first
            month in which A's production exceeds B's (``month``, ISO date or
            null) and the ``share`` of replicates in which it happens.
            With forces: ``losses`` and ``final_strength`` per side, and
            ``loss_exchange``: for each ordered pair ``"A per B"``, A's losses
            per unit of B's (stats over the replicates where B lost any).
            ``replicates`` counts every replicate; ``series_replicates`` those
            whose daily series were kept (the daily quantiles use these).
        """
        out = self.outcomes
        sides: dict[str, Any] = {}
        for side in self.sides:
            entry: dict[str, Any] = {"name": self.scenario.side_name(side)}
            for var in (*_TOTALS, "final_stock", "share_met"):
                entry[var] = _stats(out[f"{side}.{var}"])
            first = out[f"{side}.first_stockout"]
            med = censored_median(first)
            entry["first_stockout"] = (
                None if med is None else (self.scenario.start + dt.timedelta(days=med)).isoformat()
            )
            entry["stockout_share"] = float((first >= 0).mean())
            low = out[f"{side}.low_stock"]
            med = censored_median(low)
            entry["low_stock"] = None if med is None else (self.scenario.start + dt.timedelta(days=med)).isoformat()
            entry["low_stock_share"] = float((low >= 0).mean())
            if self.scenario.forces:
                entry["losses"] = _stats(out[f"{side}.losses"])
                entry["final_strength"] = _stats(out[f"{side}.final_strength"])
            sides[side] = entry
        months = self._month_index[1]
        crossover: dict[str, Any] = {}
        for a, b in _pairs(self.sides):
            idx = out[f"crossover.{a} over {b}"]
            med = censored_median(idx)
            crossover[f"{a} over {b}"] = {
                "month": None if med is None else months[med].date().isoformat(),
                "share": float((idx >= 0).mean()),
            }
        extra: dict[str, Any] = {}
        if self.scenario.forces:
            exchange = {}
            for a, b in _pairs(self.sides):
                x = out[f"loss_exchange.{a} per {b}"]
                finite = x[np.isfinite(x)]
                exchange[f"{a} per {b}"] = {**(_stats(finite) if finite.size else {}), "replicates": int(finite.size)}
            extra["loss_exchange"] = exchange
        return {
            "scenario": self.scenario.name,
            "start": self.scenario.start.isoformat(),
            "end": self.scenario.end.isoformat(),
            "engine": self.engine,
            "seed": self.seed,
            "replicates": self.total_replicates,
            "series_replicates": self.replicates,
            "low_stock_days": LOW_STOCK_DAYS,
            "sides": sides,
            "crossover": crossover,
            **extra,
        }


_TOTALS = ("produced", "received", "fired", "demanded", "lost", "shipped_out", "refused", "consumed", "destroyed")


def _pairs(sides: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a in sides for b in sides if a != b]


def replicate_outcomes(result: RunResult) -> dict[str, np.ndarray]:
    """Per-replicate outcomes of ``result``'s daily series (see :attr:`RunResult.outcomes`)."""
    out: dict[str, np.ndarray] = {}
    for side in result.sides:
        for var in _TOTALS:
            out[f"{side}.{var}"] = result.series(var, side=side).sum(axis=1)
        out[f"{side}.final_stock"] = result.series("stock", side=side)[:, -1].copy()
        fired, demanded = out[f"{side}.fired"], out[f"{side}.demanded"]
        out[f"{side}.share_met"] = np.divide(fired, demanded, out=np.ones(len(fired)), where=demanded > 0)
        out[f"{side}.first_stockout"] = result.first_stockout_day(side)
        out[f"{side}.low_stock"] = result.low_stock_day(side)
    for a, b in _pairs(result.sides):
        out[f"crossover.{a} over {b}"] = result.crossover_month(a, b)[1]
    if result.scenario.forces:
        for side in result.sides:
            # C order, so the float sum rounds the same way whichever engine laid out the series.
            out[f"{side}.losses"] = np.ascontiguousarray(result.series("losses", side=side)).sum(axis=1)
            out[f"{side}.final_strength"] = result.series("strength", side=side)[:, -1].copy()
        for a, b in _pairs(result.sides):
            la, lb = out[f"{a}.losses"], out[f"{b}.losses"]
            out[f"loss_exchange.{a} per {b}"] = np.divide(la, lb, out=np.full(len(la), np.nan), where=lb > 0)
    return out
