"""What an engine returns: integer daily series per entity and variable.

Series are keyed ``(kind, entity id, variable)``; fronts are keyed by
``"front id/munition"``.  Arrays have shape ``(R, T)`` (replicates x days) and
dtype int64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["STOCKPILE_VARS", "FACTORY_VARS", "TRANSFER_VARS", "FRONT_VARS", "Trajectories", "SeriesKey"]

STOCKPILE_VARS = ("stock", "produced", "received", "lost", "shipped_out", "fired", "refused")
FACTORY_VARS = ("delivered",)
TRANSFER_VARS = ("dispatched", "arrived", "lost")
FRONT_VARS = ("demanded", "fired", "shortfall")

SeriesKey = tuple[str, str, str]


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
        ``(kind, id, variable) -> ndarray, shape (R, T), int64``.
    initial : dict
        Stockpile id -> ``ndarray, shape (R,)``: initial stock per replicate.
    """

    n_days: int
    replicates: int
    series: dict[SeriesKey, np.ndarray] = field(default_factory=dict)
    initial: dict[str, np.ndarray] = field(default_factory=dict)

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
