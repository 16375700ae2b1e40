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


@pytest.fixture
def task():
    rng = np.random.default_rng(0)
    y = torch.from_numpy(np.repeat(np.arange(5), 12))
    x = torch.from_numpy(rng.normal(size=(60, 1, 28, 28)).astype(np.float32))
    return transfer.transfer_cnn(), x, y


def test_moving_k_retrains_and_updates_bars_in_place(task):
    pre, x, y = task
    ks = (1, 3)
    curves = {m: [0.2, 0.3] for m in transfer.MODES}
    lab = transfer_lab(pre, x, y, x[:20], y[:20], k=1, ks=ks, curves=curves, epochs=2)
    assert set(lab.controls) == {"k"} and set(lab.runs) == set(transfer.MODES)
    bars = lab.plot.bars
    lab.controls["k"].value = 3
    assert lab.plot.bars is bars
    assert all(r.k == 3 for r in lab.runs.values())
    heights = [b.get_height() for b in bars]
    assert heights == pytest.approx([100 * lab.runs[m].final_accuracy for m in transfer.MODES])
    assert list(lab.plot.marker.get_xdata()) == [3, 3]
    assert "k = 3" in lab.readout.value


def test_bad_arguments(task):
    pre, x, y = task
    with pytest.raises(ValueError, match="k"):
        transfer_lab(pre, x, y, x, y, k=0)
    with pytest.raises(ValueError, match="curves"):
        transfer_lab(pre, x, y, x, y, ks=(1, 2), curves={"scratch": [0.5]})
