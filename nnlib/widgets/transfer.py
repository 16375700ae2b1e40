"""The k lab: how many labels per class does the new task need, with and without transfer?

``lab = transfer_lab(pretrained, x, y, x_test, y_test, ks=ks, curves=curves); lab`` shows the
measured accuracy-against-k curves of the three ways to train (from scratch, frozen features,
fine-tuned) and a slider for k (1-100 labels per class). Moving it trains the three networks on
k freshly drawn labels per class (:func:`nnlib.torchkit.transfer.few_label_runs`, a second or
two on a CPU) and updates the bars and the marker in place.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ..plotting.transfer import TransferPlot
from ..torchkit import transfer
from ..torchkit.device import own_random_state
from ._figure import figure_view
from ._start import StartMixin


class TransferLab(StartMixin, w.VBox):
    """Container of the k lab; ``controls`` (k), ``readout``, ``view``, ``plot`` and ``runs``
    (the latest ``{mode: FewLabelRun}``)."""

    def __init__(self, pretrained, x, y, x_test, y_test, *, k, ks, curves, epochs, seed,
                 figsize):
        self.pretrained, self.data = pretrained, (x, y, x_test, y_test)
        self.epochs, self.seed = epochs, seed
        self.runs = {}
        self.controls = {"k": w.IntSlider(value=k, min=1, max=100, description="labels/class",
                                          continuous_update=False,
                                          style={"description_width": "90px"})}
        self.view = figure_view(1, 2, figsize=figsize, width_ratios=[1.6, 1],
                                layout="constrained")
        self.plot = TransferPlot(axes=self.view.axes, ks=ks, curves=curves, modes=transfer.MODES)
        self.readout = w.HTML()
        self.controls["k"].observe(self._train, names="value")
        super().__init__([w.HBox([self.controls["k"], self.readout]), self.view.widget])
        self._train()
        self._remember_start()

    def _train(self, _change=None):
        k = int(self.controls["k"].value)
        self.readout.value = f"training three networks on {k} labels per class ..."
        with own_random_state():  # the runs seed torch: that stays inside the lab
            self.runs = transfer.few_label_runs(self.pretrained, *self.data, k=k, seed=self.seed,
                                                epochs=self.epochs, eval_every=self.epochs)
        acc = {m: r.final_accuracy for m, r in self.runs.items()}
        self.plot.update(k, acc)
        best = max(acc, key=acc.get)
        self.readout.value = (f"k = {k} labels per class ({5 * k} images): " + ", ".join(
            f"{m} <b>{100 * a:.1f} %</b>" for m, a in acc.items()) + f"; best: <b>{best}</b>")
        self.view.refresh()


def transfer_lab(pretrained, x, y, x_test, y_test, *, k: int = 10, ks=(), curves=None,
                 epochs: int = 30, seed: int = 0, figsize=(9.5, 3.2)) -> TransferLab:
    """Build the k lab.

    pretrained: the network trained on digits 0-4 (:func:`nnlib.torchkit.transfer.pretrain`);
    x, y: the target task's training images ``(N, 1, 28, 28)`` and labels 0..4 (k per class are
    drawn from them); x_test, y_test: where accuracy is measured. ks, curves: the measured
    curves to draw behind the slider (``{mode: accuracies (len(ks),)}``). epochs: training
    passes per run; seed: which k images are drawn (and the new weights).
    """
    if not 1 <= int(k) <= 100:
        raise ValueError(f"k must be in 1..100; got {k!r}")
    if len(x) != len(y) or len(x_test) != len(y_test) or len(x) == 0 or len(x_test) == 0:
        raise ValueError("x/y and x_test/y_test must be non-empty pairs of equal length; got "
                         f"{len(x)}/{len(y)} and {len(x_test)}/{len(y_test)}")
    curves = {m: np.asarray(v, dtype=float) for m, v in (curves or {}).items()}
    for m, v in curves.items():
        if m not in transfer.MODES or v.shape != (len(ks),):
            raise ValueError(f"curves must map modes {transfer.MODES} to one accuracy per k "
                             f"({len(ks)}); got {m!r} with shape {v.shape}")
    return TransferLab(pretrained, x, y, x_test, y_test, k=int(k), ks=tuple(ks), curves=curves,
                       epochs=epochs, seed=seed, figsize=figsize)
