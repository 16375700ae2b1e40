"""The course style: every figure fits the notebook column, one colour-blind-safe palette with
line styles, no ipympl header (issue 19)."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from nnlib.plotting import style


@pytest.fixture(autouse=True)
def restore_style():
    style.apply(False)
    yield
    plt.close("all")
    style.apply(False)


def test_palette_is_matplotlibs_petroff10_and_lines_differ_in_style_too():
    shipped = mpl.style.library["petroff10"]["axes.prop_cycle"].by_key()["color"]
    assert [to_hex(c) for c in shipped] == list(style.PALETTE)
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i])[0] for i in range(len(style.PALETTE))]
    assert [to_hex(ln.get_color()) for ln in lines] == list(style.PALETTE)
    dashes = {(ln.get_linestyle(), str(ln._dash_pattern)) for ln in lines}
    assert len(dashes) == len(lines), "two lines of one axes share a dash pattern"
    assert lines[0].get_linestyle() == "-"


@pytest.mark.parametrize("figsize", [(11, 4.2), (9.5, 3.4), (20, 2)])
def test_a_wide_figure_is_drawn_at_the_column_width_with_its_aspect(figsize):
    fig = plt.figure(figsize=figsize)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(style.MAX_WIDTH_IN)
    assert width * fig.dpi <= 900
    assert height / width == pytest.approx(figsize[1] / figsize[0])
    assert mpl.rcParams["font.size"] >= 10  # text keeps its point size


def test_a_narrow_figure_keeps_its_size():
    fig = plt.figure(figsize=(5, 3))
    assert tuple(fig.get_size_inches()) == pytest.approx((5, 3))
    assert fig.dpi == style.BASE_DPI


def test_presenter_enlarges_but_stays_inside_the_projector_column():
    style.presenter(True, scale=1.5)
    small = plt.figure(figsize=(4, 2.5))
    assert small.dpi == pytest.approx(150)  # the full enlargement
    wide = plt.figure(figsize=(11, 4))
    assert wide.get_size_inches()[0] * wide.dpi <= style.PRESENTER_MAX_WIDTH_PX + 1e-6
    assert wide.dpi > style.BASE_DPI  # still larger than on a laptop


def test_switching_presenter_mode_refits_figures_already_open():
    fig = plt.figure(figsize=(11, 4))
    assert fig.dpi == style.BASE_DPI
    style.presenter(True, scale=1.5)
    assert fig.dpi > style.BASE_DPI
    assert fig.get_size_inches()[0] * fig.dpi <= style.PRESENTER_MAX_WIDTH_PX + 1e-6
    style.presenter(False)
    assert fig.dpi == style.BASE_DPI


def test_ipympl_canvas_has_no_figure_header():
    pytest.importorskip("ipympl")
    from ipympl.backend_nbagg import Canvas

    fig = plt.figure(figsize=(6, 3))
    canvas = Canvas(fig)  # what %matplotlib widget gives a figure
    fig.set_canvas(canvas)
    assert canvas.header_visible
    style.fit(fig)
    assert not canvas.header_visible


def test_the_fit_hook_is_installed_once():
    style.apply(False)
    style.apply(True)
    style.apply(False)
    assert mpl.rcParams["figure.hooks"].count("nnlib.plotting.style:fit") == 1


def test_optimisers_differ_in_dash_pattern_as_well_as_colour():
    from nnlib.plotting.optimisers import OPTIMISER_COLOURS, RacePlot, dasharray_of

    plot = RacePlot(legend=False)
    names = list(OPTIMISER_COLOURS)
    looks = {(to_hex(plot.lines[f"path:{n}"].get_color()),
              str(plot.lines[f"path:{n}"]._dash_pattern)) for n in names}
    assert len(looks) == len(names)
    patterns = {str(plot.lines[f"path:{n}"]._dash_pattern) for n in names}
    assert len(patterns) == len(names), "two optimisers share a dash pattern"
    assert len({dasharray_of(n) for n in names}) == len(names)  # the lab's read-out swatches


def test_a_race_of_other_names_still_varies_the_line_style():
    from nnlib.plotting.optimisers import RacePlot

    names = ["η = 0.01 (too small)", "η = 0.1 (best)", "η = 0.21 (too large)"]
    plot = RacePlot(names=names, colours=dict(zip(names, ["C3", "C8", "C2"])))
    assert len({str(plot.lines[f"loss:{n}"]._dash_pattern) for n in names}) == 3


def test_a_tall_presenter_figure_stays_inside_a_projector_screen():
    style.presenter(True, scale=1.5)
    fig = plt.figure(figsize=(5, 4))
    assert fig.get_size_inches()[1] * fig.dpi <= style.PRESENTER_MAX_HEIGHT_PX + 1e-6
    assert fig.dpi >= style.BASE_DPI
