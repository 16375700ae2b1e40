"""The explaining-away lab: controls drive the exact maths and update the existing artists."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.lessons.explaining_away import CarModel, explaining_away
from nnlib.plotting.explaining_away import ExplainingAwayPlot, belief_values
from nnlib.widgets.explaining_away import ExplainingAwayLab, explaining_away_lab


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_shows_the_probabilities():
    r = explaining_away(CarModel())
    plot = ExplainingAwayPlot().update(r)
    np.testing.assert_allclose([b.get_height() for b in plot.bars], belief_values(r))
    np.testing.assert_allclose(plot.image.get_array(), r.posterior_joint)
    assert plot.texts[1][0].get_text() == f"{r.posterior_joint[1, 0]:.3f}"


def test_lab_controls_update_the_same_artists():
    lab = explaining_away_lab()
    assert isinstance(lab, ExplainingAwayLab)
    assert set(lab.controls) == {"p_battery", "p_pump", "fail_none", "fail_pump",
                                 "fail_battery", "fail_both"}
    bars, image = list(lab.plot.bars), lab.plot.image
    assert lab.result.explains_away and "explaining away" in lab.readout.value
    lab.controls["fail_pump"].value = 0.1   # the pump alone no longer stops the engine
    lab.controls["fail_both"].value = 0.9
    expected = explaining_away(CarModel(p_fail=((0.01, 0.1), (0.95, 0.9))))
    assert lab.result.given_fail_and_pump == pytest.approx(expected.given_fail_and_pump)
    assert list(lab.plot.bars) == bars and lab.plot.image is image
    np.testing.assert_allclose([b.get_height() for b in bars], belief_values(expected))
    assert len(lab.view.fig.axes) == 2


def test_lab_reports_an_impossible_observation():
    lab = explaining_away_lab(CarModel(p_fail=((0.0, 0.0), (0.0, 0.0))))
    assert np.isnan(lab.result.given_fail) and "never fails" in lab.readout.value
    assert lab.plot.bar_texts[2].get_text() == "undefined"
    lab.controls["fail_battery"].value = 0.5
    r = lab.result
    assert r.given_fail == pytest.approx(1.0) and r.given_fail_no_pump == pytest.approx(1.0)
    assert np.isnan(r.given_fail_and_pump) and not r.explains_away
    assert "undefined" in lab.readout.value
    assert lab.plot.bars[2].get_height() == pytest.approx(1.0)
