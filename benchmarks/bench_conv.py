"""Issue 4 targets: the NumPy convolution against PyTorch on the CPU, and the stepper's speed.

Workload: a batch of 64 MNIST-sized images (64, 1, 28, 28) and eight 3×3 filters, float32 for
both libraries (what a network trains in), torch with its default threads. Each time is the
median of repeats after a warm-up, measured in this same run.

* fast NumPy forward (:func:`nnlib.conv.conv2d_forward`) ≤ 4× torch ``F.conv2d``;
* NumPy backward (dx, dW, db) ≤ 3× torch forward + backward;
* the loop reference (:mod:`nnlib.conv_naive`) ≥ 100× slower than the fast forward;
* one step of the cross-correlation stepper (callback + a full Agg redraw of its figure, which is
  what ipympl renders in the kernel) ≤ 50 ms.
"""

from __future__ import annotations

import contextlib
import io
import os
import time

import numpy as np

from benchmarks._report import Report, median_time

SHAPE_X, SHAPE_W = (64, 1, 28, 28), (8, 1, 3, 3)


def conv_times(repeats: int = 50) -> dict[str, float]:
    import torch
    import torch.nn.functional as F

    from nnlib import conv

    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE_X).astype(np.float32)
    w = rng.standard_normal(SHAPE_W).astype(np.float32)
    b = rng.standard_normal(SHAPE_W[0]).astype(np.float32)
    out, cache = conv.conv2d_forward(x, w, b)
    dout = rng.standard_normal(out.shape).astype(np.float32)

    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
    xg, wg, bg = (t.clone().requires_grad_(True) for t in (xt, wt, bt))
    gt = torch.from_numpy(dout)
    np.testing.assert_allclose(out, F.conv2d(xt, wt, bt).numpy(), rtol=1e-4, atol=1e-4)

    def torch_forward():
        with torch.no_grad():
            F.conv2d(xt, wt, bt)

    def torch_forward_backward():
        xg.grad = wg.grad = bg.grad = None
        F.conv2d(xg, wg, bg).backward(gt)

    times = {
        "torch_fwd": median_time(torch_forward, repeats=repeats),
        "numpy_fwd": median_time(lambda: conv.conv2d_forward(x, w, b), repeats=repeats),
        "torch_fwd_bwd": median_time(torch_forward_backward, repeats=repeats),
        "numpy_bwd": median_time(lambda: conv.conv2d_backward(dout, cache), repeats=repeats),
    }
    default_threads = torch.get_num_threads()
    try:  # for reading the numbers on a busy machine, where torch's thread pool can stall
        torch.set_num_threads(1)
        times["torch_fwd_1t"] = median_time(torch_forward, repeats=repeats)
        times["torch_fwd_bwd_1t"] = median_time(torch_forward_backward, repeats=repeats)
    finally:
        torch.set_num_threads(default_threads)
    return times


def naive_seconds() -> float:
    from nnlib import conv_naive

    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE_X).astype(np.float32)
    w = rng.standard_normal(SHAPE_W).astype(np.float32)
    b = np.zeros(SHAPE_W[0], np.float32)
    return median_time(lambda: conv_naive.conv2d_forward_naive(x, w, b), repeats=1, warmup=0)


def stepper_step_times(steps: int = 40) -> np.ndarray:
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib.widgets.cross_correlation import cross_correlation_lab

    with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the figure prints a repr
        lab = cross_correlation_lab()
    canvas = lab.view.fig.canvas
    lab.view.refresh = canvas.draw          # render with Agg, as ipympl does in the kernel
    scrub = lab.controls["scrub"]
    times = []
    for k in range(steps + 3):
        target = (k + 1) % (scrub.max + 1)
        t0 = time.perf_counter()
        scrub.value = target
        times.append(time.perf_counter() - t0)
    plt.close(lab.view.fig)
    return np.array(times[3:])


def main() -> int:
    import torch

    r = Report("conv")
    t = conv_times()
    r.add("torch threads (default)", f"{torch.get_num_threads()}")
    r.add("torch F.conv2d forward (64,1,28,28) * 8x3x3, f32", f"{t['torch_fwd'] * 1e3:.3f} ms")
    r.add("nnlib conv2d_forward (im2col)", f"{t['numpy_fwd'] * 1e3:.3f} ms")
    ratio = t["numpy_fwd"] / t["torch_fwd"]
    r.add("  forward: nnlib / torch", f"{ratio:.2f} x", "<= 4 x", ratio <= 4)
    r.add("torch forward + backward", f"{t['torch_fwd_bwd'] * 1e3:.3f} ms")
    r.add("nnlib conv2d_backward (dx, dW, db)", f"{t['numpy_bwd'] * 1e3:.3f} ms")
    ratio = t["numpy_bwd"] / t["torch_fwd_bwd"]
    r.add("  backward: nnlib / torch fwd+bwd", f"{ratio:.2f} x", "<= 3 x", ratio <= 3)
    r.add("  (info) torch forward / forward+backward, 1 thread",
          f"{t['torch_fwd_1t'] * 1e3:.2f} / {t['torch_fwd_bwd_1t'] * 1e3:.2f} ms")
    naive = naive_seconds()
    r.add("nnlib conv2d_forward_naive (loops)", f"{naive * 1e3:.0f} ms")
    ratio = naive / t["numpy_fwd"]
    r.add("  naive / fast forward", f"{ratio:,.0f} x", ">= 100 x", ratio >= 100)
    steps = stepper_step_times()
    med = float(np.median(steps))
    r.add("stepper step (callback + Agg redraw), median", f"{med * 1e3:.1f} ms", "<= 50 ms",
          med <= 0.05)
    r.add("  stepper step, slowest of 40", f"{steps.max() * 1e3:.1f} ms")
    return r.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
