"""Invariants of the daily model on random scenarios, for both engines, and engine equivalence."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from munisim.config.scenario import Scenario
from munisim.engines.des import run_des
from munisim.engines.vector import run_vector
from munisim.model.outputs import Trajectories

from ..strategies import scenarios


def check_invariants(s: Scenario, tr: Trajectories) -> None:
    ser = tr.series
    for sid in s.stockpiles:
        g = {
            v: ser[("stockpile", sid, v)]
            for v in (
                "stock",
                "produced",
                "received",
                "lost",
                "shipped_out",
                "fired",
                "refused",
                "consumed",
                "destroyed",
            )
        }
        lhs = tr.initial[sid][:, None] + np.cumsum(g["produced"] + g["received"], axis=1)
        out = g["fired"] + g["consumed"] + g["destroyed"] + g["lost"] + g["shipped_out"] + g["refused"]
        rhs = np.cumsum(out, axis=1) + g["stock"]
        np.testing.assert_array_equal(lhs, rhs, err_msg=f"mass balance of {sid}")
        assert (g["stock"] >= 0).all(), sid
        cap = s.stockpiles[sid].capacity_rounds
        if cap is not None and cap.is_fixed:
            # Inflows never push stock above capacity (stock may start above it).
            over = g["stock"] > max(round(cap.value), 0)
            start_over = tr.initial[sid][:, None] > round(cap.value)
            assert not (over & ~start_over).any(), sid
    for key in {k[1] for k in ser if k[0] == "front"}:
        dem, fired, short, tube = (ser[("front", key, v)] for v in ("demanded", "fired", "shortfall", "tube_limited"))
        assert (fired >= 0).all() and (short >= 0).all() and (tube >= 0).all()
        assert (fired + short + tube <= dem).all(), "fired + shortfall + tube-limited must not exceed demand"
    for tid in s.transfers:
        disp, arr, lost = (ser[("transfer", tid, v)] for v in ("dispatched", "arrived", "lost"))
        assert (np.cumsum(arr, axis=1) <= np.cumsum(disp, axis=1)).all(), "arrivals never exceed dispatches"
        assert (lost <= disp).all()
    check_force_invariants(s, tr)
    # Side and munition balances follow from the stockpiles'.
    for side in s.sides:
        for mun in s.munitions:
            ids = [k for k, v in s.stockpiles.items() if v.side == side and v.munition == mun]
            if not ids:
                continue
            tot = {
                v: sum(ser[("stockpile", i, v)] for i in ids)
                for v in (
                    "stock",
                    "produced",
                    "received",
                    "lost",
                    "shipped_out",
                    "fired",
                    "refused",
                    "consumed",
                    "destroyed",
                )
            }
            init = sum(tr.initial[i] for i in ids)
            np.testing.assert_array_equal(
                init[:, None] + np.cumsum(tot["produced"] + tot["received"], axis=1),
                np.cumsum(
                    tot["fired"]
                    + tot["consumed"]
                    + tot["destroyed"]
                    + tot["lost"]
                    + tot["shipped_out"]
                    + tot["refused"],
                    axis=1,
                )
                + tot["stock"],
            )


def check_force_invariants(s: Scenario, tr: Trajectories) -> None:
    """Strength never negative, losses never negative, and per force, cumulatively,
    initial + reinforced = withdrawn + losses + strength (to rounding of doubles)."""
    ser = tr.series
    for fid in s.forces:
        g = {v: ser[("force", fid, v)] for v in ("strength", "losses", "reinforced", "withdrawn")}
        assert all(a.dtype == np.float64 for a in g.values())
        assert (g["strength"] >= 0).all(), f"{fid}: negative strength"
        scale = 1.0 + np.abs(g["strength"]).max() + np.cumsum(g["reinforced"], axis=1).max(initial=0)
        assert (g["losses"] >= -1e-9 * scale).all(), f"{fid}: negative losses"
        assert (g["withdrawn"] >= 0).all() and (g["reinforced"] >= 0).all()
        prev = np.concatenate([np.zeros_like(g["strength"][:, :1]), g["strength"][:, :-1]], axis=1)
        prev[:, 0] = np.nan  # day 0 starts from the initial strength, checked through the cumulative balance
        step = prev + g["reinforced"] - g["withdrawn"] - g["losses"]
        np.testing.assert_allclose(
            step[:, 1:], g["strength"][:, 1:], rtol=1e-9, atol=1e-9 * scale, err_msg=f"daily balance of {fid}"
        )
        cum_in = np.cumsum(g["reinforced"], axis=1)
        cum_out = np.cumsum(g["withdrawn"] + g["losses"], axis=1)
        value = s.forces[fid].initial_strength
        if value.is_fixed:  # type: ignore[attr-defined]
            initial = np.full((tr.replicates, 1), value.value)  # type: ignore[attr-defined]
        else:
            initial = g["strength"][:, :1] - g["reinforced"][:, :1] + g["withdrawn"][:, :1] + g["losses"][:, :1]
        np.testing.assert_allclose(
            initial + cum_in,
            cum_out + g["strength"],
            rtol=1e-9,
            atol=1e-9 * scale,
            err_msg=f"cumulative balance of {fid}",
        )


@given(scenario=scenarios(), seed=st.integers(0, 2**32), replicates=st.integers(1, 3))
def test_des_invariants_and_equivalence(scenario: Scenario, seed: int, replicates: int) -> None:
    des, _ = run_des(scenario, seed=seed, replicates=replicates)
    check_invariants(scenario, des)
    vec = run_vector(scenario, seed=seed, replicates=replicates)
    check_invariants(scenario, vec)
    assert set(des.series) == set(vec.series), "engines must report the same series"
    for key, arr in des.series.items():
        np.testing.assert_array_equal(arr, vec.series[key], err_msg=f"engines differ on {key}")
    for key, arr in des.initial.items():
        np.testing.assert_array_equal(arr, vec.initial[key])


@given(scenario=scenarios(max_days=60), seed=st.integers(0, 2**16))
def test_vector_invariants_many_replicates(scenario: Scenario, seed: int) -> None:
    vec = run_vector(scenario, seed=seed, replicates=130, chunk_replicates=64)
    check_invariants(scenario, vec)


@given(scenario=scenarios(max_days=60), seed=st.integers(0, 2**16))
def test_side_balance_with_internal_moves(scenario: Scenario, seed: int) -> None:
    from munisim.results import RunResult

    res = RunResult(scenario, run_vector(scenario, seed=seed, replicates=2), seed, "vector")
    for side in [None, *scenario.sides]:
        for mun in [None, *scenario.munitions]:
            v = {
                k: res.series(k, side=side, munition=mun)
                for k in (
                    "produced",
                    "received",
                    "fired",
                    "consumed",
                    "destroyed",
                    "lost",
                    "shipped_out",
                    "refused",
                    "stock",
                    "in_transit",
                )
            }
            lhs = res.initial_stock(side=side, munition=mun)[:, None] + np.cumsum(v["produced"] + v["received"], axis=1)
            rhs = (
                np.cumsum(
                    v["fired"] + v["consumed"] + v["destroyed"] + v["lost"] + v["shipped_out"] + v["refused"], axis=1
                )
                + v["stock"]
                + v["in_transit"]
            )
            np.testing.assert_array_equal(lhs, rhs)
            assert (v["in_transit"] >= 0).all()


@given(scenario=scenarios(max_days=60), seed=st.integers(0, 2**16))
def test_side_recording_reports_the_same_as_entities(scenario: Scenario, seed: int) -> None:
    from munisim.results import SIDE_VARIABLES, RunResult, side_recording

    full = RunResult(scenario, run_vector(scenario, seed=seed, replicates=3), seed, "vector")
    rec = side_recording(scenario)
    vec = RunResult(scenario, run_vector(scenario, seed=seed, replicates=3, recording=rec), seed, "vector")
    des = RunResult(scenario, run_des(scenario, seed=seed, replicates=3, recording=rec)[0], seed, "des")
    assert not any(k[0] in ("stockpile", "factory") for k in vec.trajectories.series)
    assert set(vec.trajectories.series) == set(des.trajectories.series)
    for side in [None, *scenario.sides]:
        for mun in [None, *scenario.munitions]:
            for var in SIDE_VARIABLES:
                want = full.series(var, side=side, munition=mun)
                np.testing.assert_array_equal(vec.series(var, side=side, munition=mun), want)
                np.testing.assert_array_equal(des.series(var, side=side, munition=mun), want)
            np.testing.assert_array_equal(
                vec.initial_stock(side=side, munition=mun), full.initial_stock(side=side, munition=mun)
            )
