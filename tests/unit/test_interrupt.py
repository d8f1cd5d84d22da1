"""Ctrl-C on real processes: `munisim run` and `munisim sweep` stop cleanly, leave no partial output, and a
sweep resumes to the result of an uninterrupted one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from munisim.experiments.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
TOY_EXPERIMENT = ROOT / "tests" / "data" / "experiments" / "toy-sweep.yaml"


def _interrupt_when(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout_s: float = 120) -> tuple[int, str]:
    deadline = time.time() + timeout_s
    while time.time() < deadline and not ready() and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the process finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_ctrl_c_on_run_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "munisim",
            "run",
            str(ROOT / "scenarios" / "baseline.yaml"),
            "--engine",
            "vector",
            "--replicates",
            "50000",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    started = time.time()
    code, err = _interrupt_when(proc, lambda: time.time() - started > 4)
    assert code == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "no temporary directory may be left behind"


def test_ctrl_c_on_sweep_then_resume(tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        TOY_EXPERIMENT.read_text()
        .replace("chunk_samples: 5", "chunk_samples: 2")
        .replace("../../../benchmarks/toy.yaml", str(ROOT / "benchmarks" / "toy.yaml"))
    )
    out = tmp_path / "s"
    proc = subprocess.Popen(
        [
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
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    code, err = _interrupt_when(proc, lambda: len(list((out / "chunks").glob("chunk-*.parquet"))) >= 2)
    assert code == 130, err
    assert "Traceback" not in err
    assert not (out / "samples.parquet").exists()
    assert not list((out / "chunks").glob("*.tmp*")), "no half-written chunk"
    resumed = sweep(exp, samples=200, replicates=40, out=out, resume=True)
    fresh = sweep(exp, samples=200, replicates=40)
    pd.testing.assert_frame_equal(resumed.samples, fresh.samples)
    pd.testing.assert_frame_equal(resumed.outcomes, fresh.outcomes)


def test_sigkill_on_run_leaves_a_whole_run_or_none_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    """Killed outright at any moment, `munisim run` leaves the previous run whole; the next write sweeps up."""
    from munisim.io import atomic_directory

    out = tmp_path / "run"
    args = [sys.executable, "-m", "munisim", "run", str(ROOT / "scenarios" / "example-small.yaml")]
    args += ["--engine", "vector", "--replicates", "400", "--out", str(out)]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert first.returncode == 0, first.stderr
    before = (out / "summary.json").read_bytes()
    # Kill a rerun at increasing delays, so some kills land while the run directory is being written.
    for delay in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert (out / "manifest.json").exists() and (out / "summary.json").read_bytes() == before
    # A leftover from a writer that is gone (pid 2**22 + 1 cannot be a live process) is removed by the next write.
    stale = tmp_path / f".run.{2**22 + 1}.abcd_123.tmp"
    stale.mkdir()
    (stale / "summary.json").write_text("{", encoding="utf-8")
    with atomic_directory(out) as tmp:
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"], "no temporary directory may be left behind"


def test_only_this_targets_dead_temporaries_are_removed(tmp_path: Path) -> None:
    import os

    from munisim.io import remove_stale_siblings

    dead = 2**22 + 1  # above Linux's largest pid
    names = {
        f".run.{dead}.abcd_123.tmp": True,  # this target's, writer gone
        f".run.{dead}.old": True,
        f".run.{os.getpid()}.abcdefgh.tmp": False,  # this process's own
        f".run.5.{dead}.abcd_123.tmp": False,  # target "run.5"'s
        f".run.{dead}.notmine.tmp": False,  # not a name munisim makes
    }
    for name in names:
        (tmp_path / name).mkdir()
    removed = {p.name for p in remove_stale_siblings(tmp_path / "run")}
    assert removed == {n for n, gone in names.items() if gone}
    assert {p.name for p in tmp_path.iterdir()} == {n for n, gone in names.items() if not gone}
