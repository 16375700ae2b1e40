"""Argument checks: every message names the parameter, the value and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import _checks as v


def test_check_choice():
    assert v.check_choice("mode", "a", ["a", "b"]) == "a"
    with pytest.raises(ValueError, match=r"unknown mode 'c'; allowed: a, b"):
        v.check_choice("mode", "c", ["a", "b"])
    with pytest.raises(TypeError, match=r"mode must be a string, one of \['a', 'b'\]; got 1"):
        v.check_choice("mode", 1, ("a", "b"))


def test_check_positive_int():
    assert v.check_positive_int("n", 3) == 3
    assert type(v.check_positive_int("n", np.int64(3))) is int
    assert v.check_positive_int("k", 0, minimum=0) == 0
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        v.check_positive_int("n", 0)
    with pytest.raises(ValueError, match="k must be an integer >= 2; got 1"):
        v.check_positive_int("k", 1, minimum=2)
    for bad in (2.0, True, "3", None):
        with pytest.raises(TypeError, match="n must be an integer >= 1; got"):
            v.check_positive_int("n", bad)


def test_check_positive_float():
    assert v.check_positive_float("lr", 1) == 1.0
    assert v.check_positive_float("eps", 0, allow_zero=True) == 0.0
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr must be a finite number > 0"):
            v.check_positive_float("lr", bad)
    with pytest.raises(ValueError, match="eps must be a finite number >= 0; got -1.0"):
        v.check_positive_float("eps", -1.0, allow_zero=True)
    with pytest.raises(TypeError, match="lr must be a real number; got '1'"):
        v.check_positive_float("lr", "1")
    with pytest.raises(TypeError, match="lr must be a real number"):
        v.check_positive_float("lr", False)


def test_as_float_array_conversions():
    a = v.as_float_array("x", [1, 2, 3])
    assert a.dtype == np.float64
    f32 = np.ones(2, np.float32)
    assert v.as_float_array("x", f32).dtype == np.float32
    assert v.as_float_array("x", np.array([True, False])).dtype == np.float64
    assert v.as_float_array("x", np.zeros((2, 3)), ndim=(1, 2)).shape == (2, 3)


def test_as_float_array_rejects_nan_and_inf():
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="x contains NaN or infinite values"):
            v.as_float_array("x", [0.0, bad])
    assert np.isnan(v.as_float_array("x", [np.nan], finite=False)[0])


def test_as_float_array_dimensionality():
    with pytest.raises(ValueError, match=r"x must be 2-D; got shape \(3,\)"):
        v.as_float_array("x", np.zeros(3), ndim=2)
    with pytest.raises(ValueError, match=r"x must be 1-D or 2-D; got shape \(1, 1, 1\)"):
        v.as_float_array("x", np.zeros((1, 1, 1)), ndim=(1, 2))


@pytest.mark.parametrize("bad", ["abc", b"abc", None, [object()], np.array(["a"])])
def test_as_float_array_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        v.as_float_array("x", bad)


def test_check_rng():
    g = np.random.default_rng(0)
    assert v.check_rng("rng", g) is g
    a, b = v.check_rng("rng", 5), np.random.default_rng(5)
    assert a.random() == b.random()
    assert isinstance(v.check_rng("rng", np.int64(5)), np.random.Generator)
    for bad in (np.random.RandomState(0), None, 1.5, True, "0"):
        with pytest.raises(TypeError, match="rng must be a numpy.random.Generator or an int seed"):
            v.check_rng("rng", bad)


def test_check_real_bounds_and_kinds():
    assert v.check_real("slope", 0.5) == 0.5
    assert v.check_real("p", 0, low=0, high=1, high_open=True) == 0.0
    with pytest.raises(ValueError, match=r"p must be a finite number in \[0, 1\); got 1.0"):
        v.check_real("p", 1.0, low=0, high=1, high_open=True)
    with pytest.raises(ValueError, match=r"eps must be a finite number in \(0, inf\]; got 0.0"):
        v.check_real("eps", 0.0, low=0, low_open=True)
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="slope must be a finite number; got"):
            v.check_real("slope", bad)
    for bad in ("1", None, True, np.bool_(True), [1.0]):
        with pytest.raises(TypeError, match="slope must be a finite number; got"):
            v.check_real("slope", bad)


def test_check_fraction_open_and_closed():
    assert v.check_fraction("alpha", 0) == 0.0 and type(v.check_fraction("a", np.float32(0.5))) \
        is float
    assert v.check_fraction("dampening", 1, closed=True) == 1.0
    for bad in (1.0, -0.1, 1.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=rf"alpha must be a number in \[0, 1\); got {bad}"):
            v.check_fraction("alpha", bad)
    with pytest.raises(ValueError, match=r"dampening must be a number in \[0, 1\]; got 1.5"):
        v.check_fraction("dampening", 1.5, closed=True)
    for bad in ("0.5", None, True, [0.5]):
        with pytest.raises(TypeError, match=r"alpha must be a number in \[0, 1\); got"):
            v.check_fraction("alpha", bad)
    with pytest.raises(ValueError, match=r"p_pump must be a probability in \[0, 1\]; got 2.0"):
        v.check_fraction("p_pump", 2, closed=True, what="a probability")
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\) \(the fraction of "
                                         r"units dropped\); got 1.0"):
        v.check_dropout("p", 1.0)


def test_check_betas():
    assert v.check_betas("betas", [0.9, np.float64(0.999)]) == (0.9, 0.999)
    with pytest.raises(ValueError, match=r"betas\[1\] must be a number in \[0, 1\); got 1.0"):
        v.check_betas("betas", (0.9, 1.0))
    with pytest.raises(ValueError, match=r"betas must be a pair \(beta1, beta2\) of numbers in "
                                         r"\[0, 1\); got 3 values \(0.9, 0.9, 0.9\)"):
        v.check_betas("betas", (0.9, 0.9, 0.9))
    for bad in (0.9, "0.9", None):
        with pytest.raises(TypeError, match=r"betas must be a pair \(beta1, beta2\)"):
            v.check_betas("betas", bad)
    with pytest.raises(TypeError, match=r"betas\[0\] must be a number in \[0, 1\); got str"):
        v.check_betas("betas", ("0.9", 0.9))


def test_check_index_bool_nonempty_range():
    assert v.check_index("i", np.int64(2), 3) == 2
    with pytest.raises(TypeError, match=r"i must be an integer index in \[0, 2\]; got float 1.5"):
        v.check_index("i", 1.5, 3)
    with pytest.raises(ValueError, match=r"i must be an integer index in \[0, 2\]; got 3"):
        v.check_index("i", 3, 3)
    with pytest.raises(ValueError, match=r"i must be an integer index in \[0, 2\]; got -1"):
        v.check_index("i", -1, 3)
    assert v.check_bool("skip", np.bool_(True)) is True
    with pytest.raises(TypeError, match="skip must be True or False; got int 1"):
        v.check_bool("skip", 1)
    with pytest.raises(ValueError, match=r"x must hold at least one example; got shape \(0, 3\)"):
        v.check_nonempty("x", np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]; got values from -1"):
        v.check_in_range("y", np.array([-1.0, 2.0]), 0, 1, "targets")


def test_check_rng_rejects_negative_seeds_and_ragged_arrays():
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator or an int seed >="):
        v.check_rng("rng", -1)
    with pytest.raises(ValueError, match="x must be a rectangular array of numbers"):
        v.as_float_array("x", [[1.0, 2.0], [3.0]])
