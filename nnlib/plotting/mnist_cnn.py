"""Pictures of a CNN trained on MNIST: filters, feature maps, confusions, mistakes (live training
curves: :class:`nnlib.plotting.training.LiveCurves`).

Matplotlib only: every function takes NumPy data (from :mod:`nnlib.torchkit.analysis`) and
optional axes, and returns the artists it made so callers can update them in place.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from ._grid import axes_grid, axes_or_new


def plot_filters(weights, *, axes=None, ncols: int = 8, cmap: str = "RdBu_r"):
    """The first layer's masks ``(C, 1, k, k)`` (or ``(C, k, k)``), each on its own symmetric
    colour scale (red positive, blue negative). Returns the AxesImages."""
    w = np.asarray(weights, dtype=float)
    if w.ndim == 4:
        w = w[:, 0]
    if w.ndim != 3:
        raise ValueError(f"weights must have shape (C, 1, k, k) or (C, k, k); got {w.shape}")
    c = len(w)
    axes = axes_grid(c, ncols=ncols, axes=axes, cell_height=0.95)
    images = []
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= c:
            ax.set_axis_off()
            continue
        v = float(np.abs(w[i]).max()) or 1.0
        images.append(ax.imshow(w[i], cmap=cmap, vmin=-v, vmax=v))
        ax.set_title(str(i), fontsize=10, pad=2)
    return images


def plot_confusion_matrix(cm, *, ax=None, class_names=None):
    """Counts ``cm[true, predicted]`` ``(K, K)`` on a log colour scale, each cell annotated.

    Returns the AxesImage. The diagonal holds the correct answers; every other cell is a
    kind of mistake.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square matrix; got shape {cm.shape}")
    k = len(cm)
    ax = axes_or_new(ax, figsize=(5.2, 4.6))
    names = [str(i) for i in range(k)] if class_names is None else list(class_names)
    shown = np.ma.masked_equal(cm, 0)
    im = ax.imshow(shown, cmap="Blues", norm=LogNorm(vmin=1, vmax=max(int(cm.max()), 2)))
    threshold = np.sqrt(max(int(cm.max()), 1))
    for i in range(k):
        for j in range(k):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=10,
                        color="white" if cm[i, j] > threshold else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return im


def plot_mistakes(images, labels, predicted, confidence, *, axes=None, ncols: int = 6):
    """Digits ``(K, 28, 28)`` titled "true → predicted (confidence %)". Returns the AxesImages."""
    images = np.asarray(images)
    k = len(images)
    nrows = max(1, -(-k // ncols))
    axes = axes_or_new(axes, nrows=nrows, ncols=ncols, figsize=(ncols * 1.25, nrows * 1.45))
    axes = np.atleast_1d(axes).ravel()
    shown = []
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= k:
            continue
        shown.append(ax.imshow(images[i], cmap="gray_r"))
        ax.set_title(f"{labels[i]}→{predicted[i]} ({100 * confidence[i]:.0f}%)", fontsize=10,
                     color="C2", pad=2)
    return shown


def plot_map(image, *, ax=None, title: str = "", cmap: str = "viridis"):
    """One 2-D feature map (or digit) without ticks. Returns the AxesImage."""
    ax = axes_or_new(ax, figsize=(3, 3))
    im = ax.imshow(np.asarray(image, dtype=float), cmap=cmap)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    return im


def set_map(im, image, *, title: str | None = None, symmetric: bool = False):
    """Show a new map in an existing AxesImage (rescaling colours and extent).

    Only what changed is set: the extent (and with it the axes' limits) when the map's size
    differs, the title's text alone, so a lab whose maps keep their size redraws by blitting
    (``widgets._figure.FigureView.animate``)."""
    a = np.asarray(image, dtype=float)
    im.set_data(a)
    extent = (-0.5, a.shape[1] - 0.5, a.shape[0] - 0.5, -0.5)
    if tuple(im.get_extent()) != extent:
        im.set_extent(extent)
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    if symmetric:
        v = max(abs(lo), abs(hi)) or 1.0
        lo, hi = -v, v
    im.set_clim(lo, hi if hi > lo else lo + 1.0)
    if title is not None:
        im.axes.title.set_text(title)
    return im
