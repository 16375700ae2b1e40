"""Pictures of transfer learning: accuracy against labels per class, and against epochs.

Matplotlib only; the k lab's :class:`TransferPlot` updates its bars and marker in place.
"""

from __future__ import annotations

import numpy as np

from ._grid import axes_or_new

FONT = 10
COLOURS = {"scratch": "C3", "frozen": "C0", "finetune": "C1"}
LABELS = {"scratch": "from scratch", "frozen": "frozen features", "finetune": "fine-tuned"}
#: the new figure a plot makes when given no ``ax``
FIGURE = {"figsize": (5.5, 3.4), "layout": "constrained"}


def _label(mode: str) -> str:
    return LABELS.get(mode, mode)


def plot_accuracy_vs_k(ks, curves: dict, *, ax=None, title: str = ""):
    """Test accuracy (%) against labels per class (log axis), one line per mode.

    curves: ``{mode or label: accuracies (len(ks),)}``. Returns the Line2D artists.
    """
    ax = axes_or_new(ax, **FIGURE)
    lines = []
    for mode, acc in curves.items():
        (line,) = ax.plot(ks, 100 * np.asarray(acc, dtype=float), marker="o", label=_label(mode),
                          color=COLOURS.get(mode))
        lines.append(line)
    ax.set_xscale("log")
    ax.set_xticks(list(ks), [f"{k:g}" for k in ks])  # the measured k, as numbers (not 10^n)
    ax.minorticks_off()
    ax.set_xlabel("labelled images per class (k)", fontsize=FONT)
    ax.set_ylabel("test accuracy on 5-9 (%)", fontsize=FONT)
    ax.grid(alpha=0.3, which="both")
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT, loc="lower right")
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    return lines


def plot_learning_curves(runs: dict, *, ax=None, target: float | None = None, title: str = ""):
    """Test accuracy (%) against epoch for ``{mode: FewLabelRun-like}`` (``epochs``,
    ``test_accuracy``); ``target`` draws a horizontal line. Returns the Line2D artists."""
    ax = axes_or_new(ax, **FIGURE)
    lines = []
    for mode, run in runs.items():
        (line,) = ax.plot(run.epochs, 100 * np.asarray(run.test_accuracy), label=_label(mode),
                          color=COLOURS.get(mode))
        lines.append(line)
    if target is not None:
        ax.axhline(100 * target, color="k", lw=0.8, ls="--", label=f"target {100 * target:.0f} %")
    ax.set_xlabel("epoch", fontsize=FONT)
    ax.set_ylabel("test accuracy (%)", fontsize=FONT)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT, loc="lower right")
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    return lines


class TransferPlot:
    """The k lab's panels: measured curves with a marker at the slider's k, and one bar per
    mode for the latest run. Build once on two axes, then :meth:`update`."""

    def __init__(self, *, axes, ks, curves: dict, modes):
        ax_curve, ax_bars = axes
        self.modes = tuple(modes)
        if curves:
            plot_accuracy_vs_k(ks, curves, ax=ax_curve)
        else:
            ax_curve.set_xscale("log")
            ax_curve.set_xlabel("labelled images per class (k)", fontsize=FONT)
        ax_curve.set_xlim(0.8, 125)
        self.marker = ax_curve.axvline(10, color="k", lw=1, ls=":")
        self.points = {m: ax_curve.plot([], [], "D", ms=7, mec="k", color=COLOURS.get(m))[0]
                       for m in self.modes}
        xs = np.arange(len(self.modes))
        self.bars = ax_bars.bar(xs, np.zeros(len(self.modes)),
                                color=[COLOURS.get(m) for m in self.modes])
        self.texts = [ax_bars.text(x, 0, "", ha="center", va="bottom", fontsize=FONT)
                      for x in xs]
        # one word per line: the three names side by side collide under a narrow bar panel
        ax_bars.set_xticks(xs, [_label(m).replace(" ", "\n") for m in self.modes],
                           fontsize=FONT - 1)
        ax_bars.set_ylim(0, 105)
        ax_bars.set_ylabel("test accuracy (%)", fontsize=FONT)
        ax_bars.tick_params(labelsize=FONT)
        self.title = ax_bars.set_title("", fontsize=FONT)

    def update(self, k: int, accuracy: dict):
        """Move the marker to ``k`` and show ``{mode: accuracy in [0, 1]}``."""
        self.marker.set_xdata([k, k])
        for i, m in enumerate(self.modes):
            a = 100 * float(accuracy.get(m, np.nan))
            self.bars[i].set_height(a)
            self.texts[i].set_position((i, a + 1))
            self.texts[i].set_text(f"{a:.0f}")
            self.points[m].set_data([k], [a])
        self.title.set_text(f"k = {k} labels per class")

    @property
    def changing(self) -> list:
        """The artists :meth:`update` changes: the marker, the points, the bars, their numbers
        and the title."""
        return [self.marker, *self.points.values(), *self.bars, *self.texts, self.title]
