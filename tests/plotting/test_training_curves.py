"""LiveCurves: one live-curves class for the NumPy and the torch training histories; it
updates the lines it made instead of drawing new ones."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from nnlib.models import mlp
from nnlib.optim import SGD
from nnlib.plotting.training import LiveCurves
from nnlib.training import History, fit

matplotlib.use("Agg")


def test_fit_epoch_callback_fills_each_runs_lines():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 5))
    y = X[:, :3].argmax(axis=1)
    curves = LiveCurves(runs=["a", "b"], show=("train", "val"))
    made = dict(curves.lines)
    for run, lr in (("a", 0.1), ("b", 0.5)):
        net = mlp([5, 8, 3], rng=np.random.default_rng(1), activation="tanh")
        h = fit(net, X[:100], y[:100], optimizer=SGD(net.parameters(), lr=lr), epochs=3,
                batch_size=10, rng=rng, X_val=X[100:], y_val=y[100:],
                callbacks=[curves.epoch_callback(run)], progress=False)
        assert h.engine == "fused"  # a per-epoch callback keeps the fast engine
        np.testing.assert_allclose(curves.lines[run, "loss", "train"].get_ydata(), h.train_loss)
        np.testing.assert_allclose(curves.lines[run, "accuracy", "val"].get_ydata(),
                                   100 * np.asarray(h.val_accuracy))
        np.testing.assert_allclose(curves.lines[run, "loss", "val"].get_xdata(), [1, 2, 3])
    assert curves.lines == made  # the same artists, new data
    assert len(curves.axes["loss"].lines) == 4


def test_fit_epoch_callback_draws_at_most_every_min_interval_and_at_the_end(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    y = X[:, :3].argmax(axis=1)
    curves = LiveCurves(runs=["a"], show=("val",), min_interval=3600.0)
    drawn = []
    monkeypatch.setattr(curves, "_rescale", lambda: drawn.append(
        len(curves.lines["a", "loss", "val"].get_xdata())))
    net = mlp([5, 8, 3], rng=np.random.default_rng(1), activation="tanh")
    fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.1), epochs=4, batch_size=10, rng=rng,
        X_val=X, y_val=y, callbacks=[curves.epoch_callback("a")], progress=False)
    assert drawn == [1, 4]  # the first epoch, then (an hour not past) only the end of the run
    np.testing.assert_allclose(curves.lines["a", "loss", "val"].get_xdata(), [1, 2, 3, 4])


def test_update_waits_nine_times_as_long_as_its_last_redraw_took(monkeypatch):
    # a redraw that takes 0.05 s is followed by no other for 0.45 s: drawing takes at most a
    # tenth of the time; force=True (the end of a run) always redraws
    import time

    from nnlib.plotting import training as live

    drawn = []
    monkeypatch.setattr(live, "push_draw", lambda fig, **_: (drawn.append(1), time.sleep(0.05)))
    curves = LiveCurves(panels=("loss",), show=("steps",))
    h = History(step_epoch=[0.5], step_loss=[0.9])
    start = time.monotonic()
    while time.monotonic() - start < 0.3:
        curves.update(h)
    assert len(drawn) == 1
    time.sleep(0.5)
    curves.update(h)
    curves.update(h, force=True)
    assert len(drawn) == 3


def test_step_series_and_custom_series():
    h = History(step_epoch=[0.5, 1.0, 1.5], step_loss=[0.9, 0.5, 0.4])
    curves = LiveCurves(panels=("loss",), show=("steps",))
    curves.update(h)
    np.testing.assert_allclose(curves.lines["", "loss", "steps"].get_xdata(), [0.5, 1.0, 1.5])
    own = LiveCurves(runs=["K = 1", "K = 10"], panels=("loss",), show=("custom",))
    line = own.set_data("K = 10", range(3), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.5, 0.25])
    assert own.axes["loss"].get_xlim()[1] >= 2


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="panels must be a non-empty selection"):
        LiveCurves(panels=("speed",))
    with pytest.raises(ValueError, match="show must be a non-empty selection"):
        LiveCurves(show=())
    curves = LiveCurves(runs=["a"], show=("val",))
    with pytest.raises(ValueError, match="no line for run 'b'"):
        curves.update(History(), "b")


def test_empty_and_diverged_curves_still_draw():
    """A fresh figure (no data yet, log loss axis) and a history with NaN/inf both render."""
    import io

    curves = LiveCurves(epochs=2, acc_floor=90)
    curves.fig.savefig(io.BytesIO(), format="png")
    h = History(epoch=[1, 2], train_loss=[0.5, float("nan")], train_accuracy=[0.5, 0.6],
                step_epoch=[0.5, 1.0], step_loss=[0.7, float("inf")])
    curves.update(h)
    curves.fig.savefig(io.BytesIO(), format="png")
    lo, hi = curves.axes["loss"].get_ylim()
    assert 0 < lo < 0.7 < hi < 1.0


@pytest.fixture
def ipympl_pyplot():
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    old = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    yield plt
    plt.close("all")
    plt.switch_backend(old)


def test_redraws_during_a_run_lay_out_only_when_a_tick_label_changed(ipympl_pyplot):
    """Constrained layout measures every text: LiveCurves' own redraws skip it while the
    figure's size and tick labels are those of its last layout, and then the axes sit where
    a full layout puts them; new tick labels, a new size or title, or any other draw lay out
    again."""
    curves = LiveCurves(runs=["a"], panels=("loss",), show=("val",), epochs=4)
    fig, ax = curves.fig, curves.axes["loss"]
    engine = fig.get_layout_engine()
    runs = []
    execute = engine.execute
    engine.execute = lambda f: (runs.append(1), execute(f))[1]
    h = History()

    def epoch(loss):
        h.val_epoch.append(len(h.val_epoch) + 1)
        h.val_loss.append(loss)
        h.val_accuracy.append(0.5)
        curves.update(h, "a", force=True)

    epoch(0.5)
    assert len(runs) == 1
    epoch(0.45)  # same decades on the log axis, same epochs: the last layout still holds
    assert len(runs) == 1
    kept = ax.get_position().bounds
    fig.canvas.draw()  # a draw of anyone else lays out: and finds the same place
    assert len(runs) == 2 and fig.get_layout_engine() is engine
    np.testing.assert_allclose(ax.get_position().bounds, kept, atol=1e-9)
    epoch(0.004)  # two decades lower: new tick labels
    assert len(runs) == 3
    epoch(0.0035)
    assert len(runs) == 3
    fig.set_size_inches(5, 4)  # a new size: lay out again
    epoch(0.003)
    assert len(runs) == 4
    ax.set_title("a longer title, set between two redraws")  # any text around the axes too
    epoch(0.0031)
    assert len(runs) == 5


@pytest.mark.parametrize("epochs", [30, None])  # a fixed x range, and one that follows the data
def test_last_epochs_markers_are_whole_with_a_fixed_y_range(epochs):
    """A fixed y range clips points above or below it, but not at the left and right edges:
    the markers on the last epoch are drawn whole, not cut in half by the right edge."""
    curves = LiveCurves(["a", "b"], panels=("accuracy",), show=("val",), ylim=(85, 98),
                        epochs=epochs)
    for run, top in (("a", 95.0), ("b", 96.5)):
        acc = np.linspace(90, top, 30) / 100
        curves.finish(History(val_epoch=list(range(1, 31)), val_accuracy=list(acc)), run)
    ax = curves.axes["accuracy"]
    curves.fig.canvas.draw()
    box = ax.get_window_extent()
    assert ax.get_xlim() == (0, 30)
    for line in ax.get_lines():
        x_last = ax.transData.transform((line.get_xdata()[-1], line.get_ydata()[-1]))[0]
        assert x_last == pytest.approx(box.x1)  # on the edge
        radius = line.get_markersize() / 2 * curves.fig.dpi / 72 + line.get_markeredgewidth()
        clip = line.get_clip_box()
        assert line.get_clip_on() and clip.x1 >= x_last + radius  # ... and whole
        assert (clip.y0, clip.y1) == pytest.approx((box.y0, box.y1))  # clipped above, below
