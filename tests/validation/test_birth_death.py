"""Closed forms for a stockpile fed and drawn one round a day at random (docs/model.md order).

A factory of 1 round/day up with probability p and a front of 1 round/day
active with probability q, independently, arrivals before firing: the stock
is a birth-death chain with up-probability u = p(1-q) and down-probability
d = q(1-p).  Its long-run P(stock = 0) is 1 - u/d, its mean (u/d)/(1 - u/d),
and from s0 the mean time to the first empty day is s0/(d - u).
"""

from __future__ import annotations

import numpy as np
import pytest

from munisim.engines.vector import run_vector

from ..helpers import scenario

P, Q = 0.3, 0.5
U, D = P * (1 - Q), Q * (1 - P)
RHO = U / D


def chain(initial: int, end: str):  # type: ignore[no-untyped-def]
    return scenario(
        f"""
    stockpiles: {{d: {{side: red, munition: m, initial_rounds: {initial}}}}}
    factories: {{f: {{stockpile: d, capacity: [{{date: 2024-01-01, rate: 1}}], availability: {P}}}}}
    fronts: {{fr: {{side: red, draws_from: [d], activity: {Q}, demand: {{m: [{{date: 2024-01-01, rate: 1}}]}}}}}}
    """,
        end=end,
    )


@pytest.mark.slow
def test_stationary_law() -> None:
    s = chain(0, "2040-12-31")  # 6,210 days
    stock = run_vector(s, seed=11, replicates=128).series[("stockpile", "d", "stock")][:, 200:]
    p0 = (stock == 0).mean()
    mean = stock.mean()
    # Standard errors from the spread of per-replicate time averages (replicates are independent).
    se_p0 = (stock == 0).mean(axis=1).std(ddof=1) / np.sqrt(stock.shape[0])
    se_mean = stock.mean(axis=1).std(ddof=1) / np.sqrt(stock.shape[0])
    assert abs(p0 - (1 - RHO)) < 4 * se_p0 + 1e-3
    assert abs(mean - RHO / (1 - RHO)) < 4 * se_mean + 1e-3
    # The whole law is geometric: P(stock = k) = (1 - rho) rho^k.
    for k in range(1, 4):
        assert abs((stock == k).mean() - (1 - RHO) * RHO**k) < 0.01


def test_mean_time_to_first_empty() -> None:
    s0 = 12
    s = chain(s0, "2024-12-31")
    stock = run_vector(s, seed=3, replicates=1500).series[("stockpile", "d", "stock")]
    hit = stock == 0
    assert hit.any(axis=1).mean() > 0.99
    first = hit.argmax(axis=1) + 1.0  # days until the first end-of-day empty stock
    expected = s0 / (D - U)
    var = s0 * (U + D - (D - U) ** 2) / (D - U) ** 3
    se = np.sqrt(var / len(first))
    assert abs(first.mean() - expected) < 4 * se, (first.mean(), expected, se)
