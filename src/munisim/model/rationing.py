"""The rationing rule of a front (docs/model.md, step 5 "Fire").

Among the tiers whose threshold ``below_days * expected`` exceeds the
available stock, the one with the smallest ``below_days`` applies (the first
listed on a tie) and the front aims to fire ``floor(fire_share * demand)``.
The scalar and array forms below implement the same rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["rationed_target", "rationed_target_array"]


def rationed_target(available: int, expected: float, demand: int, tiers: Sequence[tuple[float, float]]) -> int:
    """Target fire for one replicate-day.

    Parameters
    ----------
    available : int
        Rounds the front can draw on, before firing.
    expected : float
        Expected demand of the day (rounds/day, before noise).
    demand : int
        The day's demand (rounds).
    tiers : sequence of (below_days, fire_share)
        In the order listed in the scenario.
    """
    best = math.inf
    share = 1.0
    for below, fire_share in tiers:
        if available < below * expected and below < best:
            best, share = below, fire_share
    return demand if best == math.inf else math.floor(share * demand)


def rationed_target_array(
    available: np.ndarray, expected: np.ndarray, demand: np.ndarray, tiers: Sequence[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Vector form of :func:`rationed_target`; all arrays ``shape (R,)``; returns int64."""
    if not tiers:
        return demand
    best = np.full(available.shape, np.inf)
    share = np.ones(available.shape)
    for below, fire_share in tiers:
        hit = (available < below * expected) & (below < best)
        best = np.where(hit, below, best)
        share = np.where(hit, fire_share, share)
    rationed = np.isfinite(best)
    return np.where(rationed, np.floor(share * demand).astype(np.int64), demand)
