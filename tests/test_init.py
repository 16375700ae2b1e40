"""Initialisers: shapes, exact bounds, empirical std against the lecture's formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlib import init

M, N = 400, 600  # large enough that the empirical std is within ~1 % of the formula


def test_formulas():
    assert init.xavier_uniform_bound(4, 8) == pytest.approx(math.sqrt(6 / 12))
    assert init.xavier_normal_std(4, 8) == pytest.approx(math.sqrt(2 / 12))
    assert init.he_uniform_bound(4, 8) == pytest.approx(math.sqrt(6 / 4))
    assert init.he_normal_std(4) == pytest.approx(math.sqrt(2 / 4))


@pytest.mark.parametrize("name", list(init.INITIALIZERS))
def test_shape_dtype_and_reproducibility(name):
    w = init.initialize(name, 3, 5, np.random.default_rng(1))
    assert w.shape == (3, 5) and w.dtype == np.float64
    np.testing.assert_array_equal(w, init.initialize(name, 3, 5, np.random.default_rng(1)))
    assert init.initialize(name, 3, 5, 0, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("name,bound", [
    ("xavier_uniform", math.sqrt(6 / (M + N))),
    ("he_uniform", math.sqrt(6 / M)),
    ("uniform", 0.7),
])
@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_uniform_bounds_are_exact(name, bound, scale, rng):
    kw = {"a": 0.7} if name == "uniform" else {}
    w = init.initialize(name, M, N, rng, scale=scale, **kw)
    b = bound * scale
    assert np.all(np.abs(w) <= b)
    # the samples fill the interval: extremes within 0.1 % of the bound
    assert w.max() > 0.999 * b and w.min() < -0.999 * b
    assert abs(w.mean()) < 0.01 * b


@pytest.mark.parametrize("name,std", [
    ("xavier_uniform", math.sqrt(6 / (M + N)) / math.sqrt(3)),
    ("xavier_normal", math.sqrt(2 / (M + N))),
    ("he_uniform", math.sqrt(6 / M) / math.sqrt(3)),
    ("he_normal", math.sqrt(2 / M)),
    ("normal", 0.05),
    ("uniform", 0.7 / math.sqrt(3)),
])
@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_empirical_std_matches_lecture_and_init_std(name, std, scale, rng):
    kw = {"std": 0.05} if name == "normal" else {"a": 0.7} if name == "uniform" else {}
    w = init.initialize(name, M, N, rng, scale=scale, **kw)
    assert w.std() == pytest.approx(std * scale, rel=0.02)
    assert init.init_std(name, M, N, scale=scale, **kw) == pytest.approx(std * scale, rel=1e-12)
    assert abs(w.mean()) < 0.01 * std * scale


def test_normal_default_is_standard_normal(rng):
    w = init.normal(M, N, rng)
    assert w.std() == pytest.approx(1.0, rel=0.02)


def test_unknown_initialiser_lists_allowed_names(rng):
    with pytest.raises(ValueError,
                       match=r"unknown init 'glorot'; allowed: xavier_uniform.*he_normal"):
        init.initialize("glorot", 3, 4, rng)
    with pytest.raises(ValueError, match="allowed: .*uniform"):
        init.init_std("lecun", 3, 4)


@pytest.mark.parametrize("m,n,param", [(0, 3, "fan_in"), (3, 0, "fan_out"), (-2, 3, "fan_in")])
@pytest.mark.parametrize("name", list(init.INITIALIZERS))
def test_non_positive_sizes(name, m, n, param, rng):
    with pytest.raises(ValueError, match=rf"{param} must be an integer >= 1"):
        init.initialize(name, m, n, rng)
    with pytest.raises(ValueError, match=rf"{param} must be an integer >= 1"):
        init.init_std(name, m, n)


def test_non_integer_size_is_a_type_error(rng):
    with pytest.raises(TypeError, match="fan_in must be an integer"):
        init.he_normal(2.5, 3, rng)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_bad_scale_std_a(bad, rng):
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        init.xavier_uniform(3, 4, rng, scale=bad)
    with pytest.raises(ValueError, match="std must be a finite number > 0"):
        init.normal(3, 4, rng, std=bad)
    with pytest.raises(ValueError, match="a must be a finite number > 0"):
        init.uniform(3, 4, rng, a=bad)


@pytest.mark.parametrize("bad", [None, np.random.RandomState(0), 1.5, "seed"])
def test_wrong_rng_type(bad):
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator or an int seed"):
        init.initialize("he_normal", 3, 4, bad)
