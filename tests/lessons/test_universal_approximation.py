"""Universal approximation maths: placed units + least-squares output layer."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers
from nnlib.lessons import universal_approximation as ap

UNITS = [8, 16, 32, 64, 128]


def test_place_units_even_centres():
    w, b = ap.place_units(4, interval=(-1, 1), steepness=2.0)
    np.testing.assert_allclose(b / w, [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(np.abs(w), 2.0 * 4 / 2)
    assert np.all(w[::2] > 0) and np.all(w[1::2] < 0)


def test_place_units_random_needs_generator(rng):
    w, b = ap.place_units(50, placement="random", rng=rng, interval=(0, 3))
    c = b / w
    assert c.min() >= 0 and c.max() <= 3 and np.all(np.diff(c) >= 0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        ap.place_units(5, placement="random")


def test_fit_output_layer_recovers_exact_weights(rng):
    h = rng.normal(size=(50, 5))
    v_true, c_true = rng.normal(size=5), 0.7
    v, c = ap.fit_output_layer(h, h @ v_true + c_true, ridge=0.0)
    np.testing.assert_allclose(v, v_true, rtol=1e-9)
    assert c == pytest.approx(c_true, rel=1e-9)
    v2, c2 = ap.fit_output_layer(h, h @ v_true + c_true)  # the default tiny ridge
    np.testing.assert_allclose(v2, v_true, rtol=1e-6)


def test_fit_output_layer_is_least_squares(rng):
    h, y = rng.normal(size=(40, 6)), rng.normal(size=40)
    v, c = ap.fit_output_layer(h, y, ridge=0.0)
    ref = np.linalg.lstsq(np.column_stack([h, np.ones(40)]), y, rcond=None)[0]
    np.testing.assert_allclose(np.append(v, c), ref, rtol=1e-8)


def test_shallow_fit_is_an_nnlib_network():
    """Φ(x) = Σ v_j φ(w_j x − b_j) + c is the [1, N, 1] network Dense → φ → Dense."""
    f = ap.target_function("bump")
    fit = ap.fit_shallow(f, 10, activation="tanh")
    net = layers.Sequential(layers.Dense(1, 10, rng=0), layers.Tanh(), layers.Dense(10, 1, rng=0))
    net[0].W.data[...] = fit.w[None, :]
    net[0].b.data[...] = -fit.b
    net[2].W.data[...] = fit.v[:, None]
    net[2].b.data[...] = fit.c
    x = np.linspace(-1, 1, 37)
    np.testing.assert_allclose(net.forward(x[:, None])[:, 0], fit(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fit.contributions(x).sum(axis=1) + fit.c, fit(x), atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "heaviside"])
@pytest.mark.parametrize("target", list(ap.TARGETS))
def test_error_falls_as_units_grow(activation, target):
    f = ap.target_function(target)
    errors = ap.error_curve(f, UNITS, activation=activation)
    assert np.all(np.diff(errors) < 0), errors
    # 8 -> 128 units: measured at least 9.7x smaller (Heaviside on "wave"), ~100x for ReLU
    assert errors[-1] < errors[0] / 6, errors


def test_relu_error_is_second_order():
    """Piecewise-linear interpolation: the error of a smooth target falls like 1/N²."""
    f = ap.target_function("wave")
    e = ap.error_curve(f, [32, 64, 128], activation="relu")
    assert np.all(e[:-1] / e[1:] > 3.0), e


@pytest.mark.parametrize("target", list(ap.TARGETS))
def test_square_activation_is_stuck_at_the_best_quadratic(target):
    f = ap.target_function(target)
    floor = ap.best_polynomial_error(f, 2)
    errors = ap.error_curve(f, [3] + UNITS, activation="square")
    np.testing.assert_allclose(errors, floor, rtol=1e-6)
    assert floor > 0.15  # none of the targets is close to a quadratic


def test_fit_error_is_the_sup_norm():
    f = ap.target_function("abs")
    fit = ap.fit_shallow(f, 16, activation="relu")
    x = np.linspace(-1, 1, 2001)
    assert ap.approximation_error(fit, f) == pytest.approx(np.abs(fit(x) - f(x)).max())


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'cube'; allowed: sigmoid"):
        ap.fit_shallow(np.sin, 3, activation="cube")
    with pytest.raises(ValueError, match="unknown target 'cosh'; allowed: wave"):
        ap.target_function("cosh")
    with pytest.raises(ValueError, match="n_units must be an integer >= 1; got 0"):
        ap.fit_shallow(np.sin, 0)
    with pytest.raises(TypeError, match="f must be a function of x"):
        ap.fit_shallow([1, 2], 3)
    with pytest.raises(ValueError, match=r"interval must be finite with lo < hi"):
        ap.fit_shallow(np.sin, 3, interval=(1, -1))
    with pytest.raises(TypeError, match=r"interval must be a pair"):
        ap.place_units(3, interval=5)
    with pytest.raises(ValueError, match=r"y must have one value per row of h \(3\); got 2"):
        ap.fit_output_layer(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match="y contains NaN"):
        ap.fit_output_layer(np.ones((2, 2)), np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="unknown placement 'grid'"):
        ap.place_units(3, placement="grid")
