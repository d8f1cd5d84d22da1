"""Per-replicate parameter draws (docs/model.md, "Random streams").

Each component's uncertain values are drawn from the component's parameter
stream in key-path order, one value per lane of the replicate block.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from munisim.config.checks import iter_values
from munisim.config.yamlload import KeyPath
from munisim.rng import REPLICATE_BLOCK, Purpose, stream

__all__ = ["draw_component", "path_sort_key"]


def path_sort_key(path: KeyPath) -> tuple[tuple[int, int, str], ...]:
    """Sort key for key paths: names alphabetically, list items by index."""
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in path)


def draw_component(entity: BaseModel, component: str, seed: int, block: int) -> dict[KeyPath, np.ndarray]:
    """Draw every value of ``entity`` for the ``REPLICATE_BLOCK`` lanes of ``block``.

    Returns
    -------
    dict
        Key path (relative to the entity) -> ``ndarray, shape (REPLICATE_BLOCK,)``, float64.
        Fixed values are filled without drawing.
    """
    values = sorted(iter_values(entity), key=lambda pv: path_sort_key(pv[0]))
    out: dict[KeyPath, np.ndarray] = {}
    rng: np.random.Generator | None = None
    for path, value in values:
        if value.is_fixed:  # type: ignore[attr-defined]
            out[path] = np.full(REPLICATE_BLOCK, value.value, dtype=float)  # type: ignore[attr-defined]
            continue
        if rng is None:
            rng = stream(seed, block, component, Purpose.PARAMETERS)
        out[path] = value.sample(rng, REPLICATE_BLOCK)  # type: ignore[attr-defined]
    return out
