"""Figures that compare named runs side by side (notebooks 07, 08 and 13); matplotlib only."""

from __future__ import annotations

import numpy as np

from ._grid import axes_or_new

FONT = 10


def accuracy_bars(accuracies: dict, *, ax=None, horizontal: bool = True,
                  chance: float | None = None, baseline: str | None = None, color="C0",
                  title: str = ""):
    """Test accuracy (in [0, 1]) per named run as bars, the value written on each. Returns
    the BarContainer.

    ``horizontal``: one row per run on the whole 0-1 scale, values in %; otherwise upright
    bars on a percent axis zoomed to the values, with a grid, so that a point or two shows.
    ``chance``: a dotted line at that accuracy. ``baseline``: the run drawn in grey (C3), to
    compare the others (drawn in ``color``) with.
    """
    names = list(accuracies)
    values = np.array([accuracies[n] for n in names], dtype=float)
    colors = ["C3" if n == baseline else color for n in names]
    at = np.arange(len(names))
    if horizontal:
        ax = axes_or_new(ax, figsize=(6.5, 0.5 * len(names) + 1.2), constrained_layout=True)
        bars = ax.barh(at, values, color=colors)
        for i, v in enumerate(values):
            inside = v > 0.8  # write long bars' values inside them, in white
            ax.text(v - 0.01 if inside else v + 0.01, i, f"{v:.1%}", va="center",
                    ha="right" if inside else "left", color="white" if inside else "black",
                    fontsize=FONT)
        ax.set_yticks(at, names, fontsize=FONT)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("test accuracy", fontsize=FONT)
        if chance is not None:
            ax.axvline(chance, color="k", ls=":", lw=1)
    else:
        ax = axes_or_new(ax, figsize=(1.1 * len(names) + 1.5, 3.2), layout="constrained")
        percent = 100 * values
        bars = ax.bar(names, percent, color=colors)
        for b, a in zip(bars, percent):
            ax.text(b.get_x() + b.get_width() / 2, a + 0.1, f"{a:.1f}", ha="center",
                    va="bottom", fontsize=FONT)
        lowest = percent.min() if chance is None else min(percent.min(), 100 * chance)
        ax.set_ylim(max(0.0, lowest - 5), min(100.0, percent.max() + 2))
        ax.set_ylabel("test accuracy (%)", fontsize=FONT)
        ax.grid(alpha=0.3)
        if chance is not None:
            ax.axhline(100 * chance, color="k", ls=":", lw=1)
    ax.tick_params(labelsize=FONT)
    if title:
        ax.set_title(title, fontsize=FONT)
    return bars
