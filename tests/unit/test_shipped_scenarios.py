"""Every shipped scenario validates and runs; both engines agree on it replicate by replicate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from munisim import load_scenario, simulate

from ..conftest import SCENARIOS


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_runs_and_engines_agree(path: Path) -> None:
    s = load_scenario(path)
    des = simulate(s, engine="des", replicates=5, seed=1)
    vec = simulate(s, engine="vector", replicates=5, seed=1)
    for key, arr in des.trajectories.series.items():
        np.testing.assert_array_equal(arr, vec.trajectories.series[key], err_msg=str(key))
    summary = des.summary()
    assert set(summary["sides"]) == set(s.sides)
    # What is reported agrees exactly too: float reductions must not depend on how an engine lays out its series.
    assert summary["sides"] == vec.summary()["sides"]
    assert summary.get("loss_exchange") == vec.summary().get("loss_exchange")
    pd.testing.assert_frame_equal(des.quantiles(), vec.quantiles(), check_exact=True)


def test_every_shipped_scenario_is_found() -> None:
    names = {p.name for p in SCENARIOS}
    assert {"example-small.yaml"} <= names
