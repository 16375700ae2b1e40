"""Plots for explaining away (notebook 08): beliefs about the battery and the posterior table.

:class:`ExplainingAwayPlot` draws an :class:`nnlib.lessons.explaining_away.ExplainingAway` on two
axes and redraws in place: ``update(result)`` only changes bar heights, the image data and the
texts. Matplotlib only; the probabilities come from the lesson module.
"""

from __future__ import annotations

import numpy as np

from ._grid import axes_or_new

BAR_LABELS = ("P(Y)", "P(Y | Z)", "P(Y | X)", "P(Y | X, Z)", "P(Y | X, ¬Z)")
_FIELDS = ("prior", "given_pump", "given_fail", "given_fail_and_pump", "given_fail_no_pump")
_COLOURS = ("C3", "C3", "C0", "C2", "C8")


def belief_values(result) -> np.ndarray:
    """The five probabilities of a dead battery (Y = 1) that the bars show, in bar order."""
    return np.array([getattr(result, name) for name in _FIELDS], dtype=float)


class ExplainingAwayPlot:
    """Left: P(dead battery) under each observation. Right: P(Y, Z | X = 1) as a 2 × 2 image.

    ``axes``: two matplotlib axes (or ``None`` to make a figure). ``bars`` (BarContainer),
    ``image`` and ``texts`` are the artists that ``update`` changes, for tests to read back.
    """

    def __init__(self, *, axes=None):
        axes = axes_or_new(axes, ncols=2, figsize=(9, 3.4), width_ratios=(1.6, 1))
        self.axes = ax_b, ax_j = list(np.ravel(axes))
        x = np.arange(len(BAR_LABELS))
        self.bars = ax_b.bar(x, np.zeros(len(x)), color=_COLOURS)
        self.bar_texts = [ax_b.text(i, 0.0, "", ha="center", va="bottom", fontsize=10)
                          for i in x]
        ax_b.set_xticks(x, BAR_LABELS, fontsize=10)
        ax_b.set_ylim(0, 1.12)
        ax_b.set_ylabel("probability of a dead battery", fontsize=10)
        ax_b.set_title("Y: battery dead, Z: pump blocked, X: engine fails", fontsize=10)
        ax_b.tick_params(labelsize=10)
        self.image = ax_j.imshow(np.zeros((2, 2)), vmin=0, vmax=1, cmap="Blues")
        self.texts = [[ax_j.text(z, y, "", ha="center", va="center", fontsize=11)
                       for z in (0, 1)] for y in (0, 1)]
        ax_j.set_xticks([0, 1], ["pump ok", "pump blocked"], fontsize=10)
        ax_j.set_yticks([0, 1], ["battery ok", "battery dead"], fontsize=10)
        ax_j.set_title("P(Y, Z | engine fails)", fontsize=10)
        self.coupling_text = ax_j.text(0.5, -0.2, "", transform=ax_j.transAxes, ha="center",
                                       va="top", fontsize=10)

    def update(self, result):
        """Show ``result`` (an ExplainingAway): set bar heights, image data and texts."""
        values = belief_values(result)
        for bar, text, v in zip(self.bars, self.bar_texts, values):
            defined = np.isfinite(v)
            bar.set_height(v if defined else 0.0)
            text.set_y((v if defined else 0.0) + 0.01)
            text.set_text(f"{v:.3f}" if defined else "undefined")
        joint = np.asarray(result.posterior_joint, dtype=float)
        self.image.set_data(np.nan_to_num(joint))
        for y in (0, 1):
            for z in (0, 1):
                p = joint[y, z]
                self.texts[y][z].set_text(f"{p:.3f}" if np.isfinite(p) else "–")
                self.texts[y][z].set_color("white" if p > 0.5 else "black")
        self.coupling_text.set_text(
            f"P(Y,Z|X) − P(Y|X)P(Z|X) = {result.coupling:+.3f}"
            if np.isfinite(result.coupling) else "the engine never fails with this table")
        return self

    @property
    def changing(self) -> list:
        """The artists ``update`` changes: bars, their numbers, the image, its numbers and the
        coupling line."""
        return [*self.bars, *self.bar_texts, self.image, *self.texts[0], *self.texts[1],
                self.coupling_text]
