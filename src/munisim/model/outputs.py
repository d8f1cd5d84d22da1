"""What an engine returns: daily series per entity and variable.

Series are keyed ``(kind, entity id, variable)``; fronts are keyed by
``"front id/munition"``.  Arrays have shape ``(R, T)`` (replicates x days);
rounds are int64, force strengths (kind ``"force"``) float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "STOCKPILE_VARS",
    "FACTORY_VARS",
    "TRANSFER_VARS",
    "FRONT_VARS",
    "FORCE_VARS",
    "Recording",
    "Trajectories",
    "SeriesKey",
]

STOCKPILE_VARS = ("stock", "produced", "received", "lost", "shipped_out", "fired", "refused", "consumed", "destroyed")
FACTORY_VARS = ("delivered", "unmade")
TRANSFER_VARS = ("dispatched", "arrived", "lost")
FRONT_VARS = ("demanded", "fired", "shortfall", "tube_limited")
#: Force series (float64): end-of-day strength, the day's attrition, strength joining and leaving.
FORCE_VARS = ("strength", "losses", "reinforced", "withdrawn")

SeriesKey = tuple[str, str, str]


@dataclass(frozen=True)
class Recording:
    """What an engine keeps.

    ``entities()`` keeps every series of every entity.  ``groups(mapping)``
    keeps stockpile variables summed over groups of stockpiles (keyed
    ``("group", group key, variable)``), the fronts, the forces, and only the transfers
    between two stockpiles (which a group needs to tell internal moves from
    receipts); factory series and external transfers are dropped.
    """

    group_of: dict[str, str] | None = None

    @classmethod
    def entities(cls) -> Recording:
        return cls(None)

    @classmethod
    def groups(cls, group_of: dict[str, str]) -> Recording:
        return cls(dict(group_of))

    @property
    def stockpiles(self) -> bool:
        """True when stockpile series are kept per stockpile."""
        return self.group_of is None

    @property
    def factories(self) -> bool:
        return self.group_of is None

    def keeps_transfer(self, from_stockpile: bool) -> bool:
        return self.group_of is None or from_stockpile

    def row_keys(self, stockpile_ids: list[str]) -> list[str]:
        """Record row of each stockpile: its id, or its group's key."""
        return list(stockpile_ids) if self.group_of is None else [self.group_of[s] for s in stockpile_ids]


@dataclass
class Trajectories:
    """Daily integer series of a run, per entity and variable.

    Attributes
    ----------
    n_days : int
        ``T``.
    replicates : int
        ``R``.
    series : dict
        ``(kind, id, variable) -> ndarray, shape (R, T)``: int64 rounds, float64 for forces.
    initial : dict
        Stockpile id -> ``ndarray, shape (R,)``: initial stock per replicate.
    """

    n_days: int
    replicates: int
    series: dict[SeriesKey, np.ndarray] = field(default_factory=dict)
    initial: dict[str, np.ndarray] = field(default_factory=dict)

    def regroup(self, recording: Recording, transfers_from_stockpile: set[str]) -> Trajectories:
        """Apply ``recording`` to entity-level trajectories (sum stockpiles into groups, drop the rest)."""
        if recording.group_of is None:
            return self
        series: dict[SeriesKey, np.ndarray] = {}
        initial: dict[str, np.ndarray] = {}
        for (kind, eid, var), arr in self.series.items():
            if kind == "stockpile":
                key = ("group", recording.group_of[eid], var)
                series[key] = series[key] + arr if key in series else arr.copy()
            elif kind in ("front", "force") or (kind == "transfer" and eid in transfers_from_stockpile):
                series[(kind, eid, var)] = arr
        for sid, arr in self.initial.items():
            g = recording.group_of[sid]
            initial[g] = initial[g] + arr if g in initial else arr.copy()
        return Trajectories(self.n_days, self.replicates, series, initial)

    def head(self, n: int) -> Trajectories:
        """The first ``n`` replicates (copies, so the rest can be freed)."""
        return Trajectories(
            n_days=self.n_days,
            replicates=n,
            series={k: v[:n].copy() for k, v in self.series.items()},
            initial={k: v[:n].copy() for k, v in self.initial.items()},
        )

    @staticmethod
    def concat(parts: list[Trajectories]) -> Trajectories:
        """Stack runs of consecutive replicates along the replicate axis."""
        first = parts[0]
        return Trajectories(
            n_days=first.n_days,
            replicates=sum(p.replicates for p in parts),
            series={k: np.concatenate([p.series[k] for p in parts]) for k in first.series},
            initial={k: np.concatenate([p.initial[k] for p in parts]) for k in first.initial},
        )
