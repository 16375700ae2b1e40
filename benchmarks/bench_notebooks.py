"""Issue 23: every notebook's Run All within 30 s on a quiet 2-core machine, none over 45 s.

Reads the measured Run-All times in ``tools/notebook_times.json`` (written by
``nice -n 5 python -m tools.notebooks --time [NN ...]``, which runs each notebook with nbclient
as Kernel → Restart Kernel and Run All would). The time judged is the kernel's CPU time: on a
shared machine the wall-clock time grows with the load (the file records the load average before
and after each run), while a notebook's CPU time is what a quiet 2-core laptop would wait for.
Wall time, load and the ratio to the 30 s budget are printed beside it.

``NNLIB_BENCH_NOTEBOOKS="12 15"`` first re-times those notebooks into a temporary copy of the
file (the shared file is left alone) and judges the fresh numbers for them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from benchmarks._report import Report

BUDGET_S = 30.0
CEILING_S = 45.0


def main() -> int:
    from tools import notebooks as nbtools

    times_path = nbtools.TIMES
    wanted = [int(n) for n in os.environ.get("NNLIB_BENCH_NOTEBOOKS", "").split()]
    tmp = None
    if wanted:
        tmp = Path(tempfile.mkdtemp()) / "notebook_times.json"
        shutil.copy(times_path, tmp)
        nbtools.record_times(wanted, out=tmp)
        times_path = tmp
    data = json.loads(Path(times_path).read_text())
    r = Report("notebooks: Run All")
    print(f"  from {times_path}; CPU time judged (budget {BUDGET_S:.0f} s, none over "
          f"{CEILING_S:.0f} s)")
    worst = 0.0
    for stem, entry in sorted(data["notebooks"].items()):
        cpu = nbtools.run_all_seconds(stem, data)
        worst = max(worst, cpu)
        fresh = " (re-timed)" if wanted and int(stem[:2]) in wanted else ""
        r.add(f"{stem[:40]}{fresh}",
              f"{cpu:5.1f} s CPU ({cpu / BUDGET_S:.2f}x)",
              f"<= {BUDGET_S:.0f} s", cpu <= BUDGET_S)
        print(f"  {'':52} wall {entry.get('wall_s', float('nan')):6.1f} s at load "
              f"{entry.get('load_before', '?')}-{entry.get('load_after', '?')}, "
              f"{entry.get('date', '?')}")
    r.add("slowest notebook", f"{worst:.1f} s CPU", f"<= {CEILING_S:.0f} s", worst <= CEILING_S)
    if tmp is not None:
        shutil.rmtree(tmp.parent, ignore_errors=True)
    return r.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
