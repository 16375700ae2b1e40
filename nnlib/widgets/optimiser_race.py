"""The optimiser race: several update rules on the same 2-D surface, from the same start.

``lab = optimiser_race_lab(); lab`` in a notebook. Controls (``lab.controls``): ``surface``,
``kappa`` (the quadratic's condition number), ``x0``/``y0`` (the start; a click on the contour
plot sets it too), ``lr`` (log scale, shared by every rule), ``momentum`` (heavy ball and
Nesterov), ``beta1``/``beta2`` (Adam and NAdam), ``steps``, ``tol`` and ``optimizers`` (which
rules race). A change calls :func:`nnlib.lessons.optimiser_surfaces.race`, which steps the real
:mod:`nnlib.optim` classes, and updates the artists of a
:class:`nnlib.plotting.optimisers.RacePlot`. On the quadratic the loss panel also shows the
theoretical rates of gradient descent and heavy-ball momentum at the current settings.

State for tests and the curious: ``lab.runs`` ({name: Trajectory}), ``lab.surface``,
``lab.readout`` (HTML), ``lab.plot.lines``, ``lab.timings`` (seconds for compute and draw).
"""

from __future__ import annotations

import html
import time
from contextlib import contextmanager

import ipywidgets as w
import numpy as np

from ..lessons.optimiser_surfaces import SURFACES, Quadratic, make_surface, race
from ..lessons.optimiser_theory import gd_rate, heavy_ball_rate, quadratic_theory, rate_curve
from ..optim import OPTIMIZERS
from ..plotting.optimisers import RacePlot, colour_of, dasharray_of
from ._figure import figure_view
from ._presets import ScenarioMixin, scenario_menu
from ._start import StartMixin

#: The learning rate the lab switches to when a surface is chosen: gradient descent makes
#: progress there without diverging (the student then explores from it).
SUGGESTED_LR = {"quadratic": 0.02, "rosenbrock": 0.001, "saddle": 0.05, "plateau": 0.1}
DEFAULT_RACERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "nadam")
TOLERANCES = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8)
#: Named scenarios for lectures (the "scenario" menu): the settings that differ from a fresh
#: lab's (surface start and suggested learning rate, momentum 0.9, betas (0.9, 0.999), 200
#: steps, tolerance 1e-3, the default racers). tests/widgets/test_lab_presets.py pins them.
PRESETS: dict[str, dict] = {
    "ill-conditioned quadratic (κ = 100)": dict(surface="quadratic", kappa=100.0, lr=0.015,
                                                optimizers=("sgd", "momentum")),
    "quadratic, step too large (η = 0.045 > 2/λmax)": dict(
        surface="quadratic", kappa=50.0, lr=0.045, optimizers=("sgd", "momentum")),
    "Rosenbrock valley, 1000 steps": dict(surface="rosenbrock", steps=1000),
    "saddle point": dict(surface="saddle"),
    "plateau": dict(surface="plateau"),
}


def _fmt(x: float) -> str:
    return f"{x:.3g}" if np.isfinite(x) else "—"


def theory_lines(surface, runs, *, lr, momentum, steps) -> dict:
    """Dashed theory curves for the loss panel: gap_0·ρ^{2k} for gradient descent ("gd") and
    heavy-ball momentum ("heavy_ball") on a quadratic, for those of them that race."""
    if not isinstance(surface, Quadratic):
        return {}
    lam = [surface.lam_min, surface.lam_max]
    rates = {"gd": ("sgd", gd_rate(lr, lam)),
             "heavy_ball": ("momentum", heavy_ball_rate(lr, momentum, lam))}
    out = {}
    for key, (name, rho) in rates.items():
        if name in runs:
            out[key] = rate_curve(runs[name].gaps[0], rho, steps)
    return out


def format_readout(runs, *, tol, steps, surface, lr, momentum) -> str:
    """An HTML table: steps to reach f − f* ≤ tol per optimiser, or "diverged"; theory notes."""
    rows = []
    for name, run in runs.items():
        k = run.steps_to(tol)
        if run.diverged:
            reached = "<b style='color:#c00' class='race-diverged'>diverged</b>"
            final = "—"
        else:
            reached = f"{k}" if k is not None else f"not within {steps}"
            final = _fmt(float(run.gaps[-1]))
        swatch = (f"<svg width='26' height='10' aria-hidden='true'><line x1='1' y1='5' x2='25' "
                  f"y2='5' stroke='{colour_of(name)}' stroke-width='2.5' "
                  f"stroke-dasharray='{dasharray_of(name, 2.5)}'/></svg>")
        rows.append(f"<tr><td>{swatch} {html.escape(name)}</td><td>{reached}</td>"
                    f"<td>{final}</td></tr>")
    head = (f"<tr><th>optimiser</th><th>steps to f − f* ≤ {tol:g}</th>"
            f"<th>f − f* at the end</th></tr>")
    note = ""
    if isinstance(surface, Quadratic):
        th = quadratic_theory(surface)
        lam = [th.lam_min, th.lam_max]
        note = (f"<div class='race-theory'>quadratic, κ = {_fmt(th.kappa)}: gradient descent "
                f"converges iff η &lt; 2/λ<sub>max</sub> = {_fmt(th.eta_max)}; at η = {lr:.3g} "
                f"its error shrinks by {_fmt(gd_rate(lr, lam))} per step (best fixed η = "
                f"{_fmt(th.eta_best)}: {_fmt(th.gd_best_rate)}); heavy ball at μ = "
                f"{momentum:.2f}: {_fmt(heavy_ball_rate(lr, momentum, lam))} (Polyak's η = "
                f"{_fmt(th.polyak_eta)}, μ = {_fmt(th.polyak_momentum)}: "
                f"{_fmt(th.polyak_rate)}).</div>")
    if not runs:
        return "<div class='race-readout-text'>choose at least one optimiser</div>"
    # compact rows and a smaller theory note: the table sits beside the controls
    table = (head + "".join(rows)).replace("<td>", "<td style='padding-right:0.8em'>") \
        .replace("<th>", "<th style='padding-right:0.8em;text-align:left'>")
    return (f"<div class='race-readout-text' style='line-height:1.3'><table "
            f"style='border-collapse:collapse'>{table}</table>"
            f"<div style='font-size:0.85em'>{note}</div></div>")


class OptimiserRaceLab(StartMixin, ScenarioMixin, w.VBox):
    """Controls + two-panel plot + readout; ``update()`` reruns the race and redraws in place.
    The ``scenario`` menu (or ``choose(name)``) sets every control to one of :data:`PRESETS`."""

    presets = PRESETS

    def __init__(self, *, surface: str = "quadratic", kappa: float = 50.0, start=None,
                 lr: float | None = None, momentum: float = 0.9, betas=(0.9, 0.999),
                 steps: int = 200, tol: float = 1e-3, optimizers=DEFAULT_RACERS):
        # widths in em follow the widget font, so presenter mode's larger controls keep their
        # proportions and every label fits (the widest, "κ (quadratic)", is ~6.5em)
        style = {"description_width": "7.2em"}
        lay = w.Layout(width="24em")
        slider = dict(continuous_update=False, style=style, layout=lay)
        s0 = make_surface(surface, **({"kappa": kappa} if surface == "quadratic" else {}))
        start = s0.start if start is None else start
        x0, x1, y0, y1 = s0.extent
        self.controls = {
            "surface": w.Dropdown(options=list(SURFACES), value=surface, description="surface",
                                  style=style, layout=lay),
            "kappa": w.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.05,
                                      description="κ (quadratic)", readout_format=".3g",
                                      **slider),
            "x0": w.FloatSlider(value=start[0], min=x0, max=x1, step=0.01, description="start x",
                                **slider),
            "y0": w.FloatSlider(value=start[1], min=y0, max=y1, step=0.001,
                                description="start y", readout_format=".3f", **slider),
            "lr": w.FloatLogSlider(value=lr or SUGGESTED_LR[surface], base=10, min=-4, max=1,
                                   step=0.05, description="learning rate", readout_format=".3g",
                                   **slider),
            "momentum": w.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                      description="momentum μ", **slider),
            "beta1": w.FloatSlider(value=betas[0], min=0.0, max=0.99, step=0.01,
                                   description="β1", **slider),
            "beta2": w.FloatSlider(value=betas[1], min=0.5, max=0.999, step=0.001,
                                   description="β2", readout_format=".3f", **slider),
            "steps": w.IntSlider(value=steps, min=10, max=1000, step=10, description="steps",
                                 **slider),
            "tol": w.Dropdown(options=[(f"{t:g}", t) for t in TOLERANCES], value=tol,
                              description="tolerance", style=style, layout=lay),
            "optimizers": w.SelectMultiple(options=list(OPTIMIZERS), value=tuple(optimizers),
                                           rows=4, description="optimisers",
                                           style=style, layout=lay),
        }
        for name, ctl in self.controls.items():
            ctl.add_class(f"race-{name}")
        self.readout = w.HTML()
        self.readout.add_class("race-readout")
        self.view = figure_view(1, 2, figsize=(11, 3.2))
        self.plot = RacePlot(axes=self.view.axes, legend=False)  # the readout is the legend
        self.view.animate(*self.plot.changing)
        self.runs, self.surface, self.timings = {}, s0, {}
        self._holding = False
        self.view.fig.canvas.mpl_connect("button_press_event", self._on_click)
        c = self.controls
        # the controls in three tabs beside the read-out, the plot below: on a 1280x720
        # projector the scenario menu, a tab of controls, the table and the plot fit one screen
        pages = {"step size": ("lr", "momentum", "beta1", "beta2"),
                 "surface": ("surface", "kappa", "x0", "y0"),
                 "race": ("steps", "tol", "optimizers")}
        self.tabs = w.Tab(children=[w.VBox([c[n] for n in names]) for names in pages.values()],
                          titles=list(pages), layout=w.Layout(width="28em"))
        c["surface"].observe(self._surface_changed, names="value")
        for name, ctl in c.items():
            if name != "surface":
                ctl.observe(self._on_change, names="value")
        self._defaults = {"momentum": momentum, "beta1": betas[0], "beta2": betas[1],
                          "steps": steps, "tol": tol, "optimizers": tuple(DEFAULT_RACERS),
                          "kappa": 50.0}
        c["scenario"] = scenario_menu(PRESETS)
        self._watch_scenarios()
        c["scenario"].layout.width = "28em"
        panel = w.VBox([c["scenario"], self.tabs], layout=w.Layout(flex="0 0 auto"))
        self.readout.layout = w.Layout(flex="1 1 16em", min_width="16em", margin="0 0 0 1em")
        super().__init__([w.HBox([panel, self.readout], layout=w.Layout(flex_flow="row wrap")),
                          self.view.widget])
        self.add_class("optimiser-race")
        self.update()
        self._remember_start()

    # --- events -------------------------------------------------------------------------------
    @contextmanager
    def hold(self):
        """Change several controls and run the race once, at the end."""
        held, self._holding = self._holding, True
        try:
            yield self
        finally:
            self._holding = held
        if not held:
            self.update()

    def _on_change(self, _change):
        self._control_moved()
        if not self._holding:
            self.update()

    def _set_preset(self, name: str):
        settings = {**self._defaults, **PRESETS[name]}
        c = self.controls
        with self.hold():
            if c["surface"].value == settings["surface"]:  # no event: reset start and lr here
                self._surface_changed({"new": settings["surface"]})
            else:
                c["surface"].value = settings["surface"]
            for key in ("kappa", "momentum", "beta1", "beta2", "steps", "tol", "optimizers"):
                c[key].value = settings[key]
            if "lr" in settings:
                c["lr"].value = settings["lr"]

    def _surface_changed(self, change):
        self._control_moved()
        s = make_surface(change["new"])
        x0, x1, y0, y1 = s.extent
        c = self.controls
        with self.hold():
            for key, lo, hi, v in (("x0", x0, x1, s.start[0]), ("y0", y0, y1, s.start[1])):
                # widen first so the new value and bounds are always consistent
                c[key].min, c[key].max = min(lo, c[key].min), max(hi, c[key].max)
                c[key].value = v
                c[key].min, c[key].max = lo, hi
            c["lr"].value = SUGGESTED_LR[change["new"]]

    def _on_click(self, event):
        """A click inside the contour panel moves the start there."""
        if event.inaxes is not self.plot.axes[0] or event.xdata is None:
            return
        self._control_moved()
        with self.hold():
            self.controls["x0"].value = float(event.xdata)
            self.controls["y0"].value = float(event.ydata)

    # --- maths and drawing --------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        c = self.controls
        return {n: c[n].value for n in c if n != "scenario"}

    def compute(self):
        """Rerun the race for the current settings (the maths; no drawing)."""
        t0 = time.perf_counter()
        s = self.settings
        self.controls["kappa"].disabled = s["surface"] != "quadratic"
        params = {"kappa": s["kappa"]} if s["surface"] == "quadratic" else {}
        self.surface = make_surface(s["surface"], **params)
        self.start = (s["x0"], s["y0"])
        self.runs = race(self.surface, self.start, s["steps"], s["optimizers"], lr=s["lr"],
                         momentum=s["momentum"], betas=(s["beta1"], s["beta2"]))
        self.theory = theory_lines(self.surface, self.runs, lr=s["lr"], momentum=s["momentum"],
                                   steps=s["steps"])
        self.timings["compute"] = time.perf_counter() - t0
        return self.runs

    def draw(self):
        """Update the artists and the readout from the last race and refresh the figure."""
        t0 = time.perf_counter()
        s, surf = self.settings, self.surface
        if self.plot.surface_key != surf.key():
            X, Y, Z = surf.grid()
            self.plot.set_surface(X, Y, Z, f_min=surf.f_min, minimum=surf.minimum,
                                  key=surf.key())
        self.plot.update(self.runs, start=self.start, steps=s["steps"], tol=s["tol"],
                         theory=self.theory)
        self.readout.value = format_readout(self.runs, tol=s["tol"], steps=s["steps"],
                                            surface=surf, lr=s["lr"], momentum=s["momentum"])
        self.view.refresh()
        self.timings["draw"] = time.perf_counter() - t0

    def update(self):
        self.compute()
        self.draw()


def optimiser_race_lab(**settings) -> OptimiserRaceLab:
    """Build the optimiser race and return its container.

    ``settings`` choose the starting state, e.g. ``optimiser_race_lab(surface="rosenbrock",
    optimizers=("sgd", "momentum", "adam"))``; see :class:`OptimiserRaceLab` for the names.
    """
    return OptimiserRaceLab(**settings)
