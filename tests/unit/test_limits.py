"""Resource guards: work, memory and horizon over the limits are refused before any work, with the way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim import simulate
from munisim.cli import main
from munisim.config.loader import load_scenario
from munisim.errors import ScenarioError
from munisim.limits import ResourceLimitError, limits

from ..helpers import scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "example-small.yaml"
BODY = """
stockpiles:
  depot: {side: red, munition: m, initial_rounds: 100}
"""


def test_a_thousand_year_horizon_is_refused_with_the_limit(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario(BODY, end="3024-01-01")
    (problem,) = err.value.problems
    assert problem.path == "end" and "over the limit of 36,525" in problem.message
    assert "MUNISIM_MAX_DAYS" in problem.message


def test_the_horizon_limit_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUNISIM_MAX_DAYS", "400000")
    assert scenario(BODY, end="3024-01-01").n_days > 36_525


def test_too_much_work_is_refused_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario(SMALL)
    with pytest.raises(ResourceLimitError, match="MUNISIM_MAX_WORK"):
        simulate(s, engine="vector", replicates=10**11)
    monkeypatch.setenv("MUNISIM_MAX_WORK", "1000")
    with pytest.raises(ResourceLimitError, match="replicate-days"):
        simulate(s, engine="vector", replicates=100)


def test_too_much_memory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUNISIM_MAX_MEMORY_GB", "0.001")
    with pytest.raises(ResourceLimitError, match="GiB of memory"):
        simulate(load_scenario(SMALL), engine="vector", replicates=1000)


def test_bad_limit_values_are_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUNISIM_MAX_WORK", "lots")
    with pytest.raises(ResourceLimitError, match="not a number"):
        limits()


def test_cli_refuses_with_exit_2_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUNISIM_MAX_WORK", "1000")
    out = tmp_path / "run"
    r = CliRunner().invoke(main, ["run", str(SMALL), "--engine", "vector", "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "MUNISIM_MAX_WORK" in r.output and "Traceback" not in r.output
    assert not out.exists()


@pytest.mark.parametrize("name", ["baseline.yaml", "example-small.yaml"])
@pytest.mark.parametrize("keep", ["sides", "entities"])
def test_the_memory_estimate_counts_the_series_the_engine_records(name: str, keep: str) -> None:
    from munisim.engines.vector.engine import run_blocks
    from munisim.model.inputs import build_block
    from munisim.model.outputs import Recording
    from munisim.results import side_recording
    from munisim.simulation import input_count, series_count

    s = load_scenario(ROOT / "scenarios" / name)
    recording = side_recording(s) if keep == "sides" else Recording.entities()
    block = build_block(s, 1, 0)
    traj = run_blocks([block], [slice(0, 2)], recording)
    assert series_count(s, recording) == len(traj.series)
    demands = [f.demand for f in block.fronts]
    avails = [f.avail for f in block.factories if f.avail is not None]
    assert input_count(s) == len(demands) + len(avails)


def test_a_sweep_is_refused_with_sweep_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    from munisim import sweep

    monkeypatch.setenv("MUNISIM_MAX_MEMORY_GB", "0.001")
    with pytest.raises(ResourceLimitError, match="chunk_samples"):
        sweep(ROOT / "benchmarks" / "sweep-toy.yaml", samples=4, replicates=2)
