"""Trial and error: choose a CNN's hyper-parameters, press Train, compare with earlier tries.

``lab = cnn_trainer_lab(mnist); lab`` offers the number of filters of two conv layers, the kernel
size, the pooling, dropout, optimiser, learning rate, epochs and how many training images to use.
Building the lab trains nothing; **Train** builds the network with
:func:`nnlib.torchkit.models.cnn`, trains it with :func:`nnlib.torchkit.train.fit` while a progress
bar and the loss curve move, then adds the result to a table of all trials and to the plot of
test accuracy per trial. This is how architectures are found in practice: many tries.
"""

from __future__ import annotations

import time

import ipywidgets as w
import numpy as np

from ..plotting.training import push_draw
from ..torchkit import models, optimizers, train
from ..torchkit.data import MNISTTensors
from ..torchkit.device import own_random_state, seed_everything
from ._figure import figure_view
from ._runs import run_failed, run_started, throttled
from ._start import StartMixin

_STYLE = {"description_width": "95px"}


class CNNTrainerLab(StartMixin, w.VBox):
    """Container of the lab; exposes ``controls``, ``train_button``, ``progress``,
    ``readout``, ``table``, ``view``, ``lines`` and ``trials`` (one dict per finished run)."""

    def __init__(self, mnist: MNISTTensors, *, train_sizes, figsize, seed):
        self.mnist = mnist
        self.seed = seed
        self.trials: list[dict] = []
        n_train = len(mnist.y_train)
        sizes = sorted({min(s, n_train) for s in train_sizes} | {n_train})
        self.controls = {
            "filters1": w.Dropdown(options=[4, 8, 16, 32], value=8, description="conv1 filters",
                                   style=_STYLE),
            "filters2": w.Dropdown(options=[("none", 0)] + [(str(c), c) for c in (8, 16, 32, 64)],
                                   value=16,
                                   description="conv2 filters", style=_STYLE),
            "kernel_size": w.Dropdown(options=[3, 5, 7], value=5, description="kernel size",
                                      style=_STYLE),
            "pooling": w.Dropdown(options=list(models.POOLINGS), value="max",
                                  description="pooling", style=_STYLE),
            "dropout": w.FloatSlider(value=0.0, min=0.0, max=0.6, step=0.05,
                                     description="dropout", style=_STYLE,
                                     continuous_update=False),
            "optimizer": w.Dropdown(options=list(optimizers.OPTIMIZERS), value="adam",
                                    description="optimiser", style=_STYLE),
            "lr": w.FloatLogSlider(value=train.RECIPE_PEAK_LR["adam"], base=10, min=-4, max=0.5,
                                   step=0.25, description="peak lr", readout_format=".0e",
                                   style=_STYLE, continuous_update=False),
            "epochs": w.IntSlider(value=1, min=1, max=5, description="epochs", style=_STYLE,
                                  continuous_update=False),
            "train_images": w.Dropdown(options=sizes, value=sizes[0],
                                       description="train images", style=_STYLE),
        }
        self.controls["optimizer"].observe(self._optimizer_changed, names="value")
        self.train_button = w.Button(description="Train", button_style="primary", icon="play")
        self.train_button.on_click(self._train)
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="progress",
                                        style=_STYLE)
        self.readout = w.HTML("Choose a network and press <b>Train</b>.")
        self.table = w.HTML()
        self.view = figure_view(1, 2, figsize=figsize, layout="constrained")
        ax_loss, ax_trials = self.view.axes
        (loss_line,) = ax_loss.plot([], [], color="C0", lw=1)
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("training loss (running)")
        ax_loss.grid(alpha=0.3)
        (trial_line,) = ax_trials.plot([], [], "o", color="C1")
        (best_line,) = ax_trials.plot([], [], "*", ms=14, color="C8", label="best")
        ax_trials.set_xlabel("trial")
        ax_trials.set_ylabel("test accuracy (%)")
        ax_trials.grid(alpha=0.3)
        # before the first trial: the ranges a trial will fill, not matplotlib's ±0.05 around
        # nothing (the loss of ten guesses, ln 10 ≈ 2.3, falls towards 0.05)
        ax_loss.set_xlim(0, self.controls["epochs"].value)
        ax_loss.set_ylim(0.02, 5)
        ax_trials.set_xlim(0.5, 5.5)
        ax_trials.set_ylim(0, 100)
        self.lines = {"loss": loss_line, "trials": trial_line, "best": best_line}
        c = self.controls
        # three columns sharing the page's width, labels in em (they follow the font): the
        # controls and the plots fit a 1280x720 projector together
        for ctl in c.values():
            ctl.layout.width = "100%"
            ctl.style.description_width = "7em"
        self.progress.layout.width = "17em"
        grid = w.GridBox([c[n] for n in ("filters1", "filters2", "kernel_size", "pooling",
                                         "dropout", "optimizer", "lr", "epochs",
                                         "train_images")],
                         layout=w.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))"))
        super().__init__([grid, w.HBox([self.train_button, self.progress]), self.readout,
                          self.view.widget, self.table])
        self._remember_start()

    def _optimizer_changed(self, change):
        # the recipe's peak rate for this optimiser (torchkit.train.RECIPE_PEAK_LR)
        self.controls["lr"].value = train.RECIPE_PEAK_LR[change["new"]]

    def config(self) -> dict:
        """The hyper-parameters currently chosen."""
        return {name: c.value for name, c in self.controls.items()}

    def build_model(self, cfg: dict | None = None):
        """The network the controls describe (untrained)."""
        cfg = cfg or self.config()
        filters = (cfg["filters1"],) + ((cfg["filters2"],) if cfg["filters2"] else ())
        return models.cnn(filters, kernel_size=cfg["kernel_size"], pooling=cfg["pooling"],
                          dropout=cfg["dropout"], hidden=64)

    def _show_progress(self, history, total_epochs, start):
        if not history.step_epoch:
            return
        done = history.step_epoch[-1]
        self.progress.value = done / total_epochs
        self.readout.value = (f"training... epoch {done:.2f} of {total_epochs}, running loss "
                              f"{history.step_loss[-1]:.3f}, accuracy "
                              f"{100 * history.step_accuracy[-1]:.1f} % "
                              f"({time.perf_counter() - start:.0f} s)")
        self.lines["loss"].set_data(history.step_epoch, history.step_loss)
        ax = self.lines["loss"].axes
        ax.set_xlim(0, total_epochs)
        losses = np.asarray(history.step_loss)
        ax.set_ylim(losses.min() / 1.3, losses.max() * 1.3)
        push_draw(self.view.fig)

    def _train(self, _button=None):
        cfg = self.config()
        run_started(self.readout, self.progress, self.train_button,
                    f"trial {len(self.trials) + 1}: building the network and starting "
                    f"{cfg['epochs']} epoch(s) on {cfg['train_images']:,} images ...")
        n = cfg["train_images"]
        start = time.perf_counter()
        on_log = throttled(lambda history: self._show_progress(history, cfg["epochs"], start))

        try:  # the trial's seeding (and fit's) stays inside the lab
            data = MNISTTensors(self.mnist.x_train[:n], self.mnist.y_train[:n],
                                self.mnist.x_test, self.mnist.y_test)
            with own_random_state():
                seed_everything(self.seed)  # every trial starts from the same weights
                model = self.build_model(cfg)
                history = train.fit(model, data, epochs=cfg["epochs"], batch_size=128,
                                    lr=cfg["lr"], optimizer=cfg["optimizer"], seed=self.seed,
                                    progress=False, evaluate_every_epoch=False, log_every=10,
                                    callback=on_log)
        except Exception as e:  # show the problem in the lab instead of a lost traceback
            run_failed(self.readout, self.progress, e)
            return
        finally:
            self.train_button.disabled = False
        self._show_progress(history, cfg["epochs"], start)
        trial = dict(cfg, parameters=models.count_parameters(model),
                     test_accuracy=history.val_accuracy[-1], seconds=history.total_seconds)
        self.trials.append(trial)
        self.progress.value = 1.0
        self.progress.bar_style = "success"
        self.readout.value = (f"trial {len(self.trials)}: test accuracy "
                              f"<b>{100 * trial['test_accuracy']:.2f} %</b> with "
                              f"{trial['parameters']:,} weights, trained in "
                              f"{trial['seconds']:.1f} s")
        self._show_trials()

    def _show_trials(self):
        acc = np.array([100 * t["test_accuracy"] for t in self.trials])
        xs = np.arange(1, len(acc) + 1)
        self.lines["trials"].set_data(xs, acc)
        best = int(np.argmax(acc))
        self.lines["best"].set_data([xs[best]], [acc[best]])
        ax = self.lines["trials"].axes
        ax.set_xlim(0.5, len(acc) + 0.5)
        ax.set_ylim(max(0.0, acc.min() - 2), min(100.0, acc.max() + 1))
        ax.set_xticks(xs)
        head = ("<tr><th>#</th><th>filters</th><th>k</th><th>pool</th><th>dropout</th>"
                "<th>optimiser</th><th>lr</th><th>epochs</th><th>images</th><th>weights</th>"
                "<th>test acc.</th><th>seconds</th></tr>")
        rows = []
        for i, t in enumerate(self.trials, start=1):
            filters = f"{t['filters1']}" + (f"-{t['filters2']}" if t["filters2"] else "")
            style = " style='font-weight:bold'" if i - 1 == best else ""
            rows.append(f"<tr{style}><td>{i}</td><td>{filters}</td><td>{t['kernel_size']}</td>"
                        f"<td>{t['pooling']}</td><td>{t['dropout']:.2f}</td>"
                        f"<td>{t['optimizer']}</td><td>{t['lr']:.0e}</td><td>{t['epochs']}</td>"
                        f"<td>{t['train_images']:,}</td><td>{t['parameters']:,}</td>"
                        f"<td>{100 * t['test_accuracy']:.2f} %</td>"
                        f"<td>{t['seconds']:.1f}</td></tr>")
        self.table.value = f"<table>{head}{''.join(rows)}</table>"
        self.view.refresh()


def cnn_trainer_lab(mnist: MNISTTensors, *, train_sizes=(6000, 15000), figsize=(9, 2.8),
                    seed: int = 0) -> CNNTrainerLab:
    """Build the trial-and-error lab on ``mnist`` (tensors from
    :func:`nnlib.torchkit.data.load_mnist_tensors`). Nothing is trained until Train is pressed.

    train_sizes: the training-set sizes offered besides the full set (the smallest is chosen
    first, so a try takes seconds). seed: every trial starts from the same seed.
    """
    if not isinstance(mnist, MNISTTensors):
        raise TypeError(f"mnist must be MNISTTensors (nnlib.torchkit.data.load_mnist_tensors); "
                        f"got {type(mnist).__name__}")
    return CNNTrainerLab(mnist, train_sizes=train_sizes, figsize=figsize, seed=seed)
