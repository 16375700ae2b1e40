"""The gradient lab: vary depth, width, activation and initialisation, watch the gradients.

``lab = gradient_lab(); lab`` in a notebook. Every control is named after a field of
:class:`nnlib.lessons.gradient_lab.LabConfig`; a change rebuilds the config, calls
:func:`nnlib.lessons.gradient_lab.measure` and updates the existing artists of a
:class:`nnlib.plotting.gradients.GradientLabPlot`. The switches of notebook 07 are config
fields too and are shown by default, switched off: ``batch_norm`` (a menu: off, before φ,
after φ) and ``skip`` (a checkbox); ``switches=()`` hides them. Other boolean fields can be
named in ``switches`` and appear as checkboxes.

The returned :class:`GradientLab` container carries the lab's state for tests and curious
students: ``lab.controls`` (name -> widget), ``lab.readout``, ``lab.result`` (the last
:class:`~nnlib.lessons.gradient_lab.Diagnostics`), ``lab.plot.lines`` and ``lab.timings``.
"""

from __future__ import annotations

import time

import ipywidgets as w
import numpy as np

from ..init import INITIALIZERS
from ..lessons.gradient_flow import LAB_ACTIVATIONS
from ..lessons.gradient_lab import PRESETS, LabConfig, measure, preset
from ..plotting.gradients import VERDICT_COLOURS, GradientLabPlot
from ._figure import figure_view
from ._presets import ScenarioMixin, scenario_menu
from ._start import StartMixin

WIDTHS = (8, 16, 32, 64, 128, 256)
#: the switches every lab shows unless told otherwise (notebook 07's remedies; off by default)
SWITCHES = ("batch_norm", "skip")
BATCH_NORM_OPTIONS = (("off", False), ("before φ", "before"), ("after φ", "after"))


def format_readout(diag) -> str:
    """The HTML readout: the first/last gradient ratio and the verdict."""
    colour = VERDICT_COLOURS[diag.verdict]
    L = diag.config.depth
    head = (f"<b style='color:{colour}' class='gradient-lab-verdict'>{diag.verdict}</b> "
            f"&nbsp; ")
    if diag.verdict in ("exploded", "vanished"):
        body = diag.message
    else:
        theory = diag.theory_grad_a[0] / diag.grad_a[-1] if L > 1 else 1.0
        theory = f"theory {theory:.3g}" if np.isfinite(theory) else "no theory for this setting"
        upd = diag.update_ratio
        body = (f"‖∂L/∂a<sub>1</sub>‖ / ‖∂L/∂a<sub>{L}</sub>‖ = "
                f"<span class='gradient-lab-ratio'>{diag.ratio:.3g}</span>"
                f" ({theory}); ‖∂L/∂W<sub>1</sub>‖ / ‖∂L/∂W<sub>{L}</sub>‖ = "
                f"{diag.weight_ratio:.3g}; one SGD step (lr {diag.config.lr:g}) changes W by "
                f"{upd[0]:.2g} (layer 1) and {upd[-1]:.2g} (layer {L}) of its size")
    return f"<div class='gradient-lab-readout-text'>{head}{body}</div>"


class GradientLab(StartMixin, ScenarioMixin, w.VBox):
    """Controls + plot + readout; ``update()`` recomputes and redraws in place. The
    ``scenario`` menu (or ``choose(name)``) sets all controls to one of :data:`PRESETS`."""

    presets = PRESETS

    def __init__(self, config: LabConfig | None = None, *, switches=SWITCHES):
        self.base = config or LabConfig()
        c = self.base
        style = {"description_width": "70px"}
        layout = w.Layout(width="300px")
        self.controls = {
            "depth": w.IntSlider(value=c.depth, min=1, max=100, description="depth",
                                 continuous_update=False, style=style, layout=layout),
            "width": w.Dropdown(options=sorted(set(WIDTHS) | {c.width}), value=c.width,
                                description="width", style=style, layout=layout),
            "activation": w.Dropdown(options=list(LAB_ACTIVATIONS), value=c.activation,
                                     description="activation", style=style, layout=layout),
            "init": w.Dropdown(options=list(INITIALIZERS), value=c.init, description="init",
                               style=style, layout=layout),
            "scale": w.FloatLogSlider(value=c.scale, base=10, min=-2, max=1, step=0.05,
                                      description="init scale", continuous_update=False,
                                      readout_format=".3g", style=style, layout=layout),
            "slope": w.FloatSlider(value=c.slope, min=0.0, max=0.5, step=0.01,
                                   description="slope a", continuous_update=False,
                                   style=style, layout=layout),
        }
        for name in switches:
            if name == "batch_norm":
                self.controls[name] = w.Dropdown(options=BATCH_NORM_OPTIONS, value=c.batch_norm,
                                                 description="batch norm", style=style,
                                                 layout=layout)
                continue
            if not isinstance(getattr(c, name, None), bool):
                raise ValueError(f"switches must name boolean LabConfig fields; got {name!r}")
            self.controls[name] = w.Checkbox(value=getattr(c, name), description=name,
                                             indent=False)
        for name, ctl in self.controls.items():
            ctl.add_class(f"gradient-lab-{name.replace('_', '-')}")
        self.readout = w.HTML()
        self.readout.add_class("gradient-lab-readout")
        self.view = figure_view(1, 3, figsize=(11, 3.6))
        self.plot = GradientLabPlot(axes=self.view.axes)
        self.view.animate(*self.plot.changing)
        self.result = None
        self.timings = {}
        names = list(self.controls)
        rows = [w.HBox([self.controls[n] for n in names[i:i + 3]]) for i in range(0, len(names), 3)]
        for ctl in self.controls.values():
            ctl.observe(self._on_change, names="value")
        self.controls["scenario"] = scenario_menu(PRESETS)
        self._watch_scenarios()
        super().__init__([self.controls["scenario"], *rows, self.readout, self.view.widget])
        self.add_class("gradient-lab")
        self.update()
        self._start_base = self.base
        self._remember_start()

    def reset(self):
        """The starting controls, and the starting fields without a control (a scenario may
        have changed them); returns the lab."""
        self.base = self._start_base
        super().reset()
        self.update()
        return self

    @property
    def config(self) -> LabConfig:
        return self.base.replace(**{n: c.value for n, c in self.controls.items()
                                    if n != "scenario"})

    def _on_change(self, _change):
        if self._applying:  # a scenario sets several controls: one update at the end
            return
        self._control_moved()
        self.update()

    def _set_preset(self, name: str):
        cfg = self.base = preset(name, self.base)  # fields without a control (std) too
        for field, ctl in self.controls.items():
            if field != "scenario":
                ctl.value = getattr(cfg, field)
        self.update()

    def compute(self):
        """Measure the current configuration (the maths; no drawing)."""
        t0 = time.perf_counter()
        cfg = self.config
        self.controls["slope"].disabled = cfg.activation not in ("leaky_relu", "prelu")
        self.result = measure(cfg)
        self.timings["compute"] = time.perf_counter() - t0
        return self.result

    def draw(self):
        """Update the artists and readout from ``self.result`` and refresh the figure."""
        t0 = time.perf_counter()
        self.plot.update(self.result)
        self.readout.value = format_readout(self.result)
        self.view.refresh()
        self.timings["draw"] = time.perf_counter() - t0

    def update(self):
        self.compute()
        self.draw()


def gradient_lab(config: LabConfig | None = None, *, switches=SWITCHES,
                 **fields) -> GradientLab:
    """Build the gradient lab and return its container.

    ``fields`` set the starting configuration, e.g.
    ``gradient_lab(depth=20, activation="sigmoid")`` or, with a remedy switched on,
    ``gradient_lab(depth=20, activation="sigmoid", batch_norm="after")``.
    """
    base = (config or LabConfig()).replace(**fields) if fields else config
    return GradientLab(base, switches=switches)
