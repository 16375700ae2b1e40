"""Figures of notebook 13: over-fitting curves, sparse weights, dropout averaging, augmentation.

Each function takes data (arrays, runs, dicts) and optional axes, draws, and returns its artists.
:class:`RunCurves` is the live figure of the regularisation lab: one pair of lines (training
solid, test dashed) per run, updated in place; earlier runs stay, faded, for comparison.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._grid import axes_grid, axes_or_new

FONT = 10


def _style(ax, xlabel, ylabel, title=""):
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3)


def overfitting_curves(run, *, axes=None, mark_best: bool = True):
    """Training vs test loss and accuracy per epoch of a run (``epoch``, ``train_loss``,
    ``val_loss``, ``train_accuracy``, ``val_accuracy`` lists). Two axes; returns the lines.

    With ``mark_best`` the epoch of the lowest test loss gets a vertical line: after it the
    network keeps fitting the training images better while it gets worse on new ones.
    """
    axes = axes_or_new(axes, ncols=2, figsize=(10, 3.4), layout="constrained")
    ax_loss, ax_acc = axes
    e = np.asarray(run.epoch)
    lines = {
        "train_loss": ax_loss.plot(e, run.train_loss, color="C0", label="training")[0],
        "val_loss": ax_loss.plot(e, run.val_loss, color="C2", label="test")[0],
        "train_accuracy": ax_acc.plot(e, 100 * np.asarray(run.train_accuracy), color="C0",
                                      label="training")[0],
        "val_accuracy": ax_acc.plot(e, 100 * np.asarray(run.val_accuracy), color="C2",
                                     label="test")[0],
    }
    ax_loss.set_yscale("log")
    _style(ax_loss, "epoch", "cross-entropy loss")
    _style(ax_acc, "epoch", "accuracy (%)")
    if mark_best:
        best = e[int(np.argmin(run.val_loss))]
        lines["best"] = ax_loss.axvline(best, color="gray", ls=":",
                                        label=f"lowest test loss (epoch {best})")
    for ax in axes:
        ax.legend(fontsize=FONT)
    return lines


def weight_histograms(weights: dict, *, ax=None, tol: float = 1e-3, bins: int = 60):
    """Histograms of log10|w| for each named weight array (e.g. after L1 and after L2),
    with the threshold ``tol`` marked; exact zeros are counted at the left edge."""
    ax = axes_or_new(ax, figsize=(7, 3.2), layout="constrained")
    lo = np.log10(tol) - 3
    edges = np.linspace(lo, 0.5, bins)
    artists = {}
    for (name, w), color in zip(weights.items(), ("C1", "C8", "C0")):
        a = np.abs(np.asarray(w, dtype=np.float64).ravel())
        logs = np.log10(np.maximum(a, 10.0 ** lo))
        frac = np.mean(a < tol)
        artists[name] = ax.hist(logs, bins=edges, histtype="step", lw=1.5, color=color,
                                label=f"{name}: {100 * frac:.0f} % below {tol:g}")[2][0]
    artists["tol"] = ax.axvline(np.log10(tol), color="k", ls="--", lw=1)
    ax.set_yscale("log")
    _style(ax, "log10 |w|", "number of weights")
    ax.legend(fontsize=FONT)
    return artists


def lp_counts(ps, values, count: int, *, ax=None):
    """Σ|w|^p against p (log axis) with the number of non-zero weights it tends to as p -> 0."""
    ax = axes_or_new(ax, figsize=(6, 3), layout="constrained")
    (line,) = ax.semilogx(ps, values, "o-", label=r"$\sum_w |w|^p$")
    ref = ax.axhline(count, color="k", ls="--", label=f"non-zero weights: {count:,}")
    _style(ax, "p", r"$\sum_w |w|^p$")
    ax.legend(fontsize=FONT)
    return line, ref


def dropout_average(running_agreement, *, ax=None, single_agreement: float | None = None):
    """Agreement with the full network of the average of the first k thinned networks."""
    ax = axes_or_new(ax, figsize=(6, 3), layout="constrained")
    k = np.arange(1, len(running_agreement) + 1)
    (line,) = ax.plot(k, 100 * np.asarray(running_agreement), color="C4",
                      label="average of k thinned networks")
    artists = {"average": line}
    if single_agreement is not None:
        artists["single"] = ax.axhline(100 * single_agreement, color="gray", ls=":",
                                       label="one thinned network")
    _style(ax, "k (thinned networks averaged)", "same class as the full net (%)")
    ax.legend(fontsize=FONT)
    return artists


def augmentation_grid(rows: dict, *, axes=None, cell: float = 1.1):
    """One row of digits per named transform: ``rows`` maps a name to images (K, H, W).

    Returns the image artists, row by row."""
    names = list(rows)
    k = len(next(iter(rows.values())))
    axes = axes_or_new(axes, nrows=len(names), ncols=k,
                       figsize=(cell * k + 1.2, cell * len(names)), squeeze=False)
    axes = axes_grid(len(names) * k, ncols=k, axes=axes)
    artists = []
    for r, name in enumerate(names):
        for c, im in enumerate(rows[name]):
            ax = axes[r * k + c]
            artists.append(ax.imshow(im, cmap="gray_r", vmin=0, vmax=1))
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=FONT)
    return artists


class RunCurves:
    """Loss and accuracy curves of several runs on two axes, updated in place.

    ``start(label)`` adds a new pair of lines per axis (training solid, test dashed) in the
    next colour and fades the earlier runs; ``update(run)`` sets the current lines' data from
    a run's per-epoch lists. ``epochs`` fixes the x range.
    """

    COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    def __init__(self, *, axes, epochs: int = 30):
        self.ax_loss, self.ax_acc = axes
        self.runs: list[dict] = []
        _style(self.ax_loss, "epoch", "loss (— training, -- test)")
        _style(self.ax_acc, "epoch", "accuracy % (— training, -- test)")
        self.ax_loss.set_yscale("log")
        self.ax_acc.set_ylim(0, 100.5)  # percent, before the first run too
        self.set_epochs(epochs)

    def set_epochs(self, epochs: int):
        for ax in (self.ax_loss, self.ax_acc):
            ax.set_xlim(0.5, max(epochs, 1) + 0.5)

    def start(self, label: str) -> dict:
        for old in self.runs:
            for line in old.values():
                line.set_alpha(0.3)
                line.set_linewidth(1.0)
        color = self.COLORS[len(self.runs) % len(self.COLORS)]
        lines = {
            "train_loss": self.ax_loss.plot([], [], color=color, lw=2)[0],
            "val_loss": self.ax_loss.plot([], [], color=color, lw=2, ls="--",
                                           label=f"{len(self.runs) + 1}: {label}")[0],
            "train_accuracy": self.ax_acc.plot([], [], color=color, lw=2)[0],
            "val_accuracy": self.ax_acc.plot([], [], color=color, lw=2, ls="--")[0],
        }
        self.runs.append(lines)
        self.ax_loss.legend(fontsize=FONT, loc="lower left")
        return lines

    def update(self, run):
        lines = self.runs[-1]
        e = list(run.epoch)
        for key, line in lines.items():
            ys = np.asarray(getattr(run, key), dtype=float)
            line.set_data(e, 100 * ys if key.endswith("accuracy") else ys)
        losses = np.concatenate([np.asarray(ln.get_ydata(), float) for r in self.runs
                                 for k, ln in r.items() if k.endswith("loss")] or [[1.0]])
        losses = losses[np.isfinite(losses) & (losses > 0)]
        if losses.size:
            self.ax_loss.set_ylim(losses.min() / 1.5, losses.max() * 1.5)
        accs = np.concatenate([np.asarray(ln.get_ydata(), float) for r in self.runs
                               for k, ln in r.items() if k.endswith("accuracy")] or [[0.0]])
        if accs.size:
            self.ax_acc.set_ylim(max(0.0, accs.min() - 3), 100.5)
        return lines
