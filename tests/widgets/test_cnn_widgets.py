"""The CNN labs (trial-and-error trainer, feature maps) and the MNIST-CNN plots, driven
programmatically with a tiny MNIST subset."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

import nnlib.torchkit  # noqa: F401  (before torch: passive OpenMP waits)

torch = pytest.importorskip("torch")
pytest.importorskip("ipywidgets")

from nnlib.plotting import mnist_cnn as mplot  # noqa: E402
from nnlib.torchkit import analysis, data, models, optimizers, train  # noqa: E402
from nnlib.widgets.cnn_trainer import cnn_trainer_lab  # noqa: E402
from nnlib.widgets.feature_maps import feature_maps_lab  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tiny():
    return data.load_mnist_tensors("cpu", train_limit=1200, test_limit=300, seed=1)


@pytest.fixture(scope="module")
def trained(tiny):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    model = models.fast_cnn(width=8, hidden=32)
    train.fit(model, tiny, epochs=2, batch_size=64, lr=5e-3, seed=0, progress=False)
    torch.set_default_dtype(old)
    return model


# --- trial-and-error trainer ---------------------------------------------------------------

def test_building_the_trainer_trains_nothing(tiny, monkeypatch):
    calls = []
    monkeypatch.setattr(train, "fit", lambda *a, **k: calls.append(1))
    lab = cnn_trainer_lab(tiny)
    assert calls == [] and lab.trials == []
    assert "press <b>Train</b>" in lab.readout.value
    assert lab.lines["trials"].get_xdata().size == 0
    assert lab.controls["train_images"].options == (1200,)
    # empty plots show the ranges a trial fills (epochs, a loss from ~2.3 down, percent)
    assert lab.lines["loss"].axes.get_xlim() == (0, lab.controls["epochs"].value)
    assert lab.lines["trials"].axes.get_ylim() == (0, 100)


def test_train_button_runs_a_trial_and_records_it(tiny):
    lab = cnn_trainer_lab(tiny, train_sizes=(600,))
    assert lab.controls["train_images"].options == (600, 1200)
    c = lab.controls
    c["filters1"].value, c["filters2"].value, c["kernel_size"].value = 4, 8, 3
    c["pooling"].value, c["dropout"].value, c["epochs"].value = "max", 0.1, 2
    assert c["optimizer"].options == tuple(optimizers.OPTIMIZERS)  # the names of notebook 06
    c["optimizer"].value = "sgd"
    assert c["lr"].value == pytest.approx(0.1)  # the recipe's peak rate for SGD
    c["optimizer"].value = "nadam"
    assert c["lr"].value == train.RECIPE_PEAK_LR["nadam"]
    c["optimizer"].value = "adam"
    c["train_images"].value = 1200
    lab.train_button.click()
    assert len(lab.trials) == 1
    trial = lab.trials[0]
    assert trial["filters1"] == 4 and trial["optimizer"] == "adam" and trial["train_images"] == 1200
    assert trial["parameters"] == models.count_parameters(lab.build_model())
    assert 0.5 < trial["test_accuracy"] <= 1.0  # 1200 digits, 2 epochs: well above chance
    assert lab.progress.value == pytest.approx(1.0) and lab.progress.bar_style == "success"
    assert "trial 1: test accuracy" in lab.readout.value
    assert len(lab.lines["loss"].get_xdata()) > 0
    assert lab.lines["loss"].get_xdata()[-1] == pytest.approx(2.0)
    assert not lab.train_button.disabled
    # a second, different trial joins the table and the plot
    c["pooling"].value, c["filters2"].value, c["epochs"].value = "none", 0, 1
    lab.train_button.click()
    assert len(lab.trials) == 2
    np.testing.assert_allclose(lab.lines["trials"].get_ydata(),
                               [100 * t["test_accuracy"] for t in lab.trials])
    assert lab.table.value.count("<tr") == 3  # header + 2 trials
    assert lab.build_model().conv1.kernel_size == (3, 3)


def test_trainer_shows_a_failure(tiny, monkeypatch):
    lab = cnn_trainer_lab(tiny)

    def boom(*a, **k):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(train, "fit", boom)
    lab.train_button.click()
    assert lab.progress.bar_style == "danger"
    assert "training failed: out of memory" in lab.readout.value
    assert not lab.train_button.disabled and lab.trials == []


def test_a_click_is_answered_before_the_network_is_built(tiny, monkeypatch):
    # issue 23: the read-out says what started and the bar is reset before any building or
    # training, so the click shows an answer at once (the browser benchmark times it)
    lab = cnn_trainer_lab(tiny)
    lab.progress.value, lab.progress.bar_style = 1.0, "success"  # as after a trial
    events = []
    lab.readout.observe(lambda ch: events.append(("readout", ch["new"])), names="value")
    lab.progress.observe(lambda ch: events.append(("bar", ch["new"])), names="bar_style")
    build = lab.build_model
    monkeypatch.setattr(lab, "build_model", lambda cfg=None: (events.append(("build",)),
                                                              build(cfg))[1])

    def fit(*a, **k):
        events.append(("fit",))
        raise RuntimeError("stop here")

    monkeypatch.setattr(train, "fit", fit)
    lab.train_button.click()
    kinds = [e[0] for e in events]
    assert kinds.index("readout") < kinds.index("bar") < kinds.index("build") < kinds.index("fit")
    first = events[kinds.index("readout")][1]
    assert "trial 1: building the network and starting 1 epoch(s) on 1,200 images" in first
    assert not lab.train_button.disabled  # the failure stops the trial and says so
    assert "training failed: stop here" in lab.readout.value


def test_a_network_that_cannot_be_built_is_reported_and_the_button_comes_back(tiny,
                                                                                monkeypatch):
    lab = cnn_trainer_lab(tiny)

    def boom(cfg=None):
        raise ValueError("kernel_size 7 leaves no pixels after two poolings")

    monkeypatch.setattr(lab, "build_model", boom)
    lab.train_button.click()
    assert "training failed: kernel_size 7" in lab.readout.value
    assert lab.progress.bar_style == "danger" and not lab.train_button.disabled
    assert lab.trials == []


def test_trainer_rejects_raw_arrays():
    with pytest.raises(TypeError, match="mnist must be MNISTTensors"):
        cnn_trainer_lab(np.zeros((3, 28, 28)))


# --- feature maps --------------------------------------------------------------------------

def test_feature_maps_lab_follows_its_controls(trained, tiny):
    lab = feature_maps_lab(trained, tiny.x_test, tiny.y_test, index=3)
    layer, channel, digit = (lab.controls[k] for k in ("layer", "channel", "digit"))
    assert "conv1" in layer.options and "relu2" in layer.options and "out" not in layer.options
    assert layer.value == "conv1"
    assert channel.max == 7  # width 8
    expected = analysis.layer_outputs(trained, tiny.x_test[3])["conv1"][0]
    np.testing.assert_allclose(lab.images["map"].get_array(), expected, rtol=1e-6)
    channel.value = 5
    np.testing.assert_allclose(lab.images["map"].get_array(),
                               analysis.layer_outputs(trained, tiny.x_test[3])["conv1"][5],
                               rtol=1e-6)
    layer.value = "pool2"
    assert channel.max == 15
    assert lab.images["map"].get_array().shape == (4, 4)
    digit.value = 7
    np.testing.assert_allclose(lab.images["digit"].get_array(),
                               analysis.layer_outputs(trained, tiny.x_test[7])["crop"][0],
                               rtol=1e-6)
    assert layer.value == "pool2"  # the chosen layer survives a new digit
    assert f"(true {int(tiny.y_test[7])})" in lab.readout.value
    with pytest.raises(ValueError, match="non-empty and of equal length"):
        feature_maps_lab(trained, tiny.x_test[:3], tiny.y_test[:2])


def test_feature_maps_lab_on_lenet(tiny):
    lab = feature_maps_lab(models.lenet(), tiny.x_test, tiny.y_test)
    assert lab.controls["layer"].value == "conv1"
    assert lab.images["map"].get_array().shape == (28, 28)
    assert lab.images["digit"].get_array().shape == (28, 28)


# --- analysis helpers and plots ------------------------------------------------------------

def test_confusion_matrix_and_mistakes(trained, tiny):
    probs = analysis.class_probabilities(trained, tiny.x_test)
    assert probs.shape == (300, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    y = tiny.y_test.numpy()
    pred = probs.argmax(1)
    cm = analysis.confusion_matrix(y, pred)
    assert cm.sum() == 300 and np.trace(cm) == int((pred == y).sum())
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y, minlength=10))
    idx, predicted, conf = analysis.confident_mistakes(probs, y, k=5)
    assert len(idx) == min(5, int((pred != y).sum()))
    assert np.all(predicted != y[idx]) and np.all(np.diff(conf) <= 0)
    wrong_conf = probs.max(1)[pred != y]
    assert conf[0] == pytest.approx(wrong_conf.max())
    with pytest.raises(ValueError, match="y_pred must hold classes 0..9"):
        analysis.confusion_matrix([1, 2], [3, 10])
    with pytest.raises(ValueError, match="same length"):
        analysis.confusion_matrix([1, 2], [3])


def test_confusion_matrix_small_example():
    cm = analysis.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], num_classes=3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_plots_return_artists(trained):
    import matplotlib.pyplot as plt

    w = analysis.first_layer_filters(trained)
    assert w.shape == (8, 1, 5, 5)
    images = mplot.plot_filters(w)
    assert len(images) == 8
    np.testing.assert_allclose(images[2].get_array(), w[2, 0])
    im = mplot.plot_confusion_matrix(np.diag([5, 3]) + [[0, 1], [0, 0]])
    assert im.get_array().shape == (2, 2)
    shown = mplot.plot_mistakes(np.zeros((3, 28, 28)), [1, 2, 3], [7, 7, 8], [0.9, 0.8, 0.7])
    assert len(shown) == 3 and shown[0].axes.get_title() == "1→7 (90%)"
    plt.close("all")


def test_live_curves_draw_the_torch_history_in_place():
    from nnlib.plotting.training import LiveCurves

    curves = LiveCurves(epochs=2, min_interval=10.0, acc_floor=90)
    h = train.History(step_epoch=[0.5, 1.0], step_loss=[0.6, 0.3], step_accuracy=[0.8, 0.9],
                      val_epoch=[1], val_loss=[0.2], val_accuracy=[0.95])
    lines = curves.update(h)
    np.testing.assert_allclose(lines["", "accuracy", "steps"].get_ydata(), [80, 90])
    np.testing.assert_allclose(lines["", "accuracy", "val"].get_ydata(), [95])
    h.step_epoch.append(1.5)
    h.step_loss.append(0.1)
    h.step_accuracy.append(0.97)
    curves.update(h)  # throttled: too soon after the last redraw
    assert len(lines["", "loss", "steps"].get_xdata()) == 2
    curves.finish(h)
    assert len(lines["", "loss", "steps"].get_xdata()) == 3
