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
    w = init.initialize(name, (3, 5), np.random.default_rng(1))
    assert w.shape == (3, 5) and w.dtype == np.float64
    np.testing.assert_array_equal(w, init.initialize(name, (3, 5), np.random.default_rng(1)))
    assert init.initialize(name, (3, 5), 0, dtype=np.float32).dtype == np.float32
    assert init.initialize(name, (4, 3, 2, 2), 0).shape == (4, 3, 2, 2)


@pytest.mark.parametrize("name,bound", [
    ("xavier_uniform", math.sqrt(6 / (M + N))),
    ("he_uniform", math.sqrt(6 / M)),
    ("uniform", 0.7),
])
@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_uniform_bounds_are_exact(name, bound, scale, rng):
    kw = {"a": 0.7} if name == "uniform" else {}
    w = init.initialize(name, (M, N), rng, fans=(M, N), scale=scale, **kw)
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
    w = init.initialize(name, (M, N), rng, fans=(M, N), scale=scale, **kw)
    assert w.std() == pytest.approx(std * scale, rel=0.02)
    assert init.init_std(name, M, N, scale=scale, **kw) == pytest.approx(std * scale, rel=1e-12)
    assert abs(w.mean()) < 0.01 * std * scale


def test_normal_default_is_standard_normal(rng):
    w = init.normal((M, N), rng)
    assert w.std() == pytest.approx(1.0, rel=0.02)


def test_unknown_initialiser_lists_allowed_names(rng):
    with pytest.raises(ValueError,
                       match=r"unknown init name 'glorot'; allowed: xavier_uniform.*he_normal"):
        init.initialize("glorot", (3, 4), rng)
    with pytest.raises(ValueError, match="allowed: .*uniform"):
        init.init_std("lecun", 3, 4)


@pytest.mark.parametrize("m,n,param", [(0, 3, "fan_in"), (3, 0, "fan_out"), (-2, 3, "fan_in")])
@pytest.mark.parametrize("name", list(init.INITIALIZERS))
def test_non_positive_sizes(name, m, n, param, rng):
    with pytest.raises(ValueError, match=rf"{param} must be an integer >= 1"):
        init.initialize(name, (5, 5), rng, fans=(m, n))
    with pytest.raises(ValueError, match=rf"{param} must be an integer >= 1"):
        init.init_std(name, m, n)


def test_non_integer_size_is_a_type_error(rng):
    with pytest.raises(TypeError, match="fan_in must be an integer"):
        init.he_normal((3, 3), rng, fans=(2.5, 3))
    with pytest.raises(TypeError, match=r"shape\[0\] must be an integer"):
        init.he_normal((2.5, 3), rng)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_bad_scale_std_a(bad, rng):
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        init.xavier_uniform((3, 4), rng, scale=bad)
    with pytest.raises(ValueError, match="std must be a finite number > 0"):
        init.normal((3, 4), rng, std=bad)
    with pytest.raises(ValueError, match="a must be a finite number > 0"):
        init.uniform((3, 4), rng, a=bad)


@pytest.mark.parametrize("bad", [None, np.random.RandomState(0), 1.5, "seed"])
def test_wrong_rng_type(bad):
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator or an int seed"):
        init.initialize("he_normal", (3, 4), bad)


# --- shapes and fans, as PyTorch counts them ----------------------------------------------

@pytest.mark.parametrize("shape", [(7, 5), (8, 3, 5, 5), (4, 6, 3), (16, 1, 1, 1), (2, 3, 4, 5, 6)])
def test_fans_match_torch(shape, torch):
    ours = init.calculate_fan_in_and_fan_out(shape)
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_need_two_dimensions_and_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*got \(5,\)"):
        init.calculate_fan_in_and_fan_out((5,))
    with pytest.raises(ValueError, match=r"shape\[1\] must be an integer >= 1"):
        init.initialize("he_normal", (3, 0), 0)
    with pytest.raises(TypeError, match="shape must be a tuple"):
        init.initialize("he_normal", "3x3", 0)
    with pytest.raises(TypeError, match="fans must be a pair"):
        init.initialize("he_normal", (3, 3), 0, fans=3)


# torch reference for each initialiser on a torch-layout weight (its own fans): bound or std
_TORCH = {
    "xavier_uniform": ("bound", lambda t, nn: nn.init.xavier_uniform_(t)),
    "xavier_normal": ("std", lambda t, nn: nn.init.xavier_normal_(t)),
    "he_uniform": ("bound", lambda t, nn: nn.init.kaiming_uniform_(t, nonlinearity="relu")),
    "he_normal": ("std", lambda t, nn: nn.init.kaiming_normal_(t, nonlinearity="relu")),
}


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 5, 5), (50, 400, 3, 3)])
@pytest.mark.parametrize("name", list(_TORCH))
def test_initialisers_match_torch_on_torch_layout(name, shape, rng, torch):
    """Same shape, same fans: the same bound (uniform) and the same std (normal) as torch."""
    kind, fill = _TORCH[name]
    torch.manual_seed(0)
    t = fill(torch.empty(shape, dtype=torch.float64), torch.nn).numpy()
    w = init.initialize(name, shape, rng)
    fan_in, fan_out = init.calculate_fan_in_and_fan_out(shape)
    assert init.init_std(name, fan_in, fan_out) == pytest.approx(float(np.std(w)), rel=0.03)
    assert np.std(w) == pytest.approx(np.std(t), rel=0.03)
    if kind == "bound":  # uniform: both fill the same interval
        assert np.abs(w).max() <= np.abs(t).max() * 1.001
        assert np.abs(t).max() <= np.abs(w).max() * 1.001
        bound = (init.xavier_uniform_bound(fan_in, fan_out) if name == "xavier_uniform"
                 else init.he_uniform_bound(fan_in))
        assert np.abs(w).max() == pytest.approx(bound, rel=1e-3)


def test_dense_layout_passes_its_fans(rng):
    """Our Dense W is (in, out): with fans=(in, out) it gets torch Linear(in, out)'s spread."""
    w = init.initialize("he_normal", (400, 50), rng, fans=(400, 50))
    assert w.std() == pytest.approx(math.sqrt(2 / 400), rel=0.03)
    w_torch_rule = init.initialize("he_normal", (400, 50), rng)  # torch rule: fan_in = 50
    assert w_torch_rule.std() == pytest.approx(math.sqrt(2 / 50), rel=0.03)


# --- issue 22: an integer dtype would round every weight, mostly to 0 -------------------------

@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                                  "normal", "uniform"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, "int64", np.uint8, bool, np.complex128])
def test_every_initialiser_refuses_a_non_float_dtype(name, dtype):
    with pytest.raises(TypeError, match=r"dtype must be a floating type.*got"):
        getattr(init, name)((4, 4), 0, dtype=dtype)
    with pytest.raises(TypeError, match=r"dtype must be a floating type"):
        init.initialize(name, (4, 4), 0, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32", np.dtype("float64")])
def test_float_dtypes_are_kept(dtype):
    assert init.he_normal((4, 4), 0, dtype=dtype).dtype == np.dtype(dtype)


def test_fans_of_the_wrong_length_is_a_value_error_like_betas():
    with pytest.raises(ValueError, match=r"fans must be a pair \(fan_in, fan_out\).*got 3 values"):
        init.he_normal((4, 4), 0, fans=(4, 4, 4))
    with pytest.raises(TypeError, match=r"fans must be a pair.*got int 4"):
        init.he_normal((4, 4), 0, fans=4)


class _ReadOnlyDraws(np.random.Generator):
    """A generator whose draws come back read-only, as the gradient lab's replayed ones do."""

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        z = super().standard_normal(size, dtype, out)
        z.flags.writeable = False
        return z

    def uniform(self, low=0.0, high=1.0, size=None):
        u = super().uniform(low, high, size)
        u.flags.writeable = False
        return u


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(init.INITIALIZERS))
def test_a_shared_read_only_draw_is_left_as_it_is(name, dtype):
    """The initialisers never write into the generator's draw (the gradient lab hands the same
    kept draw to every network it builds), give a writable array of their own, and the same
    numbers as from an ordinary generator."""
    w = init.initialize(name, (30, 20), _ReadOnlyDraws(4), dtype=dtype, scale=1.3)
    ref = init.initialize(name, (30, 20), np.random.default_rng(4), dtype=dtype, scale=1.3)
    assert w.dtype == dtype and w.flags.writeable
    np.testing.assert_array_equal(w, ref)
