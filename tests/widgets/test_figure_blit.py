"""A lab's figure, shown by a page (ipympl), redraws only the artists its controls change.

``FigureView.refresh`` draws at once when a page shows the canvas (no round trip through the
page), asks for a draw when none does yet, and blits the artists named with ``animate`` over a
kept background while nothing else in the figure changed. These tests use ipympl's canvas
without a browser: the canvas is told a page is there, and what it would send is collected.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest

pytest.importorskip("ipywidgets")
nbagg = pytest.importorskip("ipympl.backend_nbagg")
matplotlib.use("Agg")

import matplotlib.axis  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib.widgets._figure import FigureView  # noqa: E402

IPYMPL = "module://ipympl.backend_nbagg"


def _shown(canvas):
    """Act as if a page showed ``canvas``; return the list that collects what it sends."""
    canvas.syncing_data_url = False  # what ipympl does when the page says "initialized"
    sent = []
    canvas.send = lambda content=None, buffers=None: sent.append((content, buffers))
    return sent


def _view():
    fig = Figure(figsize=(4, 3), dpi=50)
    ax = fig.add_subplot()
    canvas = nbagg.Canvas(fig)
    nbagg.FigureManager(canvas, 0)
    (line,) = ax.plot([0, 1, 2], [0, 1, 0], color="red", lw=3)
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 3)
    return FigureView(fig, ax, canvas), line


@pytest.fixture
def axis_draws(monkeypatch):
    """How many times an axis (ticks, labels) has been drawn: each full draw draws both."""
    count = [0]
    draw = matplotlib.axis.Axis.draw

    def counting(self, *args, **kwargs):
        count[0] += 1
        return draw(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axis.Axis, "draw", counting)
    return count


def _pixels(canvas):
    return np.array(canvas.buffer_rgba()).copy()


def _images(sent):
    return [b for content, b in sent if b]


def test_blit_redraws_the_animated_artists_alone_and_matches_a_full_draw(axis_draws):
    view, line = _view()
    view.animate(line)
    sent = _shown(view.fig.canvas)
    view.refresh()  # the first: everything
    assert axis_draws[0] == 2 and len(_images(sent)) == 1
    line.set_ydata([2, 0, 2])
    view.refresh()
    assert axis_draws[0] == 2, "the axes were drawn again for a change of the line alone"
    assert len(_images(sent)) == 2, "the blit sent no picture"
    blitted = _pixels(view.fig.canvas)
    view.fig.canvas.draw()  # the same figure, drawn in full
    np.testing.assert_array_equal(blitted, _pixels(view.fig.canvas))


def test_a_change_outside_the_animated_artists_draws_everything(axis_draws):
    view, line = _view()
    view.animate(line)
    _shown(view.fig.canvas)
    view.refresh()
    view.axes.set_ylim(0, 5)  # not an animated artist: the kept background is out of date
    view.refresh()
    assert axis_draws[0] == 4
    view.axes.set_title("a new title")
    view.refresh()
    assert axis_draws[0] == 6
    view.fig.set_size_inches(5, 3)  # a resize (or a new dpi)
    line.set_ydata([1, 1, 1])
    view.refresh()
    assert axis_draws[0] == 8


def test_without_a_page_refresh_asks_for_a_draw_and_draws_nothing(axis_draws):
    view, line = _view()
    view.animate(line)
    sent = []
    view.fig.canvas.send = lambda content=None, buffers=None: sent.append((content, buffers))
    view.refresh()  # Run All, nbval: no page has shown the canvas
    assert axis_draws[0] == 0 and not _images(sent)
    assert any('"draw"' in content["data"] for content, _ in sent)


def test_saving_the_figure_draws_the_animated_artists_once():
    view, line = _view()
    view.animate(line)
    buf = io.BytesIO()
    view.fig.savefig(buf, format="png", dpi=50)
    image = plt.imread(io.BytesIO(buf.getvalue()))
    red = (image[..., 0] > 0.9) & (image[..., 1] < 0.2) & (image[..., 2] < 0.2)
    assert red.sum() > 50, "the animated line is missing from the saved picture"


def test_a_full_draw_shows_the_animated_artists_above_the_rest():
    view, line = _view()
    view.animate(line)
    view.fig.canvas.draw()
    image = _pixels(view.fig.canvas)
    red = (image[..., 0] > 230) & (image[..., 1] < 50) & (image[..., 2] < 50)
    assert red.sum() > 50


@pytest.fixture
def ipympl_backend():
    old = matplotlib.get_backend()
    plt.switch_backend(IPYMPL)
    try:
        yield
    finally:
        plt.close("all")
        plt.switch_backend(old)


def _lab_cases():
    from nnlib.widgets.chain import chain_lab
    from nnlib.widgets.conv_geometry import conv_geometry_lab
    from nnlib.widgets.cross_correlation import cross_correlation_lab
    from nnlib.widgets.explaining_away import explaining_away_lab
    from nnlib.widgets.gradient_lab import gradient_lab
    from nnlib.widgets.optimiser_race import optimiser_race_lab
    from nnlib.widgets.universal_approximation import universal_approximation_lab

    return {  # the lab, (moves before), and the control moves that must redraw by blitting
        "universal approximation": (universal_approximation_lab,
                                    [("units", 9), ("units", 8), ("activation", "tanh"),
                                     ("target", "bump")]),
        "chain": (lambda: chain_lab(neurons=10), [("weight", 1.1), ("bias", 0.1), ("x", 0.95)]),
        "gradient": (gradient_lab, [("depth", 9), ("depth", 8), ("width", 32)]),
        "gradient depth 50": (lambda: gradient_lab(depth=50, width=256, activation="relu",
                                                   init="he_normal"),
                              [("depth", 49), ("depth", 48)]),
        # the loss axis first widens to hold both settings (one full draw each), then stays
        "optimiser race": (optimiser_race_lab, [("momentum", 0.85), ("x0", -1.0)],
                           [("momentum", 0.9), ("x0", -1.1), ("momentum", 0.85)]),
        "explaining away": (explaining_away_lab, [("p_battery", 0.2), ("fail_both", 0.95)]),
        "cross-correlation": (cross_correlation_lab, [("scrub", 1), ("scrub", 2)]),
        "conv geometry": (conv_geometry_lab, [("output", 1), ("output", 2)]),
    }


@pytest.mark.parametrize("name", list(_lab_cases()))
def test_moving_a_lab_control_blits(name, ipympl_backend, axis_draws):
    make, *before_moves, moves = _lab_cases()[name]
    lab = make()
    canvas = lab.view.fig.canvas
    sent = _shown(canvas)
    lab.view.refresh()  # the page's first picture: a full draw
    for control, value in (before_moves or [[]])[0]:
        lab.controls[control].value = value
    sent.clear()
    lab.view.refresh()
    before = axis_draws[0]
    for control, value in moves:
        lab.controls[control].value = value
        assert lab.controls[control].value == value
    assert axis_draws[0] == before, f"{name}: a move redrew the axes instead of blitting"
    assert len(_images(sent)) == 1 + len(moves)
    # what the page shows is what a plain draw of the figure shows: nothing drawn in the
    # wrong order (a blitted image over its frame, paths over contours made later, ...)
    blitted = _pixels(canvas)
    np.testing.assert_array_equal(blitted, _drawn_as_usual(lab.view), err_msg=name)


def _drawn_as_usual(view):
    """The canvas after a plain draw: every artist in its own z-order, none kept aside."""
    kept = list(view._animated)
    view._animated.clear()
    try:
        for artist in kept:
            artist.set_animated(False)
        view.fig.canvas.draw()
        return _pixels(view.fig.canvas)
    finally:
        for artist in kept:
            artist.set_animated(True)
        view._animated.extend(kept)


def test_the_pictures_sent_are_matplotlibs_own_pixel_for_pixel(ipympl_backend):
    """figure_view's canvas packs its PNGs faster; decoded, they are the pictures (and image
    modes) matplotlib's own get_diff_image makes, for a first draw, a change and no change."""
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore

    from nnlib.widgets._figure import figure_view

    view = figure_view(1, 1, figsize=(3, 2))
    (line,) = view.axes.plot([0, 1], [0, 1])
    canvas = view.fig.canvas
    fig2 = plt.figure(figsize=(3, 2))
    fig2.add_subplot().plot([0, 1], [0, 1])
    reference = fig2.canvas
    modes = {canvas: [], reference: []}
    for c in (canvas, reference):
        c.set_image_mode = lambda mode, c=c: modes[c].append(mode)
    for step in range(3):
        pictures = []
        for c, draw in ((canvas, lambda: view.fig.canvas.draw()), (reference, reference.draw)):
            c.manager.refresh_all = lambda: None  # no page: the picture is asked for below
            draw()
            made = (c.get_diff_image() if c is canvas
                    else FigureCanvasWebAggCore.get_diff_image(c))
            pictures.append(plt.imread(io.BytesIO(made), format="png"))
        np.testing.assert_array_equal(*pictures)
        assert canvas.get_diff_image() is None  # nothing new drawn: nothing to send
        if step == 0:
            line.set_ydata([1, 0])
            fig2.axes[0].lines[0].set_ydata([1, 0])
    assert modes[canvas] == modes[reference] == ["full", "diff", "diff"]


def test_a_legend_over_the_data_stays_over_what_is_blitted(ipympl_backend):
    """A marker line moved under an axes' legend is drawn under it, as in a plain draw."""
    from nnlib.widgets._figure import figure_view

    view = figure_view(1, 1, figsize=(3, 2))
    view.axes.plot([0, 1], [0, 1], label="a curve with a long name")
    view.axes.legend(loc="lower right", framealpha=1)
    marker = view.axes.axvline(0.2, color="k", lw=3)
    view.animate(marker)
    _shown(view.fig.canvas)
    view.refresh()
    marker.set_xdata([0.8, 0.8])  # under the legend now
    view.refresh()
    np.testing.assert_array_equal(_pixels(view.fig.canvas), _drawn_as_usual(view))
