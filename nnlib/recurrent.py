"""A minimal recurrent layer and backpropagation through time (NumPy only), for notebook 03.

A simple (Elman) RNN feeds its hidden state back as an input at the next step:

    z_t = h_{t-1} W + x_t U + b,   h_t = φ(z_t),   t = 1..T,   h_0 given.

Unrolled in time it is a T-layer feedforward network whose layers all share W, U and b, so
backpropagation through time (BPTT) is ordinary backprop through that deep network:
∂L/∂h_{t-1} = (∂L/∂h_t ⊙ φ'(z_t)) Wᵀ. Each step back multiplies the gradient by one more
factor, exactly like one more layer. Shapes: x (N, T, D), h (N, T, H).

Left out: output layers, gating (LSTM/GRU), truncated BPTT.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._checks import check_choice, check_float_dtype, check_positive_int, check_real, check_rng
from .layers import Layer, Parameter


class SimpleRNN(Layer):
    """x: (N, T, input_size) -> hidden states h: (N, T, hidden_size).

    W: (hidden, hidden) drawn from N(0, (gain² / hidden)); U: (input, hidden) from
    N(0, 1/input); b = 0. ``backward(dh)`` takes ∂L/∂h for every step (N, T, hidden), adds into
    W.grad, U.grad, b.grad, returns ∂L/∂x and keeps ``self.dh_total`` (N, T+1, hidden): the
    total gradient reaching each hidden state h_0..h_T through the recurrence.
    """

    def __init__(self, input_size: int, hidden_size: int, *, rng, activation: str = "tanh",
                 gain: float = 1.0, dtype=np.float64):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        check_choice("activation", activation, act.FIXED)
        rng = check_rng("rng", rng)
        dtype = check_float_dtype("dtype", dtype)
        gain = check_real("gain", gain)
        self.activation = activation
        self.phi, self.dphi = act.get_activation(activation)
        H, D = self.hidden_size, self.input_size
        self.W = Parameter((gain / np.sqrt(H) * rng.standard_normal((H, H))).astype(dtype), "W")
        self.U = Parameter((rng.standard_normal((D, H)) / np.sqrt(D)).astype(dtype), "U")
        self.b = Parameter(np.zeros(H, dtype=dtype), "b")
        self.cache = None
        self.dh_total = None

    def forward(self, x, h0=None):
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"x must have shape (N, T, {self.input_size}); got {x.shape}")
        N, T, _ = x.shape
        h = np.zeros((N, self.hidden_size), dtype=self.W.data.dtype) if h0 is None else h0
        hs, zs = [h], []
        for t in range(T):
            z = hs[-1] @ self.W.data + x[:, t] @ self.U.data + self.b.data
            zs.append(z)
            hs.append(self.phi(z))
        self.cache = (x, np.stack(hs, axis=1), np.stack(zs, axis=1))
        return self.cache[1][:, 1:]

    def backward(self, dout):
        x, hs, zs = self._cached()
        N, T, _ = x.shape
        if dout.shape != (N, T, self.hidden_size):
            raise ValueError(f"dout must have shape {(N, T, self.hidden_size)}; got {dout.shape}")
        dW = np.zeros_like(self.W.data)
        dU = np.zeros_like(self.U.data)
        db = np.zeros_like(self.b.data)
        dx = np.zeros_like(x, dtype=self.W.data.dtype)
        dh_total = np.zeros_like(hs)
        carry = np.zeros((N, self.hidden_size), dtype=self.W.data.dtype)
        for t in range(T - 1, -1, -1):
            dh = dout[:, t] + carry                 # ∂L/∂h_{t+1} (position t+1 in hs)
            dh_total[:, t + 1] = dh
            dz = dh * self.dphi(zs[:, t])
            dW += hs[:, t].T @ dz
            dU += x[:, t].T @ dz
            db += dz.sum(axis=0)
            dx[:, t] = dz @ self.U.data.T
            carry = dz @ self.W.data.T               # one step back: one more "layer"
        dh_total[:, 0] = carry
        self.W.grad += dW
        self.U.grad += dU
        self.b.grad += db
        self.dh_total = dh_total
        return dx

    def parameters(self):
        return [self.W, self.U, self.b]


def gradient_through_time(rnn: SimpleRNN, x, *, rng) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 0..T when the loss looks only at the last state, L = ⟨r, h_T⟩ with
    a random r. Shape (T+1,). The ratio of the first entry to the last is the gradient's
    gain (or loss) through T steps."""
    if not isinstance(rnn, SimpleRNN):
        raise TypeError(f"rnn must be a SimpleRNN; got {type(rnn).__name__} {rnn!r:.60}")
    h = rnn.forward(x)
    dout = np.zeros_like(h)
    dout[:, -1] = check_rng("rng", rng).standard_normal(h[:, -1].shape)
    with np.errstate(all="ignore"):
        rnn.zero_grad()
        rnn.backward(dout)
        return np.sqrt((rnn.dh_total ** 2).sum(axis=(0, 2)))
