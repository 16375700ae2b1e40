"""Measurements the convolution notebooks (09-12) make that are not building blocks.

* :func:`mask_matrix`: the weight matrix of a fully-connected layer that computes a
  cross-correlation (the mask copied into one row per output location, zeros elsewhere), with
  the input flattened row by row (NumPy's and PyTorch's order) or column by column (the
  lecture's figure).
* :func:`representation_change`: how much a representation moves when the input changes
  (the median relative change over a batch), used to measure the tolerance pooling buys.
* :func:`move_parts`: digits whose top and bottom halves are shifted sideways independently (the
  same parts in a different configuration).
* :func:`nearest_neighbour_accuracy`: 1-nearest-neighbour accuracy, a classifier with no
  training that shows what a representation keeps of the classes.
* :func:`best_time`: the fastest of a few timed calls (timings are shown in the notebooks;
  speed targets live in ``benchmarks/``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .._checks import check_choice, check_positive_int

__all__ = ["best_time", "mask_matrix", "move_parts", "nearest_neighbour_accuracy",
           "representation_change"]


def mask_matrix(kernel, input_shape, *, order: str = "C") -> np.ndarray:
    """(out_h · out_w, H · W) matrix M with ``M @ x.ravel(order) == cross_correlate2d(x, kernel)
    .ravel(order)`` for every ``x`` of ``input_shape`` (H, W), no padding, stride 1.

    Row r holds ``kernel`` placed over the r-th window (windows numbered in the same ``order``)
    and zeros elsewhere. ``order``: ``"C"`` flattens row by row (NumPy, PyTorch), ``"F"`` column
    by column (the lecture's figure).
    """
    kernel = np.asarray(kernel, dtype=float)
    order = check_choice("order", order, ("C", "F"))
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw); got shape {kernel.shape}")
    if len(tuple(input_shape)) != 2:
        raise ValueError(f"input_shape must be (H, W); got {input_shape!r}")
    h, w = (check_positive_int("input_shape", n) for n in input_shape)
    kh, kw = kernel.shape
    if kh > h or kw > w:
        raise ValueError(f"kernel {kernel.shape} does not fit in input_shape {(h, w)}")
    out_h, out_w = h - kh + 1, w - kw + 1
    rows = []
    for i, j in np.ndindex(out_h, out_w):
        placed = np.zeros((h, w))
        placed[i:i + kh, j:j + kw] = kernel
        rows.append((i, j, placed.ravel(order=order)))
    if order == "F":  # windows numbered column by column too
        rows.sort(key=lambda r: (r[1], r[0]))
    return np.stack([r[2] for r in rows])


def representation_change(before, after) -> float:
    """Median over the batch of ‖after − before‖ / ‖before‖; ``before``/``after`` (N, ...)."""
    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(f"before and after must have the same shape (N, ...); got {a.shape} "
                         f"and {b.shape}")
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    norm = np.linalg.norm(a, axis=1)
    if np.any(norm == 0):
        raise ValueError("before has an all-zero sample: its relative change is undefined")
    return float(np.median(np.linalg.norm(b - a, axis=1) / norm))


def move_parts(images, *, top_shift: int, bottom_shift: int, split: int | None = None):
    """(N, C, H, W) images whose rows above ``split`` (default H // 2) are moved ``top_shift``
    pixels to the right and the rows below ``bottom_shift`` pixels (negative: to the left),
    with zeros shifted in: the same two parts in a different relative position."""
    x = np.asarray(images)
    if x.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W); got shape {x.shape}")
    height, width = x.shape[2:]
    split = height // 2 if split is None else check_positive_int("split", split)
    if split >= height:
        raise ValueError(f"split must be below the image height {height}; got {split}")
    out = np.zeros_like(x)
    for name, shift in (("top_shift", top_shift), ("bottom_shift", bottom_shift)):
        if isinstance(shift, (bool, np.bool_)) or not isinstance(shift, (int, np.integer)):
            raise TypeError(f"{name} must be an integer number of pixels; got "
                            f"{type(shift).__name__} {shift!r:.40}")
        if abs(shift) >= width:
            raise ValueError(f"{name} must be smaller in size than the width {width}; got "
                             f"{shift}")
    for rows, shift in ((slice(0, split), top_shift), (slice(split, height), bottom_shift)):
        if shift >= 0:
            out[:, :, rows, shift:] = x[:, :, rows, :width - shift]
        else:
            out[:, :, rows, :shift] = x[:, :, rows, -shift:]
    return out


def nearest_neighbour_accuracy(x_train, y_train, x_test, y_test) -> float:
    """Fraction of test samples whose nearest training sample (Euclidean) has their label.

    x_train (N, ...), x_test (M, ...) flattened per sample; y_train (N,), y_test (M,).
    """
    a = np.asarray(x_train, dtype=float).reshape(len(x_train), -1)
    b = np.asarray(x_test, dtype=float).reshape(len(x_test), -1)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x_train and x_test must have the same features per sample; got "
                         f"{a.shape[1]} and {b.shape[1]}")
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(y_train) != len(a) or len(y_test) != len(b):
        raise ValueError("y_train and y_test must have one label per sample")
    dist = (b ** 2).sum(1)[:, None] - 2 * b @ a.T + (a ** 2).sum(1)
    return float(np.mean(y_train[dist.argmin(axis=1)] == y_test))


def best_time(fn: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> float:
    """Seconds of the fastest of ``repeats`` calls of ``fn()`` after ``warmup`` untimed ones."""
    if not callable(fn):
        raise TypeError(f"fn must be callable; got {type(fn).__name__}")
    repeats = check_positive_int("repeats", repeats)
    warmup = check_positive_int("warmup", warmup, minimum=0)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
