"""Padding, stride and dilation: how big is the output, and what does one output look at?

``lab = conv_geometry_lab(); lab`` has sliders for the input size n, kernel size k, padding P,
stride S, dilation D and the output cell to highlight. It draws the zero-padded input with
that output's receptive field (its k×k dilated taps) and the output grid, and prints
⌊(n + 2P − D(k − 1) − 1)/S⌋ + 1 next to the shape :func:`nnlib.conv.conv2d` actually returns.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from .. import conv
from ..plotting import convolution as cplot
from ._figure import figure_view
from ._start import StartMixin


class ConvGeometryLab(StartMixin, w.VBox):
    """Container of the geometry lab; exposes ``controls``, ``readout``, ``view``,
    ``images`` (padded input, output) and ``state`` for tests."""

    def __init__(self, *, n, k, padding, stride, dilation, figsize):
        def slider(name, value, lo, hi):
            # three columns that share the page's width; the label width follows the font
            return w.IntSlider(value=value, min=lo, max=hi, description=name,
                               continuous_update=True, style={"description_width": "6.5em"},
                               layout=w.Layout(width="100%"))

        self.controls = {
            "n": slider("input n", n, 1, 12),
            "k": slider("kernel k", k, 1, 6),
            "padding": slider("padding P", padding, 0, 4),
            "stride": slider("stride S", stride, 1, 4),
            "dilation": slider("dilation D", dilation, 1, 4),
            "output": slider("output #", 0, 0, 0),
        }
        self.view = figure_view(1, 2, figsize=figsize)
        blank = np.zeros((1, 1))
        self.images = cplot.plot_geometry(blank, blank, axes=self.view.axes)
        self.view.animate(*self.images, *(im.cell_lines for im in self.images))
        self.readout = w.HTML()
        self.state: dict = {}
        for name, c in self.controls.items():
            c.observe(self._update if name != "output" else self._highlight, names="value")
        grid = w.GridBox([self.controls[name] for name in ("n", "k", "padding", "stride",
                                                            "dilation", "output")],
                         layout=w.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))"))
        super().__init__([grid, self.readout, self.view.widget])
        self._update()
        self._remember_start()

    def _values(self):
        return {name: c.value for name, c in self.controls.items()}

    def _update(self, _change=None):
        """Geometry changed: recompute the output size, then redraw the highlight."""
        v = self._values()
        try:
            size = conv.conv_output_size(v["n"], v["k"], v["padding"], v["stride"],
                                         v["dilation"])
        except ValueError as e:
            self.state = {"error": str(e), "out_size": None}
            self.readout.value = f"<span style='color:#b00'>no output: {e}</span>"
            cplot.set_geometry(self.images, *cplot.geometry_arrays(
                v["n"], v["padding"], [], [], 0, ()))
            self.view.refresh()
            return
        actual = conv.conv2d(np.zeros((1, 1, v["n"], v["n"])), np.zeros((1, 1, v["k"], v["k"])),
                             padding=v["padding"], stride=v["stride"], dilation=v["dilation"])
        self.state = {"error": None, "out_size": size, "actual_shape": actual.shape[2:]}
        out = self.controls["output"]
        out.max = size * size - 1           # may clip value, which calls _highlight itself
        self._highlight()

    def _highlight(self, _change=None):
        """Outline the receptive field of the chosen output cell."""
        if self.state.get("error"):
            return
        v = self._values()
        size = self.state["out_size"]
        i, j = divmod(min(v["output"], size * size - 1), size)
        rows, cols = conv.receptive_field(i, j, v["k"], stride=v["stride"],
                                          dilation=v["dilation"])
        grid, out = cplot.geometry_arrays(v["n"], v["padding"], rows, cols, size, (i, j))
        cplot.set_geometry(self.images, grid, out)
        span = v["dilation"] * (v["k"] - 1) + 1
        self.state.update(output_index=(i, j), rows=rows, cols=cols, span=span)
        self.readout.value = (
            f"output size = ⌊(n + 2P − D(k−1) − 1) / S⌋ + 1 = "
            f"⌊({v['n']} + 2·{v['padding']} − {v['dilation']}·{v['k'] - 1} − 1) / "
            f"{v['stride']}⌋ + 1 = <b>{size}</b><br>"
            f"conv2d returns {size}×{size}: {self.state['actual_shape']}<br>"
            f"receptive field of output ({i}, {j}): {v['k']}×{v['k']} taps spanning "
            f"{span}×{span} pixels, rows {rows.tolist()}, cols {cols.tolist()} "
            "(padded coordinates)")
        self.view.refresh()


def conv_geometry_lab(*, n: int = 7, k: int = 3, padding: int = 1, stride: int = 2,
                      dilation: int = 1, figsize=(8, 3.0)) -> ConvGeometryLab:
    """Build the padding/stride/dilation lab with these starting values."""
    return ConvGeometryLab(n=n, k=k, padding=padding, stride=stride, dilation=dilation,
                           figsize=figsize)
