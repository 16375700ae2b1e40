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
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float if it is finite and positive (or zero if allowed)."""
    if not _is_real(value):
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
    arr = as_numeric_array(name, x)
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
    """Accept a ``np.random.Generator`` or an int seed >= 0; reject the legacy global state."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ValueError(f"{name} must be a numpy.random.Generator or an int seed >= 0; "
                             f"got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy.random.Generator or an int seed; got "
                    f"{type(rng).__name__} {rng!r:.60} (make one with np.random.default_rng(0))")


def _is_real(value) -> bool:
    return not isinstance(value, (bool, np.bool_)) and isinstance(
        value, (int, float, np.integer, np.floating))


def check_real(name: str, value, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite real number within the given bounds.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open``; ``None`` means unbounded.
    """
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    allowed = ("a finite number" if low is None and high is None else
               f"a finite number in {lo}{'-inf' if low is None else low}, "
               f"{'inf' if high is None else high}{hi}")
    if not _is_real(value):
        raise TypeError(f"{name} must be {allowed}; got {type(value).__name__} {value!r:.60}")
    value = float(value)
    ok = np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return value


def check_fraction(name: str, value, *, closed: bool = False, what: str = "a number",
                   meaning: str = "") -> float:
    """Return ``value`` as a float if it is a real number in [0, 1) ([0, 1] when ``closed``).

    The one check for rates, probabilities and decay factors (dropout, betas, dampening,
    label smoothing). ``what`` names the kind of number ("a probability") and ``meaning``
    what it stands for; both go into the message.
    """
    allowed = f"{what} in [0, 1{']' if closed else ')'}" + (f" ({meaning})" if meaning else "")
    if not _is_real(value):
        raise TypeError(f"{name} must be {allowed}; got {type(value).__name__} {value!r:.60}")
    value = float(value)
    if not (0.0 <= value < 1.0 or (closed and value == 1.0)):
        raise ValueError(f"{name} must be {allowed}; got {value}")
    return value


def check_dropout(name: str, p) -> float:
    """A dropout rate: the probability in [0, 1) that a unit is dropped."""
    return check_fraction(name, p, what="a probability", meaning="the fraction of units dropped")


def check_betas(name: str, betas) -> tuple[float, float]:
    """Return ``betas`` (Adam's and NAdam's β1, β2) as a pair of floats, each in [0, 1)."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__"):
        raise TypeError(f"{name} must be a pair (beta1, beta2) of numbers in [0, 1); "
                        f"got {type(betas).__name__} {betas!r:.60}")
    if len(betas) != 2:
        raise ValueError(f"{name} must be a pair (beta1, beta2) of numbers in [0, 1); "
                         f"got {len(betas)} values {tuple(betas)!r:.60}")
    b1, b2 = betas
    return check_fraction(f"{name}[0]", b1), check_fraction(f"{name}[1]", b2)


def check_index(name: str, value, size: int, *, what: str = "index") -> int:
    """Return ``value`` as an int if it is an integer in ``[0, size)``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer {what} in [0, {size - 1}]; "
                        f"got {type(value).__name__} {value!r:.60}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be an integer {what} in [0, {size - 1}]; got {value}")
    return int(value)


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (NumPy bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__} "
                        f"{value!r:.60}")
    return bool(value)


def check_nonempty(name: str, arr: np.ndarray, *, axis: int = 0,
                   what: str = "at least one example") -> np.ndarray:
    """Raise ``ValueError`` if ``arr`` has length 0 along ``axis`` (an empty batch)."""
    if arr.ndim == 0 or arr.shape[axis] == 0 or arr.size == 0:
        raise ValueError(f"{name} must hold {what}; got shape {arr.shape}")
    return arr


def check_in_range(name: str, arr: np.ndarray, low: float, high: float,
                   what: str = "values") -> np.ndarray:
    """Raise ``ValueError`` if any element of ``arr`` lies outside ``[low, high]``."""
    if arr.size and (arr.min() < low or arr.max() > high):
        raise ValueError(f"{name} must hold {what} in [{low:g}, {high:g}]; got values from "
                         f"{arr.min():g} to {arr.max():g}")
    return arr


def check_float_dtype(name: str, dtype) -> np.dtype:
    """Return ``dtype`` as a ``np.dtype`` if it is a floating type (float16/32/64).

    Weights, activations and gradients need fractions: an integer ``dtype`` would silently
    round every weight (mostly to 0), so it is refused with a ``TypeError``.
    """
    if isinstance(dtype, (bool, int, float)) or dtype is None:
        raise TypeError(f"{name} must be a floating type (np.float32 or np.float64); got "
                        f"{type(dtype).__name__} {dtype!r:.60}")
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a floating type (np.float32 or np.float64); got "
                        f"{type(dtype).__name__} {dtype!r:.60}") from None
    if not np.issubdtype(resolved, np.floating):
        raise TypeError(f"{name} must be a floating type (np.float32 or np.float64); got "
                        f"{resolved} ({dtype!r:.60}), which cannot hold fractional weights")
    return resolved


def as_numeric_array(name: str, x) -> np.ndarray:
    """``np.asarray(x)`` if it holds numbers (any int, float or bool dtype), unconverted.

    The light check for a layer's forward pass: text or objects raise a ``TypeError`` naming
    ``name`` instead of NumPy's ``UFuncTypeError``; values (NaN included) are left alone.
    """
    if isinstance(x, (str, bytes, dict, set)) or x is None:
        raise TypeError(f"{name} must be an array of numbers; got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as e:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers; got a ragged "
                         f"{type(x).__name__} ({e})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers; got dtype {arr.dtype}")
    return arr


def check_cache(name: str, cache, size: int, made_by: str) -> tuple:
    """``cache`` as returned by a ``*_forward`` function: a tuple of ``size`` items.

    Anything else (None, a string, another forward's cache) is a ``TypeError`` that says
    where a valid one comes from.
    """
    if not isinstance(cache, tuple) or len(cache) != size:
        raise TypeError(f"{name} must be the cache that {made_by} returned (a tuple of {size} "
                        f"items); got {type(cache).__name__} {cache!r:.40}")
    return cache


def check_callable(name: str, value, what: str) -> None:
    """Raise ``TypeError`` naming ``name`` unless ``value`` is callable (``what``: how)."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}; got {type(value).__name__} {value!r:.60}")


def check_net(name: str, net) -> None:
    """Raise ``TypeError`` unless ``net`` is a network (has ``parameters()`` and ``forward``)."""
    if not (callable(getattr(net, "parameters", None)) and callable(getattr(net, "forward", None))):
        raise TypeError(f"{name} must be an nnlib network or layer (with forward and "
                        f"parameters); got {type(net).__name__} {net!r:.60}")


def as_sequence(name: str, value, what: str, example: str) -> tuple:
    """``penalties``/``callbacks`` as a tuple; one object not in a list is named as such."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of {what} (e.g. {name}={example}, even for "
                        f"one); got {type(value).__name__} {value!r:.60}")
    return tuple(value)


def check_not_a_class(name: str, value, example: str) -> None:
    """A class where an instance belongs (``L2`` for ``L2(1e-3)``): say so."""
    if isinstance(value, type):
        made = example.split("(", 1)[0]
        call = f"{value.__name__}(...)" if value.__name__ != made else example
        raise TypeError(f"{name} is the class {value.__name__}, not an instance of it; create "
                        f"one first, e.g. {call}")
