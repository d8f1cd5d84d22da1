"""Comparing run directories: paired differences with common random numbers, Welch otherwise, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from munisim import load_scenario, simulate
from munisim.analysis.compare import paired_difference, paired_stats, welch_stats
from munisim.analysis.compare_runs import compare_files
from munisim.cli import main
from munisim.report.outcomes_file import OUTCOMES_FILE
from munisim.report.run_dir import write_run

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "example-small.yaml"
LESS_STOCK = ("stockpiles.red_depot.initial_rounds=300000",)


def _run(out: Path, *, seed: int, replicates: int, overrides: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    result = simulate(load_scenario(SMALL, overrides=overrides), engine="vector", replicates=replicates, seed=seed)
    write_run(result, out, scenario_path=SMALL, overrides=overrides)
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("runs")
    return {
        "dir": root,
        "a": _run(root / "a", seed=1, replicates=24),
        "b": _run(root / "b", seed=1, replicates=24, overrides=LESS_STOCK),
        "c": _run(root / "c", seed=2, replicates=16),
    }


def _row(rows: list[dict], outcome: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in rows if r["outcome"] == outcome)


def test_outcomes_file_holds_every_replicate_outcome(runs: dict) -> None:  # type: ignore[type-arg]
    frame = pd.read_parquet(runs["dir"] / "a" / OUTCOMES_FILE)
    result = runs["a"]
    assert list(frame.columns) == ["replicate", *result.outcomes]
    assert frame["replicate"].tolist() == list(range(24))
    for key, values in result.outcomes.items():
        np.testing.assert_array_equal(frame[key].to_numpy(), values, err_msg=key)
    assert {"red.low_stock", "blue.first_stockout", "crossover.red over blue"} <= set(frame.columns)


def test_same_seed_gives_paired_differences_per_replicate(runs: dict) -> None:  # type: ignore[type-arg]
    cmp = compare_files([runs["dir"] / "a", runs["dir"] / "b"])
    assert cmp.pairing[0] is None and cmp.pairing[1]["method"] == "paired"
    a = pd.read_parquet(runs["dir"] / "a" / OUTCOMES_FILE)
    b = pd.read_parquet(runs["dir"] / "b" / OUTCOMES_FILE)
    for metric in ("red.fired", "red.final_stock", "red.share_met", "blue.produced"):
        d = _row(cmp.totals, metric)["differences"][1]
        per_replicate = b[metric].to_numpy(float) - a[metric].to_numpy(float)
        assert d["method"] == "paired" and d["n"] == 24
        assert d["mean"] == pytest.approx(per_replicate.mean(), rel=1e-12, abs=1e-9)
        half = stats.t.ppf(0.975, 23) * per_replicate.std(ddof=1) / np.sqrt(24)
        assert (d["low"], d["high"]) == pytest.approx((per_replicate.mean() - half, per_replicate.mean() + half))
        # The same as the in-memory paired difference of the two results.
        assert d["mean"] == pytest.approx(paired_difference(runs["a"], runs["b"], metric)["mean"], abs=1e-9)
    # Blue's inputs did not change: with common random numbers its outcomes are identical, the difference exactly 0.
    blue = _row(cmp.totals, "blue.fired")["differences"][1]
    assert (blue["mean"], blue["low"], blue["high"]) == (0.0, 0.0, 0.0)
    # Half the initial stock: red fires less in every replicate.
    fired = _row(cmp.totals, "red.fired")["differences"][1]
    assert fired["high"] < 0


def test_different_seeds_give_an_unpaired_welch_difference(runs: dict) -> None:  # type: ignore[type-arg]
    cmp = compare_files([runs["dir"] / "a", runs["dir"] / "c"])
    assert cmp.pairing[1]["method"] == "unpaired"
    assert "seed (1 vs 2)" in cmp.pairing[1]["reason"] and "replicates (24 vs 16)" in cmp.pairing[1]["reason"]
    x = runs["a"].outcomes["red.produced"].astype(float)
    y = runs["c"].outcomes["red.produced"].astype(float)
    d = _row(cmp.totals, "red.produced")["differences"][1]
    assert d["method"] == "unpaired" and d["n"] == [24, 16]
    assert d["mean"] == pytest.approx(y.mean() - x.mean())
    vx, vy = x.var(ddof=1) / 24, y.var(ddof=1) / 16
    df = (vx + vy) ** 2 / (vx**2 / 23 + vy**2 / 15)
    half = stats.t.ppf(0.975, df) * np.sqrt(vx + vy)
    assert (d["low"], d["high"]) == pytest.approx((d["mean"] - half, d["mean"] + half))
    # Per-run spreads: median and 90% interval of each run's replicates.
    spread = _row(cmp.totals, "red.produced")["runs"][1]
    assert spread["p50"] == pytest.approx(np.median(y)) and spread["p05"] == pytest.approx(np.quantile(y, 0.05))


def test_event_outcomes_compare_shares_and_censored_medians(runs: dict) -> None:  # type: ignore[type-arg]
    cmp = compare_files([runs["dir"] / "a", runs["dir"] / "b"])
    row = _row(cmp.events, "red.low_stock")
    la, lb = runs["a"].outcomes["red.low_stock"], runs["b"].outcomes["red.low_stock"]
    assert row["runs"][0]["share"] == pytest.approx((la >= 0).mean())
    diff = row["differences"][1]
    assert diff["share"]["mean"] == pytest.approx((lb >= 0).mean() - (la >= 0).mean())
    start = pd.Timestamp("2024-01-01")
    for run, idx in ((row["runs"][0], la), (row["runs"][1], lb)):
        med = int(np.sort(np.where(idx < 0, 10**9, idx))[(len(idx) - 1) // 2])
        assert run["median"] == (None if med == 10**9 else (start + pd.Timedelta(days=med)).date().isoformat())
    if row["runs"][0]["median"] and row["runs"][1]["median"]:
        assert (
            diff["median_days"]
            == (pd.Timestamp(row["runs"][1]["median"]) - pd.Timestamp(row["runs"][0]["median"])).days
        )
    crossover = _row(cmp.events, "crossover.red over blue")
    assert crossover["side"] is None and crossover["runs"][0]["median"].endswith("-01")


def test_difference_statistics_by_hand() -> None:
    assert paired_stats(np.array([1.0, 2.0, np.nan]), np.array([2.0, 4.0, 5.0])) == pytest.approx(
        {
            "mean": 1.5,
            "low": 1.5 - stats.t.ppf(0.975, 1) * np.sqrt(0.5) / np.sqrt(2),
            "high": 1.5 + stats.t.ppf(0.975, 1) * np.sqrt(0.5) / np.sqrt(2),
            "sd": np.sqrt(0.5),
            "n": 2,
        }
    )
    w = welch_stats(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0, 8.0]))
    ref = stats.ttest_ind(np.array([2.0, 4.0, 6.0, 8.0]), np.array([1.0, 2.0, 3.0]), equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert (w["mean"], w["low"], w["high"]) == pytest.approx((3.0, ci.low, ci.high))


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_compare_prints_a_table_and_writes_json(runs: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "cmp.json"
    code, stdout, stderr = cli(
        "compare", str(runs["dir"] / "a"), str(runs["dir"] / "b"), str(runs["dir"] / "c"), "--json", str(out)
    )
    assert code == 0, stderr
    assert "Key outcomes per run" in stdout and "fired" in stdout and "stock" in stdout
    assert "#2 − #1 (b − a): paired" in stdout and "#3 − #1 (c − a): unpaired" in stdout
    data = json.loads(out.read_text())
    assert [r["seed"] for r in data["runs"]] == [1, 1, 2]
    assert [p and p["method"] for p in data["pairing"]] == [None, "paired", "unpaired"]
    assert _row(data["totals"], "red.fired")["differences"][1]["mean"] < 0


def test_cli_compare_errors(runs: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    a = str(runs["dir"] / "a")
    code, _, stderr = cli("compare", a, str(tmp_path))
    assert code == 2 and stderr.strip() == f"{tmp_path}: not a munisim run directory (no manifest.json)"
    code, _, stderr = cli("compare", a, str(tmp_path / "missing"))
    assert code == 2 and "no such directory" in stderr and len(stderr.strip().splitlines()) == 1
    code, _, stderr = cli("compare", a)
    assert code == 2 and "at least two run directories" in stderr
    # A run written before outcomes.parquet existed.
    old = tmp_path / "old"
    shutil.copytree(runs["dir"] / "a", old)
    (old / OUTCOMES_FILE).unlink()
    code, _, stderr = cli("compare", a, str(old))
    assert code == 2 and f"{old / OUTCOMES_FILE}: missing" in stderr and "older munisim" in stderr
    assert "Traceback" not in stderr


def test_cli_compare_refuses_runs_with_different_sides(runs: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    text = SMALL.read_text(encoding="utf-8").replace("red", "green")
    text = text.replace("figures: ../seeds/figures.yaml", f"figures: {ROOT / 'seeds' / 'figures.yaml'}")
    other = tmp_path / "green.yaml"
    other.write_text(text, encoding="utf-8")
    result = simulate(load_scenario(other), engine="vector", replicates=4, seed=1)
    write_run(result, tmp_path / "green", scenario_path=other)
    code, _, stderr = cli("compare", str(runs["dir"] / "a"), str(tmp_path / "green"))
    assert code == 2, stderr
    assert stderr.startswith(f"{tmp_path / 'green'}: sides green, blue differ from those of")
    assert len(stderr.strip().splitlines()) == 1
