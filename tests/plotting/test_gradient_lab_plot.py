"""GradientLabPlot draws fast: its unlabelled axes skip matplotlib's label placement
(``nnlib.plotting._grid.skip_unlabelled_axis_placement``) and the picture does not change."""

from __future__ import annotations

from unittest import mock

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import axis as maxis  # noqa: E402

from nnlib.lessons.gradient_lab import measure  # noqa: E402
from nnlib.plotting import gradients  # noqa: E402


def _draw_counting_placements(diag):
    """The picture of a GradientLabPlot after a second draw, and the axes that measured their
    tick labels to place their label during that draw."""
    plot = gradients.GradientLabPlot()
    plot.update(diag)
    fig = plot.axes[0].figure
    fig.canvas.draw()
    placed = []
    with mock.patch.object(maxis.XAxis, "_get_tick_boxes_siblings", autospec=True,
                           side_effect=maxis.XAxis._get_tick_boxes_siblings) as x_spy, \
            mock.patch.object(maxis.YAxis, "_get_tick_boxes_siblings", autospec=True,
                              side_effect=maxis.YAxis._get_tick_boxes_siblings) as y_spy:
        fig.canvas.draw()
        placed = [call.args[0] for spy in (x_spy, y_spy) for call in spy.call_args_list]
    pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return pixels, placed


def test_unlabelled_axes_are_not_placed_and_the_picture_is_the_same():
    """Only the labelled axis measures tick labels to place its label on a draw, and the
    picture is pixel for pixel the one without the shortcut."""
    diag = measure(depth=12, width=16, activation="relu", init="he_normal")
    fast, placed = _draw_counting_placements(diag)
    assert [a.get_label_text() for a in placed] == ["layer ℓ"]
    with mock.patch.object(gradients, "skip_unlabelled_axis_placement", lambda *axes: None):
        slow, placed_all = _draw_counting_placements(diag)
    assert len(placed_all) == 6  # without it, all six axes measure their tick labels
    np.testing.assert_array_equal(fast, slow)
