"""Training curves that grow while a model trains (update existing lines; never redraw)."""

from __future__ import annotations

import matplotlib.pyplot as plt


class LiveCurves:
    """One line per named run on ``ax``; ``update(name, xs, ys)`` replaces that line's data.

    >>> curves = LiveCurves(ax, ["[784,30,10]", "[784,30,30,10]"], ylabel="accuracy")
    >>> sgd_fit(..., callback=lambda h: curves.update("[784,30,10]", h.epoch, h.val_accuracy))
    """

    def __init__(self, ax=None, names=(), *, xlabel="epoch", ylabel="", title="", ylim=None):
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        self.ax = ax
        self.lines = {}
        for name in names:
            (self.lines[name],) = ax.plot([], [], marker=".", label=name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
        if names:
            ax.legend(loc="lower right")
        self._fixed_ylim = ylim is not None

    def update(self, name, xs, ys):
        """Set the data of the line called ``name`` and rescale the axes; returns the line."""
        line = self.lines[name]
        line.set_data(list(xs), list(ys))
        self.ax.relim()
        self.ax.autoscale_view(scalex=True, scaley=not self._fixed_ylim)
        self.ax.figure.canvas.draw_idle()
        return line


def loglog_fit(ax, x, y, fit_slope, fit_intercept, *, label="measured", fit_label=None):
    """Points (x, y) on log-log axes with the line y = e^b x^s of a fitted slope s; returns
    the (points, line) artists."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    (pts,) = ax.loglog(x, y, "o", label=label)
    (line,) = ax.loglog(x, np.exp(fit_intercept) * x**fit_slope, "-",
                        label=fit_label or f"fit: slope {fit_slope:.2f}")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return pts, line
