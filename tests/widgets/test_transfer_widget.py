"""The k lab driven programmatically on tiny synthetic data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

import nnlib.torchkit  # noqa: F401  (before torch: passive OpenMP waits)

torch = pytest.importorskip("torch")
pytest.importorskip("ipywidgets")

from nnlib.torchkit import transfer  # noqa: E402
from nnlib.widgets.transfer import transfer_lab  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def task():
    rng = np.random.default_rng(0)
    y = torch.from_numpy(np.repeat(np.arange(5), 12))
    x = torch.from_numpy(rng.normal(size=(60, 1, 28, 28)).astype(np.float32))
    pre = transfer.transfer_cnn()
    runs = {k: transfer.few_label_runs(pre, x, y, x[:20], y[:20], k=k, epochs=2, eval_every=2)
            for k in (1, 3)}
    return pre, x, y, runs


def _heights(lab):
    return [b.get_height() for b in lab.plot.bars]


def test_moving_k_shows_the_measured_runs_without_training(task, monkeypatch):
    pre, x, y, runs = task
    lab = transfer_lab(pre, x, y, x[:20], y[:20], runs=runs, k=1, epochs=2)
    assert set(lab.controls) == {"k"} and lab.controls["k"].options == (1, 3)
    bars = lab.plot.bars
    monkeypatch.setattr(transfer, "few_label_runs", lambda *a, **kw: pytest.fail("trained"))
    lab.controls["k"].value = 3
    assert lab.plot.bars is bars and lab.shown is runs[3]
    assert _heights(lab) == pytest.approx([100 * runs[3][m].final_accuracy
                                           for m in transfer.MODES])
    assert list(lab.plot.marker.get_xdata()) == [3, 3]
    assert "k = 3" in lab.readout.value and "notebook's draw" in lab.readout.value
    lab.reset()
    assert lab.controls["k"].value == 1 and lab.shown is runs[1]


def test_new_draw_trains_on_other_images_and_says_so_first(task, monkeypatch):
    pre, x, y, runs = task
    lab = transfer_lab(pre, x, y, x[:20], y[:20], runs=runs, k=3, epochs=2)
    seen = []
    real = transfer.few_label_runs

    def spy(*args, **kwargs):
        seen.append((lab.readout.value, lab.draw_button.disabled, kwargs["seed"], kwargs["k"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(transfer, "few_label_runs", spy)
    lab.draw_button.click()
    lab.draw_button.click()
    assert [s[2:] for s in seen] == [(1, 3), (2, 3)]  # draw 0 is the notebook's
    assert all("training three networks" in s[0] and s[1] for s in seen)
    assert not lab.draw_button.disabled and "new draw 2" in lab.readout.value
    assert all(r.k == 3 for r in lab.shown.values()) and lab.shown is not runs[3]
    assert _heights(lab) == pytest.approx([100 * lab.shown[m].final_accuracy
                                           for m in transfer.MODES])


def test_bad_arguments(task):
    pre, x, y, runs = task
    with pytest.raises(ValueError, match="k must be one of the runs' k"):
        transfer_lab(pre, x, y, x, y, runs=runs, k=2)
    with pytest.raises(ValueError, match=r"runs\[1\] must hold a run for every mode"):
        transfer_lab(pre, x, y, x, y, runs={1: {"scratch": runs[1]["scratch"]}}, k=1)
    with pytest.raises(TypeError, match="runs must be a non-empty dict"):
        transfer_lab(pre, x, y, x, y, runs=[runs[1]], k=1)
    with pytest.raises(TypeError, match="epochs"):
        transfer_lab(pre, x, y, x, y, runs=runs, k=1, epochs=2.5)
