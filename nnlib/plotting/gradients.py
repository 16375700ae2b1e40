"""Plots for the gradient lab and the one-neuron chain (matplotlib only; no maths here).

:class:`GradientLabPlot` draws a :class:`nnlib.lessons.gradient_lab.Diagnostics` on three axes and
redraws in place: ``update(diag)`` only changes the data of existing artists and the limits.
:class:`ChainPlot` does the same for a :class:`nnlib.lessons.gradient_flow.Chain`.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker

from ._grid import axes_or_new, settle_limits, skip_unlabelled_axis_placement, tight_once

VERDICT_COLOURS = {"healthy": "C8", "vanishing": "C0", "vanished": "C0",
                   "exploding": "C2", "exploded": "C2"}


def log_limits(*arrays, floor: float = 1e-300, pad: float = 0.3, min_decades: float = 1.0):
    """(lo, hi) for a log axis covering the finite positive values of ``arrays``."""
    vals = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > floor)]
    if vals.size == 0:
        return 1e-3, 1e3
    lo, hi = np.log10(vals.min()), np.log10(vals.max())
    if hi - lo < min_decades:
        mid = 0.5 * (lo + hi)
        lo, hi = mid - min_decades / 2, mid + min_decades / 2
    span = hi - lo
    return 10 ** (lo - pad * span / 4 - 0.1), 10 ** (hi + pad * span / 4 + 0.1)


def _log10_label(value, _pos=None):
    """'1e-05'-style labels: plain text, much cheaper to draw than mathtext."""
    if value <= 0:
        return ""
    e = int(np.round(np.log10(value)))
    return "1" if e == 0 else f"1e{e}"


def fast_log_axis(*, ax, numticks: int = 4):
    """A log y-axis with few major ticks, no minor ticks and plain-text labels (fast redraws)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10, numticks=numticks))
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_log10_label))


def _positive(values):
    v = np.asarray(values, dtype=np.float64).copy()
    v[~np.isfinite(v) | (v <= 0)] = np.nan
    return v


class GradientLabPlot:
    """Three panels: gradient norms (log), activation std (log), saturated/dead fraction.

    ``axes``: three matplotlib axes (or ``None`` to make a figure). ``lines`` maps names to the
    Line2D artists, so tests can read back what is drawn.
    """

    def __init__(self, *, axes=None):
        axes = axes_or_new(axes, ncols=3, figsize=(11, 3.6))
        self.axes = ax_g, ax_a, ax_s = list(np.ravel(axes))
        self.lines = {
            "grad_a": ax_g.plot([], [], "o-", ms=3, color="C4",
                                label="‖∂L/∂a_ℓ‖ measured")[0],
            "theory_grad_a": ax_g.plot([], [], "--", color="k", lw=1.2,
                                       label="variance theory")[0],
            "grad_w": ax_g.plot([], [], "s-", ms=2.5, lw=1, color="C1", alpha=0.8,
                                label="‖∂L/∂W_ℓ‖ measured")[0],
            "act_std": ax_a.plot([], [], "o-", ms=3, color="C8")[0],
            "theory_act_std": ax_a.plot([], [], "--", color="k", lw=1.2)[0],
            "saturated": ax_s.plot([], [], "o-", ms=3, color="C5",
                                   label="saturated / inactive")[0],
            "dead": ax_s.plot([], [], "x-", ms=4, lw=1, color="C3",
                              label="dead (whole batch)")[0],
        }
        for ax in (ax_g, ax_a):
            fast_log_axis(ax=ax)
        # explicit title positions skip matplotlib's costly automatic placement on each draw
        ax_g.set_title("gradient norm per layer", fontsize=10, y=1.0)
        ax_a.set_title("std of activations a_ℓ (dashed: theory)", fontsize=10, y=1.0)
        ax_s.set_title("saturated (σ, tanh) / inactive (ReLU)", fontsize=10, y=1.0)
        ax_s.set_ylim(-0.03, 1.03)
        ax_s.set_yticks([0, 0.5, 1])
        # every text costs ~1 ms per redraw: one shared x label, few ticks
        ax_a.set_xlabel("layer ℓ")
        skip_unlabelled_axis_placement(*self.axes)
        for ax in self.axes:
            ax.xaxis.set_major_locator(ticker.MaxNLocator(4, integer=True))
            ax.grid(True, alpha=0.3)
        # one legend under the panels: inside them it covered the curves it names
        fig = ax_g.figure
        handles = [ln for ax in (ax_g, ax_s) for ln in ax.get_lines() if ln.get_label()[0] != "_"]
        self.legend = fig.legend(handles=handles, loc="lower center", ncols=3, fontsize=10,
                                 frameon=False)
        self.verdict_text = ax_g.text(0.02, 0.04, "", transform=ax_g.transAxes, fontsize=10,
                                      fontweight="bold")
        tight_once(fig, rect=(0, 0.16, 1, 1))

    def update(self, diag):
        """Show ``diag`` (a :class:`nnlib.lessons.gradient_lab.Diagnostics`)."""
        x = diag.layers
        for name in ("grad_a", "theory_grad_a", "grad_w", "act_std", "theory_act_std"):
            self.lines[name].set_data(x, _positive(getattr(diag, name)))
        self.lines["saturated"].set_data(x, diag.saturated)
        self.lines["dead"].set_data(x, diag.dead)
        # limits change only when the data leave them or fill too little of them (x: half,
        # log y: a third), so most moves redraw the curves alone (a blit) and keep the axes:
        # a curve that tilts as the init scale moves is then seen to tilt on a fixed scale
        for ax in self.axes:
            settle_limits(ax, "x", (0.5, max(x[-1], 2) + 0.5))
        settle_limits(self.axes[0], "y", log_limits(diag.grad_a, diag.grad_w,
                                                      diag.theory_grad_a), log=True, slack=3.0)
        settle_limits(self.axes[1], "y", log_limits(diag.act_std, diag.theory_act_std), log=True,
                      slack=3.0)
        self.verdict_text.set_text(diag.verdict)
        self.verdict_text.set_color(VERDICT_COLOURS[diag.verdict])
        return list(self.lines.values())

    @property
    def changing(self) -> list:
        """The artists ``update`` changes (besides limits): the curves and the verdict."""
        return [*self.lines.values(), self.verdict_text]


class ChainPlot:
    """The one-neuron chain: |factor f_j| per neuron and the running product |f_L ⋯ f_j|."""

    def __init__(self, *, ax=None):
        self.ax = ax = axes_or_new(ax, figsize=(7, 3.2))
        self.lines = {
            "factors": ax.plot([], [], "o", color="C1",
                               label="|f_j| = |φ'(w_j y_{j−1}) w_j|")[0],
            "products": ax.plot([], [], "o-", color="C4",
                                label="|f_L ⋯ f_j| (reaches Δw_{j−1})")[0],
        }
        ax.axhline(1.0, color="k", lw=0.8, alpha=0.5)
        ax.set_yscale("log")
        ax.set_xlabel("neuron j (input is j = 1)")
        ax.set_title("one neuron per layer:\nfactors and their running product", fontsize=10)
        ax.grid(True, alpha=0.3)
        # under the axes: inside, the dots and the line run through every corner
        ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=1,
                  frameon=False)
        tight_once(ax.figure)

    def update(self, chain):
        j = np.arange(1, chain.y.size + 1)
        f, p = np.abs(chain.factors), np.abs(chain.products)
        self.lines["factors"].set_data(j, _positive(f))
        self.lines["products"].set_data(j, _positive(p))
        settle_limits(self.ax, "x", (0.5, j[-1] + 0.5))
        settle_limits(self.ax, "y", log_limits(f, p, [1.0]), log=True)
        return list(self.lines.values())


def plot_profiles(profiles: dict, *, ax=None, ylabel: str = "", logy: bool = True,
                  styles: dict | None = None):
    """One line per entry ``label -> values`` (values per layer ℓ = 1..L). Returns the lines."""
    ax = axes_or_new(ax, figsize=(6, 3.5))
    out = []
    for label, values in profiles.items():
        v = _positive(values) if logy else np.asarray(values, dtype=np.float64)
        kw = (styles or {}).get(label, {})
        out += ax.plot(np.arange(1, len(v) + 1), v, label=label, **kw)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("layer ℓ")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=10)
    return out
