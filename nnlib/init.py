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

Every function takes the weight's ``shape`` and reads m = fan_in and n = fan_out from it as
PyTorch does (:func:`calculate_fan_in_and_fan_out`: for (out, in, kh, kw), m = in·kh·kw and
n = out·kh·kw), or from ``fans=(m, n)`` when given: our Dense keeps W as (in, out) so that a
layer computes ``x @ W`` for a batch ``x`` of shape ``(N, m)``, and passes ``fans=(in, out)``.
``scale`` multiplies the result (``scale=2`` doubles the std), which is what the gradient lab
uses to push a good initialisation into a bad regime.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import (
    check_choice,
    check_float_dtype,
    check_positive_float,
    check_positive_int,
    check_rng,
)


def _sizes(fan_in, fan_out):
    return check_positive_int("fan_in", fan_in), check_positive_int("fan_out", fan_out)


def calculate_fan_in_and_fan_out(shape) -> tuple[int, int]:
    """Fans of a weight of ``shape``, counted as PyTorch counts them.

    ``shape`` is torch's layout ``(out, in, *kernel)``: fan_in = in·∏kernel,
    fan_out = out·∏kernel; e.g. a conv weight (F, C, KH, KW) has fan_in = C·KH·KW and
    fan_out = F·KH·KW, a torch Linear weight (out, in) has fan_in = in. Our
    :class:`~nnlib.layers.Dense` stores W as (in, out), the transpose, so it passes its fans
    explicitly (``fans=(in, out)``) instead of relying on this rule.
    """
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"shape must have at least 2 dimensions to define fans; got {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of positive integers; got {shape!r}")
    return tuple(check_positive_int(f"shape[{i}]", s) for i, s in enumerate(shape))


def _fans(shape, fans) -> tuple[tuple[int, ...], int, int]:
    shape = _shape(shape)
    if fans is None:
        fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    else:
        if not isinstance(fans, (tuple, list)):
            raise TypeError(f"fans must be a pair (fan_in, fan_out) or None; got "
                            f"{type(fans).__name__} {fans!r:.60}")
        if len(fans) != 2:
            raise ValueError(f"fans must be a pair (fan_in, fan_out) or None; got {len(fans)} "
                             f"values {tuple(fans)!r:.60}")
        fan_in, fan_out = _sizes(*fans)
    return shape, fan_in, fan_out


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
    dtype = check_float_dtype("dtype", dtype)
    u = rng.uniform(-bound, bound, size=shape)
    return u.astype(dtype, copy=not u.flags.writeable)  # a read-only draw may be shared


def _normal(rng, std, shape, dtype):
    dtype = check_float_dtype("dtype", dtype)
    z = rng.standard_normal(size=shape)
    # std·z, rounded once to dtype, written straight into the new array: the same numbers as
    # (std * z).astype(dtype), without a float64 temporary, and the draw is left as it is (a
    # read-only draw may be shared: the gradient lab replays its draws)
    return np.multiply(z, std, out=np.empty(z.shape, dtype=dtype), casting="same_kind")


def xavier_uniform(shape, rng, *, fans=None, scale=1.0, dtype=np.float64):
    """Weights of ``shape`` from U(±√(6/(m+n))), times ``scale`` (torch: xavier_uniform_)."""
    shape, m, n = _fans(shape, fans)
    b = xavier_uniform_bound(m, n) * _scale(scale)
    return _uniform(check_rng("rng", rng), b, shape, dtype)


def xavier_normal(shape, rng, *, fans=None, scale=1.0, dtype=np.float64):
    """Weights of ``shape`` from N(0, √(2/(m+n))), times ``scale`` (torch: xavier_normal_)."""
    shape, m, n = _fans(shape, fans)
    s = xavier_normal_std(m, n) * _scale(scale)
    return _normal(check_rng("rng", rng), s, shape, dtype)


def he_uniform(shape, rng, *, fans=None, scale=1.0, dtype=np.float64):
    """Weights of ``shape`` from U(±√(6/m)), times ``scale`` (torch: kaiming_uniform_,
    nonlinearity="relu")."""
    shape, m, _ = _fans(shape, fans)
    b = he_uniform_bound(m) * _scale(scale)
    return _uniform(check_rng("rng", rng), b, shape, dtype)


def he_normal(shape, rng, *, fans=None, scale=1.0, dtype=np.float64):
    """Weights of ``shape`` from N(0, √(2/m)), times ``scale`` (torch: kaiming_normal_,
    nonlinearity="relu")."""
    shape, m, _ = _fans(shape, fans)
    s = he_normal_std(m) * _scale(scale)
    return _normal(check_rng("rng", rng), s, shape, dtype)


def normal(shape, rng, *, fans=None, std=1.0, scale=1.0, dtype=np.float64):
    """Weights of ``shape`` from N(0, std), times ``scale``. ``std=1`` is Nielsen's chapter-1
    init. (The fans are checked but not used.)"""
    shape = _shape(shape) if fans is None else _fans(shape, fans)[0]
    s = check_positive_float("std", std) * _scale(scale)
    return _normal(check_rng("rng", rng), s, shape, dtype)


def uniform(shape, rng, *, fans=None, a=1.0, scale=1.0, dtype=np.float64):
    """Weights of ``shape`` from U(−a, a), times ``scale``. (The fans are not used.)"""
    shape = _shape(shape) if fans is None else _fans(shape, fans)[0]
    b = check_positive_float("a", a) * _scale(scale)
    return _uniform(check_rng("rng", rng), b, shape, dtype)


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


def initialize(name: str, shape, rng, *, fans=None, **kwargs) -> np.ndarray:
    """Weights of ``shape`` from the initialiser called ``name``.

    The fans come from ``shape`` as PyTorch reads them (:func:`calculate_fan_in_and_fan_out`)
    unless ``fans=(fan_in, fan_out)`` is given. ``kwargs`` go to the initialiser: ``scale``
    for all, ``std`` for ``normal``, ``a`` for ``uniform``, ``dtype`` for all.
    """
    check_choice("init name", name, INITIALIZERS)
    return INITIALIZERS[name](shape, rng, fans=fans, **kwargs)


def init_std(name: str, fan_in: int, fan_out: int, *, scale=1.0, std=1.0, a=1.0) -> float:
    """The standard deviation of the weights that ``initialize(name, ...)`` draws for these fans.

    A uniform U(−b, b) has std b/√3. Used by the variance-propagation predictions.
    """
    check_choice("init name", name, INITIALIZERS)
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
