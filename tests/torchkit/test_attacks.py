"""FGSM against a hand computation, the ε-box of the iterated attack, the pixel wrapper."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnlib.torchkit import attacks  # noqa: E402
from nnlib.torchkit.data import MNIST_MEAN, MNIST_STD, images_to_tensor  # noqa: E402


def _linear_pixel_model(rng, classes=4, pixels=(1, 5, 6)):
    lin = torch.nn.Linear(int(np.prod(pixels)), classes)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(rng.normal(size=lin.weight.shape)))
        lin.bias.copy_(torch.from_numpy(rng.normal(size=lin.bias.shape)))
    return attacks.PixelModel(torch.nn.Sequential(torch.nn.Flatten(), lin)), lin


def _hand_gradient(lin, x, y):
    """∂/∂x of the cross-entropy of softmax(W (x - m)/s + b), written out with NumPy."""
    W = lin.weight.detach().numpy().astype(np.float64)
    b = lin.bias.detach().numpy().astype(np.float64)
    xf = x.reshape(len(x), -1).astype(np.float64)
    z = (xf - MNIST_MEAN) / MNIST_STD @ W.T + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0          # dL/dz = p - onehot(y)
    return ((p @ W) / MNIST_STD).reshape(x.shape)


def test_fgsm_moves_each_pixel_by_eps_along_the_hand_computed_gradient_sign(rng):
    model, lin = _linear_pixel_model(rng)
    x = rng.uniform(0.05, 0.95, size=(7, 1, 5, 6)).astype(np.float32)
    y = rng.integers(0, 4, size=7)
    eps = 0.03
    adv = attacks.fgsm(model, torch.from_numpy(x), torch.from_numpy(y), eps).numpy()
    expected = np.clip(x + eps * np.sign(_hand_gradient(lin, x, y)), 0, 1)
    np.testing.assert_allclose(adv, expected, atol=1e-6)
    assert np.all(np.abs(adv - x) > eps * 0.99)  # every pixel moved (none was clipped)


def test_input_gradient_matches_the_hand_gradient_and_leaves_weights_alone(rng):
    model, lin = _linear_pixel_model(rng)
    model.train()
    x = rng.uniform(0, 1, size=(3, 1, 5, 6)).astype(np.float32)
    y = rng.integers(0, 4, size=3)
    dx = attacks.input_gradient(model, torch.from_numpy(x), torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(dx, _hand_gradient(lin, x, y), rtol=1e-4, atol=1e-6)
    assert lin.weight.grad is None and model.training


def test_fgsm_clips_to_the_pixel_range(rng):
    model, _ = _linear_pixel_model(rng)
    x = torch.from_numpy(rng.choice([0.0, 1.0], size=(5, 1, 5, 6)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 4, size=5))
    adv = attacks.fgsm(model, x, y, 0.5)
    assert float(adv.min()) >= 0.0 and float(adv.max()) <= 1.0
    assert torch.equal(attacks.fgsm(model, x, y, 0.0), x)


def test_iterated_fgsm_stays_in_the_eps_box_and_one_full_step_is_fgsm(rng):
    model, _ = _linear_pixel_model(rng)
    x = torch.from_numpy(rng.uniform(0, 1, size=(6, 1, 5, 6)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 4, size=6))
    adv = attacks.iterated_fgsm(model, x, y, 0.1, steps=7)
    assert float((adv - x).abs().max()) <= 0.1 + 1e-6
    assert float(adv.min()) >= 0 and float(adv.max()) <= 1
    one = attacks.iterated_fgsm(model, x, y, 0.1, steps=1, step_size=0.1)
    torch.testing.assert_close(one, attacks.fgsm(model, x, y, 0.1))


def test_iterated_fgsm_raises_the_loss_at_least_as_much_as_fgsm(rng):
    model, _ = _linear_pixel_model(rng, classes=3)
    model.net[1].weight.data.mul_(0.2)  # mildly non-linear through the softmax
    x = torch.from_numpy(rng.uniform(0.2, 0.8, size=(40, 1, 5, 6)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 3, size=40))
    loss = torch.nn.functional.cross_entropy
    with torch.no_grad():
        base = float(loss(model(x), y))
        one = float(loss(model(attacks.fgsm(model, x, y, 0.05)), y))
        many = float(loss(model(attacks.iterated_fgsm(model, x, y, 0.05, steps=5)), y))
    assert base < one <= many + 1e-6


def test_pixel_model_equals_the_network_on_standardised_images(rng):
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    images = rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
    with torch.no_grad():
        ours = attacks.PixelModel(net)(attacks.to_pixels(images))
        theirs = net(images_to_tensor(images))
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_attack_summary_counts_errors_and_flips(rng):
    model, _ = _linear_pixel_model(rng)
    x = torch.from_numpy(rng.uniform(0, 1, size=(50, 1, 5, 6)).astype(np.float32))
    with torch.no_grad():
        y = model(x).argmax(1)  # all correct before the attack
    clean = attacks.attack(model, x, y, 0.0)
    assert clean.error_rate == 0 and clean.flipped == 0 and clean.mean_l2 == 0
    strong = attacks.attack(model, x, y, 0.5, batch_size=7)
    assert strong.clean_error_rate == 0 and strong.error_rate == strong.flipped > 0.5
    assert 0 < strong.mean_confidence <= 1
    curve = attacks.error_curve(model, x, y, [0.0, 0.05, 0.5])
    rates = [r.error_rate for r in curve]
    assert rates == sorted(rates)


def test_margin_drop_grows_in_proportion_to_the_pixels_changed_for_a_linear_model(rng):
    # two classes; away from the clip bounds the margin is linear in x
    model, _ = _linear_pixel_model(rng, classes=2)
    x = torch.from_numpy(rng.uniform(0.3, 0.7, size=(20, 1, 5, 6)).astype(np.float32))
    with torch.no_grad():
        y = model(x).argmax(1)
    drops = attacks.margin_drop_vs_pixels(model, x, y, 0.01, [0, 10, 20, 30],
                                          rng=np.random.default_rng(1))
    assert drops[0] == 0
    assert np.all(np.diff(drops) > 0)
    per_pixel = drops[1:] / np.array([10, 20, 30])
    assert per_pixel.max() / per_pixel.min() < 1.6  # random subsets of one linear score


@pytest.mark.parametrize("bad, match", [
    (lambda x, y, m: attacks.fgsm(m, x + 2, y, 0.1), "pixels in \\[0, 1\\]"),
    (lambda x, y, m: attacks.fgsm(m, x, y, -0.1), "eps"),
    (lambda x, y, m: attacks.fgsm(m, x, y[:2], 0.1), "same N"),
    (lambda x, y, m: attacks.iterated_fgsm(m, x, y, 0.1, steps=0), "steps"),
    (lambda x, y, m: attacks.attack(m, x, y, 0.1, method="pgd"), "method"),
    (lambda x, y, m: attacks.to_pixels(np.full((2, 3, 3), 3.0)), "\\[0, 1\\]"),
    (lambda x, y, m: attacks.margin_drop_vs_pixels(m, x, y, 0.1, [999], rng=0), "counts"),
])
def test_bad_arguments_raise_and_name_the_parameter(rng, bad, match):
    model, _ = _linear_pixel_model(rng)
    x = torch.from_numpy(rng.uniform(0, 1, size=(3, 1, 5, 6)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 4, size=3))
    with pytest.raises((ValueError, TypeError), match=match):
        bad(x, y, model)
