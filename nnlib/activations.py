"""Activation functions φ and their derivatives φ', element-wise on arrays of any shape, and the
ONE registry of activations by name that the rest of the library reads.

The lecture's neuron computes φ(Σ_i x_i w_i − b); these are its choices of φ.

=========== ======================================= ================================
name         φ(x)                                     φ'(x)
=========== ======================================= ================================
heaviside    1 if x ≥ 0 else 0                        0 (almost everywhere)
sigmoid      1 / (1 + e^{−x})                         φ(x)(1 − φ(x)) ≤ 1/4
tanh         tanh(x)                                  1 − tanh²(x)
relu         x if x ≥ 0 else 0                        1 if x > 0 else 0
leaky_relu   x if x ≥ 0 else a·x (a fixed)            1 if x > 0 else a
prelu        x if x ≥ 0 else a·x (a learned)          1 if x > 0 else a
identity     x                                        1
=========== ======================================= ================================

At the kink x = 0 we use the derivative from the left for ReLU and leaky ReLU
(0 and ``a``), as PyTorch does.

:data:`ACTIVATIONS` maps each name to an :class:`ActivationSpec`: the functions φ and φ', the
shape of φ (``kind``), the peak of φ' (what "saturated" is measured against), whether φ has a
learned parameter, and the name of its ``torch.nn`` module. The layer classes
(:func:`nnlib.layers.activation_layer`), the gradient lab and its variance theory, the
recurrent layer, the chain widget and the torch models all pick their activations from it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, check_choice, check_real


def _x(x):
    """``x`` as an array of numbers (ints and bools kept; NaN allowed), else a TypeError."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
        return x
    return as_float_array("x", x, finite=False) if not isinstance(x, (int, float, np.number)) \
        or isinstance(x, bool) else np.asarray(x)


def heaviside(x):
    """Threshold unit: 1 where ``x >= 0``, else 0. Shape preserved."""
    x = _x(x)
    return (x >= 0).astype(np.result_type(x, np.float32))


def heaviside_prime(x):
    """Derivative of the threshold unit: 0 everywhere it exists."""
    x = _x(x)
    return np.zeros_like(np.asarray(x, dtype=np.result_type(x, np.float32)))


def sigmoid(x):
    """Logistic sigmoid 1/(1+e^{−x}), computed without overflow for large |x|."""
    x = _x(x)
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    # exp of a non-positive number never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def sigmoid_prime(x):
    """σ'(x) = σ(x)(1 − σ(x)); never more than 1/4 (at x = 0)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(_x(x))


def tanh_prime(x):
    """1 − tanh²(x); never more than 1 (at x = 0)."""
    t = np.tanh(_x(x))
    return 1.0 - t * t


def relu(x):
    """Rectified linear unit max(x, 0)."""
    return np.maximum(_x(x), 0)


def relu_prime(x):
    """1 where x > 0, else 0."""
    x = _x(x)
    return (x > 0).astype(np.result_type(x, np.float32))


def leaky_relu(x, a: float = 0.01):
    """x for x ≥ 0, a·x otherwise (a fixed slope, the same for every neuron)."""
    x = _x(x)
    check_real("a", a)
    return np.where(x >= 0, x, a * x)


def leaky_relu_prime(x, a: float = 0.01):
    """1 where x > 0, else a."""
    x = _x(x)
    check_real("a", a)
    dtype = np.result_type(x, np.float32)
    return np.where(x > 0, np.ones((), dtype), np.asarray(a, dtype))


def identity(x):
    """φ(x) = x (a linear unit, e.g. a read-out)."""
    return _x(x)


def identity_prime(x):
    """1 everywhere."""
    x = _x(x)
    return np.ones_like(np.asarray(x, dtype=np.result_type(x, np.float32)))


class ActivationSpec(NamedTuple):
    """What the library knows about one activation.

    ``phi``, ``dphi``: element-wise φ and φ' (``phi(x, a)`` for the slope family).
    ``kind``: ``"step"`` (no useful gradient), ``"smooth"``, ``"piecewise_linear"`` (a kink at
    0) or ``"linear"``. ``peak``: max φ' (saturation is measured against it; None where φ' does
    not fall off). ``slope``: the default negative-side slope for the leaky family, else None.
    ``learnable``: φ has a learned parameter (PReLU). ``torch``: the ``torch.nn`` class name.
    """

    phi: Callable
    dphi: Callable
    kind: str
    peak: float | None
    slope: float | None
    learnable: bool
    torch: str | None


#: name -> :class:`ActivationSpec`; the one list of activations in the library
ACTIVATIONS: dict[str, ActivationSpec] = {
    "heaviside": ActivationSpec(heaviside, heaviside_prime, "step", None, None, False, None),
    "sigmoid": ActivationSpec(sigmoid, sigmoid_prime, "smooth", 0.25, None, False, "Sigmoid"),
    "tanh": ActivationSpec(tanh, tanh_prime, "smooth", 1.0, None, False, "Tanh"),
    "relu": ActivationSpec(relu, relu_prime, "piecewise_linear", None, None, False, "ReLU"),
    "leaky_relu": ActivationSpec(leaky_relu, leaky_relu_prime, "piecewise_linear", None, 0.01,
                                 False, "LeakyReLU"),
    "prelu": ActivationSpec(leaky_relu, leaky_relu_prime, "piecewise_linear", None, 0.25, True,
                            "PReLU"),
    "identity": ActivationSpec(identity, identity_prime, "linear", None, None, False,
                               "Identity"),
}

#: activations a gradient can flow through and that bend (the gradient lab's choices)
TRAINABLE = tuple(n for n, s in ACTIVATIONS.items() if s.kind in ("smooth", "piecewise_linear"))
#: the same without a learned parameter: a fixed φ (recurrent layer, chain widget, fused engine)
FIXED = tuple(n for n in TRAINABLE if not ACTIVATIONS[n].learnable)


def get_spec(name: str) -> ActivationSpec:
    """The :class:`ActivationSpec` registered as ``name``."""
    check_choice("activation name", name, ACTIVATIONS)
    return ACTIVATIONS[name]


def get_activation(name: str, *, slope: float | None = None):
    """Return the pair ``(phi, phi_prime)`` for an activation name.

    ``slope`` sets the negative-side slope a of ``leaky_relu``/``prelu`` (PReLU: its initial
    value); it is ignored by the others. Without it the plain functions come back.

    >>> phi, dphi = get_activation("sigmoid")
    """
    spec = get_spec(name)
    if spec.slope is None or slope is None:
        if spec.slope is not None and spec.slope != 0.01:  # prelu's default a = 0.25
            slope = spec.slope
        else:
            return spec.phi, spec.dphi
    return functools.partial(spec.phi, a=slope), functools.partial(spec.dphi, a=slope)
