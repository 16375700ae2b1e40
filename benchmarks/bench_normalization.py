"""Issue 10 target: batch normalisation forward + backward against PyTorch on the CPU.

Workload: a training-mode ``BatchNorm1d(512)`` on a (256, 512) batch, forward then backward
(dx, dγ, dβ), in float32 and float64; torch ``nn.BatchNorm1d`` on the same arrays, its
gradients reset before each call. Each time is the median of repeats after a warm-up, measured
in this same run.

* nnlib forward + backward ≤ 3× torch forward + backward (each dtype, torch default threads);
* (info) the same with torch on one thread, and ``BatchNorm2d`` on a (64, 16, 14, 14) batch.
"""

from __future__ import annotations

import numpy as np

from benchmarks._report import Report, median_time

SHAPE_1D = (256, 512)
SHAPE_2D = (64, 16, 14, 14)


def bn_times(shape, dtype, *, repeats: int = 200) -> dict[str, float]:
    """Median seconds of one forward + backward, nnlib and torch, checked equal first."""
    import torch

    from nnlib.normalization import BatchNorm1d, BatchNorm2d

    rng = np.random.default_rng(0)
    x = (2.0 * rng.standard_normal(shape) + 1.0).astype(dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    features = shape[1]
    ours = (BatchNorm1d if len(shape) == 2 else BatchNorm2d)(features, dtype=dtype)
    theirs = (torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d)(features)
    theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    xt = torch.from_numpy(x).requires_grad_(True)
    gt = torch.from_numpy(dout)

    def nnlib_step():
        ours.forward(x)
        return ours.backward(dout)

    def torch_step():
        xt.grad = None
        theirs.weight.grad = theirs.bias.grad = None
        theirs(xt).backward(gt)

    torch_step()
    tol = 1e-9 if dtype == np.float64 else 2e-3
    np.testing.assert_allclose(nnlib_step(), xt.grad.numpy(), rtol=tol, atol=tol)

    times = {"nnlib": median_time(nnlib_step, repeats=repeats, warmup=5),
             "torch": median_time(torch_step, repeats=repeats, warmup=5)}
    default_threads = torch.get_num_threads()
    try:  # for reading the numbers on a busy machine, where torch's thread pool can stall
        torch.set_num_threads(1)
        times["torch_1t"] = median_time(torch_step, repeats=repeats, warmup=5)
    finally:
        torch.set_num_threads(default_threads)
    return times


def main() -> int:
    import torch

    r = Report("normalization")
    r.add("torch threads (default)", f"{torch.get_num_threads()}")
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        t = bn_times(SHAPE_1D, dtype)
        r.add(f"torch BatchNorm1d fwd+bwd {SHAPE_1D}, {name}", f"{t['torch'] * 1e3:.3f} ms")
        r.add(f"nnlib BatchNorm1d fwd+bwd {SHAPE_1D}, {name}", f"{t['nnlib'] * 1e3:.3f} ms")
        ratio = t["nnlib"] / t["torch"]
        r.add("  nnlib / torch", f"{ratio:.2f} x", "<= 3 x", ratio <= 3)
        r.add("  (info) nnlib / torch on 1 thread", f"{t['nnlib'] / t['torch_1t']:.2f} x")
    t = bn_times(SHAPE_2D, np.float32, repeats=100)
    r.add(f"(info) BatchNorm2d fwd+bwd {SHAPE_2D}, float32: nnlib / torch",
          f"{t['nnlib'] * 1e3:.2f} / {t['torch'] * 1e3:.2f} ms")
    return r.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
