"""Plots for notebook 06 and the optimiser race (matplotlib only; no maths here).

:class:`RacePlot` draws a surface's contours with each optimiser's path, and the gap
f(x_k) − f* against the step k on a log scale; ``update`` only changes the data of existing
artists (contours are redrawn only when the surface itself changes). Runs are duck-typed: any
object with ``points`` (n + 1, 2) and ``gaps`` (n + 1,) arrays, e.g. a
:class:`nnlib.lessons.optimiser_surfaces.Trajectory`.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.colors import to_hex

from ._grid import axes_or_new, settle_limits, tight_once
from .gradients import fast_log_axis, log_limits
from .style import LINESTYLES

#: One colour per optimiser name, shared by every plot of notebook 06.
OPTIMISER_COLOURS = {
    "sgd": "C0", "momentum": "C1", "nesterov": "C5",
    "adagrad": "C4", "rmsprop": "C8", "adam": "C2", "nadam": "C6",
}
#: One dash pattern per optimiser (on/off lengths in line widths; () is solid): with the
#: colour, so two optimisers never differ by colour alone.
OPTIMISER_DASHES = {
    "sgd": (), "momentum": (5, 2.5), "nesterov": (5, 1.5, 1, 1.5), "adagrad": (1, 1.5),
    "rmsprop": (4, 1, 1, 1, 1, 1), "adam": (8, 2), "nadam": (2.5, 1, 1, 1),
}
#: Gaps below this are drawn at it (round-off: f − f* cannot be resolved further).
GAP_FLOOR = 1e-16
FONT = 10


def _display_gaps(gaps):
    g = np.asarray(gaps, dtype=np.float64).copy()
    g[~np.isfinite(g)] = np.nan
    return np.maximum(g, GAP_FLOOR)


def colour_of(name: str) -> str:
    """The optimiser's colour as '#rrggbb' (grey for names outside :data:`OPTIMISER_COLOURS`)."""
    return to_hex(OPTIMISER_COLOURS.get(name, "C3"))


def linestyle_of(name: str):
    """The optimiser's matplotlib line style (solid for names outside the table)."""
    dashes = OPTIMISER_DASHES.get(name, ())
    return (0, dashes) if dashes else "-"


def dasharray_of(name: str, width: float = 2.0) -> str:
    """The optimiser's dash pattern for an SVG ``stroke-dasharray`` ('' for solid)."""
    return " ".join(f"{width * d:g}" for d in OPTIMISER_DASHES.get(name, ()))


class RacePlot:
    """Two panels: contours + paths, and f − f* per step (log y) with optional theory lines.

    ``axes``: two matplotlib axes (or None to make a figure); ``names``: the optimisers that
    may appear (one path, one end marker and one loss curve each, hidden until used);
    ``legend``: draw a legend of the shown lines (a lab that lists the optimisers in its
    colours elsewhere saves the legend's redraw time, about a third of the figure's);
    ``colours``: name -> colour for names that are not optimisers (e.g. one run per η).
    ``lines`` maps "path:<name>", "end:<name>", "loss:<name>", "theory:<label>", "start",
    "minimum", "tol" to the artists, so tests can read back what is drawn.
    """

    THEORY_STYLES = {"gd": ("C0", "GD theory"),
                     "heavy_ball": ("C1", "momentum theory")}

    def __init__(self, names=tuple(OPTIMISER_COLOURS), *, axes=None, legend: bool = True,
                 colours: dict | None = None):
        axes = axes_or_new(axes, ncols=2, figsize=(11, 4.2))
        self.axes = ax_c, ax_l = list(np.ravel(axes))
        self.names = tuple(names)
        self.show_legend = legend
        self.contours = None
        self.surface_key = None
        L = self.lines = {}
        for i, n in enumerate(self.names):
            c = (colours or {}).get(n) or colour_of(n)
            ls = linestyle_of(n) if n in OPTIMISER_DASHES else LINESTYLES[i % len(LINESTYLES)]
            L[f"path:{n}"] = ax_c.plot([], [], color=c, ls=ls, lw=1.6, alpha=0.9, label=n)[0]
            L[f"end:{n}"] = ax_c.plot([], [], "o", color=c, ms=5)[0]
            # a dot on the last point: a run that blew up at once still shows where it stopped
            L[f"loss:{n}"] = ax_l.plot([], [], color=c, ls=ls, lw=1.6, label=n, marker="o",
                                       ms=4, markevery=[-1])[0]
        for key, (c, label) in self.THEORY_STYLES.items():
            L[f"theory:{key}"] = ax_l.plot([], [], ls=(0, (1, 1.5)), color=c, lw=2.2,
                                           label=label,
                                           zorder=3)[0]  # on top of the measured curve
        L["start"] = ax_c.plot([], [], "*", color="k", ms=12, label="start")[0]
        L["minimum"] = ax_c.plot([], [], "x", color="k", ms=9, mew=2, label="minimum")[0]
        L["tol"] = ax_l.axhline(1e-3, color="k", lw=0.8, ls=":", label="tolerance")
        ax_c.set_title("paths on the cost surface", fontsize=FONT, y=1.0)
        ax_l.set_title("f(x_k) − f*  (log scale)", fontsize=FONT, y=1.0)
        ax_l.set_xlabel("step k", fontsize=FONT)
        fast_log_axis(ax=ax_l, numticks=6)
        for ax in self.axes:  # few ticks: every text costs redraw time
            ax.tick_params(labelsize=FONT)
            ax.xaxis.set_major_locator(ticker.MaxNLocator(5, integer=ax is ax_l))
        ax_c.yaxis.set_major_locator(ticker.MaxNLocator(5))
        ax_l.grid(True, alpha=0.25)
        self.legend = None
        tight_once(ax_c.figure)

    def set_surface(self, X, Y, Z, *, f_min: float, minimum, key=None, levels: int = 14):
        """Contour the grid ``X, Y, Z`` (each (n, n)) with log-spaced levels of Z − f_min.

        Skipped when ``key`` equals the key of the surface already drawn.
        """
        if key is not None and key == self.surface_key:
            return
        ax = self.axes[0]
        if self.contours is not None:
            self.contours.remove()
        gap = np.asarray(Z, dtype=np.float64) - f_min
        pos = gap[np.isfinite(gap) & (gap > 0)]
        lo, hi = np.percentile(pos, 0.5), np.percentile(pos, 99.5)
        # under the paths (the same zorder as lines would draw the later-made contours on top)
        self.contours = ax.contour(X, Y, gap, levels=np.geomspace(lo, hi, levels),
                                   cmap="Greys_r", linewidths=0.7, alpha=0.7, zorder=1)
        ax.set_xlim(float(np.min(X)), float(np.max(X)))
        ax.set_ylim(float(np.min(Y)), float(np.max(Y)))
        self.lines["minimum"].set_data([minimum[0]], [minimum[1]])
        self.surface_key = key

    def update(self, runs: dict, *, start, steps: int, tol: float | None = None,
               theory: dict | None = None):
        """Show ``runs`` ({name: run}); hide the other optimisers.

        ``theory``: {"gd" | "heavy_ball": gaps per step (steps + 1,)} dashed lines (or None).
        """
        L = self.lines
        curves = {n: _display_gaps(r.gaps) for n, r in runs.items()}
        starts = [c[0] for c in curves.values() if c.size and np.isfinite(c[0])]
        # a diverging run does not squash the others: values above `cap` are drawn at the
        # top edge, so the run's last point (a dot) stays in view
        cap = 1e4 * max(starts) if starts else np.inf
        shown = []
        for n in self.names:
            run = runs.get(n)
            path, end, loss = L[f"path:{n}"], L[f"end:{n}"], L[f"loss:{n}"]
            for a in (path, end, loss):
                a.set_visible(run is not None)
            if run is None:
                continue
            pts = np.asarray(run.points, dtype=np.float64)
            path.set_data(pts[:, 0], pts[:, 1])
            end.set_data(pts[-1:, 0], pts[-1:, 1])
            loss.set_data(np.arange(len(pts)), np.minimum(curves[n], cap))
            shown.append(loss)
        L["start"].set_data([start[0]], [start[1]])
        for key in self.THEORY_STYLES:
            line = L[f"theory:{key}"]
            values = (theory or {}).get(key)
            line.set_visible(values is not None)
            if values is not None:
                line.set_data(np.arange(len(values)), np.minimum(_display_gaps(values), cap))
                shown.append(line)
        L["tol"].set_visible(tol is not None)
        if tol is not None:
            L["tol"].set_ydata([tol, tol])
            shown.append(L["tol"])
        ax_l = self.axes[1]
        if ax_l.get_xlim() != (0, max(int(steps), 1)):  # setting them again would redraw all
            ax_l.set_xlim(0, max(int(steps), 1))
        lo, hi = log_limits(*curves.values(), [tol or 1.0], floor=0.5 * GAP_FLOOR)
        # the scale moves only when the curves leave it or shrink to less than half of it;
        # its floor is fixed half a decade under GAP_FLOOR (the padding would move it)
        settle_limits(ax_l, "y", (max(lo, 0.5 * GAP_FLOOR), min(hi, 2 * cap)), log=True)
        if self.legend is not None:
            self.legend.remove()
            self.legend = None
        if self.show_legend and shown:
            self.legend = ax_l.legend(handles=shown, fontsize=FONT, loc="lower left",
                                      frameon=False, ncol=2)
        return shown

    @property
    def changing(self) -> list:
        """The artists that ``update`` and ``set_surface`` change, except the contours: paths,
        end dots, loss and theory curves, the start, the minimum and the tolerance line."""
        return list(self.lines.values())


def plot_lr_sweep(etas, final_gaps, *, threshold=None, measured=None, ax=None):
    """Final gap after a fixed number of steps against the learning rate (log-log), with the
    theoretical threshold and the measured one as vertical lines."""
    ax = axes_or_new(ax, figsize=(6, 3.6))
    g = _display_gaps(final_gaps)
    lines = ax.loglog(etas, g, "o-", ms=3, color="C0", label="after the run")
    if threshold is not None:
        lines.append(ax.axvline(threshold, color="k", ls="--", lw=1, label="2/λ_max (theory)"))
    if measured is not None:
        lines.append(ax.axvline(measured, color="C2", ls=":", lw=1.5, label="measured"))
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())  # 2×10⁻², 3×10⁻², ... would overlap
    ax.set_xlabel("learning rate η", fontsize=FONT)
    ax.set_ylabel("f − f* after the run", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=FONT, frameon=False)
    return lines


def plot_curves(curves: dict, *, ax=None, xlabel: str = "step", ylabel: str = "",
                logy: bool = True, title: str = ""):
    """One line per entry ``name -> values`` (or ``name -> (x, values)``), coloured by
    optimiser name where it is one. Returns the lines."""
    ax = axes_or_new(ax, figsize=(6, 3.6))
    out = []
    for name, values in curves.items():
        x, v = values if isinstance(values, tuple) else (None, values)
        v = np.asarray(v, dtype=np.float64)
        x = np.arange(len(v)) if x is None else np.asarray(x)
        style = {"color": OPTIMISER_COLOURS[name], "ls": linestyle_of(name)} \
            if name in OPTIMISER_COLOURS else {}
        out += ax.plot(x, _display_gaps(v) if logy else v, label=name, lw=1.5, **style)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    if title:
        ax.set_title(title, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=FONT, frameon=False)
    return out
