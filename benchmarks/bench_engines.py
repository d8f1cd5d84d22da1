"""Speed of the two engines and of the random draws alone.

Run: ``python benchmarks/bench_engines.py [--rounds 5] [--quick]``.  Prints
replicate-days per second for the vector and SimPy engines on the toy
(benchmarks/toy.yaml) and on scenarios/baseline.yaml, the random-draw floor
(``build_block`` alone, the same numbers the engines consume), SimPy events
per second, the peak memory of a 10,000-replicate baseline run (in a
subprocess), and the ratios against the targets.  Medians over ``--rounds``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from munisim import load_scenario
from munisim.engines.des import run_des
from munisim.engines.vector import run_vector
from munisim.model.inputs import build_block
from munisim.results import side_recording
from munisim.rng import REPLICATE_BLOCK

HERE = Path(__file__).resolve().parent


def median_time(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bench(name: str, path: Path, vec_reps: int, des_reps: int, rounds: int) -> dict[str, float]:
    s = load_scenario(path)
    T = s.n_days
    blocks = -(-vec_reps // REPLICATE_BLOCK)
    rec = side_recording(s)  # what a run keeps by default
    t_vec = median_time(lambda: run_vector(s, seed=1, replicates=vec_reps, chunk_replicates=max(vec_reps, 2048),
                                           recording=rec), rounds)
    t_draw = median_time(lambda: [build_block(s, 1, b) for b in range(blocks)], rounds)
    events = 0

    def des() -> None:
        nonlocal events
        _, events = run_des(s, seed=1, replicates=des_reps, recording=rec)

    t_des = median_time(des, max(1, rounds // 2))
    vec_rd = vec_reps * T / t_vec
    des_rd = des_reps * T / t_des
    print(f"\n{name}: {T:,} days")
    print(f"  vector: {vec_reps:,} replicates in {t_vec:.3f} s = {vec_rd / 1e6:.2f} M replicate-days/s")
    print(f"  draws alone (build_block, {blocks} blocks of {REPLICATE_BLOCK}): {t_draw:.3f} s; "
          f"vector total = {t_vec / t_draw:.2f} x the draw floor")
    print(f"  des: {des_reps} replicates in {t_des:.3f} s = {des_rd / 1e3:.1f} k replicate-days/s, "
          f"{t_des / des_reps:.3f} s per replicate, {events / t_des / 1e3:.0f} k events/s")
    print(f"  vector / des per replicate: {vec_rd / des_rd:.0f} x")
    return {"vec_rd": vec_rd, "floor_ratio": t_vec / t_draw, "ratio": vec_rd / des_rd,
            "des_eps": events / t_des, "des_rep_s": t_des / des_reps}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="fewer rounds and replicates")
    ap.add_argument("--skip-memory", action="store_true", help="skip the 10,000-replicate memory run")
    args = ap.parse_args()
    rounds = 2 if args.quick else args.rounds
    try:
        os.sched_setaffinity(0, {0})
        pinned = "pinned to core 0"
    except (AttributeError, OSError):
        pinned = "not pinned"
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores ({pinned}); python {platform.python_version()}, "
          f"numpy {np.__version__}")
    toy = bench("toy (1 factory, 1 stockpile, 1 front, daily noise)", HERE / "toy.yaml",
                2048 if args.quick else 4096, 10 if args.quick else 40, rounds)
    base = bench("baseline", HERE.parent / "scenarios" / "baseline.yaml",
                 256 if args.quick else 1024, 5 if args.quick else 20, rounds)
    if not args.skip_memory:
        code = ("import resource, time, munisim; t = time.perf_counter(); "
                "r = munisim.simulate('scenarios/baseline.yaml', engine='vector', replicates=10000, seed=1); "
                "r.summary(); r.quantiles(); "
                "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=HERE.parent, check=True)
        secs, peak = (float(x) for x in proc.stdout.split())
        print(f"\nbaseline, 10,000 replicates on the vector engine (summary + daily quantiles): {secs:.1f} s, "
              f"peak memory {peak:,.0f} MiB")
    print("\ntargets:")
    print(f"  toy >= 25 M replicate-days/s on one core: {toy['vec_rd'] / 1e6:.2f} M ({toy['vec_rd'] / 25e6:.2f} x target)")
    print(f"  vector <= 1.25 x draw floor on the toy: {toy['floor_ratio']:.2f} x")
    print(f"  vector >= 300 x des per replicate on baseline: {base['ratio']:.0f} x")
    print(f"  des >= 500 k events/s: {base['des_eps'] / 1e3:.0f} k; <= 0.15 s per baseline replicate: "
          f"{base['des_rep_s']:.3f} s")


if __name__ == "__main__":
    main()
