"""The regularisation lab and the plots of notebook 13, driven programmatically."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nnlib.lessons import regularization as lesson  # noqa: E402
from nnlib.plotting import regularization as rplot  # noqa: E402
from nnlib.widgets.regularization import RegularizationLab, regularization_lab  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def small():
    return lesson.small_mnist(600, n_test=200, seed=2)


def test_building_the_lab_trains_nothing(small, monkeypatch):
    monkeypatch.setattr(lesson, "train_regularized",
                        lambda *a, **k: pytest.fail("trained while building"))
    lab = regularization_lab(small, sizes=(300, 600))
    assert isinstance(lab, RegularizationLab)
    assert set(lab.controls) == {"train_images", "l1", "l2", "dropout", "augment", "epochs",
                                 "scenario"}
    assert lab.controls["train_images"].options == (300, 600) and lab.runs == []
    assert lab.view.axes[1].get_ylim() == (0, 100.5)  # percent before the first run too


def test_train_grows_curves_and_keeps_earlier_runs(small):
    lab = regularization_lab(small, sizes=(300, 600))
    c = lab.controls
    c["train_images"].value, c["epochs"].value = 300, 5
    lines_before = len(lab.view.axes[0].lines)
    lab.train_button.click()
    assert len(lab.runs) == 1 and lab.progress.value == 1.0
    first = lab.curves.runs[0]
    assert len(first["val_loss"].get_xdata()) == 5
    np.testing.assert_allclose(first["val_accuracy"].get_ydata(),
                               100 * np.asarray(lab.runs[0].val_accuracy))
    c["dropout"].value, c["l2"].value, c["augment"].value = 0.5, 1e-3, True
    lab.train_button.click()
    assert len(lab.runs) == 2
    assert len(lab.view.axes[0].lines) == lines_before + 4  # two lines per run on this axes
    assert first["val_loss"].get_alpha() == pytest.approx(0.3)  # earlier run faded, kept
    assert lab.runs[1].config["dropout"] == 0.5 and lab.runs[1].config["augment"]
    assert lab.table.value.count("<tr") == 3 and "test accuracy" in lab.readout.value
    assert not lab.train_button.disabled


def test_a_failed_run_is_reported_in_the_lab(small, monkeypatch):
    lab = regularization_lab(small, sizes=(300,))

    def boom(*a, **k):
        raise ValueError("l1 must be a finite number >= 0; got -1")

    monkeypatch.setattr(lesson, "train_regularized", boom)
    lab.train_button.click()
    assert "training failed" in lab.readout.value and lab.progress.bar_style == "danger"
    assert not lab.train_button.disabled and lab.runs == []


def test_a_click_is_answered_before_training_starts(small, monkeypatch):
    # issue 23: the read-out says what started and the bar is reset before the first epoch and
    # before the figure is drawn, so the click shows an answer at once
    lab = regularization_lab(small, sizes=(300,))
    lab.progress.value, lab.progress.bar_style = 1.0, "success"  # as after a run
    events = []
    lab.readout.observe(lambda ch: events.append(("readout", ch["new"])), names="value")
    lab.progress.observe(lambda ch: events.append(("bar", ch["new"])), names="bar_style")
    monkeypatch.setattr(lab.curves, "start", lambda *a, **k: events.append(("curves",)))

    def train(*a, **k):
        events.append(("train",))
        raise ValueError("stop here")

    monkeypatch.setattr(lesson, "train_regularized", train)
    lab.train_button.click()
    kinds = [e[0] for e in events]
    assert kinds.index("readout") < kinds.index("bar") < kinds.index("curves") < \
        kinds.index("train")
    assert events[0][1].startswith("training 300 img") and "starting" in events[0][1]
    assert not lab.train_button.disabled and "training failed" in lab.readout.value


@pytest.mark.parametrize("every_s,draws", [(0.0, 5 + 1), (1e9, 1 + 1)])
def test_the_curves_are_drawn_while_it_trains_at_most_every_so_often(small, monkeypatch,
                                                                     every_s, draws):
    # every epoch when redraws are free, only the first epoch's when they are never due again;
    # and the end of the run always
    from nnlib.widgets import _runs

    monkeypatch.setattr(_runs, "REDRAW_EVERY_S", every_s)
    lab = regularization_lab(small, sizes=(300,))
    lab.controls["epochs"].value = 5
    calls = []
    monkeypatch.setattr(lab.view, "refresh", lambda: calls.append(len(lab.curves.runs)))
    lab.train_button.click()
    assert len(lab.runs) == 1 and len(calls) == draws


def test_bad_data_is_refused():
    with pytest.raises(TypeError, match="data must be a tuple"):
        regularization_lab(data=np.zeros((3, 784)))


def test_static_plots_draw_what_they_are_given(rng):
    import matplotlib.pyplot as plt

    run = lesson.RegularizedRun(config={}, net=None, epoch=[1, 2, 3], train_loss=[1, .5, .2],
                                train_accuracy=[.5, .8, .9], val_loss=[1, .6, .7],
                                val_accuracy=[.5, .7, .72])
    lines = rplot.overfitting_curves(run)
    assert lines["best"].get_xdata()[0] == 2
    np.testing.assert_allclose(lines["val_accuracy"].get_ydata(), [50, 70, 72])
    fig, ax = plt.subplots()
    h = rplot.weight_histograms({"L1": np.r_[np.zeros(50), rng.normal(size=50)],
                                 "L2": rng.normal(size=100)}, ax=ax)
    assert "50 %" in h["L1"].get_label()
    arts = rplot.augmentation_grid({"a": rng.random((3, 5, 5)), "b": rng.random((3, 5, 5))})
    assert len(arts) == 6
    plt.close("all")
