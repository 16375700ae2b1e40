"""Pictures for the convolution notebooks: matrices with their numbers, sliding windows,
feature maps, and the padding/stride/dilation geometry.

Every function takes data and an optional ``ax`` and returns the artists it drew, so a widget
can later update them in place (``set_matrix``, ``move_window``, ``set_geometry``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from ._grid import axes_or_new


def _fmt(v, fmt):
    return "" if not np.isfinite(v) else fmt.format(v)


def matrix_image(a, *, ax=None, cmap="RdBu_r", vmin=None, vmax=None, annotate=True,
                 fmt="{:g}", title=None, fontsize=10):
    """Show a 2-D array as coloured cells with its values written in them.

    a: (H, W); NaN cells are left blank (white). Returns ``(image, texts)`` with ``texts`` a
    (H, W) object array of :class:`matplotlib.text.Text` (empty if ``annotate`` is False).
    The title is ``image.title_text``, the cell borders (drawn over the image)
    ``image.cell_borders``. Without ``ax``, a new figure of matplotlib's default size.
    """
    ax = axes_or_new(ax, figsize=None)
    a = np.asarray(a, dtype=float)
    if vmin is None and vmax is None:
        m = np.nanmax(np.abs(a)) if np.isfinite(a).any() else 1.0
        vmin, vmax = -(m or 1.0), (m or 1.0)
    cm = plt.get_cmap(cmap).with_extremes(bad="white")
    im = ax.imshow(np.ma.masked_invalid(a), cmap=cm, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    h, w = a.shape
    # cell borders as one collection and no axis machinery: cheap to redraw at every step
    im.cell_borders = ax.add_collection(LineCollection(_cell_borders(a.shape, outer=True),
                                                       colors="0.55", linewidths=0.8))
    ax.set_axis_off()
    texts = np.empty((h, w), dtype=object)
    if annotate:
        for i in range(h):
            for j in range(w):
                texts[i, j] = ax.text(j, i, _fmt(a[i, j], fmt), ha="center", va="center",
                                      fontsize=fontsize)
    # a plain text artist instead of ax.set_title: the title's layout pass is the slowest part
    # of redrawing a small figure; update it with ``im.title_text.set_text(...)``
    im.title_text = ax.text(0.5, 1.02, title or "", transform=ax.transAxes, ha="center",
                            va="bottom", fontsize=fontsize + 2)
    return im, texts


def set_matrix(im, texts, a, *, fmt="{:g}"):
    """Update the image and numbers of :func:`matrix_image` with new values of the same shape."""
    a = np.asarray(a, dtype=float)
    im.set_data(np.ma.masked_invalid(a))
    if texts is not None and texts.size and texts.flat[0] is not None:
        for (i, j), t in np.ndenumerate(texts):
            t.set_text(_fmt(a[i, j], fmt))
    return im


def window_patch(row, col, height, width, *, ax=None, color="gold", linewidth=3):
    """A rectangle outlining cells ``[row, row+height) × [col, col+width)`` on ``ax`` (default:
    the current axes, e.g. where :func:`matrix_image` just drew)."""
    ax = plt.gca() if ax is None else ax
    rect = Rectangle((col - 0.5, row - 0.5), width, height, fill=False, edgecolor=color,
                     linewidth=linewidth, zorder=5)
    ax.add_patch(rect)
    return rect


def move_window(rect, row, col):
    """Move a :func:`window_patch` so its top-left cell is (row, col)."""
    rect.set_xy((col - 0.5, row - 0.5))
    return rect


def plot_feature_maps(maps, *, axes=None, titles=None, cmap="gray", symmetric=False):
    """Show several 2-D maps side by side. maps: sequence of (H, W). Returns the images."""
    maps = [np.asarray(m, dtype=float) for m in maps]
    axes = axes_or_new(axes, ncols=len(maps), figsize=(2.2 * len(maps), 2.4))
    axes = np.atleast_1d(axes).ravel()
    images = []
    for k, (m, ax) in enumerate(zip(maps, axes)):
        if symmetric:
            v = np.abs(m).max() or 1.0
            images.append(ax.imshow(m, cmap=cmap, vmin=-v, vmax=v))
        else:
            images.append(ax.imshow(m, cmap=cmap))
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[k], fontsize=10)
    return images


# colours of the geometry picture: padding, input, receptive-field tap, chosen output
GEOMETRY_COLORS = ListedColormap(["#e8e8e8", "#9ecae1", "#fd8d3c", "#31a354"])


def geometry_arrays(n, padding, rows, cols, out_size, out_index):
    """Cell codes for :func:`plot_geometry`: padded input (n+2P)² and output (o)².

    0 padding, 1 input pixel, 2 a tap of the highlighted receptive field (rows × cols, in
    padded coordinates), 3 the highlighted output cell ``out_index`` = (i, j).
    """
    size = n + 2 * padding
    grid = np.zeros((size, size))
    grid[padding:padding + n, padding:padding + n] = 1
    if len(rows) and len(cols):
        grid[np.ix_(np.asarray(rows, dtype=int), np.asarray(cols, dtype=int))] = 2
    if out_size < 1:  # no output at all: one grey cell
        return grid, np.zeros((1, 1))
    out = np.ones((out_size, out_size))
    out[out_index] = 3
    return grid, out


def plot_geometry(grid, out, *, axes=None):
    """Draw padded input and output grids from :func:`geometry_arrays`.

    Returns the two images; each carries its cell borders as ``image.cell_lines``
    (a LineCollection that :func:`set_geometry` updates).
    """
    axes = axes_or_new(axes, ncols=2, figsize=(7, 3.5))
    ims = []
    for ax, a, title in zip(axes, (grid, out), ("padded input", "output")):
        im = ax.imshow(a, cmap=GEOMETRY_COLORS, vmin=0, vmax=3)
        im.cell_lines = LineCollection([], colors="white", linewidths=1.2)
        ax.add_collection(im.cell_lines)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        ims.append(im)
    return set_geometry(ims, grid, out)


def _cell_borders(shape, *, outer=False):
    """Line segments between the cells of an (h, w) image (and around it if ``outer``)."""
    h, w = shape
    lo = 0 if outer else 1
    rows = [[(-0.5, r - 0.5), (w - 0.5, r - 0.5)] for r in range(lo, h + 1 - lo)]
    cols = [[(c - 0.5, -0.5), (c - 0.5, h - 0.5)] for c in range(lo, w + 1 - lo)]
    return rows + cols


def set_geometry(images, grid, out):
    """Update the two images of :func:`plot_geometry` (the grids may change size)."""
    for im, a in zip(images, (grid, out)):
        h, w = a.shape
        im.set_data(a)
        im.cell_lines.set_segments(_cell_borders(a.shape))
        # extent and limits only when the size changes (setting them marks the axes changed,
        # and a lab then redraws them instead of blitting the images alone)
        if tuple(im.get_extent()) != (-0.5, w - 0.5, h - 0.5, -0.5):
            im.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        if im.axes.get_xlim() != (-0.5, w - 0.5) or im.axes.get_ylim() != (h - 0.5, -0.5):
            im.axes.set_xlim(-0.5, w - 0.5)
            im.axes.set_ylim(h - 0.5, -0.5)
    return images
