"""Sweeps: identical for any chunking, worker count and resume point; failures recorded; CRN; CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from munisim.cli import main
from munisim.config.experiment_loader import load_experiment
from munisim.config.loader import scenario_from_located
from munisim.config.yamlload import Located
from munisim.experiments.evaluate import outcome_stats
from munisim.experiments.factors import apply_factors
from munisim.experiments.sweep import sweep
from munisim.simulation import simulate

HERE = Path(__file__).resolve().parent
TOY = HERE.parent / "data" / "experiments" / "toy-sweep.yaml"


def same(a, b) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(a.samples, b.samples)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)


def test_sweep_rows_equal_individual_runs() -> None:
    spec = load_experiment(TOY)
    samples, outcomes = sweep(spec)
    assert list(samples.index) == list(range(24)) and (outcomes["error"] == "").all()
    for i in (0, 7, 23):
        data = apply_factors(spec.scenario_data, spec.experiment.factors, samples.loc[i].to_dict())
        scenario = scenario_from_located(Located(data, "<t>"), None)
        res = simulate(scenario, engine="vector", replicates=spec.experiment.replicates, seed=spec.experiment.seed)
        want = outcome_stats(res, spec.experiment.outcomes)
        for col, v in want.items():
            assert outcomes.loc[i, col] == v, (i, col)


def test_factor_values_follow_the_design() -> None:
    samples, _ = sweep(TOY)
    assert samples["rate"].between(700, 1100).all()
    assert samples["initial"].between(0, 100000).all()
    # Latin hypercube: one sample in each of the 24 strata of every factor.
    strata = np.floor((samples["rate"] - 700) / 400 * 24).astype(int)
    assert sorted(strata) == list(range(24))


@pytest.mark.parametrize(("chunk", "workers"), [(1, 1), (24, 1), (7, 2)])
def test_identical_for_any_chunking_and_workers(chunk: int, workers: int) -> None:
    same(sweep(TOY), sweep(TOY, chunk_samples=chunk, workers=workers))


def test_common_random_numbers_pair_samples() -> None:
    # Two scenarios differing only in initial stock: replicate r sees the same demand in both.
    spec = load_experiment(TOY)
    runs = []
    for initial in (10_000, 20_000):
        data = apply_factors(
            spec.scenario_data, {k: spec.experiment.factors[k] for k in ["initial"]}, {"initial": initial}
        )
        runs.append(simulate(scenario_from_located(Located(data, "<t>"), None), engine="vector", replicates=30, seed=1))
    from munisim.analysis import paired_difference

    np.testing.assert_array_equal(runs[0].series("demanded"), runs[1].series("demanded"))
    d = paired_difference(runs[0], runs[1], "red.final_stock")
    assert d["low"] <= d["mean"] <= d["high"] and d["n"] == 30


def test_resume_runs_only_missing_chunks(tmp_path: Path) -> None:
    ref = sweep(TOY, out=tmp_path / "a")
    store = tmp_path / "a" / "chunks"
    for k in (1, 3):
        (store / f"chunk-{k:06d}.parquet").unlink()
    resumed = sweep(TOY, out=tmp_path / "a", resume=True)
    assert resumed.meta["chunks_run"] == 2 and resumed.meta["chunks_reused"] == 3
    same(ref, resumed)


def test_failed_samples_are_recorded_and_retried(tmp_path: Path) -> None:
    text = TOY.read_text().replace("range: [700, 1100]", "range: [-50, 1100]")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("../../../benchmarks/toy.yaml", str(HERE.parents[1] / "benchmarks" / "toy.yaml")))
    res = sweep(bad, out=tmp_path / "s")
    failed = res.failures
    assert len(failed) > 0 and len(failed) < 24
    assert all("out of range" in e for e in failed)
    assert (res.samples.loc[failed.index, "rate"] < 0).all()
    assert res.outcomes.loc[failed.index].drop(columns="error").isna().all().all()
    retried = sweep(bad, out=tmp_path / "s", retry_failed=True)
    assert retried.meta["samples_run"] == len(failed) and retried.meta["chunks_reused"] == 4
    same(res, retried)


def test_resume_refuses_a_different_sweep(tmp_path: Path) -> None:
    sweep(TOY, out=tmp_path / "a")
    from munisim.experiments.store import ResumeMismatchError

    with pytest.raises(ResumeMismatchError):
        sweep(TOY, out=tmp_path / "a", resume=True, replicates=5)


def test_cli_sweep_and_outputs(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    r = CliRunner().invoke(main, ["sweep", str(TOY), "--out", str(out), "--samples", "12"])
    assert r.exit_code == 0, r.stderr
    assert "12 samples" in r.stdout and "0 failed" in r.stdout
    table = pd.read_parquet(out / "samples.parquet")
    assert len(table) == 12 and {"rate", "error", "red.share_met:mean"} <= set(table.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["design"]["method"] == "lhs" and manifest["chunk_samples"] == 5
    assert (out / "outcomes_by_factor.png").is_file() and (out / "probability_map.png").is_file()


def test_cli_sensitivity_sobol_and_morris(tmp_path: Path) -> None:
    for method in ("sobol", "morris"):
        out = tmp_path / method
        r = CliRunner().invoke(
            main,
            ["sensitivity", str(TOY), "--method", method, "--samples", "16", "--replicates", "8", "--out", str(out)],
        )
        assert r.exit_code == 0, r.stderr
        data = json.loads((out / "sensitivity.json").read_text())
        per = data["indices"]["red.share_met:mean"]
        key = "ST" if method == "sobol" else "mu_star"
        assert set(per) == {"rate", "demand_scale", "initial"}
        # Stock at the start barely matters over three years; production rate does.
        assert per["rate"][key] > per["initial"][key]
        assert (out / "sensitivity.png").is_file()


def test_experiment_errors_name_lines(tmp_path: Path) -> None:
    text = TOY.read_text().replace("fronts.front.demand", "fronts.frnt.demand").replace("red.share_met", "red.shar_met")
    bad = tmp_path / "e.yaml"
    bad.write_text(text.replace("../../../benchmarks/toy.yaml", str(HERE.parents[1] / "benchmarks" / "toy.yaml")))
    r = CliRunner().invoke(main, ["sweep", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert any(":10:25:" in ln and "factors.demand_scale.scale" in ln and "did you mean 'front'" in ln for ln in lines)
    assert any("outcomes[0].metric" in ln and "did you mean 'red.share_met'" in ln for ln in lines)
    assert not (tmp_path / "o").exists()


def test_killed_sweep_resumes_to_the_same_result(tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        TOY.read_text()
        .replace("chunk_samples: 5", "chunk_samples: 2")
        .replace("../../../benchmarks/toy.yaml", str(HERE.parents[1] / "benchmarks" / "toy.yaml"))
    )
    out = tmp_path / "k"
    cmd = [
        sys.executable,
        "-m",
        "munisim",
        "sweep",
        str(exp),
        "--samples",
        "200",
        "--replicates",
        "40",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "chunks").glob("chunk-*.parquet"))) < 3:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list((out / "chunks").glob("chunk-*.parquet")))
    assert 3 <= done < 100, done
    assert not (out / "samples.parquet").exists()
    # A chunk being written when the kill came is a hidden temporary named after the dead process.
    (out / "chunks" / f".chunk-{done:06d}.{2**22 + 1}.tmp").write_bytes(b"PAR1 half a chunk")
    resumed = sweep(exp, samples=200, replicates=40, out=out, resume=True)
    assert resumed.meta["chunks_reused"] == done
    assert not list((out / "chunks").glob(".*.tmp")), "the resumed sweep removes dead writers' temporaries"
    same(sweep(exp, samples=200, replicates=40), resumed)


def test_shipped_experiment_validates_and_runs_small(tmp_path: Path) -> None:
    path = HERE.parents[1] / "experiments" / "ru-production.yaml"
    spec = load_experiment(path)
    assert set(spec.experiment.factors) == {"ru_2025_rate", "dprk_supply", "eu_delay_days"}
    samples, outcomes = sweep(spec, samples=3, replicates=2)
    assert (outcomes["error"] == "").all() and len(samples) == 3


def test_des_and_vector_sweeps_agree(tmp_path: Path) -> None:
    exp = tmp_path / "des.yaml"
    exp.write_text(
        TOY.read_text()
        .replace("replicates: 20", "replicates: 3\nengine: des")
        .replace("../../../benchmarks/toy.yaml", str(HERE.parents[1] / "benchmarks" / "toy.yaml"))
    )
    vec = tmp_path / "vec.yaml"
    vec.write_text(exp.read_text().replace("engine: des", "engine: vector"))
    same(sweep(exp, samples=4), sweep(vec, samples=4))


def test_compare_two_design_points_paired() -> None:
    from munisim.analysis import compare_samples

    _, outcomes = sweep(TOY)
    d = compare_samples(TOY, 0, 1, "red.share_met")
    # The mean paired difference equals the difference of the sweep's means.
    want = outcomes.loc[1, "red.share_met:mean"] - outcomes.loc[0, "red.share_met:mean"]
    assert abs(d["mean"] - want) < 1e-12
    assert d["low"] <= d["mean"] <= d["high"] and d["n"] == 20
