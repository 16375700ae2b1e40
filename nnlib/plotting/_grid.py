"""A grid of small axes, one per image, shared by the digit and filter plots."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def axes_grid(count: int, *, ncols: int, axes=None, cell_height: float = 1.0):
    """``count`` axes in rows of ``ncols`` (a new figure unless ``axes`` are given), flattened.

    Raises ValueError if the given ``axes`` are fewer than ``count``.
    """
    if axes is None:
        nrows = -(-count // ncols)
        _, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.9, nrows * cell_height))
    axes = np.atleast_1d(axes).ravel()
    if len(axes) < count:
        raise ValueError(f"axes must hold at least {count} axes; got {len(axes)}")
    return axes
