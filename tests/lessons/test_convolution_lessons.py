"""nnlib.lessons.convolution: the measurements of notebooks 09-12, checked on known cases."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import conv
from nnlib.lessons import convolution as L


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape,kshape", [((4, 4), (2, 2)), ((5, 7), (3, 2)), ((3, 3), (3, 3))])
def test_mask_matrix_is_cross_correlation(order, shape, kshape):
    rng = np.random.default_rng(1)
    x, k = rng.standard_normal(shape), rng.standard_normal(kshape)
    M = L.mask_matrix(k, shape, order=order)
    y = conv.cross_correlate2d(x, k)
    assert M.shape == (y.size, x.size)
    np.testing.assert_allclose(M @ x.ravel(order=order), y.ravel(order=order), rtol=1e-12)
    assert np.all(np.count_nonzero(M, axis=1) == k.size)


def test_mask_matrix_orders_differ_and_bad_input_raises():
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert not np.array_equal(L.mask_matrix(k, (3, 3)), L.mask_matrix(k, (3, 3), order="F"))
    with pytest.raises(ValueError, match="order"):
        L.mask_matrix(k, (3, 3), order="K")
    with pytest.raises(ValueError, match="does not fit"):
        L.mask_matrix(k, (1, 3))
    with pytest.raises(ValueError, match="kernel"):
        L.mask_matrix(np.ones(3), (3, 3))


def test_representation_change():
    a = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]])
    assert L.representation_change(a, a) == 0
    assert L.representation_change(a, 2 * a) == pytest.approx(1.0)
    assert L.representation_change(a, a + [[0, 5], [0, 0], [0, 0]]) == 0  # the median
    with pytest.raises(ValueError, match="same shape"):
        L.representation_change(a, a[:2])
    with pytest.raises(ValueError, match="all-zero"):
        L.representation_change(np.zeros((2, 2)), a[:2])


def test_move_parts_shifts_each_half_and_fills_zeros():
    x = np.arange(1, 1 + 2 * 1 * 4 * 5, dtype=float).reshape(2, 1, 4, 5)
    moved = L.move_parts(x, top_shift=1, bottom_shift=-2)
    np.testing.assert_array_equal(moved[:, :, :2, 1:], x[:, :, :2, :-1])
    np.testing.assert_array_equal(moved[:, :, :2, 0], 0)
    np.testing.assert_array_equal(moved[:, :, 2:, :-2], x[:, :, 2:, 2:])
    np.testing.assert_array_equal(moved[:, :, 2:, -2:], 0)
    np.testing.assert_array_equal(L.move_parts(x, top_shift=0, bottom_shift=0), x)
    with pytest.raises(ValueError, match="images"):
        L.move_parts(x[0], top_shift=1, bottom_shift=1)
    with pytest.raises(ValueError, match="top_shift"):  # the parameter as the caller wrote it
        L.move_parts(x, top_shift=5, bottom_shift=0)


def test_nearest_neighbour_accuracy():
    x_train = np.array([[0.0, 0.0], [10.0, 10.0]])
    y_train = np.array([0, 1])
    x_test = np.array([[1.0, 0.0], [9.0, 9.0], [6.0, 6.0]])
    assert L.nearest_neighbour_accuracy(x_train, y_train, x_test, [0, 1, 1]) == 1.0
    assert L.nearest_neighbour_accuracy(x_train, y_train, x_test, [0, 1, 0]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="features"):
        L.nearest_neighbour_accuracy(x_train, y_train, np.ones((2, 3)), [0, 1])


def test_best_time_is_the_fastest_call():
    calls = []
    t = L.best_time(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6 and 0 <= t < 0.1
    with pytest.raises(TypeError, match="fn"):
        L.best_time(3)
    with pytest.raises(ValueError, match="repeats"):
        L.best_time(lambda: None, repeats=0)
