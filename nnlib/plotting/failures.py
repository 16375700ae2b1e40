"""Pictures of networks failing to generalise: accuracy against rotation, planted cues,
adversarial examples (the ε lab's panels), error against ε, margin against pixels changed.

Matplotlib only: functions take NumPy data and optional axes and return artists; the lab's
:class:`AdversarialPlot` updates its artists in place (``set_data``, ``set_height``).
"""

from __future__ import annotations

import numpy as np

from ._grid import axes_or_new

FONT = 10
#: the new figure a plot makes when given no ``ax``
FIGURE = {"figsize": (5, 3.2), "layout": "constrained"}


def plot_accuracy_curves(x, curves: dict, *, ax=None, xlabel: str = "", title: str = "",
                         percent: bool = True, marker: str = "o"):
    """One line per entry of ``curves`` ({label: accuracies (len(x),)}) against ``x``.

    Returns the Line2D artists in the order of ``curves``.
    """
    ax = axes_or_new(ax, **FIGURE)
    scale = 100.0 if percent else 1.0
    lines = []
    for label, acc in curves.items():
        (line,) = ax.plot(x, scale * np.asarray(acc, dtype=float), marker=marker, label=label)
        lines.append(line)
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel("test accuracy (%)" if percent else "test accuracy", fontsize=FONT)
    ax.set_ylim(0, 100 * 1.02 if percent else 1.02)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT)
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    return lines


def plot_grouped_bars(groups: dict, *, ax=None, title: str = "", ylabel: str = "accuracy (%)"):
    """Bars grouped by key: ``{group: {bar label: value in [0, 1]}}`` shown in percent.

    Returns the BarContainers, one per bar label.
    """
    ax = axes_or_new(ax, **FIGURE)
    names = list(groups)
    labels = list(dict.fromkeys(k for g in groups.values() for k in g))
    width = 0.8 / max(len(labels), 1)
    xs = np.arange(len(names))
    bars = []
    for i, lab in enumerate(labels):
        vals = [100 * groups[g].get(lab, np.nan) for g in names]
        b = ax.bar(xs + (i - (len(labels) - 1) / 2) * width, vals, width, label=lab)
        ax.bar_label(b, fmt="%.0f", fontsize=FONT)
        bars.append(b)
    ax.set_xticks(xs, names, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.set_ylim(0, 110)
    ax.tick_params(labelsize=FONT)
    # under the axes, in one row: inside, any corner can hold a full-height bar
    ax.legend(fontsize=FONT, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncols=len(labels), frameon=False)
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    return bars


def plot_error_curves(epsilons, curves: dict, *, ax=None, title: str = ""):
    """Error rate (%) on attacked images against ε (pixel units), one line per model."""
    ax = axes_or_new(ax, **FIGURE)
    lines = []
    for label, err in curves.items():
        (line,) = ax.plot(epsilons, 100 * np.asarray(err, dtype=float), marker="o", label=label)
        lines.append(line)
    ax.set_xlabel("ε (pixel units: 1 = black to white)", fontsize=FONT)
    ax.set_ylabel("error on attacked images (%)", fontsize=FONT)
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT)
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    return lines


def plot_margin_drop(counts, drops: dict, *, ax=None, eps: float | None = None):
    """Mean drop of the true-class margin against the number of pixels moved, per model."""
    ax = axes_or_new(ax, **FIGURE)
    lines = []
    for label, d in drops.items():
        (line,) = ax.plot(counts, d, marker="o", label=label)
        lines.append(line)
    ax.set_xlabel("pixels moved by ε along the gradient sign", fontsize=FONT)
    ax.set_ylabel("mean margin drop (logits)", fontsize=FONT)
    if eps is not None:
        ax.set_title(f"ε = {eps:g}: many tiny changes add up", fontsize=FONT + 1)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT)
    return lines


class AdversarialPlot:
    """The ε lab's four panels: the digit, the perturbation x' - x, the attacked digit, and the
    class probabilities before and after. Build once on four axes, then :meth:`update`."""

    def __init__(self, *, axes, classes: int = 10, max_eps: float = 0.3):
        ax_x, ax_d, ax_a, ax_p = axes
        blank = np.zeros((28, 28))
        self.images = {
            "image": ax_x.imshow(blank, cmap="gray", vmin=0, vmax=1),
            "perturbation": ax_d.imshow(blank, cmap="RdBu_r", vmin=-max_eps, vmax=max_eps),
            "attacked": ax_a.imshow(blank, cmap="gray", vmin=0, vmax=1),
        }
        self.titles = {}
        for key, ax in zip(self.images, (ax_x, ax_d, ax_a)):
            ax.set_xticks([])
            ax.set_yticks([])
            self.titles[key] = ax.set_title("", fontsize=FONT)
        xs = np.arange(classes)
        self.bars = {
            "clean": ax_p.bar(xs - 0.2, np.zeros(classes), 0.4, label="original", color="0.6"),
            "attacked": ax_p.bar(xs + 0.2, np.zeros(classes), 0.4, label="attacked",
                                 color="C2", hatch="//", edgecolor="white"),
        }
        ax_p.set_xticks(xs)
        ax_p.set_ylim(0, 1.05)
        ax_p.set_xlabel("class", fontsize=FONT)
        ax_p.set_ylabel("probability", fontsize=FONT)
        ax_p.tick_params(labelsize=FONT)
        # above the bars, never over them (a confident class reaches the top)
        ax_p.legend(fontsize=FONT, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2,
                    frameon=False)

    def update(self, image, attacked, p_clean, p_attacked, *, label: int, eps: float):
        """image, attacked ``(28, 28)`` in [0, 1]; p_clean, p_attacked ``(classes,)``."""
        image = np.asarray(image, dtype=float)
        attacked = np.asarray(attacked, dtype=float)
        self.images["image"].set_data(image)
        self.images["perturbation"].set_data(attacked - image)
        self.images["attacked"].set_data(attacked)
        pc, pa = int(np.argmax(p_clean)), int(np.argmax(p_attacked))
        self.titles["image"].set_text(f"digit {label}:\nsays {pc} ({100 * p_clean[pc]:.0f} %)")
        self.titles["perturbation"].set_text(f"x' - x\n(|change| ≤ {eps:.2f})")
        self.titles["attacked"].set_text(f"attacked:\nsays {pa} ({100 * p_attacked[pa]:.0f} %)")
        self.titles["attacked"].set_color("C2" if pa != label else "black")
        for key, probs in (("clean", p_clean), ("attacked", p_attacked)):
            for rect, p in zip(self.bars[key], probs):
                rect.set_height(float(p))

    @property
    def changing(self) -> list:
        """The artists :meth:`update` changes: the three images, their titles and the bars."""
        return [*self.images.values(), *self.titles.values(), *self.bars["clean"],
                *self.bars["attacked"]]
