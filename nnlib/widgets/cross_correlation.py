"""The cross-correlation lab: watch a mask slide over an input, one output at a time.

``lab = cross_correlation_lab(); lab`` shows the input with the current window outlined,
the mask, the output map filling in step by step, and the four (or KH·KW) products and their
sum. Controls: play, step, back, a scrub slider, and a toggle between cross-correlation and
convolution (the mask rotated by 180°). All numbers come from :mod:`nnlib.conv`; a step only
updates existing artists.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from .. import conv
from .._checks import check_choice
from ..lessons.lecture_examples import cross_correlation_example
from ..plotting import convolution as cplot
from ..plotting._grid import tight_once
from ._figure import figure_view
from ._start import StartMixin

MODES = ("cross-correlation", "convolution")


def _num(v):
    v = float(v) + 0.0  # no "-0"
    return f"({v:g})" if v < 0 else f"{v:g}"


class CrossCorrelationLab(StartMixin, w.VBox):
    """Container of the stepper lab; exposes ``controls``, ``readout``, ``view``, ``window``,
    ``output_cell``, ``output_image``, ``output_texts``, ``mask_image`` and ``state`` so tests
    can drive it and check what it shows."""

    def __init__(self, x, kernel, *, mode, interval_ms, figsize):
        self.x = np.array(x, dtype=float)  # copies: the lab never shares the caller's arrays
        self.kernel = np.array(kernel, dtype=float)
        conv.cross_correlate2d(self.x, self.kernel)  # validates both, with clear errors
        self.view = figure_view(1, 3, figsize=figsize,
                                gridspec_kw={"width_ratios": [self.x.shape[1],
                                                              self.kernel.shape[1] + 1,
                                                              self.x.shape[1]]})
        ax_in, ax_mask, ax_out = self.view.axes
        kh, kw = self.kernel.shape
        self.out_shape = (self.x.shape[0] - kh + 1, self.x.shape[1] - kw + 1)
        n_steps = self.out_shape[0] * self.out_shape[1]
        lim = 2 * max(np.abs(self.x).max(), 1.0)  # pale colours: the numbers stay legible
        self.input_image, self.input_texts = cplot.matrix_image(
            self.x, ax=ax_in, vmin=-lim, vmax=lim, title="input X")
        self.mask_image, self.mask_texts = cplot.matrix_image(
            self.kernel, ax=ax_mask, vmin=-lim, vmax=lim, title="mask H")
        self.output_image, self.output_texts = cplot.matrix_image(
            np.full(self.out_shape, np.nan), ax=ax_out, title="output Y")
        self.window = cplot.window_patch(0, 0, kh, kw, ax=ax_in)
        self.output_cell = cplot.window_patch(0, 0, 1, 1, ax=ax_out)
        tight_once(self.view.fig)
        self.view.fig.subplots_adjust(top=0.86)
        # a step moves the two frames and fills the output; a mode switch changes the mask
        # (with the cell borders, which are drawn over the images)
        self.view.animate(self.window, self.output_cell, self.output_image,
                          self.output_image.cell_borders, *self.output_texts.ravel(),
                          self.mask_image, self.mask_image.cell_borders,
                          *self.mask_texts.ravel(), self.mask_image.title_text)

        play = w.Play(value=0, min=0, max=n_steps - 1, interval=interval_ms, description="play")
        scrub = w.IntSlider(value=0, min=0, max=n_steps - 1, description="step",
                            continuous_update=True)
        w.link((play, "value"), (scrub, "value"))
        back = w.Button(description="◀ back", layout=w.Layout(width="90px"))
        step = w.Button(description="step ▶", layout=w.Layout(width="90px"))
        toggle = w.ToggleButtons(options=MODES, value=mode)
        back.on_click(lambda _: self._move(-1))
        step.on_click(lambda _: self._move(+1))
        scrub.observe(lambda ch: self.show(ch["new"]), names="value")
        toggle.observe(lambda ch: self.set_mode(ch["new"]), names="value")
        self.controls = {"play": play, "scrub": scrub, "back": back, "step": step,
                         "mode": toggle}
        self.readout = w.HTML()
        self.state: dict = {}
        super().__init__([toggle, w.HBox([play, back, step, scrub]), self.view.widget,
                          self.readout])
        self.set_mode(mode)
        self._remember_start()

    # -- logic: every number comes from nnlib.conv
    def set_mode(self, mode: str):
        """Switch between "cross-correlation" and "convolution" (mask rotated 180°)."""
        check_choice("mode", mode, MODES)
        self.mode = mode
        self.mask = self.kernel if mode == MODES[0] else np.rot90(self.kernel, 2)
        if mode == MODES[0]:
            self.output = conv.cross_correlate2d(self.x, self.kernel)
        else:
            self.output = conv.convolve2d(self.x, self.kernel)
        m = 2 * max(np.abs(self.output).max(), 1.0)
        self.output_image.set_clim(-m, m)
        cplot.set_matrix(self.mask_image, self.mask_texts, self.mask)
        self.mask_image.title_text.set_text("mask H" if mode == MODES[0] else "rotated mask")
        self.show(self.controls["scrub"].value)

    def _move(self, delta: int):
        scrub = self.controls["scrub"]
        scrub.value = int(np.clip(scrub.value + delta, scrub.min, scrub.max))

    def show(self, step: int):
        """Show output number ``step`` (row-major) and everything computed before it."""
        i, j = divmod(int(step), self.out_shape[1])
        window, products, total = conv.window_products(self.x, self.mask, i, j)
        filled = np.full(self.out_shape, np.nan)
        filled.flat[:step + 1] = self.output.flat[:step + 1]
        cplot.move_window(self.window, i, j)
        cplot.move_window(self.output_cell, i, j)
        cplot.set_matrix(self.output_image, self.output_texts, filled)
        terms = " + ".join(f"{_num(a)}·{_num(h)}" for a, h in zip(window.ravel(),
                                                                   self.mask.ravel()))
        prods = " + ".join(_num(p) for p in products.ravel())
        self.readout.value = (f"<b>{self.mode}</b>, output Y[{i},{j}] "
                              f"(step {step + 1} of {self.output.size}):<br>"
                              f"Y[{i},{j}] = {terms}<br>= {prods} = <b>{total:g}</b>")
        self.state = {"step": int(step), "i": i, "j": j, "window": window,
                      "products": products, "total": total, "filled": filled}
        self.view.refresh()


def cross_correlation_lab(x=None, kernel=None, *, mode: str = "cross-correlation",
                          interval_ms: int = 900, figsize=(8, 3.2)) -> CrossCorrelationLab:
    """Build the stepper lab. x: (H, W) input, kernel: (KH, KW) mask; by default the lecture's
    example (:func:`nnlib.lessons.lecture_examples.cross_correlation_example`).
    ``mode``: "cross-correlation" or "convolution"."""
    check_choice("mode", mode, MODES)
    if x is None or kernel is None:
        example_x, example_kernel = cross_correlation_example()
        x = example_x if x is None else x
        kernel = example_kernel if kernel is None else kernel
    return CrossCorrelationLab(x, kernel, mode=mode, interval_ms=interval_ms, figsize=figsize)
