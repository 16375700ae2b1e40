"""Theory for the gradient lab: the one-neuron chain and variance propagation (NumPy only).

Two predictions, each checked against measurement in ``tests/lessons/test_gradient_lab.py`` and in
notebooks 04 and 05:

* **The one-neuron-per-layer chain** (notebook 04). Neuron ``j`` computes
  ``y_j = φ(z_j)``, ``z_j = w_j y_{j-1} + b_j`` (``w_j`` is the lecture's ``w_{j,j-1}``)
  and ``y_1 = x``.
  With the cost ½(t − y_L)², going back one layer multiplies the error by the factor
  ``f_j = φ'(z_j) w_j``, so gradient descent changes the weight into neuron ``j`` by

      Δw_j = η (t − y_L) · f_L · f_{L-1} ⋯ f_{j+1} · φ'(z_j) · y_{j-1}

  (for L = 5: Δw54 = η(t − y5) φ'(w54 y4) y4, Δw43 = η(t − y5) φ'(w54 y4) w54 φ'(w43 y3) y3, ...).

* **Variance propagation** (notebook 05). In a wide layer with zero-mean weights of variance
  σ_w² and fan-in m, the pre-activations are roughly Gaussian with variance
  ``q_ℓ = m σ_w² E[φ(z_{ℓ-1})²]``; going backward, the gradient with respect to the activations
  has variance ``v_{ℓ-1} = n σ_w² E[φ'(z_ℓ)²] v_ℓ`` (n = fan-out). Xavier makes the factor ≈ 1
  for tanh near 0, He makes it exactly 1 for ReLU (E[relu'²] = ½). Expectations over
  z ~ N(0, q) are closed forms for the ReLU family and a fine quadrature otherwise.

Left out: finite-width fluctuations (the measurement scatters around the prediction by a few
per cent per layer at width 64) and correlations between examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import activations as act
from .. import layers as nl
from .._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_real,
)
from ..init import init_std

#: the activations the lab offers (the registry's bending, differentiable ones); ``prelu``
#: starts as a leaky ReLU with slope ``slope``
LAB_ACTIVATIONS = act.TRAINABLE

# quadrature grid for E_{z~N(0,q)}[f(z)] = E_{t~N(0,1)}[f(√q t)] (trapezoid on ±10 std)
_T = np.linspace(-10.0, 10.0, 4001)
_W = np.exp(-0.5 * _T * _T)
_W /= _W.sum()


def phi_and_prime(activation: str, *, slope: float = 0.01):
    """``(φ, φ')`` for a lab activation; ``prelu`` uses its (initial) slope like leaky ReLU."""
    check_choice("activation", activation, LAB_ACTIVATIONS)
    slope = check_real("slope", slope)
    return act.get_activation(activation, slope=slope)


# ---------------------------------------------------------------------------------------------
# the one-neuron chain
# ---------------------------------------------------------------------------------------------

@dataclass
class Chain:
    """A forward and backward pass through a one-neuron-per-layer chain.

    Arrays are indexed by neuron ``j = 1..L`` at position ``j - 1``; entries for the input
    neuron (``j = 1``: no weight, no φ) are NaN where undefined.

    ``y``: outputs (y[0] = x). ``z``: pre-activations. ``weights``: w_j. ``factors``:
    f_j = φ'(z_j) w_j. ``products``: f_L ⋯ f_j, the running product from the top down to
    neuron j. ``delta_w``: the lecture's Δw_j (with learning rate ``lr`` and target ``t``).
    ``status``: ``"ok"``, ``"exploded"`` (overflow) or ``"vanished"`` (underflow to 0).
    """

    y: np.ndarray
    z: np.ndarray
    weights: np.ndarray
    factors: np.ndarray
    products: np.ndarray
    delta_w: np.ndarray
    status: str


def chain(weights, x: float, *, biases=None, activation: str = "sigmoid", slope: float = 0.01,
          target: float = 1.0, lr: float = 1.0) -> Chain:
    """Run the lecture's one-neuron chain. weights: (L-1,) = w_2..w_L; x: the input y_1.

    biases: (L-1,) or a scalar, added to each z_j = w_j y_{j-1} + b_j (default 0; they do not
    change the formula for Δw, only where on φ each neuron sits).
    Never raises on overflow or underflow: the result's ``status`` says what happened.
    """
    w = as_float_array("weights", weights, ndim=1)
    if w.size < 1:
        raise ValueError(f"weights must hold at least one weight (a chain of two neurons); "
                         f"got shape {w.shape}")
    if biases is None:
        b = np.zeros(w.size)
    else:
        b = as_float_array("biases", biases, ndim=(0, 1))
        if b.ndim == 1 and b.shape != w.shape:
            raise ValueError(f"biases must be one number or one per weight ({w.size}); "
                             f"got shape {b.shape}")
        b = np.broadcast_to(b, w.shape)
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"x must be a real number; got {x!r}")
    x = check_real("x", x)
    slope = check_real("slope", slope)
    target = check_real("target", target)
    lr = check_real("lr", lr)
    phi, dphi = phi_and_prime(activation, slope=slope)
    L = w.size + 1
    nan = np.full(L, np.nan)
    y, z, ww, f = np.empty(L), nan.copy(), nan.copy(), nan.copy()
    y[0] = float(x)
    ww[1:] = w
    with np.errstate(all="ignore"):
        for j in range(1, L):
            z[j] = ww[j] * y[j - 1] + b[j - 1]
            y[j] = phi(z[j])
        d = dphi(z[1:])
        f[1:] = d * ww[1:]
        products = nan.copy()
        products[1:] = np.cumprod(f[1:][::-1])[::-1]
        above = np.ones(L)  # f_L ⋯ f_{j+1}, empty product for j = L
        above[1:-1] = products[2:]
        err = float(target) - y[-1]
        delta_w = nan.copy()
        delta_w[1:] = lr * err * above[1:] * d * y[:-1]
    finite = np.all(np.isfinite(y)) and np.all(np.isfinite(products[1:]))
    if not finite:
        status = "exploded"
    elif products[1] == 0 and np.all(np.isfinite(products[1:])) and np.any(w != 0):
        status = "vanished"
    else:
        status = "ok"
    return Chain(y, z, ww, f, products, delta_w, status)


def scalar_chain_network(weights, biases=0.0, *, activation: str = "sigmoid",
                         output_activation: bool = False):
    """The scalar chain Φ(x) = w_L φ(⋯ φ(w_1 x + b_1) ⋯) + b_L as real layers, for backprop.

    weights: (L,) = w_1..w_L; biases: (L,) or a scalar. Returns an
    :class:`nnlib.layers.Sequential` of ``Dense(1, 1)`` layers (float64) with ``activation``
    between them (and after the last one if ``output_activation``). Input (N, 1) -> (N, 1).
    After ``net.backward(dout)`` the bias gradient of Dense ℓ is the error signal
    δ_ℓ = ∂Φ/∂z_ℓ, so the first one is ∂Φ/∂b_1 computed by backprop, not by the formula.
    """
    w = as_float_array("weights", weights, ndim=1)
    if w.size < 1:
        raise ValueError("weights must hold at least one weight")
    b = as_float_array("biases", biases, ndim=(0, 1))
    if b.ndim == 1 and b.shape != w.shape:
        raise ValueError(f"biases must be a scalar or have the shape of weights {w.shape}; "
                         f"got shape {b.shape}")
    b = np.broadcast_to(b, w.shape)
    check_choice("activation", activation, LAB_ACTIVATIONS)
    parts = []
    for i, (wi, bi) in enumerate(zip(w, b)):
        dense = nl.Dense(1, 1, rng=0, dtype=np.float64)
        dense.W.data[...] = wi
        dense.b.data[...] = bi
        parts.append(dense)
        if i < w.size - 1 or output_activation:
            parts.append(nl.activation_layer(activation))
    return nl.Sequential(*parts)


def backprop_error_signals(weights, biases, x: float, *, activation: str = "sigmoid",
                           output_activation: bool = False) -> np.ndarray:
    """(L,) error signals δ_ℓ = ∂out/∂z_ℓ of the scalar chain at input ``x``, by backprop.

    Builds :func:`scalar_chain_network` (same arguments), runs ``x`` forward, backpropagates
    ∂out/∂out = 1 and reads each δ_ℓ off Dense ℓ's bias gradient; δ_1 is ∂Φ/∂b_1.
    """
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"x must be a real number; got {x!r}")
    net = scalar_chain_network(weights, biases, activation=activation,
                               output_activation=output_activation)
    net.forward(np.array([[float(x)]]))
    net.zero_grad()
    net.backward(np.ones((1, 1)))
    return np.array([layer.b.grad[0] for layer in net.layers if isinstance(layer, nl.Dense)])


# ---------------------------------------------------------------------------------------------
# variance propagation
# ---------------------------------------------------------------------------------------------

def gaussian_moments(activation: str, q: float, *, slope: float = 0.01):
    """``(E[φ(z)], E[φ(z)²], E[φ'(z)²])`` for z ~ N(0, q). Closed forms for the ReLU family."""
    check_choice("activation", activation, LAB_ACTIVATIONS)
    if not isinstance(q, (int, float, np.integer, np.floating)) or isinstance(q, bool):
        raise TypeError(f"q must be a variance (a number >= 0); got {type(q).__name__} {q!r:.40}")
    if q < 0:
        raise ValueError(f"q must be a variance (a number >= 0); got {q}")
    return _gaussian_moments(act.ACTIVATIONS[activation], q, slope)


def _gaussian_moments(spec, q, slope):
    """:func:`gaussian_moments` for a registry entry ``spec``, its arguments already checked."""
    if not np.isfinite(q):
        return np.nan, np.inf, np.nan
    q = max(float(q), 0.0)
    if spec.kind == "piecewise_linear":
        a = 0.0 if spec.slope is None else float(slope)
        mean = (1.0 - a) * math.sqrt(q / (2 * math.pi))
        return mean, 0.5 * (1 + a * a) * q, 0.5 * (1 + a * a)
    phi, dphi = spec.phi, spec.dphi  # a smooth φ has no slope
    zz = math.sqrt(q) * _T
    p, dp = phi(zz), dphi(zz)
    return float(_W @ p), float(_W @ (p * p)), float(_W @ (dp * dp))


@dataclass
class VarianceProfile:
    """Predicted per-layer statistics for layers ℓ = 1..L (arrays of length L).

    ``q``: Var(z_ℓ). ``act_mean``/``act_std``: of a_ℓ = φ(z_ℓ).
    ``log10_grad``: log10 of the predicted ‖∂L/∂a_ℓ‖ relative to the last hidden layer
    (so its last entry is 0); ``gain``: the per-layer backward factor √(n σ_w² E[φ'²]).
    """

    q: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    log10_grad: np.ndarray
    gain: np.ndarray


def variance_profile(*, depth: int, width: int, activation: str, init: str, scale: float = 1.0,
                     std: float = 1.0, a: float = 1.0, slope: float = 0.01,
                     input_var: float = 1.0) -> VarianceProfile:
    """Mean-field prediction for ``depth`` square layers of ``width`` units fed unit-variance input.

    ``init``/``scale``/``std``/``a`` are those of :func:`nnlib.init.initialize`.
    """
    L = check_positive_int("depth", depth)
    n = check_positive_int("width", width)
    check_choice("activation", activation, LAB_ACTIVATIONS)
    input_var = check_positive_float("input_var", input_var)
    return _variance_profile(L, n, activation, init_std(init, n, n, scale=scale, std=std, a=a),
                             slope, input_var)


def _variance_profile(L, n, activation, w_std, slope, input_var) -> VarianceProfile:
    """:func:`variance_profile` with its arguments checked (the gradient lab's config did)."""
    spec, sw2 = act.ACTIVATIONS[activation], w_std ** 2
    q = np.empty(L)
    mean, m2, dp2 = np.empty(L), np.empty(L), np.empty(L)
    prev_m2 = input_var
    with np.errstate(all="ignore"):
        for layer in range(L):
            q[layer] = n * sw2 * prev_m2
            mean[layer], m2[layer], dp2[layer] = _gaussian_moments(spec, q[layer], slope)
            prev_m2 = m2[layer]
        act_std = np.sqrt(np.maximum(m2 - mean * mean, 0.0))
        gain = np.sqrt(n * sw2 * dp2)
        # ‖∂L/∂a_{ℓ-1}‖ = gain_ℓ ‖∂L/∂a_ℓ‖: sum logs from the top so nothing overflows
        logs = np.log10(gain)
        log10_grad = np.zeros(L)
        log10_grad[:-1] = np.cumsum(logs[1:][::-1])[::-1]
    return VarianceProfile(q, mean, act_std, log10_grad, gain)
