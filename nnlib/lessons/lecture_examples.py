"""The lecture's worked examples for convolution and pooling (notebooks 09-11), in one place.

The small arrays the slides compute by hand: the 4×4 input and 2×2 mask of the
cross-correlation example, the 3×3 and 1×5 masks of the receptive-field slide, the 3×3
edge masks, and the 4×4 map of the pooling example. The
notebooks (03's edge maps too) and the labs import them from here instead of typing the numbers
again, so a slide, a notebook cell and a widget's default can never disagree.

These are lecture content, not reusable building blocks, so they live in the lessons wing
(widgets may import lessons; building blocks never need them). Each function returns a fresh
float64 array: a student may change it in a notebook without changing it for the next caller.
Nothing here is a result: outputs are always computed (:mod:`nnlib.conv`, :mod:`nnlib.pooling`).
"""

from __future__ import annotations

import numpy as np

_CROSS_CORRELATION_INPUT = ((-1.0, 1.0, 0.5, 1.0),
                            (0.0, -2.0, -1.0, 0.0),
                            (0.5, -1.0, -1.0, 1.0),
                            (-1.0, 1.0, 0.0, -2.0))
_CROSS_CORRELATION_MASK = ((-1.0, 1.0),
                           (0.0, -2.0))
# adds the column on the left of the window, subtracts the column on its right
_VERTICAL_EDGE = ((1.0, 0.0, -1.0),
                  (1.0, 0.0, -1.0),
                  (1.0, 0.0, -1.0))
# the receptive-field lecture's masks: a 3×3 mask for an image, a 1×5 mask for a 1-D signal
_RF_MASK_3X3 = ((-1.0, 1.0, 0.0),
                (0.0, -2.0, -2.0),
                (-1.0, 1.0, 0.1))
_RF_MASK_1X5 = ((1.0, 0.0, -2.0, -2.0, -1.0),)
_POOLING_MAP = ((1.0, 3.0, 2.0, 1.0),
                (2.0, 9.0, 1.0, 1.0),
                (1.0, 3.0, 2.0, 3.0),
                (5.0, 6.0, 1.0, 2.0))


def cross_correlation_example() -> tuple[np.ndarray, np.ndarray]:
    """The cross-correlation lecture's input and mask: ``(X (4, 4), H (2, 2))``, float64."""
    return np.array(_CROSS_CORRELATION_INPUT), np.array(_CROSS_CORRELATION_MASK)


def vertical_edge_mask() -> np.ndarray:
    """(3, 3) mask with rows [1, 0, -1]: positive where the image gets darker left to right."""
    return np.array(_VERTICAL_EDGE)


def horizontal_edge_mask() -> np.ndarray:
    """(3, 3) transpose of :func:`vertical_edge_mask`: positive where it gets darker downwards."""
    return np.array(_VERTICAL_EDGE).T.copy()


def edge_masks() -> np.ndarray:
    """(4, 1, 3, 3) weights of a conv layer with four edge detectors, in this order: vertical,
    horizontal, and their negatives (the opposite transitions), one input channel."""
    vertical, horizontal = vertical_edge_mask(), horizontal_edge_mask()
    return np.stack([vertical, horizontal, -vertical, -horizontal])[:, None]


def receptive_field_masks() -> tuple[np.ndarray, np.ndarray]:
    """The receptive-field lecture's masks: ``(3×3 mask for an image (3, 3), 1×5 mask for a
    1-D signal (1, 5))``, float64."""
    return np.array(_RF_MASK_3X3), np.array(_RF_MASK_1X5)


def pooling_example() -> np.ndarray:
    """(4, 4) feature map of the pooling lecture (pooled with 2×2 regions, stride 2)."""
    return np.array(_POOLING_MAP)
