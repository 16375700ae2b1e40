"""Named scenarios of the labs (for lectures): choosing one sets every control, redraws once and
changes the plot; moving a control afterwards puts the menu back on "custom"."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from nnlib.lessons.gradient_lab import PRESETS, LabConfig, preset  # noqa: E402
from nnlib.widgets._presets import CUSTOM  # noqa: E402
from nnlib.widgets.gradient_lab import gradient_lab  # noqa: E402


def _lines(lab) -> list:
    return [np.asarray(line.get_ydata(), dtype=float).copy()
            for line in lab.plot.lines.values()]


def _same(a, b) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and np.allclose(x, y, equal_nan=True)
                                    for x, y in zip(a, b))


def _count_updates(lab, monkeypatch) -> list:
    calls = []
    original = lab.update
    monkeypatch.setattr(lab, "update", lambda: (calls.append(1), original())[1])
    return calls


@pytest.fixture
def lab():
    import matplotlib.pyplot as plt

    lab = gradient_lab()
    yield lab
    plt.close(lab.view.fig)


def test_gradient_lab_offers_its_presets(lab):
    menu = lab.controls["scenario"]
    assert list(menu.options) == [CUSTOM, *PRESETS] and menu.value == CUSTOM
    assert len(PRESETS) >= 4


@pytest.mark.parametrize("name", list(PRESETS))
def test_choosing_a_gradient_scenario_sets_controls_and_changes_the_plot(lab, name,
                                                                         monkeypatch):
    before = _lines(lab)
    calls = _count_updates(lab, monkeypatch)
    lab.controls["scenario"].value = name           # what a click in the menu does
    want = preset(name)
    assert lab.result.config == want, name
    for field, ctl in lab.controls.items():
        if field != "scenario":
            assert ctl.value == getattr(want, field), (name, field)
    assert len(calls) == 1, f"{name}: {len(calls)} redraws, want one"
    assert not _same(before, _lines(lab)), f"{name}: the plot did not change"
    assert lab.controls["scenario"].value == name


def test_moving_a_control_leaves_the_scenario(lab):
    lab.choose("ReLU + He, 50 layers")
    lab.controls["depth"].value = 30
    assert lab.controls["scenario"].value == CUSTOM
    assert lab.result.config.depth == 30 and lab.result.config.init == "he_normal"
    with pytest.raises(ValueError, match="scenario"):
        lab.choose("no such scenario")


# what each scenario is there to show (the stories of notebooks 04, 05 and 07)
STORIES = {
    "sigmoid + Xavier, 20 layers": "vanishing",
    "ReLU + Xavier, 50 layers": "vanishing",
    "ReLU + He, 50 layers": "healthy",
    "tanh + Xavier, 50 layers": "healthy",
    "exploding ReLU (He × 1.5, 50 layers)": "exploding",
    "exploding ReLU (scale 10, 20 layers)": "exploded",
    "sigmoid + batch norm, 20 layers": "healthy",
    "sigmoid + skip connections, 20 layers": "healthy",
}


@pytest.mark.parametrize(("name", "verdict"), list(STORIES.items()))
def test_each_gradient_scenario_shows_its_story(lab, name, verdict):
    lab.choose(name)
    assert lab.result.verdict == verdict and verdict in lab.readout.value


def test_sigmoid_with_standard_normal_weights_saturates(lab):
    """N(0, 1) weights on 64 inputs: pre-activations of std ~ 4, most sigmoids saturated."""
    lab.choose("sigmoid, 20 layers, N(0, 1)")
    assert lab.result.config.init == "normal" and lab.result.config.std == 1.0
    assert np.nanmean(lab.result.saturated) > 0.3
    lab.choose("sigmoid + Xavier, 20 layers")
    assert np.nanmean(lab.result.saturated) < 0.05


def test_preset_checks_its_name():
    with pytest.raises(ValueError, match="name"):
        preset("nope")
    assert preset("ReLU + He, 50 layers", LabConfig(seed=3)).seed == 3


# --- the optimiser race -----------------------------------------------------------------------

from nnlib.widgets import optimiser_race as race_mod  # noqa: E402


@pytest.fixture(scope="module")
def race():
    return race_mod.optimiser_race_lab()


def _race_lines(lab) -> list:
    out = []
    for line in lab.view.fig.axes[1].get_lines():
        out.append(np.asarray(line.get_ydata(), dtype=float).copy())
    return out


@pytest.mark.parametrize("name", list(race_mod.PRESETS))
def test_choosing_a_race_scenario_sets_controls_and_changes_the_plot(race, name, monkeypatch):
    race.choose("plateau" if name != "plateau" else "saddle point")  # start somewhere else
    before = _race_lines(race)
    calls = _count_updates(race, monkeypatch)
    race.controls["scenario"].value = name
    want = {**race._defaults, **race_mod.PRESETS[name]}
    c = race.controls
    for key, value in want.items():
        assert c[key].value == (tuple(value) if key == "optimizers" else value), (name, key)
    surface = race_mod.make_surface(want["surface"])
    assert (c["x0"].value, c["y0"].value) == pytest.approx(surface.start, abs=1e-2)
    assert c["lr"].value == pytest.approx(want.get("lr", race_mod.SUGGESTED_LR[want["surface"]]),
                                          rel=0.06)   # the log slider's 0.05-decade grid
    assert len(calls) == 1, f"{name}: {len(calls)} races run, want one"
    assert tuple(race.runs) == tuple(want["optimizers"])
    assert not _same(before, _race_lines(race)), f"{name}: the plot did not change"


def test_race_scenarios_show_their_stories(race):
    race.choose("quadratic, step too large (η = 0.045 > 2/λmax)")
    assert race.runs["sgd"].diverged and not race.runs["momentum"].diverged
    assert "diverged" in race.readout.value
    race.choose("ill-conditioned quadratic (κ = 100)")
    assert race.runs["momentum"].steps_to(1e-3) is not None
    assert race.runs["sgd"].steps_to(1e-3) is None       # 200 steps are not enough for GD
    race.controls["steps"].value = 300
    assert race.controls["scenario"].value == CUSTOM


# --- the regularisation lab (a scenario sets the controls; Train runs it) ---------------------

from nnlib.lessons import regularization as reg_lesson  # noqa: E402
from nnlib.widgets import regularization as reg_mod  # noqa: E402


@pytest.fixture(scope="module")
def reg_data():
    return reg_lesson.small_mnist(600, n_test=200, seed=2)


@pytest.mark.parametrize("name", list(reg_mod.PRESETS))
def test_choosing_a_regularisation_scenario_sets_the_controls(reg_data, name, monkeypatch):
    monkeypatch.setattr(reg_lesson, "train_regularized",
                        lambda *a, **k: pytest.fail("a scenario must not train by itself"))
    lab = reg_mod.regularization_lab(reg_data, sizes=(300, 600))
    lab.controls["dropout"].value = 0.3                       # something to undo
    lab.controls["scenario"].value = name
    want = {"l1": 0.0, "l2": 0.0, "dropout": 0.0, "augment": False, "epochs": 30,
            **reg_mod.PRESETS[name]}
    want["train_images"] = 600                                # the largest size offered
    assert lab.config() == want
    assert name in lab.readout.value and "Train" in lab.readout.value


def test_a_regularisation_scenario_trains_what_it_says(reg_data):
    lab = reg_mod.regularization_lab(reg_data, sizes=(300, 600))
    lab.choose("1 000 images + dropout 0.5")
    lab.controls["epochs"].value = 5                           # shorter for the test
    assert lab.controls["scenario"].value == CUSTOM
    lines = len(lab.view.axes[0].lines)
    lab.train_button.click()
    run = lab.runs[-1]
    assert run.config["dropout"] == 0.5 and run.config["n_train"] == 600
    assert len(lab.view.axes[0].lines) > lines                 # the plot grew a run
