"""Gradient lab latency: from a control change to a redrawn figure, at depth 5, 10, 20 and 50.

compute = ``diagnostics.measure`` (build the net, forward, backward, statistics, theory);
redraw = ``GradientLabPlot.update`` + a full Agg ``canvas.draw()`` of the lab's three panels.
Each is the median over repeats that alternate the activation (so every draw changes data and
limits). Target: compute + redraw <= 100 ms at depth <= 20. For scale, the table also gives the
time to draw an empty three-panel figure of the same size on this machine, right now.
"""

from __future__ import annotations

import statistics
import time

TARGET_MS = 100.0
DEPTHS = (5, 10, 20, 50)
REPEATS = 15


def _median_ms(samples):
    return 1e3 * statistics.median(samples)


def main() -> int:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from nnlib.lessons.gradient_lab import LabConfig, measure
    from nnlib.plotting.gradients import GradientLabPlot

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    plot = GradientLabPlot(axes=axes)
    ref_fig, ref_axes = plt.subplots(1, 3, figsize=(11, 3.4))
    ref_fig.canvas.draw()
    ref = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        ref_fig.canvas.draw()
        ref.append(time.perf_counter() - t0)

    activations = ("tanh", "relu", "sigmoid")
    print(f"{'depth':>5} {'compute ms':>11} {'redraw ms':>10} {'total ms':>9}  target")
    failed = False
    for depth in DEPTHS:
        compute, redraw = [], []
        for i in range(REPEATS + 1):
            cfg = LabConfig(depth=depth, activation=activations[i % 3],
                            init="he_normal" if i % 3 == 1 else "xavier_normal")
            t0 = time.perf_counter()
            diag = measure(cfg)
            t1 = time.perf_counter()
            plot.update(diag)
            fig.canvas.draw()
            t2 = time.perf_counter()
            if i:  # the first round warms caches
                compute.append(t1 - t0)
                redraw.append(t2 - t1)
        c, r = _median_ms(compute), _median_ms(redraw)
        total = c + r
        judged = depth <= 20
        ok = total <= TARGET_MS or not judged
        failed |= not ok
        mark = (f"<= {TARGET_MS:.0f} ms {'ok' if ok else 'MISSED'}" if judged else "(not judged)")
        print(f"{depth:>5} {c:>11.1f} {r:>10.1f} {total:>9.1f}  {mark}")
    print(f"reference: an empty 3-panel figure of the same size draws in {_median_ms(ref):.1f} ms")
    plt.close(fig)
    plt.close(ref_fig)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
