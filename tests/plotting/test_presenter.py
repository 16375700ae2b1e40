"""Presenter mode: figures and widget controls grow for a projector; normal mode stays readable."""

from __future__ import annotations

import matplotlib as mpl
import pytest

from nnlib.plotting import style


@pytest.fixture(autouse=True)
def restore_style():
    yield
    style.apply(False)


def test_normal_mode_keeps_ticks_and_legends_at_least_10pt(monkeypatch):
    monkeypatch.delenv("NNLIB_PRESENTER", raising=False)
    style.apply()
    assert not style.is_presenter() and mpl.rcParams["figure.dpi"] == style.BASE_DPI
    for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "font.size"):
        assert float(mpl.rcParams[key]) >= 10, key


def test_presenter_from_the_environment_enlarges_figures_and_text(monkeypatch):
    monkeypatch.setenv("NNLIB_PRESENTER", "1")
    normal = style.apply(False)
    big = style.apply(scale=1.6)
    assert style.is_presenter() and style.scale() == 1.6
    assert mpl.rcParams["figure.dpi"] == pytest.approx(1.6 * style.BASE_DPI)
    assert big["font.size"] > normal["font.size"]


def test_presenter_lab_carries_css_that_enlarges_controls():
    ipywidgets = pytest.importorskip("ipywidgets")
    from nnlib.widgets._figure import figure_view
    from nnlib.widgets._presenter import presenter

    assert presenter(True, scale=2.0).value.count("--jp-widgets-font-size:26px") == 1
    view = figure_view(1, 1)
    assert isinstance(view.widget, ipywidgets.VBox)
    assert "--jp-widgets-inline-height:56px" in view.widget.children[0].value
    assert presenter(False).value == ""
    normal = figure_view(1, 1).widget
    assert isinstance(normal, ipywidgets.VBox)  # the labs' own CSS, without the enlargement
    assert "--jp-widgets-inline-height" not in normal.children[0].value
    assert "min-width:max-content" in normal.children[0].value


def test_bad_scale_is_refused():
    with pytest.raises(ValueError, match="scale"):
        style.apply(True, scale=10)
