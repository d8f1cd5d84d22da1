"""Random streams depend only on (seed, block, component, purpose)."""

from __future__ import annotations

import numpy as np
import pytest

from munisim.model.inputs import build_block
from munisim.rng import Purpose, check_seed, stream

from ..helpers import scenario


def test_streams_are_keyed() -> None:
    a = stream(1, 0, "factory:x", Purpose.NOISE).random(5)
    assert np.array_equal(a, stream(1, 0, "factory:x", Purpose.NOISE).random(5))
    for other in [
        stream(2, 0, "factory:x", Purpose.NOISE),
        stream(1, 1, "factory:x", Purpose.NOISE),
        stream(1, 0, "factory:y", Purpose.NOISE),
        stream(1, 0, "factory:x", Purpose.PARAMETERS),
    ]:
        assert not np.array_equal(a, other.random(5))


def test_adding_or_reordering_components_changes_no_other_draw() -> None:
    fac = "{stockpile: d, capacity: [{date: 2024-01-01, rate: {dist: uniform, low: 1, high: 9}}], availability: 0.5}"
    one = scenario(f"""
    stockpiles: {{d: {{side: red, munition: m}}}}
    factories: {{b: {fac}}}
    """)
    two = scenario(f"""
    stockpiles: {{d: {{side: red, munition: m}}}}
    factories: {{a: {fac}, b: {fac}}}
    """)
    fb1 = build_block(one, 5, 0).factories[0]
    fa2, fb2 = build_block(two, 5, 0).factories
    assert fb2.id == "b" and fa2.id == "a"
    np.testing.assert_array_equal(fb1.rate.daily, fb2.rate.daily)
    np.testing.assert_array_equal(fb1.avail, fb2.avail)
    assert not np.array_equal(fa2.avail, fb2.avail)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seeds(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        check_seed(bad)  # type: ignore[arg-type]
