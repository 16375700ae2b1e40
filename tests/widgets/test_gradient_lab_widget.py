"""The gradient-lab and chain widgets, driven programmatically (no browser)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from nnlib.lessons.gradient_lab import LabConfig  # noqa: E402
from nnlib.widgets.chain import ChainLab, chain_lab  # noqa: E402
from nnlib.widgets.gradient_lab import GradientLab, gradient_lab  # noqa: E402


def _ydata(lab, name):
    return np.asarray(lab.plot.lines[name].get_ydata(), dtype=float)


@pytest.fixture
def lab():
    lab = gradient_lab()
    assert isinstance(lab, GradientLab)
    return lab


def test_lab_builds_with_controls_plot_and_readout(lab):
    assert set(lab.controls) == {"depth", "width", "activation", "init", "scale", "slope",
                                 "batch_norm", "skip", "scenario"}
    assert lab.result.config == LabConfig()
    assert len(_ydata(lab, "grad_a")) == LabConfig().depth
    assert "healthy" in lab.readout.value
    assert lab.controls["slope"].disabled  # tanh has no slope
    # heavy controls only fire when released
    assert lab.controls["depth"].continuous_update is False
    assert lab.controls["scale"].continuous_update is False


def test_depth_slider_redraws_every_panel_with_the_new_depth(lab):
    fig = lab.view.fig
    artists = {k: id(v) for k, v in lab.plot.lines.items()}
    lab.controls["depth"].value = 25
    assert lab.result.config.depth == 25
    for name in ("grad_a", "grad_w", "act_std", "saturated", "theory_grad_a"):
        assert len(lab.plot.lines[name].get_xdata()) == 25
    np.testing.assert_allclose(_ydata(lab, "grad_a"), lab.result.grad_a)
    assert lab.view.fig is fig  # same figure ...
    assert {k: id(v) for k, v in lab.plot.lines.items()} == artists  # ... same artists
    assert "a<sub>25</sub>" in lab.readout.value
    assert "one SGD step (lr 0.1) changes W by" in lab.readout.value


def test_activation_choice_changes_verdict_and_ratio(lab):
    lab.controls["depth"].value = 20
    healthy_ratio = lab.result.ratio
    assert lab.result.verdict == "healthy"
    lab.controls["activation"].value = "sigmoid"
    assert lab.result.verdict == "vanishing"
    assert lab.result.ratio < 1e-6 * healthy_ratio
    assert "vanishing" in lab.readout.value
    assert _ydata(lab, "grad_a")[0] < 1e-6 * _ydata(lab, "grad_a")[-1]
    lab.controls["activation"].value = "relu"
    lab.controls["init"].value = "he_normal"
    assert lab.result.verdict == "healthy"
    assert lab.controls["slope"].disabled
    lab.controls["activation"].value = "leaky_relu"
    assert not lab.controls["slope"].disabled


def test_init_scale_makes_relu_explode(lab):
    lab.controls["activation"].value = "relu"
    lab.controls["init"].value = "he_normal"
    lab.controls["depth"].value = 10
    before = _ydata(lab, "grad_a").copy()
    lab.controls["scale"].value = 3.0
    assert lab.result.verdict == "exploding"
    after = _ydata(lab, "grad_a")
    assert after[0] / after[-1] > 1e3 * before[0] / before[-1]
    # the theory line follows: per layer the predicted gain is the scale
    theory = _ydata(lab, "theory_grad_a")
    np.testing.assert_allclose(theory[0] / theory[-1], 3.0 ** 9, rtol=1e-6)


@pytest.mark.parametrize(("settings", "verdict"), [
    ({"activation": "relu", "init": "he_normal", "scale": 10.0, "depth": 100}, "exploded"),
    ({"activation": "sigmoid", "init": "xavier_normal", "depth": 100}, "vanished"),
    ({"activation": "tanh", "init": "normal", "scale": 0.01, "depth": 100}, "vanished"),
])
def test_extreme_settings_show_a_verdict_not_a_traceback(lab, settings, verdict):
    for name, value in settings.items():
        lab.controls[name].value = value
    assert lab.result.verdict == verdict
    assert verdict in lab.readout.value
    assert "Traceback" not in lab.readout.value
    lims = lab.view.axes[0].get_ylim()
    assert np.all(np.isfinite(lims)) and lims[0] > 0


def test_every_activation_and_init_at_depth_100_scale_10(lab):
    lab.controls["depth"].value = 100
    lab.controls["scale"].value = 10.0
    for act in lab.controls["activation"].options:
        for init in lab.controls["init"].options:
            lab.controls["activation"].value = act
            lab.controls["init"].value = init
            assert lab.result.verdict in ("exploded", "vanished", "exploding", "vanishing",
                                          "healthy")
            assert lab.result.verdict in lab.readout.value


def test_switches_slot_in_as_checkboxes():
    lab = gradient_lab(switches=("skip",), depth=30, activation="sigmoid")
    assert lab.result.verdict == "vanishing"
    assert "(theory" in lab.readout.value
    lab.controls["skip"].value = True
    assert lab.result.config.skip
    assert "no theory for this setting" in lab.readout.value
    assert lab.result.ratio > 1e3 * gradient_lab(depth=30, activation="sigmoid").result.ratio
    with pytest.raises(ValueError, match="switches must name boolean LabConfig fields"):
        gradient_lab(switches=("depth",))


def test_timings_are_recorded(lab):
    lab.controls["depth"].value = 12
    assert set(lab.timings) == {"compute", "draw"}
    assert all(t >= 0 for t in lab.timings.values())


def test_chain_lab_factors_and_product():
    lab = chain_lab()
    assert isinstance(lab, ChainLab)
    ch = lab.result
    assert ch.y.size == 5
    # sigmoid, every w = 1: every factor is at most 1/4, so the product is at most 4^-4
    assert np.all(np.abs(ch.factors[1:]) <= 0.25)
    assert abs(ch.products[1]) <= 0.25 ** 4
    np.testing.assert_allclose(lab.plot.lines["factors"].get_ydata()[1:], np.abs(ch.factors[1:]))
    # w = 8, b = -4, x = 1/2: every neuron sits at z = 0 and the factor is 8/4 = 2
    lab.controls["x"].value = 0.5
    lab.controls["weight"].value = 8.0
    lab.controls["bias"].value = -4.0
    lab.controls["neurons"].value = 21
    np.testing.assert_allclose(lab.result.factors[1:], 2.0)
    assert lab.result.products[1] == pytest.approx(2.0 ** 20)
    assert "1.05e+06" in lab.readout.value
    lab.controls["activation"].value = "relu"
    assert lab.result.status == "vanished"  # z = 0 sits on ReLU's flat side: a dead unit
    lab.controls["x"].value = 1.0  # z = 4 > 0: every factor is w = 8
    assert lab.result.status == "ok"
    assert lab.result.products[1] == pytest.approx(8.0 ** 20)
    lab.controls["neurons"].value = 40
    lab.controls["weight"].value = 0.1
    lab.controls["bias"].value = 0.0
    assert lab.result.products[1] == pytest.approx(0.1 ** 39)


def test_batch_norm_switch_before_or_after_the_activation():
    """Notebook 07's switches are in every lab, off by default; both placements rescue the deep
    sigmoid stack, the theory line disappears and the readout says so."""
    lab = gradient_lab(depth=30, activation="sigmoid")
    assert lab.controls["batch_norm"].value is False and lab.controls["skip"].value is False
    assert lab.result.verdict == "vanishing"
    lines = dict(lab.plot.lines)
    for place in ("before", "after"):
        lab.controls["batch_norm"].value = place
        assert lab.result.config.batch_norm == place
        assert lab.result.verdict == "healthy", (place, lab.result.ratio)
        assert "no theory for this setting" in lab.readout.value
        assert np.all(np.isnan(_ydata(lab, "theory_grad_a")))
    assert lab.plot.lines == lines  # the same artists, updated in place
    assert set(gradient_lab(switches=()).controls).isdisjoint({"batch_norm", "skip"})
