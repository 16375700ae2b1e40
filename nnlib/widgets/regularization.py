"""The regularisation lab: a small training set, and the three remedies switched on and off.

``lab = regularization_lab(); lab`` offers the training-set size, the L1 and L2 strengths, the
dropout rate, augmentation on/off and the number of epochs. Building it trains nothing; **Train**
runs :func:`nnlib.lessons.regularization.train_regularized` (an MLP with 300 hidden ReLUs, plain
SGD) while a progress bar moves and the training (solid) and test (dashed) curves grow. Earlier
runs stay on the plot, faded, and in a table, so settings can be compared.
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np

from ..lessons import regularization as lesson
from ..plotting.regularization import RunCurves
from ._figure import figure_view
from ._presets import ScenarioMixin, scenario_menu
from ._runs import run_failed, run_started, throttled
from ._start import StartMixin

_STYLE = {"description_width": "110px"}
L1_VALUES = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3)
L2_VALUES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
#: Named scenarios for lectures (the "scenario" menu): a choice sets the controls (unnamed ones
#: back to off / 30 epochs) and trains nothing; **Train** then runs it. ``train_images`` falls
#: back to the largest size the lab offers below it.
PRESETS: dict[str, dict] = {
    "1 000 images, no remedy": dict(train_images=1000),
    "1 000 images + L2 (λ = 1e-3)": dict(train_images=1000, l2=1e-3),
    "1 000 images + L1 (λ = 1e-4)": dict(train_images=1000, l1=1e-4),
    "1 000 images + dropout 0.5": dict(train_images=1000, dropout=0.5),
    "1 000 images + augmentation": dict(train_images=1000, augment=True),
    "5 000 images, no remedy": dict(train_images=5000),
    "1 000 images, all three remedies": dict(train_images=1000, l2=1e-3, dropout=0.5,
                                             augment=True),
}
_OFF = {"l1": 0.0, "l2": 0.0, "dropout": 0.0, "augment": False, "epochs": 30}


def _strengths(values):
    return [("off" if v == 0 else f"{v:g}", v) for v in values]


class RegularizationLab(StartMixin, ScenarioMixin, w.VBox):
    """Container of the lab; exposes ``controls``, ``train_button``, ``progress``, ``readout``,
    ``table``, ``view``, ``curves`` (:class:`~nnlib.plotting.regularization.RunCurves`) and
    ``runs`` (the finished :class:`~nnlib.lessons.regularization.RegularizedRun` s). The
    ``scenario`` menu (or ``choose(name)``) sets the controls to one of :data:`PRESETS`."""

    presets = PRESETS

    def __init__(self, data, *, sizes, n_test, seed, figsize):
        X, y, X_test, y_test = data
        self._data = (X, y, X_test[:n_test], y_test[:n_test])
        self.seed = seed
        self.runs: list = []
        sizes = sorted({int(s) for s in sizes if 0 < int(s) <= len(X)})
        default = 1000 if 1000 in sizes else sizes[0]
        self.controls = {
            "train_images": w.Dropdown(options=sizes, value=default,
                                       description="training images", style=_STYLE),
            "l1": w.SelectionSlider(options=_strengths(L1_VALUES), value=0.0,
                                    description="L1 strength λ", style=_STYLE,
                                    continuous_update=False),
            "l2": w.SelectionSlider(options=_strengths(L2_VALUES), value=0.0,
                                    description="L2 strength λ", style=_STYLE,
                                    continuous_update=False),
            "dropout": w.FloatSlider(value=0.0, min=0.0, max=0.7, step=0.1,
                                     description="dropout rate", style=_STYLE,
                                     continuous_update=False),
            "augment": w.Checkbox(value=False, description="augment (shift ±2, rotate ±10°)",
                                  indent=False),
            "epochs": w.IntSlider(value=30, min=5, max=40, step=5, description="epochs",
                                  continuous_update=False, style=_STYLE),
        }
        self.train_button = w.Button(description="Train", button_style="primary", icon="play")
        self.train_button.on_click(self._train)
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="progress",
                                        style=_STYLE)
        self.readout = w.HTML("Choose the settings and press <b>Train</b>; earlier runs stay "
                              "for comparison.")
        self.table = w.HTML()
        self.view = figure_view(1, 2, figsize=figsize, layout="constrained")
        self.curves = RunCurves(axes=self.view.axes, epochs=self.controls["epochs"].value)
        c = self.controls
        # three columns sharing the page's width, labels in em (they follow the font), Train
        # beside its progress bar: the controls and the plots fit a 1280x720 projector together
        for ctrl in c.values():
            ctrl.layout.width = "100%"
            if not isinstance(ctrl, w.Checkbox):
                ctrl.style.description_width = "8em"
        self.progress.layout.width = "18em"
        grid = w.GridBox([c[n] for n in ("train_images", "epochs", "dropout", "l1", "l2",
                                         "augment")],
                         layout=w.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))"))
        for ctrl in c.values():
            ctrl.observe(lambda _change: self._control_moved(), names="value")
        c["scenario"] = scenario_menu(PRESETS)
        self._watch_scenarios()
        super().__init__([c["scenario"], grid, w.HBox([self.train_button, self.progress]),
                          self.readout, self.view.widget, self.table])
        self._remember_start()

    def _set_preset(self, name: str):
        settings = {**_OFF, **PRESETS[name]}
        sizes = self.controls["train_images"].options
        want = settings.pop("train_images")
        below = [s for s in sizes if s <= want]
        self.controls["train_images"].value = max(below) if below else min(sizes)
        for key, value in settings.items():
            self.controls[key].value = value
        self.readout.value = (f"scenario <b>{html.escape(name)}</b>: press <b>Train</b> "
                              f"(earlier runs stay for comparison)")

    def config(self) -> dict:
        """The settings currently chosen."""
        return {name: ctrl.value for name, ctrl in self.controls.items() if name != "scenario"}

    def _train(self, _button=None):
        cfg = self.config()
        n = cfg["train_images"]
        X, y, X_test, y_test = self._data
        epochs = cfg["epochs"]
        label = lesson.run_label(n, l1=cfg["l1"], l2=cfg["l2"], dropout=cfg["dropout"],
                                 augment=cfg["augment"])
        run_started(self.readout, self.progress, self.train_button,
                    f"training {html.escape(label)}: starting {epochs} epochs ...")
        self.curves.set_epochs(epochs)
        self.curves.start(label)

        redraw = throttled(self.view.refresh)  # the curves grow while it trains

        def on_epoch(run):
            self.progress.value = run.epoch[-1] / epochs
            self.readout.value = (f"training {label}: epoch {run.epoch[-1]}/{epochs}, "
                                  f"training accuracy {100 * run.train_accuracy[-1]:.1f} %, "
                                  f"test accuracy {100 * run.val_accuracy[-1]:.1f} %")
            self.curves.update(run)
            redraw()

        try:
            run = lesson.train_regularized(X[:n], y[:n], X_test, y_test, l1=cfg["l1"],
                                           l2=cfg["l2"], dropout=cfg["dropout"],
                                           augment=cfg["augment"], epochs=epochs,
                                           seed=self.seed, on_epoch=on_epoch)
        except Exception as e:  # show the problem in the lab instead of a lost traceback
            run_failed(self.readout, self.progress, e)
            return
        finally:
            self.train_button.disabled = False
        self.runs.append(run)
        self.view.refresh()  # the last epoch, whether or not the curves' limits drew it
        self.progress.value = 1.0
        self.progress.bar_style = "success"
        gap = 100 * (run.train_accuracy[-1] - run.val_accuracy[-1])
        self.readout.value = (f"run {len(self.runs)} ({html.escape(label)}): test accuracy "
                              f"<b>{100 * run.val_accuracy[-1]:.2f} %</b>, training "
                              f"{100 * run.train_accuracy[-1]:.1f} % (gap {gap:.1f} points), "
                              f"{run.seconds:.1f} s")
        self._show_table()

    def _show_table(self):
        best = int(np.argmax([r.val_accuracy[-1] for r in self.runs]))
        head = ("<tr><th>#</th><th>images</th><th>L1</th><th>L2</th><th>dropout</th>"
                "<th>augment</th><th>epochs</th><th>train acc.</th><th>test acc.</th>"
                "<th>lowest test loss</th><th>seconds</th></tr>")
        rows = []
        for i, r in enumerate(self.runs, start=1):
            c = r.config
            style = " style='font-weight:bold'" if i - 1 == best else ""
            rows.append(f"<tr{style}><td>{i}</td><td>{c['n_train']:,}</td><td>{c['l1']:g}</td>"
                        f"<td>{c['l2']:g}</td><td>{c['dropout']:.1f}</td>"
                        f"<td>{'yes' if c['augment'] else 'no'}</td><td>{c['epochs']}</td>"
                        f"<td>{100 * r.train_accuracy[-1]:.1f} %</td>"
                        f"<td>{100 * r.val_accuracy[-1]:.2f} %</td>"
                        f"<td>{min(r.val_loss):.3f} (epoch "
                        f"{r.epoch[int(np.argmin(r.val_loss))]})</td>"
                        f"<td>{r.seconds:.1f}</td></tr>")
        self.table.value = f"<table>{head}{''.join(rows)}</table>"


def regularization_lab(data=None, *, sizes=(500, 1000, 2000, 5000), n_test: int = 2000,
                       seed: int = 0, figsize=(10, 3.4)) -> RegularizationLab:
    """Build the lab. ``data``: (X, y, X_test, y_test) flat MNIST vectors (default: 5 000
    training digits and the test set from :func:`nnlib.lessons.regularization.small_mnist`).
    sizes: the training-set sizes offered (prefixes of X). n_test: test digits measured after
    each epoch. seed: every run starts from the same weights and minibatch order."""
    if data is None:
        data = lesson.small_mnist(max(sizes), n_test=n_test, seed=seed)
    if not (isinstance(data, (tuple, list)) and len(data) == 4):
        raise TypeError(f"data must be a tuple (X, y, X_test, y_test); got "
                        f"{type(data).__name__}")
    return RegularizationLab(data, sizes=sizes, n_test=n_test, seed=seed, figsize=figsize)
