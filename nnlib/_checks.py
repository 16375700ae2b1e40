"""Argument checks shared by the maths tier.

Every check raises ``ValueError`` or ``TypeError`` whose message names the parameter, the
value received and what is allowed, so a student sees at once which argument to fix.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def check_choice(name: str, value, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise naming ``name``."""
    allowed = list(allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {allowed}; got {value!r}")
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed: {', '.join(allowed)}")
    return value


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float if it is finite and positive (or zero if allowed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    bound_ok = value >= 0 if allow_zero else value > 0
    if not np.isfinite(value) or not bound_ok:
        what = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {what}; got {value}")
    return value


def as_float_array(name: str, x, *, ndim: int | tuple[int, ...] | None = None,
                   finite: bool = True) -> np.ndarray:
    """Convert ``x`` to a floating array, checking its dimensionality and finiteness.

    Integer input becomes float64; float32 and float64 are kept as they are.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers; got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers; got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_rng(name: str, rng) -> np.random.Generator:
    """Accept a ``np.random.Generator`` or an int seed; reject the legacy global state."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy.random.Generator or an int seed; got {rng!r}")
