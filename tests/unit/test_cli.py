"""The command line end to end: exit codes, error lines, the run directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from munisim.cli import main
from munisim.report.charts import CHART_FILES
from munisim.report.run_dir import RUN_FILES

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "example-small.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_run_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, stdout, stderr = run("run", str(SMALL), "--replicates", "4", "--seed", "3", "--out", str(out))
    assert code == 0, stderr
    for name in RUN_FILES + CHART_FILES:
        assert (out / name).is_file(), name
    assert "demand met" in stdout and "first stock-out" in stdout and "exceeds that of" in stdout
    summary = json.loads((out / "summary.json").read_text())
    for side in ("red", "blue"):
        for key in ("produced", "received", "fired", "demanded", "final_stock"):
            assert set(summary["sides"][side][key]) == {"mean", "p05", "p50", "p95"}
        assert "first_stockout" in summary["sides"][side]
    assert set(summary["crossover"]) == {"red over blue", "blue over red"}
    assert {"month", "share"} <= set(summary["crossover"]["red over blue"])
    table = pd.read_parquet(out / "timeseries.parquet")
    assert list(table.columns) == ["date", "side", "variable", "mean", "p05", "p50", "p95"]
    assert {"produced", "received", "fired", "demanded", "stock"} <= set(table["variable"])
    assert len(table) == len(pd.read_csv(out / "timeseries.csv"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["replicates"] == 4 and manifest["engine"] == "des"
    assert {"munisim", "numpy", "simpy"} <= set(manifest["versions"])
    assert "ru_new_production_2024" in manifest["figures_cited"]
    assert len(manifest["scenario_file_sha256"]) == 64
    # The resolved scenario validates again and runs to the same result.
    code, _, stderr = run("validate", str(out / "scenario.resolved.yaml"))
    assert code == 0, stderr
    # No temporary directory is left beside the output.
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_rerun_replaces_a_run_but_not_other_directories(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert run("run", str(SMALL), "-n", "2", "--out", str(out))[0] == 0
    assert run("run", str(SMALL), "-n", "2", "--out", str(out), "--seed", "9")[0] == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 9
    other = tmp_path / "precious"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    code, _, stderr = run("run", str(SMALL), "-n", "2", "--out", str(other))
    assert code == 2 and "not a munisim run directory" in stderr
    assert (other / "notes.txt").read_text() == "keep me"


def test_set_override_and_its_errors(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, _, stderr = run(
        "run",
        str(SMALL),
        "-n",
        "2",
        "--out",
        str(out),
        "--set",
        "fronts.red_front.demand.152mm[0].rate=1",
        "--set",
        "stockpiles.red_depot.initial_rounds=0",
    )
    assert code == 0, stderr
    assert json.loads((out / "manifest.json").read_text())["overrides"][0].startswith("fronts.red_front")
    code, _, stderr = run("run", str(SMALL), "--out", str(tmp_path / "x"), "--set", "fronts.red_frnt.side=red")
    assert code == 2 and "did you mean 'red_front'" in stderr
    code, _, stderr = run(
        "run", str(SMALL), "--out", str(tmp_path / "x"), "--set", "stockpiles.red_depot.initial_rounds=-3"
    )
    assert code == 2 and "<--set stockpiles.red_depot.initial_rounds>" in stderr
    assert not (tmp_path / "x").exists()


def test_validate_names_the_line_of_a_misspelt_key(tmp_path: Path) -> None:
    text = SMALL.read_text().replace("    lead_time_days: 10", "    lead_time_dayz: 10")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = text.splitlines().index("    lead_time_dayz: 10") + 1
    code, _, stderr = run("validate", str(bad))
    assert code == 2
    assert stderr.strip() == (
        f"{bad}:{line}:5: transfers.red_supplier.lead_time_dayz: unknown key 'lead_time_dayz'; "
        "did you mean 'lead_time_days'?"
    )


def test_bad_run_leaves_nothing_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstart: 2024-01-01\nend: 2023-01-01\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "munisim", "run", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.strip()
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["run", "missing.yaml"],
        ["run", str(SMALL), "--replicates", "0"],
        ["run", str(SMALL), "--engine", "warp"],
        ["validate"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run(*args)[0] == 2


def test_vector_engine_from_cli(tmp_path: Path) -> None:
    code, stdout, stderr = run("run", str(SMALL), "--engine", "vector", "-n", "100", "--out", str(tmp_path / "v"))
    assert code == 0, stderr
    assert "engine vector" in stdout
