"""Random streams keyed by (seed, replicate block, component id, purpose).

munisim owns no global random state.  Public entry points take an integer
``seed``; this module turns it into independent :class:`numpy.random.Generator`
streams, one per replicate block, component and purpose, so that

* adding, removing or reordering a component changes no other component's draws;
* results never depend on worker count, chunking or scheduling, because a
  replicate's numbers depend only on its block and lane (see docs/model.md).
"""

from __future__ import annotations

import hashlib
from enum import IntEnum

import numpy as np

__all__ = ["REPLICATE_BLOCK", "Purpose", "component_key", "stream", "check_seed"]

#: Number of replicates that share one stream per component. Part of the
#: definition of the random numbers: changing it changes every result.
REPLICATE_BLOCK = 100


class Purpose(IntEnum):
    """What a stream is used for."""

    PARAMETERS = 0
    NOISE = 1


def component_key(component: str) -> tuple[int, int]:
    """Two 32-bit words identifying ``component`` (stable across runs and platforms).

    Examples
    --------
    >>> component_key("factory:ru_new_build") == component_key("factory:ru_new_build")
    True
    """
    digest = hashlib.blake2b(component.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def check_seed(seed: int) -> int:
    """Validate a user seed (a non-negative integer) and return it as ``int``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def stream(seed: int, block: int, component: str, purpose: Purpose) -> np.random.Generator:
    """The generator of ``component`` for replicate ``block`` and ``purpose``.

    Parameters
    ----------
    seed : int
        The run's seed (>= 0).
    block : int
        Replicate block index: replicates ``block*REPLICATE_BLOCK`` to
        ``(block+1)*REPLICATE_BLOCK - 1``.
    component : str
        Component id, e.g. ``"factory:ru_new_build"`` or ``"front:ru/152mm"``.
    purpose : Purpose
        Parameters (drawn once per replicate) or daily noise.

    Returns
    -------
    numpy.random.Generator
        A fresh PCG64 generator.
    """
    h1, h2 = component_key(component)
    ss = np.random.SeedSequence(check_seed(seed), spawn_key=(int(block), h1, h2, int(purpose)))
    return np.random.Generator(np.random.PCG64(ss))
