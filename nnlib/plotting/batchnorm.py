"""Plots for notebooks 07 and 08 (batch norm, skip connections, pre-training); matplotlib only.

Each function takes measured data (and an optional ``ax``) and returns the artists it drew.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._grid import axes_or_new

FONT = 10


def plot_drift(steps, mean, std, *, axes=None):
    """Per-layer activation mean and std (T, L) against the training step (T,), one line per
    layer on each of two axes. Returns {"mean": lines, "std": lines}."""
    ax_m, ax_s = axes_or_new(axes, ncols=2, figsize=(10, 3.2), constrained_layout=True)
    mean, std = np.asarray(mean), np.asarray(std)
    colours = plt.cm.viridis(np.linspace(0, 0.9, mean.shape[1]))
    lines = {"mean": [], "std": []}
    for layer in range(mean.shape[1]):
        label = f"layer {layer + 1}"
        lines["mean"] += ax_m.plot(steps, mean[:, layer], color=colours[layer], label=label)
        lines["std"] += ax_s.plot(steps, std[:, layer], color=colours[layer], label=label)
    for ax, what in ((ax_m, "mean"), (ax_s, "std")):
        ax.set_xlabel("SGD step", fontsize=FONT)
        ax.set_ylabel(f"activation {what}", fontsize=FONT)
        ax.tick_params(labelsize=FONT)
        ax.grid(alpha=0.3)
    ax_m.legend(fontsize=FONT, ncols=2)
    ax_m.set_title("what each layer passes on drifts while the layers below learn",
                   fontsize=FONT)
    return lines


def plot_layer_gradients(norms: dict, *, ax=None):
    """Mean ‖∂L/∂W_ℓ‖ per Dense layer (log scale), one line per named run. Returns lines."""
    ax = axes_or_new(ax, figsize=(6.5, 3.4), constrained_layout=True)
    lines = {}
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        (lines[name],) = ax.semilogy(np.arange(1, values.size + 1), values, "o-", ms=4,
                                     label=name)
    ax.set_xlabel("Dense layer ℓ (1 = next to the input)", fontsize=FONT)
    ax.set_ylabel("mean ‖∂L/∂W_ℓ‖ over training", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=FONT)
    return lines


def plot_path_gradients(results: dict, *, ax=None):
    """Gradient carried by paths through k residual branches (log scale), one line per named
    :class:`~nnlib.lessons.skip_paths.PathGradients`, and the number of such paths C(K, k) on
    a second axis. Returns {"lines": {...}, "paths": line}."""
    ax = axes_or_new(ax, figsize=(6.5, 3.4), constrained_layout=True)
    lines = {}
    for name, pg in results.items():
        (lines[name],) = ax.semilogy(pg.lengths, pg.norms, "o-", label=name)
    ax.set_xlabel("path length k (residual branches the gradient goes through)", fontsize=FONT)
    ax.set_ylabel("‖gradient via those paths‖", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, which="both")
    twin = ax.twinx()
    pg = next(iter(results.values()))
    (paths,) = twin.plot(pg.lengths, pg.paths, "k:", label="number of paths C(K, k)")
    twin.set_ylabel("number of paths", fontsize=FONT)
    twin.tick_params(labelsize=FONT)
    handles = list(lines.values()) + [paths]
    # above the panel: inside, it covered the C(K, k) curve
    ax.legend(handles, [h.get_label() for h in handles], fontsize=FONT, loc="lower left",
              bbox_to_anchor=(0, 1.02), ncols=2, frameon=False)
    return {"lines": lines, "paths": paths}


def plot_reconstruction(loss_before, loss_after, *, ax=None):
    """Reconstruction loss per pre-trained layer before and after its autoencoder trained
    (log scale). Returns the two lines."""
    ax = axes_or_new(ax, figsize=(5.5, 3.2), constrained_layout=True)
    k = np.arange(1, len(loss_before) + 1)
    before = ax.semilogy(k, loss_before, "o--", color="C3", label="before training")[0]
    after = ax.semilogy(k, loss_after, "o-", color="C8", label="after training")[0]
    ax.set_xticks(k)
    ax.set_xlabel("layer ℓ (its autoencoder reconstructs layer ℓ − 1's codes)", fontsize=FONT)
    ax.set_ylabel("reconstruction loss", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=FONT)
    return before, after
