"""The ε lab: move a slider and watch a trained network change its mind about a digit.

``lab = adversarial_lab(model, images, labels); lab`` shows a test digit, the perturbation
x' - x of the fast gradient sign method (:mod:`nnlib.torchkit.attacks`), the attacked digit,
and the class probabilities before and after, with the prediction and its confidence. ε is in
pixel units on [0, 1] images (the model must take such images, e.g. a ``PixelModel``).

For one-step FGSM the gradient sign does not depend on ε, so it is computed once per digit;
moving the ε slider then costs one forward pass and an in-place update of the artists.
"""

from __future__ import annotations

from contextlib import contextmanager

import ipywidgets as w
import numpy as np

from ..plotting.failures import AdversarialPlot
from ..torchkit import attacks
from ._figure import figure_view
from ._start import StartMixin

MAX_EPS = 0.3


class AdversarialLab(StartMixin, w.VBox):
    """Container of the ε lab; ``controls`` (epsilon, digit, method), ``readout``, ``view``,
    ``plot`` (the artists) and ``state`` (the last prediction, confidence and attacked image)."""

    def __init__(self, model, x, y, *, eps: float, index: int, method: str, figsize):
        self.model, self.x, self.y = model, x, y  # evaluated in eval mode, its own mode kept
        self._sign = None
        self.state = {}
        style = {"description_width": "60px"}
        self.controls = {
            "epsilon": w.FloatSlider(value=eps, min=0.0, max=MAX_EPS, step=0.01,
                                     description="ε", readout_format=".2f", style=style,
                                     continuous_update=False),
            "digit": w.IntSlider(value=index, min=0, max=len(y) - 1, description="test digit",
                                 continuous_update=False, style=style),
            "method": w.Dropdown(options=[("FGSM (one step)", "fgsm"),
                                          ("iterated FGSM (10 steps)", "iterated")],
                                 value=method, description="attack", style=style),
        }
        self.view = figure_view(1, 4, figsize=figsize, width_ratios=[1, 1, 1, 1.6],
                                layout="constrained", static_layout=True)
        self.plot = AdversarialPlot(axes=self.view.axes, max_eps=MAX_EPS)
        self.view.animate(*self.plot.changing)
        self.readout = w.HTML()
        self.controls["digit"].observe(self._new_digit, names="value")
        self.controls["epsilon"].observe(self._draw, names="value")
        self.controls["method"].observe(self._draw, names="value")
        super().__init__([w.HBox([w.VBox(list(self.controls.values())), self.readout]),
                          self.view.widget])
        self._new_digit()
        fig = self.view.fig
        fig.get_layout_engine().execute(fig)  # lay out once (titles set), then keep it:
        fig.set_layout_engine("none")         # a redraw need not solve the layout again
        self._remember_start()

    @contextmanager
    def _evaluating(self):
        """The model in eval mode for the block, then back in the mode the caller left it."""
        was_training = self.model.training
        self.model.eval()
        try:
            yield
        finally:
            self.model.train(was_training)

    def _batch(self):
        i = self.controls["digit"].value
        return self.x[i:i + 1], self.y[i:i + 1]

    def _new_digit(self, _change=None):
        xb, yb = self._batch()
        self._sign = attacks.input_gradient(self.model, xb, yb).sign()
        with self._evaluating():
            self._p_clean = attacks.probabilities(self.model, xb)[0]
        self._draw()

    def attacked(self):
        """The attacked digit ``(1, 1, H, W)`` at the current controls."""
        xb, yb = self._batch()
        eps = float(self.controls["epsilon"].value)
        if self.controls["method"].value == "iterated":
            return attacks.iterated_fgsm(self.model, xb, yb, eps, steps=10)
        return attacks.sign_step(xb, self._sign, eps)

    def _draw(self, _change=None):
        xb, yb = self._batch()
        adv = self.attacked()
        with self._evaluating():
            p_adv = attacks.probabilities(self.model, adv)[0]
        label, eps = int(yb[0]), float(self.controls["epsilon"].value)
        self.plot.update(xb[0, 0].cpu().numpy(), adv[0, 0].cpu().numpy(), self._p_clean, p_adv,
                         label=label, eps=eps)
        pred, pc = int(np.argmax(p_adv)), int(np.argmax(self._p_clean))
        change = float((adv - xb).abs().max())
        self.state = {"prediction": pred, "confidence": float(p_adv[pred]),
                      "clean_prediction": pc, "clean_confidence": float(self._p_clean[pc]),
                      "max_change": change, "attacked": adv}
        colour = "#080" if pred == label else "#b00"
        self.readout.value = (
            f"true digit <b>{label}</b>; before: <b>{pc}</b> ({100 * self._p_clean[pc]:.1f} %)"
            f"<br>after ε = {eps:.2f}: <b style='color:{colour}'>{pred}</b> "
            f"({100 * p_adv[pred]:.1f} %)<br>largest pixel change {change:.3f}, "
            f"L2 size {float((adv - xb).norm()):.2f}")
        self.view.refresh()


def adversarial_lab(model, images, labels, *, eps: float = 0.1, index: int = 0,
                    method: str = "fgsm", figsize=(10.5, 2.9)) -> AdversarialLab:
    """Build the ε lab for ``model`` (takes ``(N, 1, 28, 28)`` images in [0, 1]).

    images: tensor ``(N, 1, 28, 28)`` in [0, 1] (see :func:`nnlib.torchkit.attacks.to_pixels`);
    labels: int tensor ``(N,)``. eps: starting ε in [0, 0.3]; index: the first digit shown;
    method: ``"fgsm"`` or ``"iterated"``.
    """
    attacks.check_images(images, labels)
    if len(images) == 0:
        raise ValueError("images must hold at least one image; got 0")
    if not 0.0 <= float(eps) <= MAX_EPS:
        raise ValueError(f"eps must be in [0, {MAX_EPS}]; got {eps!r}")
    if not 0 <= int(index) < len(labels):
        raise ValueError(f"index must be in 0..{len(labels) - 1}; got {index!r}")
    if method not in attacks.ATTACKS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(attacks.ATTACKS)}")
    return AdversarialLab(model, images, labels, eps=float(eps), index=int(index), method=method,
                          figsize=figsize)
