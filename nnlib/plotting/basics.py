"""Pictures for the first notebooks: activations, network diagrams, digits, decision regions,
and the universal-approximation fit.

Every function takes data (and optional axes) and returns the artists it drew, so a widget can
update them in place. Nothing here trains or differentiates.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from .. import activations as act
from ._grid import axes_grid, axes_or_new

POSITIVE, NEGATIVE = "C0", "C2"


def plot_activations(names=("heaviside", "sigmoid", "tanh", "relu"), *, x=None, axes=None,
                     a: float = 0.1):
    """φ (solid) and φ' (dashed) for each activation name, one panel each.

    ``x``: (M,) inputs (default −4..4); ``a``: the leaky-ReLU slope. Returns a dict
    name -> (phi_line, dphi_line). The Heaviside step's derivative is 0 wherever it exists (at
    0 it jumps), and is drawn as such.
    """
    names = list(names)
    x = np.linspace(-4, 4, 801) if x is None else np.asarray(x, dtype=float)
    axes = axes_or_new(axes, ncols=len(names), figsize=(3 * len(names), 2.8), sharey=True)
    axes = np.atleast_1d(axes).ravel()
    if len(axes) < len(names):
        raise ValueError(f"axes must hold at least {len(names)} axes; got {len(axes)}")
    lines = {}
    for ax, name in zip(axes, names):
        if name == "leaky_relu":
            phi, dphi = (lambda t: act.leaky_relu(t, a)), (lambda t: act.leaky_relu_prime(t, a))
        else:
            phi, dphi = act.get_activation(name)
        y = np.asarray(phi(x), dtype=float)
        if name == "heaviside":  # break the line at the jump instead of drawing a vertical
            y = np.where(np.isclose(x, 0), np.nan, y)
        (l1,) = ax.plot(x, y, lw=2, label="φ(x)")
        (l2,) = ax.plot(x, dphi(x), "--", lw=1.5, label="φ'(x)")
        ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        ax.axvline(0, color="0.8", lw=0.8, zorder=0)
        ax.set_title(name)
        ax.set_xlabel("x")
        lines[name] = (l1, l2)
    axes[0].legend(loc="upper left", fontsize=10)
    return lines


def draw_network(weights, *, ax=None, max_width: float = 6.0, layer_names=None,
                 node_size: float = 300):
    """Draw a feedforward network: one column of nodes per layer, one line per weight.

    ``weights``: list of arrays W_ℓ of shape (N_{ℓ−1}, N_ℓ) (nnlib's convention, z = a W + b).
    Line width ∝ |w| (the largest |w| gets ``max_width``), colour = sign (blue +, red −).
    Returns a dict with ``"edges"`` (a LineCollection, one segment per weight in order) and
    ``"nodes"`` (a PathCollection).
    """
    weights = [np.asarray(W, dtype=float) for W in weights]
    if not weights:
        raise ValueError("weights must hold at least one (m, n) array")
    for i, W in enumerate(weights):
        if W.ndim != 2:
            raise ValueError(f"weights[{i}] must be 2-D (m, n); got shape {W.shape}")
        if i and W.shape[0] != weights[i - 1].shape[1]:
            raise ValueError(f"weights[{i}] must have {weights[i - 1].shape[1]} rows to follow "
                             f"weights[{i - 1}]; got shape {W.shape}")
    ax = axes_or_new(ax, figsize=(5, 3.5))
    sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    pos = [np.column_stack([np.full(n, i), np.arange(n) - (n - 1) / 2]) for i, n in
           enumerate(sizes)]
    wmax = max(float(np.abs(W).max()) for W in weights) or 1.0
    segments, widths, colours = [], [], []
    for i, W in enumerate(weights):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                segments.append([pos[i][j], pos[i + 1][k]])
                widths.append(max_width * abs(W[j, k]) / wmax)
                colours.append(POSITIVE if W[j, k] >= 0 else NEGATIVE)
    edges = LineCollection(segments, linewidths=widths, colors=colours, zorder=1, alpha=0.8)
    ax.add_collection(edges)
    allpos = np.concatenate(pos)
    nodes = ax.scatter(allpos[:, 0], allpos[:, 1], s=node_size, c="white", edgecolors="k",
                       zorder=2)
    names = layer_names or (["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)]
                            + ["output"])
    top = max(sizes) / 2 + 0.2
    for i, name in enumerate(names):
        ax.text(i, top, f"{name}\n({sizes[i]})", ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-max(sizes) / 2 - 0.2, top + 0.8)
    ax.set_axis_off()
    return {"edges": edges, "nodes": nodes}


def digit_grid(images, labels=None, *, ncols: int = 10, axes=None, predictions=None):
    """Show digits (K, 28, 28) in a grid with their labels as titles. Returns the AxesImages.

    ``predictions`` (K,) optional: titles become "label→prediction", red where they differ.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (K, H, W); got {images.shape}")
    k = len(images)
    axes = axes_grid(k, ncols=ncols, axes=axes, cell_height=1.05)
    shown = []
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= k:
            continue
        shown.append(ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255 if images.dtype ==
                               np.uint8 else float(images.max())))
        if labels is not None:
            title, colour = str(labels[i]), "k"
            if predictions is not None:
                title += f"→{predictions[i]}"
                colour = "k" if predictions[i] == labels[i] else "C2"
            ax.set_title(title, fontsize=10, color=colour, pad=2)
    return shown


def decision_regions(xx, yy, predicted, *, target=None, ax=None, title=None):
    """Shade where a classifier outputs 1 on a grid, with the target's boundary on top.

    xx, yy: (n, n) grid coordinates; predicted: (n, n) 0/1 output; target: (n, n) 0/1 true
    labels (drawn as a black contour). Returns (mesh, contour_or_None).
    """
    ax = axes_or_new(ax, figsize=(3.5, 3.5))
    predicted = np.asarray(predicted, dtype=float)
    if predicted.shape != np.shape(xx):
        raise ValueError(f"predicted must have the grid's shape {np.shape(xx)}; "
                         f"got {predicted.shape}")
    mesh = ax.pcolormesh(xx, yy, predicted, cmap="Blues", vmin=0, vmax=1.6, shading="auto")
    contour = None
    if target is not None:
        contour = ax.contour(xx, yy, np.asarray(target, dtype=float), levels=[0.5], colors="k",
                             linewidths=1.2)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=10)
    return mesh, contour


def plot_fit(x, target, fit, *, contributions=None, ax=None):
    """A 1-D approximation: the target f (black), the network Φ (colour), and optionally each
    hidden unit's term v_j φ(w_j x − b_j) (faint, a LineCollection).

    x, target, fit: (M,); contributions: (M, N). Returns dict of artists ``target``, ``fit``,
    ``units``.
    """
    ax = axes_or_new(ax, figsize=(5, 3))
    (lt,) = ax.plot(x, target, "k", lw=2.5, alpha=0.5, label="target f")
    (lf,) = ax.plot(x, fit, color="C1", lw=1.8, label="network Φ")
    units = LineCollection([], colors="C0", linewidths=0.6, alpha=0.35, label="units")
    ax.add_collection(units)
    if contributions is not None:
        set_unit_lines(units, x, contributions)
    ax.set_xlabel("x")
    # under the axes: the target, the fit and the units' terms fill every corner of the panel
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, fontsize=10,
              frameon=False)
    if ax.figure.get_layout_engine() is None:
        ax.figure.set_layout_engine("constrained")  # keeps the legend inside the figure
    return {"target": lt, "fit": lf, "units": units}


def set_unit_lines(collection, x, contributions, *, max_lines: int = 40):
    """Point an existing LineCollection at the hidden units' terms (M, N), at most max_lines."""
    contributions = np.asarray(contributions)
    step = max(1, -(-contributions.shape[1] // max_lines))
    segs = [np.column_stack([x, contributions[:, j]])
            for j in range(0, contributions.shape[1], step)]
    collection.set_segments(segs)
    return collection


def plot_error_curve(units, errors, *, ax=None, label=None):
    """Sup-norm error against the number of hidden units (log-log). Returns (line, marker).

    The marker (an empty line) is for a widget to show the current choice.
    """
    ax = axes_or_new(ax, figsize=(4, 3))
    (line,) = ax.loglog(units, errors, "o-", ms=4, label=label)
    (marker,) = ax.loglog([], [], "o", ms=10, mfc="none", mec="C2", mew=2)
    ax.set_xlabel("hidden units N")
    ax.set_ylabel("max |Φ − f|")
    ax.grid(True, which="both", alpha=0.3)
    return line, marker
