"""Labs in a real browser: control change -> visible plot change, in JupyterLab + headless Chromium.

For every notebook with a timed lab in ``tools.browser.LABS``: open the notebook in JupyterLab,
run all cells, then move **every** slider, drop-down and check box of each timed lab's cell
(found in the page, :meth:`tools.browser.NotebookPage.controls_in`)
``NNLIB_BENCH_BROWSER_REPEATS`` times (default 5; a slider alternately right and left, a
drop-down through its options, a check box on and off), each after the kernel is idle and the
figure has been still for 0.4 s, and time from the browser's event (key press / change / click)
to the next animation frame after the lab's canvas was redrawn (see ``tools.browser``). One
untimed change of each control first warms it up. Buttons that train (Train, New draw) are
timed apart, from the click to the first visible answer in their cell (a progress bar reset, a
read-out saying what started; :meth:`tools.browser.NotebookPage.answer`), each after the previous
training finished and one untimed click first: issue 23 asks for it within 150 ms.

Targets (issue 23): the median over all timed changes <= 100 ms, and no notebook's median over
150 ms; a control whose change draws nothing within 10 s is reported as a miss.
Reference, timed in the same run: notebook 00's plain ipympl slider (one line's data and a
``draw_idle``), the floor that the widget round trip and an ipympl redraw cost on this machine
right now; each median is also given as a multiple of it. Run it on a quiet machine.

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

OVERALL_MS, NOTEBOOK_MS, NO_REDRAW_S = 100.0, 150.0, 10.0
ANSWER_MS = 150.0  # a button that starts training: click -> visible answer
REFERENCE = "00_start_here.ipynb"


def _selected(labs: dict) -> list[str]:
    wanted = [w.strip() for w in os.environ.get("NNLIB_BENCH_BROWSER", "").split(",")
              if w.strip()]
    names = sorted(labs)
    if wanted:
        names = [n for n in names if n.startswith(tuple(wanted)) or n == REFERENCE]
    return names


def measure(nbp, key, control, repeats: int) -> list[float]:
    """Latencies (ms) of ``repeats`` changes of ``control``, after one untimed warm-up."""
    nbp.wait_quiet(key)
    nbp.change(key, control, 0, timeout=NO_REDRAW_S)
    out = []
    for i in range(1, repeats + 1):
        nbp.wait_quiet(key)
        out.append(nbp.change(key, control, i, timeout=NO_REDRAW_S))
    nbp.wait_quiet(key)
    return out


def answers(nbp, key, button, repeats: int) -> list[float]:
    """Latencies (ms) of ``repeats`` clicks of a training ``button``, after one untimed click;
    each click waits for the training before it to finish."""
    nbp.wait_quiet(key)
    nbp.answer(key, button, timeout=NO_REDRAW_S)
    out = []
    for _ in range(repeats):
        nbp.wait_quiet(key, timeout=600)
        out.append(nbp.answer(key, button, timeout=NO_REDRAW_S))
    nbp.wait_quiet(key, timeout=600)
    return out


def main() -> int:
    from tools import browser as tb

    report = Report("browser lab latency")
    why = tb.chromium_missing()
    if why:
        report.add("browser available", why, "chromium", False)
        return report.exit_code()
    repeats = int(os.environ.get("NNLIB_BENCH_BROWSER_REPEATS", "5"))
    results: dict[str, dict[str, list[float]]] = {}  # notebook -> control -> ms
    clicks: dict[str, list[float]] = {}  # "NN cell / button" -> ms to the first answer
    started = time.perf_counter()
    with tb.lab_server() as (base, token, _log), tb.browser() as b:
        for notebook in _selected(tb.LABS):
            cells = dict.fromkeys(c.cell for c in tb.LABS[notebook] if c.timing)
            buttons = [c for c in tb.LABS[notebook] if c.kind == "button"]
            if not cells and not buttons:
                continue
            nbp = tb.NotebookPage(b, base, token, notebook)
            per = results.setdefault(notebook, {})
            try:
                t0 = time.perf_counter()
                nbp.run_all()
                print(f"  {notebook}: all cells ran in {time.perf_counter() - t0:.0f} s",
                      flush=True)
                for cell in cells:
                    key = nbp.mark(tb.Control(cell, ""))
                    for first in nbp.controls_in(key):
                        # found again just before it moves: a control moved earlier (a
                        # scenario) may have changed its value, options or enabled state
                        now = {(c.kind, c.nth): c for c in nbp.controls_in(key)}
                        control = now.get((first.kind, first.nth))
                        if control is None:
                            continue  # disabled now
                        name = f"{cell.rstrip('(')} / {control.label}"[:48]
                        try:
                            per[name] = measure(nbp, key, control, repeats)
                        except Exception as e:  # noqa: BLE001 - a miss, then the next control
                            print(f"  {notebook[:2]} {name}: {type(e).__name__}: "
                                  f"{str(e).splitlines()[0][:160]}", flush=True)
                            report.add(f"{notebook[:2]} {name} redraws", "no (above)",
                                       f"a redraw within {NO_REDRAW_S:.0f} s", False)
                for button in buttons:
                    name = f"{notebook[:2]} {button.name}"
                    try:
                        clicks[name] = answers(nbp, nbp.mark(button), button, repeats)
                    except Exception as e:  # noqa: BLE001 - a miss, then the next button
                        print(f"  {name}: {type(e).__name__}: {str(e).splitlines()[0][:160]}",
                              flush=True)
                        report.add(f"{name} answers", "no (above)",
                                   f"an answer within {NO_REDRAW_S:.0f} s", False)
            except AssertionError as e:
                print(f"  {notebook}: {e}", flush=True)
                report.add(f"{notebook[:2]} lab answers in the browser", "failed (above)",
                           "no error", False)
            finally:
                nbp.close()
    ref = [ms for ms in results.get(REFERENCE, {}).values()]
    ref_median = statistics.median(ref[0]) if ref else float("nan")
    everything = [v for per in results.values() for ms in per.values() for v in ms]
    for notebook, per in results.items():
        values = [v for ms in per.values() for v in ms]
        if not values:
            continue
        med = statistics.median(values)
        report.add(f"{notebook[:2]} median of {len(values)} changes ({len(per)} controls)",
                   f"{med:.0f} ms ({med / ref_median:.1f}x ref)", f"<= {NOTEBOOK_MS:.0f} ms",
                   med <= NOTEBOOK_MS)
    if everything:
        med = statistics.median(everything)
        report.add(f"all labs: median of {len(everything)} changes", f"{med:.0f} ms",
                   f"<= {OVERALL_MS:.0f} ms", med <= OVERALL_MS)
    for name, ms in clicks.items():
        med = statistics.median(ms)
        report.add(f"{name}: median of {len(ms)} clicks to an answer", f"{med:.0f} ms",
                   f"<= {ANSWER_MS:.0f} ms", med <= ANSWER_MS)
    print(f"  (reference: notebook 00's plain ipympl slider; {time.perf_counter() - started:.0f} s "
          "in all; per control, median and all changes in ms:)")
    for notebook, per in results.items():
        for name, ms in per.items():
            print(f"    {notebook[:2]} {name}: median {statistics.median(ms):.0f}; "
                  f"{', '.join(f'{v:.0f}' for v in ms)}")
    for name, ms in clicks.items():
        print(f"    {name} (click): median {statistics.median(ms):.0f}; "
              f"{', '.join(f'{v:.0f}' for v in ms)}")
    return report.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
