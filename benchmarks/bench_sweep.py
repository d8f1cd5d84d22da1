"""Speed of sweeps: serial, two local workers, and a local Dask cluster.

Run: ``python benchmarks/bench_sweep.py [--samples 5000] [--skip-dask]``.
Prints the wall time of the toy sweep (benchmarks/sweep-toy.yaml: 3 years,
100 replicates per sample) serially and with 2 worker processes, the parallel
efficiency (serial / (2 x parallel)), the time of the random draws alone for
the same samples, and, on a scheduler and two workers started on 127.0.0.1,
the Dask time and its overhead per chunk.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from munisim.config.experiment_loader import load_experiment
from munisim.experiments.design import design_points
from munisim.experiments.evaluate import SweepTask, _scenario
from munisim.experiments.sweep import sweep, with_overrides
from munisim.model.inputs import build_block
from munisim.rng import REPLICATE_BLOCK

HERE = Path(__file__).resolve().parent
EXPERIMENT = HERE / "sweep-toy.yaml"


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def draw_floor(samples: int) -> float:
    """build_block alone for every sample's blocks (draws, schedules): no sweep can be faster."""
    spec = load_experiment(EXPERIMENT)
    exp = with_overrides(spec.experiment, samples=samples)
    names, _, values = design_points(exp.design, exp.factors, seed=exp.seed)
    task = SweepTask(exp, spec.scenario_data, spec.figure_ids, tuple(names), (), values)
    scenarios = [_scenario(task, row) for row in values]
    nb = -(-exp.replicates // REPLICATE_BLOCK)

    def run() -> None:
        for s in scenarios:
            for b in range(nb):
                build_block(s, exp.seed, b)  # discarded at once: holding them all would exhaust memory

    return timed(run)


def dask_cluster() -> tuple[str, list[subprocess.Popen]]:  # type: ignore[type-arg]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dask = shutil.which("dask") or "dask"
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    procs += [
        subprocess.Popen(
            [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny", "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    import distributed

    deadline = time.time() + 90
    while True:
        try:
            with distributed.Client(address, timeout=5) as c:
                c.wait_for_workers(2, timeout=60)
            return address, procs
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=5000)
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args()
    n = args.samples
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; python "
        f"{platform.python_version()}, numpy {np.__version__}"
    )
    print(f"toy sweep: {n:,} samples x 100 replicates x 1,096 days, chunks of 250 samples")
    t1 = timed(lambda: sweep(EXPERIMENT, samples=n))
    t2 = timed(lambda: sweep(EXPERIMENT, samples=n, workers=2))
    floor = draw_floor(n)
    print(f"  serial:            {t1:7.2f} s  ({n / t1:,.0f} samples/s)")
    print(f"  2 worker processes:{t2:7.2f} s  ({n / t2:,.0f} samples/s); parallel efficiency {t1 / (2 * t2):.0%}")
    print(f"  random draws alone (build_block for every sample, one core): {floor:.2f} s = {floor / t1:.0%} of serial")
    print(f"  target: <= 10 s on 2 cores -> {t2 / 10:.2f} x the target time")
    if not args.skip_dask:
        address, procs = dask_cluster()
        try:
            td = timed(lambda: sweep(EXPERIMENT, samples=n, scheduler=address))
            small = min(n, 400)
            tiny_local = timed(lambda: sweep(EXPERIMENT, samples=small, chunk_samples=1, workers=2))
            tiny_dask = timed(lambda: sweep(EXPERIMENT, samples=small, chunk_samples=1, scheduler=address))
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        chunks = -(-n // 250)
        print(
            f"  dask (scheduler + 2 workers on 127.0.0.1): {td:7.2f} s ({chunks} chunks); vs 2 local workers "
            f"{td / t2:.2f} x"
        )
        print(
            f"  per-chunk overhead, {small} one-sample chunks: dask {tiny_dask:.2f} s vs 2 local workers "
            f"{tiny_local:.2f} s -> {(tiny_dask - tiny_local) / small * 1000:.1f} ms more per chunk"
        )


if __name__ == "__main__":
    sys.exit(main())
