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


def skip_unlabelled_axis_placement(*axes) -> None:
    """Spare matplotlib placing the labels of axes that have none; call it once the labels are
    set.

    On every draw each axis places its label beside its tick labels and measures all of them
    for that, even when the label is empty: for the gradient lab's three panels (one label in
    six) that is ~5-10 ms of a 60-80 ms full redraw. An empty label gets fixed coordinates
    instead (about where matplotlib would put one: under the x axis, left of the y axis),
    which turns the placement off; the picture stays the same, pixel for pixel.
    """
    for ax in axes:
        for axis, coords in ((ax.xaxis, (0.5, -0.15)), (ax.yaxis, (-0.15, 0.5))):
            if not axis.label.get_text():
                axis.set_label_coords(*coords)


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



def settle_limits(ax, which: str, needed, *, log: bool = False, slack: float = 2.0) -> bool:
    """Show at least ``needed = (lo, hi)`` on ``ax``'s ``which`` ("x" or "y") axis, changing the
    limits only when they must; return whether they changed.

    The limits stay while they contain ``needed`` and are at most ``slack`` times as wide (on
    a ``log`` axis: in decades, plus two decades of rounding). Otherwise a log axis gets whole
    decades around ``needed``, joined with the current limits when that is still tight
    enough (two settings a control switches between then share one scale); a linear axis
    starts at ``lo`` and gets a round width (1, 1.5, 2, 3, 5 or 7.5 times a power of ten).
    A lab whose control moves its data a little then keeps its axes, ticks and labels, and
    redraws by blitting the data alone (``widgets._figure.FigureView.animate``). Setting the
    limits they already have would still mark the axes changed, so nothing is set then.
    """
    lo, hi = (float(v) for v in needed)
    get, set_ = (ax.get_xlim, ax.set_xlim) if which == "x" else (ax.get_ylim, ax.set_ylim)
    cur = tuple(float(v) for v in get())
    f = np.log10 if log else (lambda v: v)
    span = max(f(hi) - f(lo), 1e-12)

    def fits(a, b):
        return a <= lo and hi <= b and f(b) - f(a) <= slack * span + (2.0 if log else 0.0)

    if fits(*cur):
        return False
    if log:
        new = (10.0 ** np.floor(np.log10(lo)), 10.0 ** np.ceil(np.log10(hi)))
        joined = (min(new[0], cur[0]), max(new[1], cur[1]))
        if getattr(ax, "_nnlib_settled", {}).get(which) == cur and fits(*joined):
            new = joined  # (only with limits this function set: not matplotlib's defaults)
    else:
        new = (lo, lo + _round_up(hi - lo))
    new = tuple(float(v) for v in new)
    if new == cur:
        return False
    set_(*new)
    # remembered on the axes: only limits set here are joined with new ones
    ax._nnlib_settled = {**getattr(ax, "_nnlib_settled", {}),
                         which: tuple(float(v) for v in get())}
    return True


def _round_up(width: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 times a power of ten that is >= ``width`` (> 0)."""
    exp = np.floor(np.log10(width))
    for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if m * 10.0 ** exp >= width * (1 - 1e-12):
            return float(m * 10.0 ** exp)
    return float(10.0 ** (exp + 1))
