"""A lab's figure is laid out on its first draw, then keeps its positions (static_layout)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

pytest.importorskip("ipywidgets")
matplotlib.use("Agg")

from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402

from nnlib.widgets._figure import figure_view  # noqa: E402


def _positions(fig):
    return np.array([ax.get_position().bounds for ax in fig.axes])


def test_static_layout_lays_out_once_then_keeps_positions():
    view = figure_view(1, 2, figsize=(6, 3), layout="constrained", static_layout=True)
    fig = view.fig
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    before = _positions(fig)
    fig.canvas.draw()
    laid_out = _positions(fig)
    assert not np.allclose(before, laid_out)  # the engine ran on the first draw
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    view.axes[0].set_ylabel("a much longer label than before\non two lines")
    fig.canvas.draw()
    assert np.allclose(_positions(fig), laid_out)  # no engine: positions kept
    fig.set_size_inches(6, 3.5)  # a resize (or a new dpi): laid out again, label included
    fig.canvas.draw()
    again = _positions(fig)
    assert not np.allclose(again, laid_out)
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    fig.canvas.draw()
    assert np.allclose(_positions(fig), again)


def test_without_static_layout_the_engine_runs_on_every_draw():
    view = figure_view(1, 2, figsize=(6, 3), layout="constrained")
    fig = view.fig
    fig.canvas.draw()
    laid_out = _positions(fig)
    view.axes[0].set_ylabel("a much longer label than before\non two lines")
    fig.canvas.draw()
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert not np.allclose(_positions(fig), laid_out)
