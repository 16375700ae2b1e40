"""The plots of notebooks 14-15 draw what they are given (data in, artists out)."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nnlib.plotting import failures, transfer  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_accuracy_and_error_curves_plot_percentages():
    lines = failures.plot_accuracy_curves([0, 45], {"a": [0.9, 0.5], "b": [0.8, 0.7]})
    assert [ln.get_label() for ln in lines] == ["a", "b"]
    np.testing.assert_allclose(lines[0].get_ydata(), [90, 50])
    (err,) = failures.plot_error_curves([0, 0.1], {"cnn": [0.02, 0.3]})
    np.testing.assert_allclose(err.get_ydata(), [2, 30])
    (drop,) = failures.plot_margin_drop([0, 10], {"m": [0.0, 1.5]}, eps=0.1)
    np.testing.assert_allclose(drop.get_ydata(), [0, 1.5])


def test_grouped_bars_one_container_per_label():
    bars = failures.plot_grouped_bars({"MLP": {"x": 0.9, "y": 0.5}, "CNN": {"x": 1.0, "y": 0.8}})
    assert len(bars) == 2
    assert [b.get_height() for b in bars[1]] == pytest.approx([50, 80])


def test_grouped_bars_legend_covers_no_bar_and_no_tick_label():
    """Notebook 15's cue figure: full-height bars in the last group (the legend used to sit in
    the lower right corner, over them)."""
    groups = {"MLP": {"test, 8s marked": 0.96, "clean test": 0.85, "8s marked": 0.99,
                      "8s clean": 0.0},
              "CNN": {"test, 8s marked": 0.98, "clean test": 0.94, "8s marked": 1.0,
                      "8s clean": 0.6}}
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    bars = failures.plot_grouped_bars(groups, ax=ax, title="trained with a mark on every 8")
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    covered = [t for b in bars for t in b.patches + ax.get_xticklabels()
               if legend.overlaps(t.get_window_extent())]
    assert not covered
    assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)


def test_adversarial_plot_updates_in_place():
    fig, axes = plt.subplots(1, 4)
    plot = failures.AdversarialPlot(axes=axes)
    image = np.full((28, 28), 0.5)
    attacked = image + 0.1
    p = np.full(10, 0.1)
    q = np.eye(10)[3]
    plot.update(image, attacked, p, q, label=3, eps=0.1)
    np.testing.assert_allclose(plot.images["perturbation"].get_array(), 0.1)
    assert [r.get_height() for r in plot.bars["attacked"]] == list(q)
    assert "says 3" in plot.titles["attacked"].get_text()


def test_transfer_plots():
    lines = transfer.plot_accuracy_vs_k([1, 10], {"scratch": [0.4, 0.8], "finetune": [0.5, 0.9]})
    assert [ln.get_label() for ln in lines] == ["from scratch", "fine-tuned"]
    run = SimpleNamespace(epochs=[1, 2], test_accuracy=[0.5, 0.85])
    (line, ) = transfer.plot_learning_curves({"finetune": run}, target=0.8)[:1]
    np.testing.assert_allclose(line.get_ydata(), [50, 85])
    fig, axes = plt.subplots(1, 2)
    tp = transfer.TransferPlot(axes=axes, ks=[1, 10], curves={"scratch": [0.4, 0.8]},
                               modes=("scratch", "frozen", "finetune"))
    tp.update(10, {"scratch": 0.8, "frozen": 0.7, "finetune": 0.9})
    assert [b.get_height() for b in tp.bars] == pytest.approx([80, 70, 90])
    assert list(tp.marker.get_xdata()) == [10, 10]
