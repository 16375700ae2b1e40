"""Augmentation: each fast, batched transform pinned to a slow per-pixel reference."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import augment
from nnlib.augment_naive import transform as naive_transform


@pytest.fixture
def images(rng):
    """Three smooth-ish non-square test images in [0, 1] (non-square catches H/W mix-ups)."""
    return rng.random((3, 11, 9))


def reference(images, **per_image):
    n = len(images)
    cols = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in per_image.items()}
    return np.stack([naive_transform(images[i], **{k: v[i] for k, v in cols.items()})
                     for i in range(n)])


@pytest.mark.parametrize("dx, dy", [(1, 2), (-3, 0), ([0.5, -1.25, 2.0], [0.3, 0.0, -1.7])])
def test_shift_matches_reference(images, dx, dy):
    np.testing.assert_allclose(augment.shift(images, dx, dy), reference(images, dx=dx, dy=dy),
                               atol=1e-12)


@pytest.mark.parametrize("degrees", [10.0, -33.0, [5.0, 90.0, -170.0]])
def test_rotate_matches_reference(images, degrees):
    np.testing.assert_allclose(augment.rotate(images, degrees),
                               reference(images, degrees=degrees), atol=1e-12)


@pytest.mark.parametrize("factors", [1.3, 0.7, [0.8, 1.0, 1.6]])
def test_scale_matches_reference(images, factors):
    np.testing.assert_allclose(augment.scale(images, factors), reference(images, factor=factors),
                               atol=1e-12)


@pytest.mark.parametrize("shears", [0.3, [-0.4, 0.0, 0.25]])
def test_shear_matches_reference(images, shears):
    np.testing.assert_allclose(augment.shear(images, shears), reference(images, shear=shears),
                               atol=1e-12)


def test_combined_affine_and_fill_match_reference(images):
    kw = dict(dx=[1.5, -2, 0.25], dy=[0, 1.5, -0.75], degrees=[12, -7, 30],
              factors=[1.1, 0.9, 1.2], shears=[0.1, -0.2, 0.0])
    ref = reference(images, dx=kw["dx"], dy=kw["dy"], degrees=kw["degrees"],
                    factor=kw["factors"], shear=kw["shears"], fill=0.25)
    np.testing.assert_allclose(augment.affine(images, fill=0.25, **kw), ref, atol=1e-12)


def test_random_transform_matches_reference_with_the_drawn_parameters(images):
    kw = dict(max_shift=2, max_rotation=15.0, scale_range=(0.9, 1.1), max_shear=0.2)
    out = augment.random_transform(images, rng=np.random.default_rng(7), **kw)
    p = augment.random_parameters(len(images), rng=np.random.default_rng(7), **kw)
    ref = reference(images, dx=p["dx"], dy=p["dy"], degrees=p["degrees"], factor=p["factors"],
                    shear=p["shears"])
    np.testing.assert_allclose(out, ref, atol=1e-12)
    assert np.all(p["dx"] == np.round(p["dx"])) and np.abs(p["dx"]).max() <= 2
    assert np.abs(p["degrees"]).max() <= 15 and len(set(p["degrees"])) == 3


def test_float32_chunks_agree_with_float64(rng):
    x = rng.random((150, 28, 28))  # more than one chunk of 64
    deg = rng.uniform(-20, 20, size=150)
    fast32 = augment.rotate(x.astype(np.float32), deg)
    assert fast32.dtype == np.float32
    np.testing.assert_allclose(fast32, augment.rotate(x, deg), atol=2e-5)


def test_whole_pixel_shift_is_an_exact_copy(images):
    out = augment.shift(images, 2, -1)
    np.testing.assert_array_equal(out[:, :-1, 2:], images[:, 1:, :-2])
    assert np.all(out[:, -1, :] == 0) and np.all(out[:, :, :2] == 0)
    np.testing.assert_array_equal(augment.shift(images, 0, 0), images)
    assert np.all(augment.shift(images, 50, 0) == 0)  # moved entirely out of view


def test_quarter_turns_and_identities_are_exact(rng):
    x = rng.random((2, 8, 8))
    np.testing.assert_allclose(augment.rotate(x, 90), np.rot90(x, 1, axes=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(augment.rotate(x, -90), np.rot90(x, -1, axes=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(augment.rotate(x, 360), x, atol=1e-12)
    np.testing.assert_allclose(augment.scale(x, 1.0), x, atol=1e-12)
    np.testing.assert_allclose(augment.shear(x, 0.0), x, atol=1e-12)


def test_single_image_in_single_image_out(images):
    out = augment.rotate(images[0], 20)
    assert out.shape == images[0].shape
    np.testing.assert_allclose(out, augment.rotate(images[:1], 20)[0])


def test_shift_moves_the_centre_of_mass_of_a_digit():
    from nnlib.data import load_mnist

    digit = load_mnist("test")[0][0].astype(float) / 255
    rows, cols = np.indices(digit.shape)

    def centre(im):
        return np.array([(im * rows).sum(), (im * cols).sum()]) / im.sum()

    moved = augment.shift(digit, 3, -2)  # 3 right, 2 up
    np.testing.assert_allclose(centre(moved) - centre(digit), [-2, 3], atol=1e-9)
    turned = augment.rotate(digit, 15)
    assert abs(turned.sum() / digit.sum() - 1) < 0.03  # ink is kept, not lost at the edges


def test_random_crop_is_a_random_whole_pixel_shift(rng, images):
    out = augment.random_crop(images, padding=2, rng=np.random.default_rng(3))
    d = np.random.default_rng(3).integers(-2, 3, size=(2, len(images)))
    np.testing.assert_array_equal(out, augment.shift(images, d[0], d[1]))
    np.testing.assert_array_equal(augment.random_crop(images, padding=0, rng=rng), images)


def test_random_transform_is_reproducible_and_varies_per_image(images):
    a = augment.random_transform(images, rng=np.random.default_rng(1), max_rotation=20)
    b = augment.random_transform(images, rng=np.random.default_rng(1), max_rotation=20)
    c = augment.random_transform(images, rng=np.random.default_rng(2), max_rotation=20)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    same = augment.random_transform(np.repeat(images[:1], 4, axis=0),
                                    rng=np.random.default_rng(1), max_rotation=20)
    assert not np.allclose(same[0], same[1])
    np.testing.assert_array_equal(augment.random_transform(images, rng=0), images)


def test_add_cue_plants_a_square_and_leaves_the_input_alone(images):
    before = images.copy()
    out = augment.add_cue(images, position=(2, 3), value=0.5, size=2)
    np.testing.assert_array_equal(images, before)
    assert np.all(out[:, 2:4, 3:5] == 0.5)
    mask = np.ones(images.shape[1:], bool)
    mask[2:4, 3:5] = False
    np.testing.assert_array_equal(out[:, mask], images[:, mask])
    single = augment.add_cue(images[0], position=(10, 8))
    assert single.shape == images[0].shape and single[10, 8] == 1.0


@pytest.mark.parametrize("call, exc, words", [
    (lambda x: augment.shift(x[0, 0], 1, 1), ValueError, "images must be 2-D or 3-D"),
    (lambda x: augment.shift(x, [1, 2], 0), ValueError, "dx must be a number or one value"),
    (lambda x: augment.scale(x, -1.0), ValueError, "factors must be > 0"),
    (lambda x: augment.rotate(x, np.nan), ValueError, "degrees contains NaN"),
    (lambda x: augment.rotate("abc", 3), TypeError, "images must be an array"),
    (lambda x: augment.random_crop(x, padding=-1, rng=0), ValueError, "padding"),
    (lambda x: augment.random_crop(x, padding=1, rng=np.random), TypeError, "rng"),
    (lambda x: augment.random_transform(x, rng=0, scale_range=(1.2, 0.8)), ValueError,
     "scale_range"),
    (lambda x: augment.random_transform(x, rng=0, max_shift=1.5), TypeError, "max_shift"),
    (lambda x: augment.add_cue(x, position=(10, 0), size=3), ValueError, "position"),
    (lambda x: augment.add_cue(x, position=5), TypeError, "position"),
    (lambda x: augment.shift(x, 1, 1, fill="black"), TypeError, "fill"),
    (lambda x: augment.rotate(x, 3, fill=np.nan), ValueError, "fill must be a finite number"),
    (lambda x: augment.rotate(x, 3, fill=np.inf), ValueError, "fill must be a finite number"),
    (lambda x: augment.rotate(x, 3, fill=None), TypeError, "fill must be a finite number"),
])
def test_bad_arguments_name_the_parameter(images, call, exc, words):
    with pytest.raises(exc, match=words):
        call(images)
