"""What does each layer of a trained CNN see? Pick a digit, a layer and a channel.

``lab = feature_maps_lab(model, images, labels); lab`` shows the chosen test digit (as the
network sees it, after any crop), one channel of the chosen layer's feature maps, and all of that
layer's channels at once, with the network's prediction. The maps come from
:func:`nnlib.torchkit.analysis.layer_outputs`; only the images are swapped when a control moves.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ..plotting import mnist_cnn as mplot
from ..torchkit import analysis
from ..torchkit.data import tensor_to_images
from ._figure import figure_view
from ._start import StartMixin

MAX_TILES = 32


def _tile(maps: np.ndarray, ncols: int = 8) -> np.ndarray:
    """``(C, H, W)`` -> one mosaic image with a 1-pixel gap (NaN) between maps."""
    c, h, wd = maps.shape
    c = min(c, MAX_TILES)
    nrows = -(-c // ncols)
    ncols = min(ncols, c)
    out = np.full((nrows * (h + 1) - 1, ncols * (wd + 1) - 1), np.nan)
    for k in range(c):
        r, q = divmod(k, ncols)
        m = maps[k]
        span = float(np.ptp(m)) or 1.0
        out[r * (h + 1):r * (h + 1) + h, q * (wd + 1):q * (wd + 1) + wd] = (m - m.min()) / span
    return out


class FeatureMapsLab(StartMixin, w.VBox):
    """Container of the lab; exposes ``controls`` (digit, layer, channel), ``readout``,
    ``view``, ``images`` (digit, map, mosaic) and ``outputs`` (the current layer outputs)."""

    def __init__(self, model, x, y, *, index: int, figsize):
        self.model, self.x, self.y = model, x, y
        self.outputs = {}
        self._spatial = []
        self.controls = {
            "digit": w.IntSlider(value=index, min=0, max=len(y) - 1, description="test digit",
                                 continuous_update=False, style={"description_width": "70px"}),
            "layer": w.Dropdown(options=[], description="layer",
                                style={"description_width": "70px"}),
            "channel": w.IntSlider(value=0, min=0, max=0, description="channel",
                                   continuous_update=False, style={"description_width": "70px"}),
        }
        self.view = figure_view(1, 3, figsize=figsize, width_ratios=[1, 1, 2],
                                layout="constrained", static_layout=True)
        ax_digit, ax_map, ax_all = self.view.axes
        blank = np.zeros((2, 2))
        self.images = {"digit": mplot.plot_map(blank, ax=ax_digit, cmap="gray_r"),
                       "map": mplot.plot_map(blank, ax=ax_map),
                       "all": mplot.plot_map(blank, ax=ax_all)}
        self.view.animate(*self.images.values(), *(ax.title for ax in self.view.axes))
        self.readout = w.HTML()
        self.controls["digit"].observe(self._new_digit, names="value")
        self.controls["layer"].observe(self._new_layer, names="value")
        self.controls["channel"].observe(self._draw, names="value")
        super().__init__([w.HBox([w.VBox(list(self.controls.values())), self.readout]),
                          self.view.widget])
        self._new_digit()
        self._remember_start()

    def _new_digit(self, _change=None):
        i = self.controls["digit"].value
        self.outputs = analysis.layer_outputs(self.model, self.x[i])
        self._spatial = [name for name, a in self.outputs.items() if a.ndim == 3]
        layer = self.controls["layer"]
        convs = [name for name in self._spatial if name.startswith("conv")] or self._spatial
        keep = layer.value if layer.value in self._spatial else convs[0]
        with self.hold_trait_notifications():
            layer.options = self._spatial
        if layer.value != keep:
            layer.value = keep  # calls _new_layer
        else:
            self._new_layer()

    def _new_layer(self, _change=None):
        maps = self.outputs[self.controls["layer"].value]
        channel = self.controls["channel"]
        channel.max = len(maps) - 1
        self._draw()

    def _draw(self, _change=None):
        i = self.controls["digit"].value
        name = self.controls["layer"].value
        maps = self.outputs[name]
        k = min(self.controls["channel"].value, len(maps) - 1)
        first = self._spatial[0]
        mplot.set_map(self.images["digit"], tensor_to_images(self.x[i:i + 1])[0]
                      if first != "crop" else self.outputs[first][0],
                      title=f"digit {int(self.y[i])}" + (" (cropped)" if first == "crop" else ""))
        mplot.set_map(self.images["map"], maps[k], title=f"{name}, channel {k}",
                      symmetric=name.startswith("conv"))
        shown = min(len(maps), MAX_TILES)
        mplot.set_map(self.images["all"], _tile(maps),
                      title=f"{name}: {shown} of {len(maps)} channels, {maps.shape[1]}×"
                            f"{maps.shape[2]} each")
        logits = self.outputs[next(reversed(self.outputs))]
        pred = int(np.argmax(logits))
        colour = "#080" if pred == int(self.y[i]) else "#b00"
        self.readout.value = (f"<b>{name}</b>: {len(maps)} maps of {maps.shape[1]}×"
                              f"{maps.shape[2]}<br>network says <b style='color:{colour}'>"
                              f"{pred}</b> (true {int(self.y[i])})")
        self.view.refresh()


def feature_maps_lab(model, images, labels, *, index: int = 0,
                     figsize=(9.5, 3.0)) -> FeatureMapsLab:
    """Build the lab for a trained ``model`` (``nn.Sequential`` with named layers).

    images: tensor ``(N, 1, 28, 28)`` as from :mod:`nnlib.torchkit.data`; labels: ``(N,)``.
    index: the digit shown first.
    """
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"images and labels must be non-empty and of equal length; got "
                         f"{len(images)} and {len(labels)}")
    return FeatureMapsLab(model, images, labels, index=index, figsize=figsize)
