"""A fused minibatch-SGD engine for plain multilayer perceptrons (Dense + activation layers).

``nnlib.training.sgd_fit`` uses it automatically when it can: the arithmetic is exactly that
of ``Sequential.forward``/``backward`` plus :class:`nnlib.optim.SGD`, but written in the
lecture's column notation z[ℓ] = W[ℓ] a[ℓ−1] + b[ℓ] with every intermediate array allocated
once and reused, so that one SGD step on a minibatch of 10 MNIST digits costs a few dozen
microseconds instead of a few hundred. ``tests/test_training.py`` pins it to the layer-by-layer
path: both give the same weights after the same steps.

What it leaves out: any layer other than Dense and element-wise activations, and losses other
than the quadratic cost and softmax cross-entropy. ``sgd_fit`` falls back to the layer path
for those.
"""

from __future__ import annotations

import numpy as np

from .layers import Activation, Dense, Sequential

_FUSED_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def plan(net, loss: str):
    """The fused plan for ``net`` — a list of (Dense, activation name or None) — or None.

    Every Dense must be followed by a supported activation, except the last, which may have
    none when the loss is softmax cross-entropy (the softmax is part of the loss).
    """
    if not isinstance(net, Sequential) or loss not in ("quadratic", "softmax_cross_entropy"):
        return None
    layers, steps, i = net.layers, [], 0
    while i < len(layers):
        dense = layers[i]
        if not isinstance(dense, Dense):
            return None
        name = None
        if i + 1 < len(layers):
            a = layers[i + 1]
            if not isinstance(a, Activation) or a.name not in _FUSED_ACTIVATIONS:
                return None
            name = a.name
            i += 2
        else:
            i += 1
        steps.append((dense, name, getattr(layers[i - 1], "a", 0.0)))
    if any(name is None for _, name, _ in steps[:-1]):
        return None
    out_act = steps[-1][1]
    if (loss == "softmax_cross_entropy") != (out_act is None):
        return None  # softmax CE on raw scores only; quadratic on an activated output only
    return steps


def _activate(z, name, slope):
    """Apply the activation to z in place."""
    if name == "sigmoid":
        np.negative(z, out=z)
        np.exp(z, out=z)  # may overflow to inf for z << 0: 1/(1+inf) = 0 is the right limit
        z += 1
        np.reciprocal(z, out=z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "relu":
        np.maximum(z, 0, out=z)
    elif name == "leaky_relu":
        np.multiply(z, np.where(z >= 0, 1.0, slope).astype(z.dtype), out=z)


def _times_derivative(d, a, name, slope, tmp):
    """d ← d ⊙ φ'(z), written in terms of the activation's output a = φ(z)."""
    if name == "sigmoid":  # φ' = a(1 − a)
        np.subtract(1, a, out=tmp)
        d *= tmp
        d *= a
    elif name == "tanh":  # φ' = 1 − a²
        np.multiply(a, a, out=tmp)
        np.subtract(1, tmp, out=tmp)
        d *= tmp
    elif name == "relu":  # φ' = [a > 0]
        d *= a > 0
    elif name == "leaky_relu":  # φ' = 1 or slope (a > 0 exactly when z > 0)
        d *= np.where(a > 0, 1.0, slope).astype(d.dtype)


class FusedMLP:
    """Column-layout copy of an MLP's weights with preallocated buffers for batch size K.

    ``W[l]``: (n_l, n_{l−1}) = Dense.W.T and ``b[l]``: (n_l, 1). Call :meth:`epoch` for each
    epoch and :meth:`write_back` to copy the trained weights into the Dense layers.
    """

    def __init__(self, steps, batch_size: int, dtype):
        self.steps = steps
        self.W = [np.ascontiguousarray(d.W.data.T, dtype=dtype) for d, _, _ in steps]
        self.b = [d.b.data.astype(dtype).reshape(-1, 1) for d, _, _ in steps]
        self.acts = [(name, slope) for _, name, slope in steps]
        self.K = batch_size
        self.dtype = np.dtype(dtype)
        self._alloc(batch_size)

    def _alloc(self, k):
        sizes = [W.shape[0] for W in self.W]
        self.z = [np.empty((n, k), self.dtype) for n in sizes]   # z, then a = φ(z), in place
        self.d = [np.empty((n, k), self.dtype) for n in sizes]   # dz per layer
        self.tmp = [np.empty((n, k), self.dtype) for n in sizes]
        self.dW = [np.empty_like(W) for W in self.W]
        self.db = [np.empty_like(b) for b in self.b]
        self.xb = np.empty((k, self.W[0].shape[1]), self.dtype)
        self.k = k

    def step(self, xb, yb, c, loss):
        """One SGD step. xb: (k, n_0) rows, yb: (k, n_L) one-hot rows, c = lr / k."""
        W, b, z, d, tmp = self.W, self.b, self.z, self.d, self.tmp
        L = len(W)
        a_prev = xb.T
        for l in range(L):
            np.matmul(W[l], a_prev, out=z[l])
            z[l] += b[l]
            name, slope = self.acts[l]
            if name is not None:
                _activate(z[l], name, slope)
            a_prev = z[l]
        out = z[L - 1]
        if loss == "softmax_cross_entropy":  # dz = softmax(z) − y
            out -= out.max(axis=0, keepdims=True)
            np.exp(out, out=out)
            out /= out.sum(axis=0, keepdims=True)
            np.subtract(out, yb.T, out=d[L - 1])
        else:  # quadratic: dz = (a − y) ⊙ φ'(z)
            np.subtract(out, yb.T, out=d[L - 1])
            _times_derivative(d[L - 1], out, *self.acts[L - 1], tmp[L - 1])
        d[L - 1] *= c  # fold lr/K in once: every gradient below is then already scaled
        for l in range(L - 1, -1, -1):
            a_in = z[l - 1] if l > 0 else xb.T
            if l > 0:  # dz[l−1] = W[l]ᵀ dz[l] ⊙ φ'(z[l−1]); not needed for the input layer
                np.matmul(W[l].T, d[l], out=d[l - 1])
                _times_derivative(d[l - 1], z[l - 1], *self.acts[l - 1], tmp[l - 1])
            np.matmul(d[l], a_in.T, out=self.dW[l])  # dW = dz a[l−1]ᵀ
            W[l] -= self.dW[l]
            np.sum(d[l], axis=1, keepdims=True, out=self.db[l])  # db = Σ_n dz
            b[l] -= self.db[l]

    def epoch(self, X, Y, order, lr, loss):
        """One epoch over rows ``order`` of X (N, n_0) and one-hot Y (N, n_L)."""
        K = self.K
        n = len(order)
        with np.errstate(over="ignore", under="ignore"):
            for start in range(0, n, K):
                idx = order[start:start + K]
                k = len(idx)
                if k != self.k:
                    self._alloc(k)
                np.take(X, idx, axis=0, out=self.xb)
                self.step(self.xb, Y[idx], self.dtype.type(lr / k), loss)
            if self.k != K:
                self._alloc(K)

    def write_back(self):
        """Copy the trained weights into the network's Dense layers (their dtype kept)."""
        for (dense, _, _), W, b in zip(self.steps, self.W, self.b):
            dense.W.data[...] = W.T
            dense.b.data[...] = b.ravel()
