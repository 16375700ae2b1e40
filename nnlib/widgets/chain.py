"""The one-neuron-per-layer chain of notebook 04: each factor φ'(w_j y_{j-1}) w_j and their
running product, live. ``lab = chain_lab(); lab`` in a notebook; the returned
:class:`ChainLab` container carries the state for tests (``controls``, ``readout``, ``result``,
``plot.lines``)."""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np

from ..lessons.gradient_flow import LAB_ACTIVATIONS, chain
from ..plotting.gradients import ChainPlot
from ._figure import figure_view
from ._start import StartMixin


def _table(ch, rows: int = 6) -> str:
    L = ch.y.size
    js = list(range(L, max(1, L - rows), -1))
    cells = "".join(
        f"<tr><td>{j}</td><td>{ch.factors[j - 1]:.3g}</td><td>{ch.products[j - 1]:.3g}</td>"
        f"<td>{ch.delta_w[j - 1]:.3g}</td></tr>" for j in js)
    head = ("<tr><th>neuron j</th><th>f<sub>j</sub> = φ'(z<sub>j</sub>) w<sub>j</sub></th>"
            "<th>f<sub>L</sub>⋯f<sub>j</sub></th><th>Δw<sub>j</sub></th></tr>")
    return f"<table style='font-size:90%'>{head}{cells}</table>"


class ChainLab(StartMixin, w.VBox):
    """Controls (neurons, w, b, activation, x) -> :func:`~nnlib.lessons.gradient_flow.chain`
    -> plot; ``update()`` recomputes and redraws the existing artists."""

    def __init__(self, *, neurons: int = 5, weight: float = 1.0, bias: float = 0.0,
                 activation: str = "sigmoid", x: float = 1.0):
        style = {"description_width": "80px"}
        self.controls = {
            "neurons": w.IntSlider(value=neurons, min=2, max=40, description="neurons L",
                                   continuous_update=False, style=style),
            "weight": w.FloatSlider(value=weight, min=-10, max=10, step=0.1,
                                    continuous_update=False, description="every w_j", style=style),
            "bias": w.FloatSlider(value=bias, min=-10, max=10, step=0.1,
                                  continuous_update=False, description="every b_j", style=style),
            "activation": w.Dropdown(options=list(LAB_ACTIVATIONS), value=activation,
                                     description="φ", style=style),
            "x": w.FloatSlider(value=x, min=-2, max=2, step=0.05, description="input x",
                               continuous_update=False, style=style),
        }
        self.readout = w.HTML()
        self.view = figure_view(1, 1, figsize=(4.8, 3.4))
        self.plot = ChainPlot(ax=self.view.axes)
        self.view.animate(*self.plot.lines.values())  # the axes change only with the data's range
        self.result = None
        c = self.controls
        super().__init__([w.HBox([c["neurons"], c["activation"]]),
                          w.HBox([c["weight"], c["bias"], c["x"]]),
                          w.HBox([self.view.widget, self.readout])])
        for ctl in self.controls.values():
            ctl.observe(lambda _change: self.update(), names="value")
        self.update()
        self._remember_start()

    def update(self):
        c = {k: v.value for k, v in self.controls.items()}
        weights = np.full(c["neurons"] - 1, c["weight"])
        self.result = ch = chain(weights, c["x"], biases=c["bias"], activation=c["activation"])
        self.plot.update(ch)
        status = {"ok": "", "exploded": " <b style='color:#bd1f01'>exploded</b> (overflow)",
                  "vanished": " <b style='color:#3f90da'>vanished</b> (underflow to 0)"}
        self.readout.value = (
            f"<div>product of all factors f<sub>L</sub>⋯f<sub>2</sub> = "
            f"<b>{html.escape(f'{ch.products[1]:.3g}')}</b>{status[ch.status]}</div>"
            + _table(ch))
        self.view.refresh()


def chain_lab(*, neurons: int = 5, weight: float = 1.0, bias: float = 0.0,
              activation: str = "sigmoid", x: float = 1.0) -> ChainLab:
    """Build the chain lab with these starting values (every w_j = weight, every b_j = bias)."""
    return ChainLab(neurons=neurons, weight=weight, bias=bias, activation=activation, x=x)
