"""Speed of the two engines, of the random draws alone, and peak memory of a large run.

Run from the repository root::

    python benchmarks/bench_engines.py            # 5 rounds, full replicate counts (~1 min)
    python benchmarks/bench_engines.py --quick    # 2 rounds, fewer replicates (~15 s without memory)
    python benchmarks/bench_engines.py --skip-memory --json out.json

In one process pinned to one core (where the OS allows it) it measures, as
medians over ``--rounds`` rounds:

* replicate-days per second of the vector engine (``run_vector``) on the toy
  (``benchmarks/toy.yaml``: one factory with availability share 0.9 and daily
  uptime noise, one stockpile, one front with Poisson demand, 3 years; 4,096
  replicates rounded up to whole replicate blocks, in one chunk) and on
  ``scenarios/baseline.yaml`` (1,000 replicates, likewise rounded up; skipped
  with a message if the file is missing);
* the same for the SimPy engine (``run_des``, 64 / 20 replicates), its events
  per second and seconds per replicate, and the vector / SimPy ratio per
  replicate;
* the random-draw floor: ``build_block`` alone for the same replicate blocks
  (every number the engines consume: parameters, uptime uniforms, demand
  counts, daily schedule rates) -- no engine can be faster -- and the vector
  engine's time as a multiple of it and its excess above it;
* in a separate process (so its peak is isolated), the wall time and peak
  resident memory (``ru_maxrss``) of ``munisim.simulate(..., engine="vector",
  replicates=10000)`` on the baseline (on the toy if the baseline is missing),
  including ``summary()`` and ``quantiles()``.

Both engines record what a run keeps by default (stockpiles summed per side
and munition, the fronts, stockpile-to-stockpile transfers:
``munisim.results.side_recording``).  Floor and vector rounds are interleaved
(alternating which goes first) so that load from other processes affects both
alike; the spread (min-max over rounds) is printed so a noisy run shows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOY = HERE / "toy.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"

#: Targets (see benchmarks/README.md).
TARGET_TOY_RD = 25e6  # vector replicate-days/s on the toy, one core
TARGET_FLOOR = 1.25  # vector time <= 1.25 x draw floor on the toy
TARGET_VEC_DES = 300.0  # vector >= 300 x SimPy per replicate on the baseline
TARGET_DES_EPS = 500e3  # SimPy events/s
TARGET_DES_REP_S = 0.15  # SimPy seconds per baseline replicate


# --------------------------------------------------------------------------- machine


def pin_to_one_core(core: int | None = 0) -> str:
    """Pin this process to ``core`` (or the lowest allowed core); say what happened."""
    if core is None or core < 0:
        return "not pinned (--core -1)"
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (os.sched_setaffinity unavailable on this platform)"
    try:
        allowed = os.sched_getaffinity(0)
        core = core if core in allowed else min(allowed)
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core} (of allowed {sorted(allowed)})"
    except OSError as exc:
        return f"not pinned ({exc})"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_state() -> str:
    """Commit and whether src/ differs from it (read-only git commands)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        return f"{head}{' + uncommitted changes in src/' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    import simpy

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "simpy": simpy.__version__,
        "platform": platform.platform(),
        "commit": git_state(),
    }


# --------------------------------------------------------------------------- timing


#: (wall, cpu) seconds of every timed call, to tell a quiet run from a contended one.
CLOCK = [0.0, 0.0]
#: Kernel (system) CPU seconds of the last timed call: mostly page faults on fresh memory.
LAST_SYS = [0.0]


def timed(fn: Callable[[], Any]) -> float:
    """Wall seconds of ``fn()``; also adds wall and process CPU time to ``CLOCK``."""
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    CLOCK[0] += wall
    CLOCK[1] += time.process_time() - c0
    LAST_SYS[0] = resource.getrusage(resource.RUSAGE_SELF).ru_stime - r0.ru_stime
    return wall


def stats(times: list[float]) -> dict[str, float]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def spread(st: dict[str, float]) -> str:
    return f"{st['median']:.3f} s (range {st['min']:.3f}-{st['max']:.3f})"


def bench_scenario(
    label: str, path: Path, vec_reps: int, chunk: int, des_reps: int, rounds: int, seed: int
) -> dict[str, Any]:
    """Vector engine, draw floor and SimPy engine on one scenario."""
    from munisim import load_scenario
    from munisim.engines.des import run_des
    from munisim.engines.vector import run_vector
    from munisim.model.inputs import build_block
    from munisim.results import side_recording
    from munisim.rng import REPLICATE_BLOCK

    s = load_scenario(path)
    T = s.n_days
    rec = side_recording(s)
    n_blocks = -(-vec_reps // REPLICATE_BLOCK)

    def vector() -> None:
        run_vector(s, seed=seed, replicates=vec_reps, chunk_replicates=chunk, recording=rec)

    def floor() -> None:
        for b in range(n_blocks):
            build_block(s, seed, b)  # each block dropped at once: the draws alone

    def floor_kept() -> None:
        kept = [build_block(s, seed, b) for b in range(n_blocks)]  # all alive at once, as run_vector holds them
        del kept

    events = 0

    def des() -> None:
        nonlocal events
        _, events = run_des(s, seed=seed, replicates=des_reps, recording=rec)

    # Warm-up outside the timed rounds: imports, caches, and one full-size vector run so the
    # first timed round does not also pay for growing the heap.
    vector()
    run_des(s, seed=seed, replicates=1, recording=rec)

    t_vec: list[float] = []
    t_floor: list[float] = []
    t_kept: list[float] = []
    sys_vec: list[float] = []
    for r in range(rounds):
        # Alternate the order so slow drift in background load hits both alike.
        if r % 2 == 0:
            t_floor.append(timed(floor))
            t_vec.append(timed(vector))
            sys_vec.append(LAST_SYS[0])
        else:
            t_vec.append(timed(vector))
            sys_vec.append(LAST_SYS[0])
            t_floor.append(timed(floor))
        t_kept.append(timed(floor_kept))
    t_des = [timed(des) for _ in range(rounds)]

    v, f, d, fk = stats(t_vec), stats(t_floor), stats(t_des), stats(t_kept)
    vec_rd = vec_reps * T / v["median"]
    des_rd = des_reps * T / d["median"]
    out = {
        "label": label,
        "path": str(path.relative_to(ROOT)),
        "days": T,
        "vector": {
            "replicates": vec_reps,
            "chunk_replicates": chunk,
            "seconds": v,
            "replicate_days_per_s": vec_rd,
            "s_per_replicate": v["median"] / vec_reps,
            "kernel_seconds": statistics.median(sys_vec),
        },
        "floor": {
            "blocks": n_blocks,
            "seconds": f,
            "kept_seconds": fk,
            "replicate_days_per_s": n_blocks * REPLICATE_BLOCK * T / f["median"],
        },
        "des": {
            "replicates": des_reps,
            "seconds": d,
            "replicate_days_per_s": des_rd,
            "events": events,
            "events_per_s": events / d["median"],
            "s_per_replicate": d["median"] / des_reps,
        },
        "vector_over_floor": v["median"] / f["median"],
        "vector_over_floor_per_round": statistics.median(a / b for a, b in zip(t_vec, t_floor, strict=True)),
        "excess_s": v["median"] - f["median"],
        "excess_us_per_day": (v["median"] - f["median"]) / T * 1e6,
        "vector_over_des": vec_rd / des_rd,
    }
    print(f"\n== {label}: {out['path']}, {T:,} days")
    print(
        f"  vector  {vec_reps:>6,} replicates (chunk {chunk:,}): {spread(v)}  "
        f"= {vec_rd / 1e6:6.2f} M replicate-days/s; "
        f"kernel time {statistics.median(sys_vec):.3f} s (page faults on fresh arrays)"
    )
    print(
        f"  floor   {n_blocks * REPLICATE_BLOCK:>6,} lanes, build_block x {n_blocks}:  {spread(f)}  "
        f"= {out['floor']['replicate_days_per_s'] / 1e6:6.2f} M replicate-days/s"
    )
    print(f"  (floor with all {n_blocks} blocks kept alive, as run_vector holds them: {spread(fk)})")
    print(f"  simpy   {des_reps:>6,} replicates:              {spread(d)}  = {des_rd / 1e3:6.1f} k replicate-days/s")
    print(
        f"  vector / floor = {out['vector_over_floor']:.2f} x (median of per-round ratios "
        f"{out['vector_over_floor_per_round']:.2f} x); excess above floor {out['excess_s']:.3f} s "
        f"= {100 * (out['vector_over_floor'] - 1):.0f} % of the floor = {out['excess_us_per_day']:.0f} us per day"
    )
    print(
        f"  simpy: {events:,} events, {out['des']['events_per_s'] / 1e3:.0f} k events/s, "
        f"{out['des']['s_per_replicate'] * 1e3:.1f} ms per replicate"
    )
    print(f"  vector / simpy per replicate = {out['vector_over_des']:,.0f} x")
    return out


# --------------------------------------------------------------------------- memory


def memory_child(path: str, replicates: int, seed: int, core: int) -> None:
    """Run in a fresh process: one large vector run; print JSON with time and peak RSS."""
    pin_to_one_core(core)
    import munisim

    def rss_mib() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    s = munisim.load_scenario(path)
    before = rss_mib()
    c0, t0 = time.process_time(), time.perf_counter()
    result = munisim.simulate(s, engine="vector", replicates=replicates, seed=seed)
    result.summary()
    result.quantiles()
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": secs, "cpu_seconds": cpu, "peak_mib": peak, "before_mib": before, "days": s.n_days}))


def bench_memory(path: Path, replicates: int, seed: int, core: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--memory-child",
        str(path),
        "--replicates",
        str(replicates),
        "--seed",
        str(seed),
        "--core",
        str(core),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory run failed:\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(path=str(path.relative_to(ROOT)), replicates=replicates)
    print(
        f"\n== memory: munisim.simulate({out['path']}, engine='vector', replicates={replicates:,}) "
        f"+ summary() + quantiles(), own process"
    )
    print(
        f"  {out['seconds']:.1f} s = {replicates * out['days'] / out['seconds'] / 1e6:.2f} M replicate-days/s; "
        f"peak RSS {out['peak_mib']:,.0f} MiB ({out['before_mib']:,.0f} MiB after imports and loading, "
        f"{out['peak_mib'] - out['before_mib']:,.0f} MiB for the run); "
        f"CPU {100 * out['cpu_seconds'] / out['seconds']:.0f} % of wall"
    )
    return out


# --------------------------------------------------------------------------- report


def verdict(ok: bool, how: str) -> str:
    return "met" if ok else f"MISSED: {how}"


def print_targets(toy: dict[str, Any], base: dict[str, Any] | None) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    rd = toy["vector"]["replicate_days_per_s"]
    rows.append(
        {
            "figure": "vector, toy (replicate-days/s, one core)",
            "measured": f"{rd / 1e6:.2f} M",
            "target": f">= {TARGET_TOY_RD / 1e6:.0f} M",
            "verdict": verdict(
                rd >= TARGET_TOY_RD, f"{rd / TARGET_TOY_RD:.2f} x target, needs {TARGET_TOY_RD / rd:.2f} x faster"
            ),
        }
    )
    fl = toy["vector_over_floor"]
    rows.append(
        {
            "figure": "vector / draw floor, toy",
            "measured": f"{fl:.2f} x",
            "target": f"<= {TARGET_FLOOR:.2f} x",
            "verdict": verdict(
                fl <= TARGET_FLOOR, f"excess {100 * (fl - 1):.0f} % vs {100 * (TARGET_FLOOR - 1):.0f} % allowed"
            ),
        }
    )
    rows.append(
        {
            "figure": "vector / SimPy per replicate, toy",
            "measured": f"{toy['vector_over_des']:,.0f} x",
            "target": "-",
            "verdict": "",
        }
    )
    if base is not None:
        vd = base["vector_over_des"]
        rows.append(
            {
                "figure": "vector, baseline (replicate-days/s)",
                "measured": f"{base['vector']['replicate_days_per_s'] / 1e6:.2f} M",
                "target": "-",
                "verdict": "",
            }
        )
        rows.append(
            {
                "figure": "vector / draw floor, baseline",
                "measured": f"{base['vector_over_floor']:.2f} x",
                "target": "-",
                "verdict": "",
            }
        )
        rows.append(
            {
                "figure": "vector / SimPy per replicate, baseline",
                "measured": f"{vd:,.0f} x",
                "target": f">= {TARGET_VEC_DES:.0f} x",
                "verdict": verdict(vd >= TARGET_VEC_DES, f"{vd / TARGET_VEC_DES:.2f} x target"),
            }
        )
        eps = base["des"]["events_per_s"]
        rows.append(
            {
                "figure": "SimPy events/s, baseline",
                "measured": f"{eps / 1e3:,.0f} k",
                "target": f">= {TARGET_DES_EPS / 1e3:.0f} k",
                "verdict": verdict(eps >= TARGET_DES_EPS, f"{eps / TARGET_DES_EPS:.2f} x target"),
            }
        )
        sr = base["des"]["s_per_replicate"]
        rows.append(
            {
                "figure": "SimPy s per baseline replicate",
                "measured": f"{sr:.3f} s",
                "target": f"<= {TARGET_DES_REP_S:.2f} s",
                "verdict": verdict(sr <= TARGET_DES_REP_S, f"{sr / TARGET_DES_REP_S:.2f} x the limit"),
            }
        )
    else:
        rows.append(
            {
                "figure": "baseline targets",
                "measured": "skipped",
                "target": "-",
                "verdict": "scenarios/baseline.yaml missing",
            }
        )
    rows.append(
        {
            "figure": "SimPy events/s, toy",
            "measured": f"{toy['des']['events_per_s'] / 1e3:,.0f} k",
            "target": "-",
            "verdict": "",
        }
    )
    w = [
        max(
            len(r[k])
            for r in rows + [{"figure": "figure", "measured": "measured", "target": "target", "verdict": "verdict"}]
        )
        for k in ("figure", "measured", "target", "verdict")
    ]
    print("\n== targets")
    print(f"  {'figure':<{w[0]}}  {'measured':>{w[1]}}  {'target':<{w[2]}}  verdict")
    print("  " + "-" * (sum(w) + 6))
    for r in rows:
        print(f"  {r['figure']:<{w[0]}}  {r['measured']:>{w[1]}}  {r['target']:<{w[2]}}  {r['verdict']}")
    return rows


def whole_blocks(n: int) -> int:
    """``n`` rounded up to whole replicate blocks."""
    from munisim.rng import REPLICATE_BLOCK

    return -(-n // REPLICATE_BLOCK) * REPLICATE_BLOCK


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="2 rounds and fewer replicates (a smoke run)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per measurement (default 5, --quick 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-memory", action="store_true", help="skip the 10,000-replicate memory run")
    ap.add_argument("--memory-replicates", type=int, default=10_000)
    ap.add_argument("--core", type=int, default=0, help="core to pin to (default 0; -1: do not pin)")
    ap.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    ap.add_argument("--memory-child", help=argparse.SUPPRESS)
    ap.add_argument("--replicates", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.memory_child:
        memory_child(args.memory_child, args.replicates, args.seed, args.core)
        return

    rounds = args.rounds or (2 if args.quick else 5)
    pinned = pin_to_one_core(args.core)
    m = machine()
    m["pinning"] = pinned
    print(f"machine: {m['cpu']}, {m['cores']} cores, {pinned}")
    print(f"python {m['python']}, numpy {m['numpy']}, simpy {m['simpy']}; munisim at {m['commit']}")
    from munisim.rng import REPLICATE_BLOCK

    print(f"{rounds} rounds per measurement, medians; seed {args.seed}; replicate blocks of {REPLICATE_BLOCK}")
    m["replicate_block"] = REPLICATE_BLOCK

    # Whole replicate blocks in one chunk: a partial block or a leftover chunk would time
    # lanes that are drawn but not kept, and the per-day overhead of a second, tiny chunk.
    toy_reps = whole_blocks(2048 if args.quick else 4096)
    toy = bench_scenario(
        "toy (1 factory, 1 stockpile, 1 front, Poisson demand)",
        TOY,
        vec_reps=toy_reps,
        chunk=toy_reps,
        des_reps=16 if args.quick else 64,
        rounds=rounds,
        seed=args.seed,
    )
    base = None
    if BASELINE.exists():
        base_reps = whole_blocks(256 if args.quick else 1000)
        base = bench_scenario(
            "baseline",
            BASELINE,
            vec_reps=base_reps,
            chunk=base_reps,
            des_reps=5 if args.quick else 20,
            rounds=rounds,
            seed=args.seed,
        )
    else:
        print(f"\n== baseline: {BASELINE.relative_to(ROOT)} not found, skipped (memory run uses the toy)")

    mem = None
    if not args.skip_memory:
        mem = bench_memory(BASELINE if base is not None else TOY, args.memory_replicates, args.seed, args.core)

    rows = print_targets(toy, base)
    cpu_share = CLOCK[1] / CLOCK[0] if CLOCK[0] else float("nan")
    m["cpu_share_of_wall"] = cpu_share
    print(
        f"\nCPU time / wall time over the timed rounds: {100 * cpu_share:.0f} % "
        f"({'quiet' if cpu_share > 0.95 else 'CONTENDED: another process shared the core; rerun'})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": m, "rounds": rounds, "toy": toy, "baseline": base, "memory": mem, "targets": rows}, indent=2
            )
        )
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
