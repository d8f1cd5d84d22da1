"""A real dask.distributed cluster on 127.0.0.1 (one scheduler, two workers) gives the serial result."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from munisim.experiments.sweep import sweep  # noqa: E402

TOY = Path(__file__).resolve().parent.parent / "data" / "experiments" / "toy-sweep.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    dask = shutil.which("dask") or f"{sys.executable} -m dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    base = dask.split() if " " in dask else [dask]
    procs = [
        subprocess.Popen(
            base + ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                base + ["worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny", "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        client = None
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                client = distributed.Client(address, timeout=5, set_as_default=False)
                client.wait_for_workers(2, timeout=60)
                break
            except Exception:  # the scheduler is still starting
                time.sleep(0.5)
        assert client is not None, "dask cluster did not start"
        client.close()
        yield address
    finally:
        # Workers first, while the scheduler can still acknowledge them (else they wait to reconnect).
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_dask_sweep_equals_serial(cluster: str, tmp_path: Path) -> None:
    serial = sweep(TOY)
    on_dask = sweep(TOY, scheduler=cluster, out=tmp_path / "d")
    pd.testing.assert_frame_equal(serial.samples, on_dask.samples)
    pd.testing.assert_frame_equal(serial.outcomes, on_dask.outcomes)
    assert on_dask.meta["chunks_run"] == 5


def test_an_unusable_scheduler_address_is_a_clear_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from munisim.cli import main

    out = tmp_path / "sweep"
    args = [
        "sweep",
        str(TOY),
        "--samples",
        "2",
        "--replicates",
        "2",
        "--scheduler",
        "not-an-address",
        "--out",
        str(out),
    ]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output
    assert "cannot reach the Dask scheduler at not-an-address" in r.output and "Traceback" not in r.output
