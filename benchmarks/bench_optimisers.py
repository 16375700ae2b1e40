"""Optimiser race latency: from a control change to a redrawn figure, 6 optimisers × 200 steps.

compute = ``lessons.optimiser_surfaces.race`` (six real nnlib.optim optimisers, 200 steps each)
plus the theory lines; redraw = ``RacePlot.update`` + a full Agg ``canvas.draw()`` of the lab's
two panels (what ipympl renders kernel-side). Each is the median over repeats that alternate the
learning rate (so every redraw changes data and limits), on each of the four surfaces. Target:
compute + redraw <= 150 ms of CPU time (on a shared machine, wall time also counts the time other
processes hold the cores; on a quiet one the two agree). The reference, drawn right after each
change under the same load, is an empty two-panel figure of the same size: the ratio says how
much the race costs beyond matplotlib's floor. Also: one optimiser step on a 2-vector (µs).
"""

from __future__ import annotations

import statistics
import time

TARGET_MS = 150.0
REPEATS = 9
RACERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "nadam")


def _median_ms(samples):
    return 1e3 * statistics.median(samples)


def main() -> int:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    import numpy as np

    from nnlib import optim
    from nnlib.layers import Parameter
    from nnlib.lessons.optimiser_surfaces import make_surface, race
    from nnlib.plotting.optimisers import RacePlot
    from nnlib.widgets.optimiser_race import SUGGESTED_LR, theory_lines

    from ._report import Report

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    plot = RacePlot(axes=axes, legend=False)  # as in the lab, whose readout lists the colours
    ref_fig, _ = plt.subplots(1, 2, figsize=(11, 4.2))
    ref_fig.canvas.draw()

    def timed(fn):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w0, time.process_time() - c0

    report = Report("optimiser race")
    refs = []
    for name in ("quadratic", "rosenbrock", "saddle", "plateau"):
        surface = make_surface(name)
        X, Y, Z = surface.grid()
        plot.set_surface(X, Y, Z, f_min=surface.f_min, minimum=surface.minimum,
                         key=surface.key())
        wall, cpu, ref = [], [], []
        for i in range(REPEATS + 1):
            lr = SUGGESTED_LR[name] * (1.0, 1.5, 0.7)[i % 3]

            def change(lr=lr, surface=surface):
                runs = race(surface, surface.start, 200, RACERS, lr=lr, momentum=0.9)
                theory = theory_lines(surface, runs, lr=lr, momentum=0.9, steps=200)
                plot.update(runs, start=surface.start, steps=200, tol=1e-3, theory=theory)
                fig.canvas.draw()

            _, w, c = timed(change)
            _, rw, _ = timed(ref_fig.canvas.draw)  # interleaved: same load as the change
            if i:  # the first round warms caches
                wall.append(w)
                cpu.append(c)
                ref.append(rw)
        w, c, r = _median_ms(wall), _median_ms(cpu), _median_ms(ref)
        refs.append(r)
        ok = c <= TARGET_MS
        report.add(f"{name}: CPU (wall) per change", f"{c:.0f} ms ({w:.0f} ms)",
                   f"<= {TARGET_MS:.0f} ms", ok)
        report.add(f"{name}: wall / empty-figure draw", f"{w / r:.2f}x")
    report.add("reference: empty 2-panel figure draw (wall)", f"{statistics.median(refs):.0f} ms")

    for name in optim.OPTIMIZERS:
        p = Parameter(np.array([0.3, -0.4]), "xy")
        p.grad[...] = [0.1, -0.2]
        opt = optim.make_optimizer(name, [p])
        t0 = time.perf_counter()
        for _ in range(2000):
            opt.step()
        report.add(f"one {name} step on a 2-vector", f"{(time.perf_counter() - t0) / 2e-3:.1f} µs")
    plt.close(fig)
    plt.close(ref_fig)
    return report.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
