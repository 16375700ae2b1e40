"""One epoch of minibatch SGD for a sigmoid MLP with the quadratic cost, compiled with Numba.

This is the network of Nielsen's first chapter (notebook 02): [Dense, Sigmoid] pairs, the
quadratic cost, plain SGD. With minibatches of 10 digits, NumPy spends most of a step between
its ~25 small calls, and its two products with the first layer's weights run at a fraction of
the machine's speed on such thin matrices. Here a whole epoch is one compiled loop: the first
layer's products read each weight once for five examples at a time (five running sums in
registers, the weight row in the L1 cache), the minibatch's rows are read where they lie in X
(no copy), and the small layers are plain loops.

It computes what :class:`nnlib._fused.FusedMLP` computes, in the same order of operations per
step; only the rounding of sums differs (the compiler may reorder a sum to use vector
registers; ``tests/test_compiled.py`` holds both to each other). It is used where it applies
and Numba is installed: ``with nnlib.training.compiled_loop(False):`` (or ``NNLIB_COMPILED=0``
in the environment) trains with the NumPy engine instead.

The weights are in the engine's column layout: ``W[l]`` is (n_l, n_{l−1} + 1) = [Dense.Wᵀ | b],
and each row of ``X1`` ends with a 1 (the bias input), see :func:`nnlib._fused.with_ones`.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np

_KERNEL = None
_EVALUATE = None
_TRIED = False


_SWITCHED_OFF = []  # a stack: compiled_loop(False) blocks in progress


def available() -> bool:
    """True when Numba can be imported, ``NNLIB_COMPILED`` is not ``0`` and no
    ``compiled_loop(False)`` block is running."""
    if _SWITCHED_OFF or os.environ.get("NNLIB_COMPILED", "1").strip().lower() in (
            "0", "false", "no", "off"):
        return False
    return _kernel() is not None


@contextmanager
def compiled_loop(on: bool):
    """``with compiled_loop(False): ...`` trains with the NumPy engine inside the block (to
    compare the two); ``compiled_loop(True)`` changes nothing."""
    if not isinstance(on, bool):
        raise TypeError(f"on must be True or False; got {type(on).__name__} {on!r:.40}")
    if not on:
        _SWITCHED_OFF.append(True)
    try:
        yield
    finally:
        if not on:
            _SWITCHED_OFF.pop()


def _kernel():
    global _KERNEL, _EVALUATE, _TRIED
    if not _TRIED:
        _TRIED = True
        try:
            from ._compiled_kernels import epoch as _KERNEL
            from ._compiled_kernels import evaluate as _EVALUATE
        except ImportError:
            _KERNEL = _EVALUATE = None
    return _KERNEL


def applies(acts, loss: str, dtype) -> bool:
    """Whether the compiled epoch computes this network: every layer sigmoid, quadratic cost,
    float32 or float64 weights."""
    return (loss == "quadratic" and all(name == "sigmoid" for name, _ in acts)
            and np.dtype(dtype) in (np.float32, np.float64))


def sigmoid_quadratic_epoch(W, X1, Y, labels, order, lr: float, batch_size: int):
    """One epoch over rows ``order`` of X1, minibatches of ``batch_size`` (the last may be
    smaller), updating the arrays of ``W`` in place.

    Returns (each step's mean loss (steps,), examples predicted right, the last minibatch's
    output (k, n_L)). A prediction is the arg-max of the output as the network was when it
    saw the example (a threshold at 0.5 for a single output), compared with ``labels``.
    """
    kernel = _kernel()
    W = tuple(W)
    dtype = W[0].dtype
    widths = [w.shape[0] for w in W]
    n = len(order)
    K = int(batch_size)
    steps = -(-n // K)
    step_losses = np.empty(steps)
    last = np.empty((n - (steps - 1) * K if steps else 0, widths[-1]), dtype)
    correct = kernel(W, X1, Y, np.asarray(labels, np.intp), np.asarray(order, np.intp),
                     float(lr), K, max(widths), step_losses, last)
    return step_losses, int(correct), last


def sigmoid_quadratic_evaluate(W, X1, Y, labels) -> tuple[float, float]:
    """(mean quadratic cost, accuracy) of the net ``W`` (the layout above) on the rows of X1
    with one-hot targets ``Y`` and integer ``labels``: what :func:`nnlib.metrics.evaluate`
    returns for the same net, up to the rounding of sums."""
    _kernel()
    W = tuple(np.ascontiguousarray(w) for w in W)
    n = len(X1)
    total, correct = _EVALUATE(W, X1, Y, np.asarray(labels, np.intp),
                               max(w.shape[0] for w in W), 100)
    return total / n, int(correct) / n
