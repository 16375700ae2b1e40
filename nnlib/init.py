"""Weight initialisers, exactly as in the lecture's table (m inputs, n outputs).

=================== ======================================= =========================
name                 distribution                             meant for
=================== ======================================= =========================
xavier_uniform       U(−√(6/(m+n)), +√(6/(m+n)))              sigmoid, tanh
xavier_normal        N(0, std = √(2/(m+n)))                   sigmoid, tanh
he_uniform           U(−√(6/m), +√(6/m))                      ReLU family
he_normal            N(0, std = √(2/m))                       ReLU family
normal               N(0, std)                                naive baselines
uniform              U(−a, +a)                                naive baselines
=================== ======================================= =========================

Every function returns an ``(m, n)`` array, so a layer computes ``x @ W`` for a batch
``x`` of shape ``(N, m)``. ``scale`` multiplies the result (``scale=2`` doubles the std),
which is what the gradient lab uses to push a good initialisation into a bad regime.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_choice, check_positive_float, check_positive_int, check_rng


def _sizes(fan_in, fan_out):
    return check_positive_int("fan_in", fan_in), check_positive_int("fan_out", fan_out)


def xavier_uniform_bound(fan_in: int, fan_out: int) -> float:
    """√(6/(m+n))."""
    m, n = _sizes(fan_in, fan_out)
    return math.sqrt(6.0 / (m + n))


def xavier_normal_std(fan_in: int, fan_out: int) -> float:
    """√(2/(m+n))."""
    m, n = _sizes(fan_in, fan_out)
    return math.sqrt(2.0 / (m + n))


def he_uniform_bound(fan_in: int, fan_out: int | None = None) -> float:
    """√(6/m)."""
    return math.sqrt(6.0 / check_positive_int("fan_in", fan_in))


def he_normal_std(fan_in: int, fan_out: int | None = None) -> float:
    """√(2/m)."""
    return math.sqrt(2.0 / check_positive_int("fan_in", fan_in))


def _uniform(rng, bound, shape, dtype):
    return rng.uniform(-bound, bound, size=shape).astype(dtype, copy=False)


def _normal(rng, std, shape, dtype):
    return (std * rng.standard_normal(size=shape)).astype(dtype, copy=False)


def xavier_uniform(fan_in, fan_out, rng, *, scale=1.0, dtype=np.float64):
    """(m, n) weights from U(±√(6/(m+n))), times ``scale``."""
    b = xavier_uniform_bound(fan_in, fan_out) * _scale(scale)
    return _uniform(check_rng("rng", rng), b, (fan_in, fan_out), dtype)


def xavier_normal(fan_in, fan_out, rng, *, scale=1.0, dtype=np.float64):
    """(m, n) weights from N(0, √(2/(m+n))), times ``scale``."""
    s = xavier_normal_std(fan_in, fan_out) * _scale(scale)
    return _normal(check_rng("rng", rng), s, (fan_in, fan_out), dtype)


def he_uniform(fan_in, fan_out, rng, *, scale=1.0, dtype=np.float64):
    """(m, n) weights from U(±√(6/m)), times ``scale``."""
    m, n = _sizes(fan_in, fan_out)
    b = he_uniform_bound(m) * _scale(scale)
    return _uniform(check_rng("rng", rng), b, (m, n), dtype)


def he_normal(fan_in, fan_out, rng, *, scale=1.0, dtype=np.float64):
    """(m, n) weights from N(0, √(2/m)), times ``scale``."""
    m, n = _sizes(fan_in, fan_out)
    s = he_normal_std(m) * _scale(scale)
    return _normal(check_rng("rng", rng), s, (m, n), dtype)


def normal(fan_in, fan_out, rng, *, std=1.0, scale=1.0, dtype=np.float64):
    """(m, n) weights from N(0, std), times ``scale``. ``std=1`` is Nielsen's chapter-1 init."""
    m, n = _sizes(fan_in, fan_out)
    s = check_positive_float("std", std) * _scale(scale)
    return _normal(check_rng("rng", rng), s, (m, n), dtype)


def uniform(fan_in, fan_out, rng, *, a=1.0, scale=1.0, dtype=np.float64):
    """(m, n) weights from U(−a, a), times ``scale``."""
    m, n = _sizes(fan_in, fan_out)
    b = check_positive_float("a", a) * _scale(scale)
    return _uniform(check_rng("rng", rng), b, (m, n), dtype)


def _scale(scale):
    return check_positive_float("scale", scale)


INITIALIZERS = {
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "normal": normal,
    "uniform": uniform,
}


def initialize(name: str, fan_in: int, fan_out: int, rng, **kwargs) -> np.ndarray:
    """Weights of shape ``(fan_in, fan_out)`` from the initialiser called ``name``.

    ``kwargs`` go to the initialiser: ``scale`` for all, ``std`` for ``normal``,
    ``a`` for ``uniform``, ``dtype`` for all.
    """
    check_choice("init", name, INITIALIZERS)
    return INITIALIZERS[name](fan_in, fan_out, rng, **kwargs)


def init_std(name: str, fan_in: int, fan_out: int, *, scale=1.0, std=1.0, a=1.0) -> float:
    """The standard deviation of the weights that ``initialize(name, ...)`` draws.

    A uniform U(−b, b) has std b/√3. Used by the variance-propagation predictions.
    """
    check_choice("init", name, INITIALIZERS)
    _sizes(fan_in, fan_out)  # same size checks as initialize(), whatever the formula uses
    s = _scale(scale)
    if name == "xavier_uniform":
        return xavier_uniform_bound(fan_in, fan_out) / math.sqrt(3) * s
    if name == "xavier_normal":
        return xavier_normal_std(fan_in, fan_out) * s
    if name == "he_uniform":
        return he_uniform_bound(fan_in) / math.sqrt(3) * s
    if name == "he_normal":
        return he_normal_std(fan_in) * s
    if name == "normal":
        return check_positive_float("std", std) * s
    return check_positive_float("a", a) / math.sqrt(3) * s
