"""Step 6 of docs/model.md over many replicates: forces, lumps and Lanchester engagements.

:class:`ForceStep` holds every force's strength as a ``(F, R)`` float64
array and the engagements' per-lane state (ended, stop levels).  The engine
calls :meth:`ForceStep.step` once a day after the fronts have fired, with the
day's share of demand fired per front.  The attrition itself is
:func:`munisim.model.attrition.propagate`, applied to all lanes at once; a
lane whose engagement has ended only gains reinforcements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypedDict

import numpy as np

from munisim.model.attrition import effectiveness, propagate
from munisim.model.inputs import BlockInputs, reinforcement_rate

__all__ = ["ForceStep"]

Cat = Callable[[Sequence[np.ndarray]], np.ndarray]


class _Engagement(TypedDict):
    """An engagement's parameters and per-lane state (a plain dict: the daily step reads it by key)."""

    xi: int
    yi: int
    law: str
    p: float
    q: float
    a: np.ndarray
    b: np.ndarray
    first: int
    last: int
    bx: np.ndarray
    by: np.ndarray
    fires: dict[str, tuple[str, np.ndarray, np.ndarray]]
    done: np.ndarray
    x_stop: np.ndarray
    y_stop: np.ndarray


class ForceStep:
    """Forces and engagements of a chunk of lanes.

    Parameters
    ----------
    blocks : list of BlockInputs
        The chunk's blocks; the first gives the structure (ids, days).
    cat : callable
        Concatenates per-block ``(B,)`` arrays, one per block, over the chunk's kept lanes, giving ``(R,)``.
    n_days : int
        ``T``.
    """

    def __init__(self, blocks: Sequence[BlockInputs], cat: Cat, n_days: int) -> None:
        first = blocks[0]
        T = n_days
        self.ids = [f.id for f in first.forces]
        index = {fid: i for i, fid in enumerate(self.ids)}
        F = len(self.ids)
        self.strength = np.stack([cat([b.forces[i].initial for b in blocks]) for i in range(F)]) if F else None
        R = 0 if self.strength is None else self.strength.shape[1]
        self.zeros = np.zeros(R)
        self.rates: list[list[tuple[int, int, np.ndarray]]] = []
        self.lumps: list[dict[int, np.ndarray]] = []
        self.withdrawals: list[dict[int, np.ndarray]] = []
        for i, f in enumerate(first.forces):
            self.rates.append(
                [(lo, hi, cat([b.forces[i].rates[k][2] for b in blocks])) for k, (lo, hi, _r) in enumerate(f.rates)]
            )
            self.lumps.append({d: cat([b.forces[i].lumps[d] for b in blocks]) for d in f.lumps})
            self.withdrawals.append({d: cat([b.forces[i].withdrawals[d] for b in blocks]) for d in f.withdrawals})
        self.engagements: list[_Engagement] = []
        for k, e in enumerate(first.engagements):

            def get(name: str, k: int = k) -> np.ndarray:
                return cat([getattr(b.engagements[k], name) for b in blocks])

            fires = {
                role: (
                    c.front,
                    cat([b.engagements[k].fires[role].floor for b in blocks]),
                    cat([b.engagements[k].fires[role].exponent for b in blocks]),
                )
                for role, c in e.fires.items()
            }
            self.engagements.append(
                {
                    "xi": index[e.x],
                    "yi": index[e.y],
                    "law": e.law,
                    "p": e.p,
                    "q": e.q,
                    "a": get("a"),
                    "b": get("b"),
                    "first": max(e.first, 0),
                    "last": e.last,
                    "bx": get("break_x"),
                    "by": get("break_y"),
                    "fires": fires,
                    "done": np.zeros(R, dtype=bool),
                    "x_stop": self.zeros,
                    "y_stop": self.zeros,
                }
            )
        self.rec = {v: np.zeros((F, T, R)) for v in ("strength", "losses", "reinforced", "withdrawn")}

    def step(self, t: int, share_fired: Callable[[str], np.ndarray]) -> None:
        """Apply day ``t``: lumps and withdrawals, then each active engagement, then lone forces' reinforcement.

        ``share_fired(front id)`` gives the front's fired / demanded of the day, ``(R,)``.
        """
        if self.strength is None:
            return
        F = len(self.ids)
        mid: list[np.ndarray] = []
        rate: list[np.ndarray] = []
        added: list[np.ndarray] = []
        rec = self.rec
        for i in range(F):
            s = self.strength[i]
            lump = self.lumps[i].get(t)
            lump_in = self.zeros if lump is None else lump
            s = s + lump_in
            w = self.withdrawals[i].get(t)
            withdrawn = self.zeros if w is None else np.minimum(w, s)
            s = s - withdrawn
            p = reinforcement_rate(self.rates[i], t)
            p = self.zeros if p is None else p
            mid.append(s)
            rate.append(p)
            added.append(lump_in + p)
            rec["withdrawn"][i, t] = withdrawn
        end: list[np.ndarray | None] = [None] * F
        for e in self.engagements:
            if not e["first"] <= t <= e["last"] or e["done"].all():
                continue  # not fighting in any lane: both forces only gain reinforcements, as lone forces
            xi, yi = e["xi"], e["yi"]
            x, y, px, py = mid[xi], mid[yi], rate[xi], rate[yi]
            if t == e["first"]:
                e["x_stop"] = e["bx"] * x
                e["y_stop"] = e["by"] * y
            a, b = e["a"], e["b"]
            if "y" in e["fires"]:
                front, floor, exponent = e["fires"]["y"]
                a = a * effectiveness(share_fired(front), floor, exponent)
            if "x" in e["fires"]:
                front, floor, exponent = e["fires"]["x"]
                b = b * effectiveness(share_fired(front), floor, exponent)
            done = e["done"]
            res = propagate(
                x, y, a, b, px, py, e["x_stop"], e["y_stop"], law=e["law"], p=e["p"], q=e["q"], validate=False
            )
            if done.any():
                end[xi] = np.where(done, x + px, res.x)
                end[yi] = np.where(done, y + py, res.y)
            else:
                end[xi], end[yi] = res.x, res.y
            e["done"] = done | res.ended
        for i in range(F):
            s_end = mid[i] + rate[i] if end[i] is None else end[i]
            self.strength[i] = s_end
            rec["strength"][i, t] = s_end
            rec["losses"][i, t] = (mid[i] + rate[i]) - s_end
            rec["reinforced"][i, t] = added[i]

    def series(self) -> dict[tuple[str, str, str], np.ndarray]:
        """Recorded ``(R, T)`` float64 series per force and variable (transposed views)."""
        return {("force", fid, v): arr[i].T for v, arr in self.rec.items() for i, fid in enumerate(self.ids)}
