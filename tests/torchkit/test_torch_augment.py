"""The torch augmentation twin, pinned to the NumPy transforms of nnlib.augment."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib.torchkit  # noqa: F401  (before torch: passive OpenMP waits)

torch = pytest.importorskip("torch")

from nnlib import augment  # noqa: E402
from nnlib.torchkit import augment as taug  # noqa: E402
from nnlib.torchkit import data  # noqa: E402


@pytest.fixture
def images(rng):
    return rng.random((4, 13, 10))  # non-square: catches height/width mix-ups


def as_tensor(x, dtype=torch.float64):
    return torch.from_numpy(np.ascontiguousarray(x))[:, None].to(dtype)


CASES = [
    ("shift", dict(dx=[1, -2, 0, 3], dy=[0, 2, -1, 1])),
    ("shift", dict(dx=[0.5, -1.25, 2.0, 0.0], dy=[0.3, 0.0, -1.7, 4.2])),
    ("rotate", dict(degrees=[10.0, -33.0, 90.0, 180.0])),
    ("scale", dict(factors=[0.8, 1.0, 1.3, 2.0])),
    ("shear", dict(shears=[-0.4, 0.0, 0.25, 0.6])),
    ("affine", dict(dx=1.5, dy=-0.5, degrees=[12, -7, 30, 0], factors=1.1, shears=0.1,
                    fill=0.25)),
]


@pytest.mark.parametrize("name, kw", CASES)
def test_torch_transforms_match_numpy(images, name, kw):
    ours = getattr(augment, name)(images, **kw)
    theirs = getattr(taug, name)(as_tensor(images), **kw)
    assert theirs.shape == (4, 1, 13, 10) and theirs.dtype == torch.float64
    np.testing.assert_allclose(theirs[:, 0].numpy(), ours, atol=1e-10)


def test_float32_tensors_and_tensor_parameters(images):
    deg = torch.tensor([5.0, -5.0, 20.0, -20.0])
    out = taug.rotate(as_tensor(images, torch.float32), deg)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out[:, 0].numpy(), augment.rotate(images, deg.numpy()), atol=1e-5)


def test_random_draws_match_numpy_for_the_same_seed(images):
    kw = dict(max_shift=2, max_rotation=15.0, scale_range=(0.9, 1.1), max_shear=0.2)
    ours = augment.random_transform(images, rng=np.random.default_rng(5), **kw)
    theirs = taug.random_transform(as_tensor(images), rng=np.random.default_rng(5), **kw)
    np.testing.assert_allclose(theirs[:, 0].numpy(), ours, atol=1e-10)
    crop = taug.random_crop(as_tensor(images), padding=3, rng=np.random.default_rng(6))
    np.testing.assert_array_equal(crop[:, 0].numpy(),
                                  augment.random_crop(images, padding=3,
                                                      rng=np.random.default_rng(6)))


def test_channels_are_moved_together(rng):
    x = torch.from_numpy(rng.random((2, 3, 8, 8)))
    out = taug.rotate(x, 25.0)
    for ch in range(3):
        np.testing.assert_allclose(out[:, ch].numpy(), augment.rotate(x[:, ch].numpy(), 25.0),
                                   atol=1e-10)


def test_add_cue_matches_numpy_and_copies(images):
    x = as_tensor(images)
    out = taug.add_cue(x, position=(3, 4), value=0.7, size=2)
    np.testing.assert_array_equal(out[:, 0].numpy(),
                                  augment.add_cue(images, position=(3, 4), value=0.7, size=2))
    np.testing.assert_array_equal(x[:, 0].numpy(), images)


def test_random_shift_uses_the_background_of_standardised_images():
    imgs = np.zeros((6, 28, 28), np.uint8)
    imgs[:, 10:18, 10:18] = 255
    x = data.images_to_tensor(imgs)
    out = data.random_shift(x, 2, generator=torch.Generator().manual_seed(0))
    background = float(x.min())
    assert torch.all((out == background) | (out == x.max()))
    assert torch.equal((out > background).sum((1, 2, 3)), (x > background).sum((1, 2, 3)))
    moved = [not torch.equal(out[i], x[i]) for i in range(6)]
    assert any(moved)


def test_dropout_in_the_torch_models_keeps_expectations_like_ours():
    from nnlib.regularization import Dropout

    x = torch.ones(20000, 50, dtype=torch.float64)
    drop = torch.nn.Dropout(0.3)
    ours = Dropout(0.3, rng=np.random.default_rng(0))
    for layer, run in ((drop, lambda v: drop(v).numpy()),
                       (ours, lambda v: ours.forward(v.numpy()))):
        layer.train()
        out = run(x)
        kept = out != 0
        assert abs(kept.mean() - 0.7) < 0.005
        np.testing.assert_allclose(out[kept], 1 / 0.7)  # inverted dropout: kept units scaled
        layer.eval()
        np.testing.assert_array_equal(run(x), x.numpy())


@pytest.mark.parametrize("call, exc, words", [
    (lambda x: taug.rotate(x[:, 0], 3), ValueError, r"images must have shape \(N, C, H, W\)"),
    (lambda x: taug.rotate(x.numpy(), 3), TypeError, "images must be a torch.Tensor"),
    (lambda x: taug.rotate(x.long(), 3), TypeError, "floating-point"),
    (lambda x: taug.scale(x, 0.0), ValueError, "factors must be > 0"),
    (lambda x: taug.shift(x, [1, 2], 0), ValueError, "dx must be a number or one value"),
    (lambda x: taug.add_cue(x, position=(0, 9), size=2), ValueError, "position"),
])
def test_bad_arguments_name_the_parameter(images, call, exc, words):
    with pytest.raises(exc, match=words):
        call(as_tensor(images))


def test_fast_cnn_dropout_option_puts_dropout_before_each_fc_layer():
    from nnlib.torchkit import models

    names = [name for name, _ in models.fast_cnn(dropout=0.3).named_children()]
    assert names.index("drop1") == names.index("fc1") - 1
    assert names.index("drop_out") == names.index("out") - 1
    assert all(m.p == 0.3 for m in models.fast_cnn(dropout=0.3).modules()
               if isinstance(m, torch.nn.Dropout))
    assert not any(isinstance(m, torch.nn.Dropout) for m in models.fast_cnn().modules())
    with pytest.raises(ValueError, match="dropout"):
        models.fast_cnn(dropout=1.0)


# --- issue 22: images one pixel tall or wide ---------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 1, 7), (3, 7, 1), (3, 1, 1), (3, 2, 5)])
@pytest.mark.parametrize("name, kw", [
    ("shift", dict(dx=[0.5, -1.25, 0.3], dy=[0.3, 0.0, -0.7])),
    ("rotate", dict(degrees=[10.0, -33.0, 90.0])),
    ("scale", dict(factors=[0.8, 1.3, 2.0])),
    ("shear", dict(shears=[-0.4, 0.25, 0.6])),
    ("affine", dict(dx=0.5, dy=-0.5, degrees=[12, -7, 30], factors=1.1, shears=0.1)),
])
def test_thin_images_match_numpy(shape, name, kw):
    """grid_sample with align_corners=True never reads outside a size-1 axis, so it must not be
    what the twin uses: the pixels that come in from outside take ``fill`` here too."""
    x = np.random.default_rng(2).random(shape)
    for fill in (0.0, 0.7):
        ours = getattr(augment, name)(x, fill=fill, **kw)
        theirs = getattr(taug, name)(as_tensor(x), fill=fill, **kw)
        np.testing.assert_allclose(theirs[:, 0].numpy(), ours, atol=1e-10)


def test_nan_fill_is_a_value_error_in_the_twin_too(images):
    with pytest.raises(ValueError, match="fill must be a finite number; got nan"):
        taug.rotate(as_tensor(images), 3.0, fill=float("nan"))
    with pytest.raises(TypeError, match="fill must be a finite number"):
        taug.rotate(as_tensor(images), 3.0, fill="white")
