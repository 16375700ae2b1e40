"""Optimisers: one signature for every update rule.

``opt = SGD(net.parameters(), lr=0.1)``; after ``net.backward(...)`` call ``opt.step()``,
which updates each ``p.data`` in place from ``p.grad``. Later notebooks add momentum,
AdaGrad, RMSprop, Adam and Nadam with the same interface.
"""

from __future__ import annotations

from ._checks import check_positive_float


class Optimizer:
    """Holds a list of :class:`nnlib.layers.Parameter` and updates them in ``step()``."""

    def __init__(self, params, *, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("params must contain at least one Parameter; got an empty list")
        self.lr = check_positive_float("lr", lr)

    def zero_grad(self):
        for p in self.params:
            p.grad[...] = 0

    def step(self):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: p ← p − lr · ∂L/∂p."""

    def step(self):
        lr = self.lr
        for p in self.params:
            p.data -= lr * p.grad
