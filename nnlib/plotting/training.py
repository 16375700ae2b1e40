"""Training curves that grow while models train (existing lines get new data; never redraw).

:class:`LiveCurves` draws a training history of either tier: :class:`nnlib.training.History`
(NumPy ``fit``) and :class:`nnlib.torchkit.train.History` share the field names it reads
(``epoch``, ``train_loss``, ``train_accuracy``, ``val_epoch``, ``val_loss``, ``val_accuracy``,
``step_epoch``, ``step_loss`` and, when present, ``step_accuracy``).
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.transforms import Bbox, TransformedBbox

from ._grid import axes_or_new

PANELS = ("loss", "accuracy")
#: Series a run can show: per step (or per ``log_every`` batches in torch), per epoch on the
#: training data, per epoch on the validation data, or one the caller sets with ``set_data``.
SERIES = ("steps", "train", "val", "custom")
_FIELDS = {"steps": ("step_epoch", "step_{}"), "train": ("epoch", "train_{}"),
           "val": ("val_epoch", "val_{}")}
_STYLE = {"steps": dict(lw=1, alpha=0.8), "train": dict(marker=".", lw=1.5),
          "val": dict(marker="o", lw=1.5), "custom": dict(marker=".", lw=1.5)}
#: Runs differ in marker as well as colour (the series with markers): no run is told apart by
#: colour alone.
RUN_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_SERIES_LABEL = {"steps": "training (running)", "train": "training", "val": "validation",
                 "custom": ""}


#: an update that took t seconds (with ipympl, mostly the redraw) is followed by none for 9 t:
#: live curves take at most a tenth of the time of the training they show
_WAIT_PER_DRAW_SECOND = 9.0


class Throttle:
    """``Throttle(draw, every=s, cost_factor=f)(*args)`` calls ``draw(*args)`` the first time,
    then only once ``s`` seconds and ``f`` times the last call's own duration have passed
    since that call began (drawing takes at most 1/f of the time), or when ``force=True``.
    Returns whether it called. Live curves and the labs' Train buttons redraw through it."""

    def __init__(self, draw, *, every: float, cost_factor: float):
        self._draw, self.every, self.cost_factor = draw, float(every), float(cost_factor)
        self._next = -np.inf

    def __call__(self, *args, force: bool = False) -> bool:
        start = time.monotonic()
        if not force and start < self._next:
            return False
        self._draw(*args)
        self._next = start + max(self.every, self.cost_factor * (time.monotonic() - start))
        return True


def push_draw(fig, *, reuse_layout: bool = False) -> None:
    """Redraw ``fig`` now. With ipympl this sends the new image at once, even while the cell
    (a training loop) is still running; other backends just schedule a redraw.

    ``reuse_layout``: skip the figure's layout engine (constrained layout measures every text
    of the figure: half a redraw's time or more) when the figure's size and every text around
    its axes (tick labels, titles, axis labels, legends) are as they were at the last push_draw
    that laid it out. Only for draws made here: any other draw (a resize, the notebook's own
    redraws) lays out as usual."""
    canvas = fig.canvas
    if not type(canvas).__module__.startswith("ipympl"):
        canvas.draw_idle()
        return
    engine = fig.get_layout_engine()
    key = _layout_key(fig) if reuse_layout and engine is not None else None
    if key is not None and key == getattr(fig, "_nnlib_layout_key", None):
        fig.set_layout_engine("none")  # keeps the positions of the last layout
        try:
            canvas.draw()
        finally:
            fig.set_layout_engine(engine)
        return
    canvas.draw()
    fig._nnlib_layout_key = key


def _layout_key(fig):
    """What a layout of ``fig`` depends on: its size in pixels and every text around its axes,
    the tick labels (limits that grow or fall during a run) and the titles, axis labels and
    legends (which a notebook may change between two redraws)."""
    def texts(ax):
        legend = ax.get_legend()
        return (tuple(t.get_text() for t in ax.get_xticklabels()),
                tuple(t.get_text() for t in ax.get_yticklabels()),
                ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                tuple(t.get_text() for t in legend.get_texts()) if legend else None)

    return (tuple(fig.bbox.size), fig.get_suptitle()) + tuple(texts(ax) for ax in fig.axes)


class _EpochEnd:
    """A ``nnlib.training.fit`` callback that redraws one run's curves after an epoch (at most
    every ``min_interval`` seconds of its LiveCurves) and when the run ends."""

    def __init__(self, curves, run):
        self.curves, self.run = curves, run

    def on_epoch_end(self, state):
        self.curves.update(state.history, self.run)

    def on_fit_end(self, state):
        self.curves.update(state.history, self.run, force=True)


class LiveCurves:
    """Loss and/or accuracy of one or more runs, updated in place while they train.

    ``runs``: names of the runs (one colour each). ``axes``: one Axes per panel (made if None).
    ``panels``: ``"loss"`` (log scale unless ``log_loss=False``) and/or ``"accuracy"`` (in %).
    ``show``: which series of :data:`SERIES` each run draws. ``update(history, run)`` copies a
    History into that run's lines and redraws at most every ``min_interval`` seconds, and never
    sooner than nine times its last redraw took (drawing takes at most a tenth of the time of
    the training it shows), so it can be the per-batch callback of the torch loop;
    ``epoch_callback(run)`` gives a callback for :func:`nnlib.training.fit` (after an epoch, as
    often as those limits allow, and at the end of the run); ``set_data(run, xs, ys)`` fills a
    ``"custom"`` series. A redraw of a figure with a legend takes 0.1-0.3 s on a laptop CPU,
    longer than a short epoch.

    >>> curves = LiveCurves(["[784,30,10]", "[784,30,30,10]"], axes=ax, panels=("accuracy",),
    ...                     show=("val",))
    >>> fit(..., callbacks=[curves.epoch_callback("[784,30,10]")])
    """

    def __init__(self, runs=("",), *, axes=None, panels=PANELS, show=("steps", "val"),
                 epochs: int | None = None, xlabel: str = "epoch", ylabel=None, title: str = "",
                 ylim=None, acc_floor: float | None = None, log_loss: bool = True,
                 min_interval: float = 0.0):
        panels, show, runs = tuple(panels), tuple(show), list(runs)
        for name, values, allowed in (("panels", panels, PANELS), ("show", show, SERIES)):
            bad = [v for v in values if v not in allowed]
            if bad or not values:
                raise ValueError(f"{name} must be a non-empty selection of {allowed}; "
                                 f"got {values!r}")
        if not runs:
            raise ValueError("runs must name at least one run; got none")
        axes = axes_or_new(axes, ncols=len(panels), figsize=(4.6 * len(panels), 3.3),
                           layout="constrained")
        axes = list(np.atleast_1d(axes).ravel())
        if len(axes) < len(panels):
            raise ValueError(f"axes must hold one Axes per panel ({len(panels)}); "
                             f"got {len(axes)}")
        self.axes = dict(zip(panels, axes))
        self.fig = axes[0].figure
        self.runs, self.show = runs, show
        self.min_interval = float(min_interval)
        self._throttle = Throttle(self._copy_and_draw, every=self.min_interval,
                                  cost_factor=_WAIT_PER_DRAW_SECOND)
        self.lines = {}
        colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for panel, ax in self.axes.items():
            for i, run in enumerate(runs):
                for series in show:
                    label = " ".join(p for p in (run, _SERIES_LABEL[series] if len(show) > 1
                                                 else "") if p) or panel
                    style = dict(_STYLE[series])
                    if series in ("val", "custom"):
                        style["marker"] = RUN_MARKERS[i % len(RUN_MARKERS)]
                    (self.lines[run, panel, series],) = ax.plot(
                        [], [], color=colours[i % len(colours)], label=label,
                        ls="--" if series == "train" and "steps" in show else "-", **style)
            if panel == "loss" and log_loss:  # before any limits: an empty log axis can't draw
                ax.set_yscale("log")
            ax.set_xlabel(xlabel)
            default = {"loss": "loss", "accuracy": "accuracy (%)"}[panel]
            ax.set_ylabel(ylabel.get(panel, default) if isinstance(ylabel, dict)
                          else (ylabel or default))
            ax.grid(alpha=0.3)
            if epochs:
                ax.set_xlim(0, epochs)
            if title:
                ax.set_title(title, fontsize=11)
            ax.tick_params(labelsize=10)
            if len(runs) > 1 or len(show) > 1:  # under the axes: curves fill the corners
                ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=10,
                          ncols=min(len(runs) * len(show), 2), frameon=False)
        fig = next(iter(self.axes.values())).figure
        if fig.get_layout_engine() is None:  # keeps the legends and tick labels inside
            fig.set_layout_engine("constrained")
        self._log = {panel: panel == "loss" and log_loss for panel in panels}
        self._fixed_ylim = {panel: False for panel in panels}
        if "accuracy" in self.axes and (ylim is not None or acc_floor is not None):
            self.axes["accuracy"].set_ylim(*(ylim if ylim is not None else (acc_floor, 100)))
            self._fixed_ylim["accuracy"] = True
        elif ylim is not None:
            self.axes[panels[0]].set_ylim(*ylim)
            self._fixed_ylim[panels[0]] = True
        # a point on the last epoch sits on the right edge: drawn whole, not cut in half. Where
        # the limits follow the data nothing is clipped; a fixed y range may leave points above
        # or below it: clipped there, to a box that reaches past the left and right edges
        for (_, panel, series), line in self.lines.items():
            if series in ("val", "custom"):
                if self._fixed_ylim[panel]:
                    line.set_clip_box(TransformedBbox(Bbox([[-0.1, 0], [1.1, 1]]),
                                                      self.axes[panel].transAxes))
                else:
                    line.set_clip_on(False)

    def _line(self, run, panel, series):
        key = (run, panel, series)
        if key not in self.lines:
            raise ValueError(f"no line for run {run!r}, panel {panel!r}, series {series!r}; "
                             f"runs are {self.runs}, panels {tuple(self.axes)}, "
                             f"series {self.show}")
        return self.lines[key]

    def update(self, history, run=None, *, force: bool = False):
        """Copy ``history`` (either tier's History) into the lines of ``run`` (the first run
        if None); redraw unless the last redraw was under ``min_interval`` seconds ago.
        Returns the dict of lines, keyed (run, panel, series)."""
        self._throttle(history, self.runs[0] if run is None else run, force=force)
        return self.lines

    def _copy_and_draw(self, history, run):
        for panel in self.axes:
            for series in self.show:
                if series == "custom":
                    continue
                x_name, y_name = _FIELDS[series]
                xs = getattr(history, x_name, None)
                ys = getattr(history, y_name.format(panel), None)
                if xs is None or ys is None:
                    continue  # e.g. the NumPy loop keeps no per-step accuracy
                n = min(len(xs), len(ys))
                ys = np.asarray(ys[:n], dtype=float) * (100 if panel == "accuracy" else 1)
                self._line(run, panel, series).set_data(np.asarray(xs[:n], dtype=float), ys)
        self._rescale()

    def finish(self, history, run=None):
        """Final update, whatever the time since the last one."""
        return self.update(history, run, force=True)

    def set_data(self, run, xs, ys, *, panel: str | None = None):
        """Set the ``"custom"`` series of ``run`` on ``panel`` (the first panel if None) to
        (xs, ys) (accuracy in %, as drawn) and redraw; returns the line."""
        panel = next(iter(self.axes)) if panel is None else panel
        line = self._line(run, panel, "custom")
        line.set_data(np.asarray(list(xs), dtype=float), np.asarray(list(ys), dtype=float))
        self._rescale()
        return line

    def epoch_callback(self, run=None):
        """A callback for :func:`nnlib.training.fit` that redraws ``run`` after an epoch (at most
        every ``min_interval`` seconds) and after the last one."""
        return _EpochEnd(self, self.runs[0] if run is None else run)

    def _rescale(self):
        """Fit the axes to the data drawn so far (finite values; positive ones on a log axis)."""
        for panel, ax in self.axes.items():
            lines = [line for (_, p, _), line in self.lines.items() if p == panel]
            xs = np.concatenate([np.asarray(line.get_xdata(), float) for line in lines])
            ys = np.concatenate([np.asarray(line.get_ydata(), float) for line in lines])
            ys = ys[np.isfinite(ys) & ((ys > 0) if self._log[panel] else True)]
            if ys.size and not self._fixed_ylim[panel]:
                lo, hi = float(ys.min()), float(ys.max())
                if self._log[panel]:
                    ax.set_ylim(lo / 1.3, hi * 1.3)
                else:
                    pad = 0.05 * (hi - lo) or 0.05 * abs(hi) or 1.0
                    ax.set_ylim(lo - pad, hi + pad)
            xs = xs[np.isfinite(xs)]
            xmax = max(1.0, float(xs.max()) if xs.size else 0.0)
            if ax.get_xlim()[1] < xmax:
                ax.set_xlim(0, xmax)
        push_draw(self.fig, reuse_layout=True)


def loglog_fit(x, y, fit_slope, fit_intercept, *, ax=None, label="measured", fit_label=None):
    """Points (x, y) on log-log axes with the line y = e^b x^s of a fitted slope s; returns
    the (points, line) artists."""
    ax = axes_or_new(ax, figsize=(5.5, 3.5))
    x = np.asarray(x, dtype=float)
    (pts,) = ax.loglog(x, y, "o", label=label)
    (line,) = ax.loglog(x, np.exp(fit_intercept) * x**fit_slope, "-",
                        label=fit_label or f"fit: slope {fit_slope:.2f}")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return pts, line
