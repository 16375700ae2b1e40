"""Issue 2 targets: Nielsen's MNIST network trained fast, and a light ``import nnlib``.

* Nielsen [784,30,10] (sigmoid, quadratic cost, N(0,1) init, η = 3, K = 10), 30 epochs on
  50 000 images, validation after every epoch: ≤ 6 s in total.
* The same epoch done one example at a time (Nielsen's textbook loop, same data, same run):
  the vectorised engine must be ≥ 15× faster per epoch.
* ``import nnlib`` in a fresh interpreter: ≤ 0.3 s, with no torch, matplotlib or ipywidgets.
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

from benchmarks._report import Report


def nielsen(epochs: int = 30, seed: int = 0):
    import nnlib
    from nnlib.layers import mlp
    from nnlib.optim import SGD
    from nnlib.training import fit

    X, y = nnlib.data.mnist_vectors("train")
    rng = np.random.default_rng(seed)
    net = mlp([784, 30, 10], rng=rng, activation="sigmoid", output_activation="sigmoid",
              init="normal", std=1.0, bias_std=1.0, dtype=np.float32)
    t0 = time.perf_counter()
    h = fit(net, X[:50000], y[:50000], optimizer=SGD(net.parameters(), lr=3.0),
            loss="quadratic", epochs=epochs, batch_size=10, rng=rng, X_val=X[50000:],
            y_val=y[50000:], progress=False)
    return time.perf_counter() - t0, h, net, X, y


def per_example_epoch_seconds(seed: int = 1) -> float:
    import nnlib
    from nnlib.layers import mlp
    from nnlib.training import per_example_sgd_epoch

    X, y = nnlib.data.mnist_vectors("train")
    rng = np.random.default_rng(seed)
    net = mlp([784, 30, 10], rng=rng, activation="sigmoid", output_activation="sigmoid",
              init="normal", std=1.0, bias_std=1.0, dtype=np.float32)
    return per_example_sgd_epoch(net, X, y, order=rng.permutation(50000), batch_size=10, lr=3.0)


def import_seconds() -> tuple[float, list[str]]:
    code = ("import sys, time; t = time.perf_counter(); import nnlib; "
            "dt = time.perf_counter() - t; "
            "heavy = [m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules]; "
            "print(dt, ','.join(heavy))")
    best, heavy = float("inf"), []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
        best = min(best, float(out[0]))
        heavy = out[1].split(",") if len(out) > 1 else []
    return best, heavy


def main() -> int:
    r = Report("core")
    total, h, *_ = nielsen()
    r.add("Nielsen [784,30,10] 30 epochs, total incl. validation", f"{total:.2f} s", "<= 6 s",
          total <= 6.0)
    r.add("  final validation accuracy", f"{h.val_accuracy[-1]:.2%}", ">= 94.5 %",
          h.val_accuracy[-1] >= 0.945)
    vec_epoch = float(np.median(h.seconds))
    loop_epoch = per_example_epoch_seconds()
    r.add("  vectorised epoch (median)", f"{vec_epoch:.3f} s")
    r.add("  per-example loop epoch (same data)", f"{loop_epoch:.2f} s")
    r.add("  speed-up of vectorised minibatch backprop", f"{loop_epoch / vec_epoch:.1f} x",
          ">= 15 x", loop_epoch / vec_epoch >= 15)
    dt, heavy = import_seconds()
    r.add("import nnlib (fresh interpreter, best of 5)", f"{dt * 1000:.1f} ms", "<= 300 ms",
          dt <= 0.3)
    r.add("  heavy modules loaded by import nnlib", ",".join(heavy) or "none", "none", not heavy)
    return r.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
