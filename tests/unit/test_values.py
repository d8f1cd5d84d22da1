"""Distributions: sample moments against their analytic mean and variance."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from munisim.config.values import Value

CASES = [
    {"dist": "uniform", "low": 2, "high": 5},
    {"dist": "triangular", "low": 1, "mode": 2, "high": 6},
    {"dist": "normal", "mean": 10, "sd": 2},
    {"dist": "lognormal", "median": 3, "sigma": 0.4},
    {"dist": "pert", "low": 0, "mode": 1, "high": 10},
    7.5,
]


@pytest.mark.parametrize("spec", CASES, ids=lambda c: c["dist"] if isinstance(c, dict) else "fixed")
def test_moments(spec: object) -> None:
    d = TypeAdapter(Value).validate_python(spec)
    x = d.sample(np.random.default_rng(1), 200_000)
    assert x.shape == (200_000,)
    lo, hi = d.support
    assert x.min() >= lo and x.max() <= hi
    sd = np.sqrt(d.variance)
    assert abs(x.mean() - d.mean) <= 5 * sd / np.sqrt(x.size) + 1e-12
    if sd > 0:
        assert abs(x.var() / d.variance - 1) < 0.02


def test_normal_clipping_bounds() -> None:
    d = TypeAdapter(Value).validate_python({"dist": "normal", "mean": 0, "sd": 1, "low": -0.5, "high": 0.5})
    x = d.sample(np.random.default_rng(2), 10_000)
    assert x.min() == -0.5 and x.max() == 0.5
    assert d.support == (-0.5, 0.5)


def test_repr_is_readable() -> None:
    d = TypeAdapter(Value).validate_python({"dist": "triangular", "low": 1, "mode": 2, "high": 3})
    assert repr(d) == "Triangular(1, 2, 3)"


def test_dist_fixed_is_a_spelling_of_value() -> None:
    d = TypeAdapter(Value).validate_python({"dist": "fixed", "value": 3, "source": "x"})
    assert d.is_fixed and d.value == 3 and d.source == "x"
