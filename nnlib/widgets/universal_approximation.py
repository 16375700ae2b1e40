"""Universal approximation lab: slide the number of hidden units, watch the fit and its error.

``lab = universal_approximation_lab(); lab`` in a notebook. Each change refits the one-hidden-layer
network of :mod:`nnlib.lessons.universal_approximation` (hidden units placed across the
interval, output layer by least squares: a few milliseconds) and updates the existing artists:
the fitted curve, the units' individual terms, the error-vs-units curve and its marker,
and the readout.

The returned container carries its state for tests: ``lab.controls`` (name -> widget),
``lab.readout`` (an HTML widget), ``lab.view`` (the figure view), ``lab.lines`` (the artists),
``lab.fit`` (the last :class:`~nnlib.lessons.universal_approximation.ShallowFit`) and
``lab.error`` (its error).
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from .._checks import check_choice, check_positive_int
from ..lessons.universal_approximation import (
    APPROX_ACTIVATIONS,
    TARGETS,
    approximation_error,
    error_curve,
    fit_shallow,
    target_function,
)
from ..plotting._grid import tight_once
from ..plotting.basics import plot_error_curve, plot_fit, set_unit_lines
from ._figure import figure_view
from ._start import StartMixin

CURVE_UNITS = (1, 2, 4, 8, 16, 32, 64, 128)
# the error panel's y range: every activation and target of the lesson, N = 1 ... 128, has its
# errors between 1.2e-4 (sigmoid, bump) and 1.3 (relu, sine)
ERROR_RANGE = (5e-5, 3.0)


class UniversalApproximationLab(StartMixin, w.VBox):
    """Controls (units, activation, target) + two panels (fit, error curve) + readout."""

    def __init__(self, *, target: str = "wave", activation: str = "sigmoid", units: int = 8,
                 max_units: int = 128):
        check_choice("target", target, TARGETS)
        check_choice("activation", activation, APPROX_ACTIVATIONS)
        max_units = check_positive_int("max_units", max_units, minimum=2)
        units = check_positive_int("units", units)
        if units > max_units:
            raise ValueError(f"units must be <= max_units ({max_units}); got {units}")
        style = {"description_width": "80px"}
        self.controls = {
            "units": w.IntSlider(value=units, min=1, max=max_units, description="hidden units",
                                 style=style, layout=w.Layout(width="420px"),
                                 continuous_update=False),
            "activation": w.Dropdown(options=list(APPROX_ACTIVATIONS), value=activation,
                                     description="activation φ", style=style),
            "target": w.Dropdown(options=list(TARGETS), value=target, description="target f",
                                 style=style),
        }
        self.readout = w.HTML()
        self.view = figure_view(1, 2, figsize=(9.5, 3.4),
                                gridspec_kw={"width_ratios": [1.6, 1]})
        self.x = np.linspace(-1, 1, 501)
        ax_fit, ax_err = self.view.axes
        f = target_function(target)
        self.lines = plot_fit(self.x, f(self.x), np.zeros_like(self.x), ax=ax_fit)
        curve_units = [n for n in CURVE_UNITS if n <= max_units]
        self.curve_units = np.array(curve_units)
        self.lines["curve"], self.lines["marker"] = plot_error_curve(
            self.curve_units, np.ones(len(curve_units)), ax=ax_err)
        ax_fit.set_ylim(-1.6, 1.6)
        ax_fit.title.set_fontsize(10)
        ax_err.title.set_fontsize(10)
        self.fit = None
        self.error = None
        self._curve_key = None
        self._curves = {}  # (φ, f) -> the error curve, measured once
        self.controls["units"].observe(self._on_change, names="value")
        self.controls["activation"].observe(self._on_change, names="value")
        self.controls["target"].observe(self._on_change, names="value")
        super().__init__([w.HBox([self.controls["units"], self.controls["activation"],
                                  self.controls["target"]]),
                          self.view.widget, self.readout])
        self.update(refresh=False)
        tight_once(self.view.fig)  # now that the titles exist
        # what the controls change; the axes, ticks and legend stay put
        self.view.animate(self.lines["target"], self.lines["fit"], self.lines["units"],
                          self.lines["curve"], self.lines["marker"], ax_fit.title, ax_err.title)
        self.view.refresh()
        self._remember_start()

    def _on_change(self, _change):
        self.update()

    def update(self, *, refresh: bool = True):
        """Refit for the current controls and redraw the existing artists."""
        n = self.controls["units"].value
        activation = self.controls["activation"].value
        name = self.controls["target"].value
        f = target_function(name)
        self.fit = fit_shallow(f, n, activation=activation)
        self.error = approximation_error(self.fit, f)
        y = f(self.x)
        self.lines["target"].set_ydata(y)
        self.lines["fit"].set_ydata(self.fit(self.x))
        set_unit_lines(self.lines["units"], self.x, self.fit.contributions(self.x))
        if self._curve_key != (activation, name):  # the curve depends on φ and f, not on N
            if (activation, name) not in self._curves:
                self._curves[activation, name] = error_curve(f, self.curve_units,
                                                             activation=activation)
            errors = self._curves[activation, name]
            self.lines["curve"].set_data(self.curve_units, errors)
            ax = self.lines["curve"].axes
            # one scale for every φ and f, so curves can be compared by eye; widened only for
            # a curve outside it (then the whole figure is drawn again)
            low, high = ax.get_ylim()
            need = (min(ERROR_RANGE[0], errors.min() / 2), max(ERROR_RANGE[1], errors.max() * 2))
            if (low, high) != need:
                ax.set_ylim(*need)
            ax.title.set_text(f"error vs units ({activation})")
            self._curve_key = (activation, name)
        self.lines["marker"].set_data([n], [self.error])
        # the title's text only (set_title would touch the other titles and force a full draw)
        self.lines["fit"].axes.title.set_text(f"N = {n} hidden units, φ = {activation}")
        self.readout.value = (
            f"<span class='ua-readout'>N = <b>{n}</b> units: max |Φ(x) − f(x)| on [−1, 1] = "
            f"<b class='ua-error'>{self.error:.4f}</b></span>")
        if refresh:
            self.view.refresh()


def universal_approximation_lab(*, target: str = "wave", activation: str = "sigmoid",
                            units: int = 8, max_units: int = 128) -> UniversalApproximationLab:
    """Build the lab (a VBox): a units slider, activation and target menus, live plots."""
    return UniversalApproximationLab(target=target, activation=activation, units=units,
                                     max_units=max_units)
