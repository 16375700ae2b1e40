"""Regularisation: dropout, and weight penalties λ Σ|w|^p added to the loss.

With few training examples a large network can memorise them; these tools make memorising
harder.

* :class:`Dropout` (a layer): in training, each unit is kept with probability 1 - p and scaled
  by 1/(1 - p) ("inverted" dropout), a fresh random mask at every step; in evaluation it does
  nothing. The scaling keeps every unit's expected value, E[mask · x] = x, so the full network
  used at test time sees the inputs it was trained on, on average: it acts like the average of
  the many thinned networks that were trained.
* :class:`Lp`, :class:`L1`, :class:`L2` (penalties): R(θ) = λ Σ_w |w|^p over the weights, with
  ∂R/∂w = λ p |w|^{p-1} sgn(w). A penalty is called as ``pen(net)``: it returns R and adds
  ∂R/∂w into each covered parameter's ``.grad``; :func:`nnlib.training.fit` does this after every
  backward pass (``fit(..., penalties=[L1(1e-4)])``). Weights are the parameters with
  ``data.ndim >= 2``; biases, batch-norm γ/β and PReLU slopes (1-D) are left alone unless
  ``include_biases=True``.

  At w = 0, |w|^p has no derivative for p <= 1. We use sgn(0) = 0 there, so a weight that is
  exactly zero gets no push (the subgradient PyTorch uses for |w| too). For p < 1 the gradient
  λ p |w|^{p-1} grows without bound as w -> 0 and drives small weights to zero hard; for
  p = 1 it is a constant pull λ sgn(w), which is why L1 gives many weights (near) zero while
  L2's pull 2λw fades as w shrinks. As p -> 0, Σ|w|^p counts the non-zero weights.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    check_bool,
    check_dropout,
    check_net,
    check_positive_float,
    check_rng,
)
from .layers import Layer


class Dropout(Layer):
    """Inverted dropout: x ⊙ m / (1 - p) in training with m_i ~ Bernoulli(1 - p); x in eval.

    x: any shape (N, ...) -> same shape. ``p``: probability of dropping a unit, in [0, 1).
    ``rng``: the ``np.random.Generator`` (or int seed) that draws the masks. Backward
    multiplies ``dout`` by the same scaled mask the forward pass used (in eval: returns dout).
    """

    def __init__(self, p: float = 0.5, *, rng):
        self.p = check_dropout("p", p)
        self.rng = check_rng("rng", rng)
        self.cache = None
        self._called = False

    def forward(self, x):
        x = np.asarray(x)
        self._called = True
        if not self.training or self.p == 0.0:
            self.cache = None
            return x
        draw = np.float32 if x.dtype == np.float32 else np.float64
        keep = self.rng.random(x.shape, dtype=draw) >= self.p
        mask = keep.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)
        mask *= 1.0 / (1.0 - self.p)
        self.cache = mask
        return x * mask

    def backward(self, dout):
        if not self._called:
            raise RuntimeError(f"backward called before forward on {self!r}")
        if self.cache is None:  # evaluation mode or p = 0: the identity
            return dout
        if dout.shape != self.cache.shape:
            raise ValueError(f"dout must have shape {self.cache.shape}; got {dout.shape}")
        return dout * self.cache

    def __repr__(self):
        return f"Dropout(p={self.p})"


class Lp:
    """The penalty R(θ) = λ Σ |w|^p over a network's weights, with its gradient.

    ``pen(net)`` returns R (a float) and ADDS ∂R/∂w = λ p |w|^{p-1} sgn(w) into each covered
    parameter's ``.grad`` (call it after ``net.backward``, as :func:`nnlib.training.fit` does).
    ``pen.value(net)`` returns R without touching any gradient. ``lam`` >= 0, ``p`` > 0.
    Covered: parameters with ``data.ndim >= 2`` (weights); also the 1-D ones (biases, γ, β,
    slopes) if ``include_biases``. At w = 0 the gradient is taken as 0 (sgn(0) = 0).
    """

    def __init__(self, lam: float, p: float, *, include_biases: bool = False):
        self.lam = check_positive_float("lam", lam, allow_zero=True)
        self.p = check_positive_float("p", p)
        self.include_biases = check_bool("include_biases", include_biases)

    def covered(self, net) -> list:
        """The parameters this penalty acts on (a network's, or a list of Parameters)."""
        params = net.parameters() if hasattr(net, "parameters") else list(net)
        return [q for q in params if self.include_biases or q.data.ndim >= 2]

    def _term(self, w) -> float:
        """Σ |w|^p (p = 1 and p = 2 without the power, which is slow)."""
        if self.p == 1.0:
            return float(np.abs(w).sum())
        if self.p == 2.0:
            return float(np.vdot(w, w))
        return float(np.sum(np.abs(w) ** self.p))

    def _add_grad(self, w, grad):
        """grad += λ p |w|^{p-1} sgn(w), taking 0 at w = 0 (sgn(0) = 0)."""
        lam = self.lam
        if self.p == 1.0:
            grad += lam * np.sign(w)
        elif self.p == 2.0:
            grad += (2.0 * lam) * w
        else:
            nz = w != 0
            a = np.abs(w[nz])
            grad[nz] += lam * self.p * a ** (self.p - 1.0) * np.sign(w[nz])

    def value(self, net) -> float:
        """R(θ) = λ Σ |w|^p, without touching gradients."""
        return self.lam * sum(self._term(q.data) for q in self.covered(net))

    def __call__(self, net) -> float:
        total = 0.0
        for q in self.covered(net):
            total += self._term(q.data)
            if self.lam:
                self._add_grad(q.data, q.grad)
        return self.lam * total

    def __repr__(self):
        extra = ", include_biases=True" if self.include_biases else ""
        return f"{type(self).__name__}(lam={self.lam:g}, p={self.p:g}{extra})"


class L1(Lp):
    """R = λ Σ|w|, ∂R/∂w = λ sgn(w) (0 at w = 0): a constant pull towards zero (sparse weights)."""

    def __init__(self, lam: float, *, include_biases: bool = False):
        super().__init__(lam, 1.0, include_biases=include_biases)

    def __repr__(self):
        return f"L1(lam={self.lam:g}" + (", include_biases=True)" if self.include_biases else ")")


class L2(Lp):
    """R = λ Σ w², ∂R/∂w = 2λ w: a pull proportional to the weight ("weight decay" 2λ)."""

    def __init__(self, lam: float, *, include_biases: bool = False):
        super().__init__(lam, 2.0, include_biases=include_biases)

    def __repr__(self):
        return f"L2(lam={self.lam:g}" + (", include_biases=True)" if self.include_biases else ")")


def count_nonzero(net, *, tol: float = 0.0, include_biases: bool = False) -> int:
    """How many weights have |w| > tol: the limit p -> 0 of Σ|w|^p (the "L0 norm")."""
    tol = check_positive_float("tol", tol, allow_zero=True)
    check_net("net", net)
    pen = Lp(0.0, 1.0, include_biases=include_biases)
    return int(sum(np.count_nonzero(np.abs(q.data) > tol) for q in pen.covered(net)))


def fraction_small(net, *, tol: float = 1e-3, include_biases: bool = False) -> float:
    """Fraction of the weights with |w| < tol (how sparse a penalty made the network)."""
    tol = check_positive_float("tol", tol)
    check_net("net", net)
    pen = Lp(0.0, 1.0, include_biases=include_biases)
    ws = [as_float_array("weights", q.data).ravel() for q in pen.covered(net)]
    if not ws:
        raise ValueError("net has no weights (parameters with ndim >= 2) to measure")
    w = np.concatenate(ws)
    return float(np.mean(np.abs(w) < tol))
