"""The k lab: how many labels per class does the new task need, with and without transfer?

``lab = transfer_lab(pretrained, x, y, x_test, y_test, runs=curve_runs); lab`` shows the
measured accuracy-against-k curves of the three ways to train (from scratch, frozen features,
fine-tuned), computed once in the notebook (``curve_runs = {k: few_label_runs(..., k=k)}``),
and a slider that walks through those k: moving it only redraws the bars and the marker from the
runs already made, so it answers at once. **New draw** trains the three networks again at the
slider's k on another random draw of k labelled images per class
(:func:`nnlib.torchkit.transfer.few_label_runs`, a second or two on a CPU; the read-out says
so as soon as it starts), to show how much one draw of few labels decides.
"""

from __future__ import annotations

import ipywidgets as w

from .._checks import check_positive_int
from ..plotting.transfer import TransferPlot
from ..torchkit import transfer
from ..torchkit.device import own_random_state
from ._figure import figure_view
from ._start import StartMixin


class TransferLab(StartMixin, w.VBox):
    """Container of the k lab; ``controls`` (k), ``draw_button``, ``readout``, ``view``,
    ``plot``, ``runs`` (``{k: {mode: FewLabelRun}}``: the notebook's runs, draw 0) and
    ``shown`` (the ``{mode: FewLabelRun}`` on screen)."""

    def __init__(self, pretrained, x, y, x_test, y_test, *, runs, k, epochs, figsize):
        self.pretrained, self.data, self.epochs = pretrained, (x, y, x_test, y_test), epochs
        self.runs = runs
        self.draws = 0  # new draws made so far; draw d uses seed d (draw 0: the notebook's)
        ks = sorted(runs)
        curves = {m: [runs[kk][m].final_accuracy for kk in ks] for m in transfer.MODES}
        self.controls = {"k": w.SelectionSlider(options=ks, value=k, description="labels/class",
                                                continuous_update=False,
                                                style={"description_width": "90px"})}
        self.draw_button = w.Button(description="New draw", icon="refresh",
                                    tooltip="train the three networks on another random draw "
                                            "of k labelled images per class")
        self.view = figure_view(1, 2, figsize=figsize, width_ratios=[1.6, 1],
                                layout="constrained", static_layout=True)
        self.plot = TransferPlot(axes=self.view.axes, ks=ks, curves=curves, modes=transfer.MODES)
        self.view.animate(*self.plot.changing)
        self.readout = w.HTML()
        self.controls["k"].observe(self._show_measured, names="value")
        self.draw_button.on_click(self._new_draw)
        super().__init__([w.HBox([self.controls["k"], self.draw_button]), self.readout,
                          self.view.widget])
        self._show_measured()
        self._remember_start()

    def _show(self, k: int, shown: dict, what: str) -> None:
        self.shown = shown
        acc = {m: r.final_accuracy for m, r in shown.items()}
        self.plot.update(k, acc)
        best = max(acc, key=acc.get)
        self.readout.value = (f"k = {k} labels per class ({5 * k} images), {what}: " + ", ".join(
            f"{m} <b>{100 * a:.1f} %</b>" for m, a in acc.items()) + f"; best: <b>{best}</b>")
        self.view.refresh()

    def _show_measured(self, _change=None):
        k = self.controls["k"].value
        self._show(k, self.runs[k], "the notebook's draw")

    def _new_draw(self, _button=None):
        k = self.controls["k"].value
        self.draws += 1
        self.draw_button.disabled = True
        self.readout.value = (f"training three networks on draw {self.draws}: {k} other "
                              f"labelled images per class ...")
        try:
            with own_random_state():  # the runs seed torch: that stays inside the lab
                shown = transfer.few_label_runs(self.pretrained, *self.data, k=k,
                                                seed=self.draws, epochs=self.epochs,
                                                eval_every=self.epochs)
        finally:
            self.draw_button.disabled = False
        self._show(k, shown, f"new draw {self.draws}")


def transfer_lab(pretrained, x, y, x_test, y_test, *, runs, k: int = 10, epochs: int = 30,
                 figsize=(9.5, 3.2)) -> TransferLab:
    """Build the k lab.

    pretrained: the network trained on digits 0-4 (:func:`nnlib.torchkit.transfer.pretrain`);
    x, y: the target task's training images ``(N, 1, 28, 28)`` and labels 0..4 (k per class are
    drawn from them for a new draw); x_test, y_test: where accuracy is measured. runs: the
    notebook's measured runs, ``{k: few_label_runs(..., k=k)}`` (every mode at every k); the
    slider walks through their k. k: where it starts (one of them). epochs: training passes of a
    new draw (use the runs' own).
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs must be a non-empty dict {k: {mode: FewLabelRun}} (e.g. "
                        f"{{k: transfer.few_label_runs(..., k=k) for k in ks}}); got "
                        f"{type(runs).__name__} {runs!r:.60}")
    for kk, modes in runs.items():
        check_positive_int("a key of runs (k, labels per class)", kk)
        missing = [m for m in transfer.MODES if m not in getattr(modes, "keys", lambda: ())()]
        if missing:
            raise ValueError(f"runs[{kk}] must hold a run for every mode {transfer.MODES}; "
                             f"missing {missing}")
    epochs = check_positive_int("epochs", epochs)
    if k not in runs:
        raise ValueError(f"k must be one of the runs' k {sorted(runs)}; got {k!r}")
    if len(x) != len(y) or len(x_test) != len(y_test) or len(x) == 0 or len(x_test) == 0:
        raise ValueError("x/y and x_test/y_test must be non-empty pairs of equal length; got "
                         f"{len(x)}/{len(y)} and {len(x_test)}/{len(y_test)}")
    return TransferLab(pretrained, x, y, x_test, y_test, runs=runs, k=k, epochs=epochs,
                       figsize=figsize)
