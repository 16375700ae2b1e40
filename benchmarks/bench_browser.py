"""Labs in a real browser: control change -> visible plot change, in JupyterLab + headless Chromium.

For every control with ``timing=True`` in ``tools.browser.LABS`` (the lab's main control of
each notebook with a widget): open the notebook in JupyterLab, run all cells, then move the
control ``NNLIB_BENCH_BROWSER_REPEATS`` times (default 9; a slider alternately right and left,
a drop-down through its values), each after the kernel is idle and the figure has been still
for 0.4 s, and time from the browser's event (key press / change) to the next animation frame
after the lab's canvas was redrawn (see ``tools.browser``). One untimed change first warms up.

Targets (from issue 15), per lab: median <= 150 ms and no change over 250 ms.
Reference, timed in the same run: notebook 00's plain ipympl slider (one line's data and a
``draw_idle``), the floor that the widget round trip and an ipympl redraw cost on this machine
right now; each lab's median is also given as a multiple of it.

``NNLIB_BENCH_BROWSER=04,12`` restricts the run to notebooks whose names start with those
prefixes. Without Chromium or playwright the benchmark says so and counts as missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._report import Report  # noqa: E402

MEDIAN_MS, MAX_MS = 150.0, 250.0
REFERENCE = "00_start_here.ipynb"


def _selected(labs: dict) -> list[str]:
    wanted = [w.strip() for w in os.environ.get("NNLIB_BENCH_BROWSER", "").split(",")
              if w.strip()]
    names = sorted(labs)
    if wanted:
        names = [n for n in names if n.startswith(tuple(wanted)) or n == REFERENCE]
    return names


def measure(nbp, control, repeats: int) -> list[float]:
    """Latencies (ms) of ``repeats`` changes of ``control``, after one untimed warm-up."""
    key = nbp.mark(control)
    nbp.wait_quiet(key)
    nbp.change(key, control, 0)
    out = []
    for i in range(1, repeats + 1):
        nbp.wait_quiet(key)
        out.append(nbp.change(key, control, i))
    nbp.wait_quiet(key)
    return out


def main() -> int:
    from tools import browser as tb

    report = Report("browser lab latency")
    why = tb.chromium_missing()
    if why:
        report.add("browser available", why, "chromium", False)
        return report.exit_code()
    repeats = int(os.environ.get("NNLIB_BENCH_BROWSER_REPEATS", "9"))
    results: dict[str, list[float]] = {}
    started = time.perf_counter()
    with tb.lab_server() as (base, token, _log), tb.browser() as b:
        for notebook in _selected(tb.LABS):
            controls = [c for c in tb.LABS[notebook] if c.timing]
            if not controls:
                continue
            nbp = tb.NotebookPage(b, base, token, notebook)
            try:
                t0 = time.perf_counter()
                nbp.run_all()
                print(f"  {notebook}: all cells ran in {time.perf_counter() - t0:.0f} s",
                      flush=True)
                for control in controls:
                    results[f"{notebook[:2]} {control.name}"] = measure(nbp, control, repeats)
            except AssertionError as e:
                print(f"  {notebook}: {e}", flush=True)
                report.add(f"{notebook[:2]} lab answers in the browser", "failed (above)",
                           "no error", False)
            finally:
                nbp.close()
    ref = [v for k, v in results.items() if k.startswith(REFERENCE[:2])]
    ref_median = statistics.median(ref[0]) if ref else float("nan")
    for name, ms in results.items():
        med, worst = statistics.median(ms), max(ms)
        report.add(f"{name[:40]} median", f"{med:.0f} ms ({med / ref_median:.1f}x ref)",
                   f"<= {MEDIAN_MS:.0f} ms", med <= MEDIAN_MS)
        report.add(f"{name[:40]} max of {len(ms)}", f"{worst:.0f} ms",
                   f"<= {MAX_MS:.0f} ms", worst <= MAX_MS)
    print(f"  (reference: notebook 00's plain ipympl slider; {time.perf_counter() - started:.0f} s "
          "in all; all changes in ms:)")
    for name, ms in results.items():
        print(f"    {name}: {', '.join(f'{v:.0f}' for v in ms)}")
    return report.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
