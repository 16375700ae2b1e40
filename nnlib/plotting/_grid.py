"""Where a plot draws: the axes the caller gave, or those of a new figure; a grid of small
axes, one per image, shared by the digit and filter plots; and a one-off tight layout."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def axes_or_new(ax, *, figsize, **subplots):
    """``ax`` (one Axes or several) if given, else those of a new figure of ``figsize``
    inches (None: matplotlib's default); ``subplots`` go to :func:`matplotlib.pyplot.subplots`
    (``ncols``, ``layout``, ...)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, **subplots)
    return ax


def tight_once(fig, **tight) -> None:
    """Lay ``fig`` out now with ``tight_layout(**tight)`` and keep those positions (no layout
    engine on later draws), whatever engine it had. A plot may have given the figure a
    constrained engine; matplotlib 3.10 warns when tight_layout replaces one, and a notebook
    shows that warning to the student."""
    fig.set_layout_engine("none")
    fig.tight_layout(**tight)


def axes_grid(count: int, *, ncols: int, axes=None, cell_height: float = 1.0):
    """``count`` axes in rows of ``ncols`` (a new figure unless ``axes`` are given), flattened.

    Raises ValueError if the given ``axes`` are fewer than ``count``.
    """
    nrows = -(-count // ncols)
    axes = axes_or_new(axes, nrows=nrows, ncols=ncols,
                       figsize=(ncols * 0.9, nrows * cell_height))
    axes = np.atleast_1d(axes).ravel()
    if len(axes) < count:
        raise ValueError(f"axes must hold at least {count} axes; got {len(axes)}")
    return axes
