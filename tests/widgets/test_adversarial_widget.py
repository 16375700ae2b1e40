"""The ε lab driven programmatically: artists updated in place, the prediction read out."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

import nnlib.torchkit  # noqa: F401  (before torch: passive OpenMP waits)

torch = pytest.importorskip("torch")
pytest.importorskip("ipywidgets")

from nnlib.torchkit import attacks  # noqa: E402
from nnlib.widgets.adversarial import adversarial_lab  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture
def linear():
    rng = np.random.default_rng(0)
    lin = torch.nn.Linear(784, 10)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(rng.normal(scale=0.05, size=(10, 784))))
    model = attacks.PixelModel(torch.nn.Sequential(torch.nn.Flatten(), lin)).eval()
    x = torch.from_numpy(rng.uniform(0, 1, size=(5, 1, 28, 28)).astype(np.float32))
    with torch.no_grad():
        y = model(x).argmax(1)
    return model, x, y


def test_eps_slider_updates_the_existing_artists_and_the_readout(linear):
    model, x, y = linear
    lab = adversarial_lab(model, x, y, eps=0.0, index=2)
    assert set(lab.controls) == {"epsilon", "digit", "method"}
    im = lab.plot.images["attacked"]
    assert lab.state["prediction"] == int(y[2]) and lab.state["max_change"] == 0
    lab.controls["epsilon"].value = 0.2
    assert lab.plot.images["attacked"] is im  # same artist, new data
    expected = attacks.fgsm(model, x[2:3], y[2:3], 0.2)
    np.testing.assert_allclose(im.get_array(), expected[0, 0].numpy(), atol=1e-6)
    assert lab.state["max_change"] == pytest.approx(0.2, abs=1e-6)
    assert lab.state["prediction"] != int(y[2])   # a random linear model flips at 0.2
    assert "after ε = 0.20" in lab.readout.value
    heights = [r.get_height() for r in lab.plot.bars["attacked"]]
    assert sum(heights) == pytest.approx(1.0, abs=1e-5)


def test_digit_and_method_controls(linear):
    model, x, y = linear
    lab = adversarial_lab(model, x, y, eps=0.05)
    lab.controls["digit"].value = 4
    np.testing.assert_allclose(lab.plot.images["image"].get_array(), x[4, 0].numpy())
    lab.controls["method"].value = "iterated"
    adv = lab.state["attacked"]
    assert float((adv - x[4:5]).abs().max()) <= 0.05 + 1e-6


@pytest.mark.parametrize("kwargs, match", [
    ({"eps": 0.5}, "eps"), ({"index": 9}, "index"), ({"method": "pgd"}, "method")])
def test_bad_arguments(linear, kwargs, match):
    model, x, y = linear
    with pytest.raises(ValueError, match=match):
        adversarial_lab(model, x, y, **kwargs)
