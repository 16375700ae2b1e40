"""The explaining-away lab of notebook 08: set the priors and the failure table of the car's
belief net and watch exact posteriors change. ``lab = explaining_away_lab(); lab`` in a notebook;
the returned :class:`ExplainingAwayLab` carries ``controls``, ``result``, ``plot`` and ``readout``
for tests."""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ..lessons.explaining_away import CarModel, explaining_away
from ..plotting.explaining_away import ExplainingAwayPlot
from ._figure import figure_view
from ._start import StartMixin

_TABLE = {"fail_none": (0, 0), "fail_pump": (0, 1), "fail_battery": (1, 0), "fail_both": (1, 1)}
_LABELS = {"p_battery": "P(Y) battery", "p_pump": "P(Z) pump",
           "fail_none": "P(X | ¬Y,¬Z)", "fail_pump": "P(X | ¬Y, Z)",
           "fail_battery": "P(X | Y, ¬Z)", "fail_both": "P(X | Y, Z)"}


class ExplainingAwayLab(StartMixin, w.VBox):
    """Controls (two priors, four failure probabilities) -> exact enumeration -> plot;
    ``update()`` recomputes and redraws the existing artists."""

    def __init__(self, model: CarModel | None = None):
        model = CarModel() if model is None else model
        start = {"p_battery": model.p_battery, "p_pump": model.p_pump}
        start.update({k: model.p_fail[y][z] for k, (y, z) in _TABLE.items()})
        style = {"description_width": "110px"}
        self.controls = {k: w.FloatSlider(value=v, min=0.0, max=1.0, step=0.01,
                                          readout_format=".2f", description=_LABELS[k],
                                          continuous_update=False,
                                          style=style)
                         for k, v in start.items()}
        self.readout = w.HTML()
        self.view = figure_view(1, 2, figsize=(9, 3.0), width_ratios=(1.6, 1),
                                constrained_layout=True, static_layout=True)
        self.plot = ExplainingAwayPlot(axes=self.view.axes)
        self.view.animate(*self.plot.changing)
        self.result = None
        c = self.controls
        super().__init__([w.HBox([w.VBox([c["p_battery"], c["p_pump"]]),
                                  w.VBox([c["fail_none"], c["fail_pump"]]),
                                  w.VBox([c["fail_battery"], c["fail_both"]])]),
                          self.view.widget, self.readout])
        for ctl in self.controls.values():
            ctl.observe(lambda _change: self.update(), names="value")
        self.update()
        self._remember_start()

    def model(self) -> CarModel:
        """The belief net the controls describe now."""
        c = {k: v.value for k, v in self.controls.items()}
        table = [[0.0, 0.0], [0.0, 0.0]]
        for k, (y, z) in _TABLE.items():
            table[y][z] = c[k]
        return CarModel(p_battery=c["p_battery"], p_pump=c["p_pump"], p_fail=table)

    def update(self):
        self.result = r = explaining_away(self.model())
        self.plot.update(r)
        if not np.isfinite(r.given_fail):
            verdict = "the engine never fails with this table: nothing to explain"
        elif not np.isfinite(r.given_fail_and_pump):
            verdict = ("with this table a blocked pump and a failed engine never occur together, "
                       "so P(Y | X, Z) is undefined")
        elif r.explains_away:
            verdict = ("<b style='color:#bd1f01'>explaining away</b>: once the engine has failed, "
                       "learning that the pump is blocked makes a dead battery less likely "
                       f"({r.given_fail:.3f} → {r.given_fail_and_pump:.3f})")
        elif r.given_fail_and_pump > r.given_fail:
            verdict = ("no explaining away with this table: learning Z makes Y <i>more</i> likely "
                       f"({r.given_fail:.3f} → {r.given_fail_and_pump:.3f})")
        else:
            verdict = "Y and Z stay independent given X with this table"
        self.readout.value = f"<div style='font-size:95%'>{verdict}</div>"
        self.view.refresh()


def explaining_away_lab(model: CarModel | None = None) -> ExplainingAwayLab:
    """Build the explaining-away lab starting from ``model`` (default: the lecture's car)."""
    return ExplainingAwayLab(model)
