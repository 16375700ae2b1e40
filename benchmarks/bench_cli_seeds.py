"""The default `python -m nnlib.torchkit` reaches >= 99.0 % test accuracy for every seed.

Runs the command as a student would (defaults: fast CNN, its default epochs, full MNIST, CPU)
with ``--seed 0`` .. ``--seed 4`` in fresh subprocesses and reads the JSON line it prints.
Target: all five seeds >= 99.0 % on the 10 000 test images. Since issue 23 the default is one
epoch with Adam's β = (0.9, 0.9) (99.07-99.20 % on seeds 0-4 when measured; torch's β2 = 0.999
gave 99.01-99.15 %, and issue 15 saw one-epoch runs as low as 98.92 %). The seconds per run are
reported, not judged. ``NNLIB_BENCH_SEEDS=1`` runs fewer seeds (a quick look, not the target).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from benchmarks._report import Report

TARGET = 0.990
SEEDS = 5


def run_seed(seed: int) -> dict:
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
    proc = subprocess.run([sys.executable, "-m", "nnlib.torchkit", "--device", "cpu",
                           "--seed", str(seed), "--json", "--no-progress"],
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"seed {seed}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    report = Report("default command, 5 seeds")
    n = int(os.environ.get("NNLIB_BENCH_SEEDS", SEEDS))
    accs = []
    for seed in range(n):
        t0 = time.perf_counter()
        result = run_seed(seed)
        accs.append(result["test_accuracy"])
        report.add(f"seed {seed}: test accuracy ({result['epochs']} epochs, "
                   f"{result['threads']} threads)",
                   f"{100 * result['test_accuracy']:.2f} % in {time.perf_counter() - t0:.0f} s",
                   f">= {100 * TARGET:.1f} %", result["test_accuracy"] >= TARGET)
    if n < SEEDS:
        report.add(f"seeds run (NNLIB_BENCH_SEEDS={n})", f"{n} of {SEEDS}", f"{SEEDS}", False)
    report.add("lowest of the seeds", f"{100 * min(accs):.2f} %", f">= {100 * TARGET:.1f} %",
               min(accs) >= TARGET)
    return report.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
