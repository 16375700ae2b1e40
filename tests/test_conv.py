"""nnlib.conv and nnlib.conv_naive: lecture examples, torch float64, finite differences."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnlib import conv, conv_naive
from nnlib.gradcheck import check_layer, numerical_gradient_array, rel_error

LECTURE_X = np.array([[-1, 1, 0.5, 1], [0, -2, -1, 0], [0.5, -1, -1, 1], [-1, 1, 0, -2]])
LECTURE_H = np.array([[-1, 1], [0, -2]])

# (N, C, H, W, F, KH, KW, padding, stride, dilation)
CASES = [
    (1, 1, 4, 4, 1, 2, 2, 0, 1, 1),
    (2, 3, 7, 7, 4, 3, 3, 0, 1, 1),
    (2, 3, 7, 7, 4, 3, 3, 1, 1, 1),
    (2, 2, 8, 8, 3, 3, 3, 0, 2, 1),
    (2, 2, 9, 9, 3, 3, 3, 1, 2, 1),
    (1, 2, 9, 9, 2, 3, 3, 0, 1, 2),
    (2, 2, 10, 9, 3, 3, 3, 2, 1, 2),
    (2, 2, 11, 11, 2, 3, 3, 2, 3, 2),
    (1, 1, 6, 6, 2, 1, 1, 0, 1, 1),
    (3, 4, 5, 5, 6, 1, 1, 1, 2, 1),
    (2, 3, 6, 8, 2, 2, 3, 1, 2, 3),
    (1, 2, 12, 7, 2, 5, 2, 0, (2, 1), (1, 2)),
    (2, 1, 7, 9, 2, 3, 1, (1, 0), (1, 2), (2, 1)),
    (1, 2, 5, 9, 2, 1, 4, (0, 2), (3, 1), (1, 2)),
    (1, 3, 5, 5, 2, 5, 5, 0, 1, 1),
    (2, 2, 3, 3, 2, 3, 3, 2, 2, 2),
    (1, 2, 6, 6, 2, 4, 4, 1, 3, 1),
]


def _case(case, rng, bias=True):
    n, c, h, w, f, kh, kw, p, s, d = case
    x = rng.standard_normal((n, c, h, w))
    weights = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f) if bias else None
    return x, weights, b, dict(padding=p, stride=s, dilation=d)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_forward_and_backward_match_torch(case, bias, rng, torch):
    F = torch.nn.functional
    x, w, b, kw = _case(case, rng, bias)
    out, cache = conv.conv2d_forward(x, w, b, **kw)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    ot = F.conv2d(xt, wt, bt, **kw)
    assert out.shape == tuple(ot.shape)
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dout_before = dout.copy()
    ot.backward(torch.tensor(dout))
    dx, dw, db = conv.conv2d_backward(dout, cache)
    np.testing.assert_array_equal(dout, dout_before)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-12, atol=1e-12)
    else:
        assert db is None


@pytest.mark.parametrize("case", CASES)
def test_naive_and_fast_agree(case, rng):
    x, w, b, kw = _case(case, rng)
    out, cache = conv.conv2d_forward(x, w, b, **kw)
    out_n, cache_n = conv_naive.conv2d_forward_naive(x, w, b, **kw)
    np.testing.assert_allclose(out_n, out, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for fast, slow in zip(conv.conv2d_backward(dout, cache),
                          conv_naive.conv2d_backward_naive(dout, cache_n)):
        np.testing.assert_allclose(slow, fast, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES[:6] + CASES[10:14])
def test_finite_differences_through_layer(case, rng):
    n, c, h, w, f, kh, kw, p, s, d = case
    layer = conv.Conv2d(c, f, (kh, kw), rng=rng, padding=p, stride=s, dilation=d)
    layer.b.data = rng.standard_normal(f)
    x = rng.standard_normal((min(n, 2), c, h, w))
    errors = check_layer(layer, x, rng=rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-7, errors


def test_naive_backward_finite_differences(rng):
    x, w, b, kw = _case(CASES[7], rng)
    out, cache = conv_naive.conv2d_forward_naive(x, w, b, **kw)
    dout = rng.standard_normal(out.shape)
    dx, dw, _ = conv_naive.conv2d_backward_naive(dout, cache)
    num_dx = numerical_gradient_array(lambda: conv_naive.conv2d_forward_naive(x, w, b, **kw)[0],
                                      x, dout)
    num_dw = numerical_gradient_array(lambda: conv_naive.conv2d_forward_naive(x, w, b, **kw)[0],
                                      w, dout)
    assert rel_error(num_dx, dx) < 1e-7
    assert rel_error(num_dw, dw) < 1e-7


def test_gradient_check_catches_a_wrong_backward(rng):
    x, w, b, kw = _case(CASES[2], rng)
    out, cache = conv.conv2d_forward(x, w, b, **kw)
    dout = rng.standard_normal(out.shape)
    _, dw, _ = conv.conv2d_backward(dout, cache)
    wrong = np.flip(dw, axis=(2, 3))  # the classic mistake: a flipped kernel gradient
    num = numerical_gradient_array(lambda: conv.conv2d_forward(x, w, b, **kw)[0], w, dout)
    assert rel_error(num, dw) < 1e-7
    assert rel_error(num, wrong) > 1e-2


# ------------------------------------------------------------------ single-channel teaching API

def test_lecture_example_every_output():
    y = conv.cross_correlate2d(LECTURE_X, LECTURE_H)
    assert y[0, 0] == 6  # (−1·−1) + (1·1) + (0·0) + (−2·−2)
    np.testing.assert_array_equal(y, [[6, 1.5, 0.5], [0, 3, -1], [-3.5, 0, 6]])


def test_convolution_rotates_the_mask(torch):
    rotated = np.array([[-2, 0], [1, -1]])
    np.testing.assert_array_equal(np.rot90(LECTURE_H, 2), rotated)
    np.testing.assert_array_equal(conv.convolve2d(LECTURE_X, LECTURE_H),
                                  conv.cross_correlate2d(LECTURE_X, rotated))
    # true convolution = torch.conv_transpose-free check: flip input and output instead
    flipped = np.rot90(conv.cross_correlate2d(np.rot90(LECTURE_X, 2), LECTURE_H), 2)
    np.testing.assert_array_equal(conv.convolve2d(LECTURE_X, LECTURE_H), flipped)


@pytest.mark.parametrize("kw", [dict(), dict(padding=1), dict(stride=2, padding=1),
                                dict(dilation=2), dict(padding=(1, 0), stride=(1, 2))])
def test_single_channel_matches_batched(kw, rng):
    x = rng.standard_normal((6, 7))
    h = rng.standard_normal((3, 2))
    np.testing.assert_allclose(conv.cross_correlate2d(x, h, **kw),
                               conv.conv2d(x[None, None], h[None, None], **kw)[0, 0],
                               rtol=1e-13, atol=1e-13)


def test_window_products_sum_to_output():
    window, products, total = conv.window_products(LECTURE_X, LECTURE_H, 0, 0)
    np.testing.assert_array_equal(window, [[-1, 1], [0, -2]])
    np.testing.assert_array_equal(products, [[1, 1], [0, 4]])
    assert total == 6
    y = conv.cross_correlate2d(LECTURE_X, LECTURE_H)
    for i in range(3):
        for j in range(3):
            assert conv.window_products(LECTURE_X, LECTURE_H, i, j)[2] == y[i, j]
    with pytest.raises(ValueError, match=r"\(i, j\) must index the 3x3 output"):
        conv.window_products(LECTURE_X, LECTURE_H, 3, 0)


def test_vertical_edge_detector():
    x = np.zeros((6, 6))
    x[:, :3] = 10
    h = np.array([[1, 0, -1]] * 3)
    y = conv.cross_correlate2d(x, h)
    expected = np.zeros((4, 4))
    expected[:, 1:3] = 30
    np.testing.assert_array_equal(y, expected)


# ---------------------------------------------------------------------------------- geometry

@pytest.mark.parametrize("n", [1, 4, 7, 28])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("p,s,d", [(0, 1, 1), (1, 1, 1), (2, 2, 1), (0, 3, 2), (1, 2, 3)])
def test_output_size_matches_torch(n, k, p, s, d, torch):
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv.conv_output_size(n, k, p, s, d)
        return
    x = torch.zeros(1, 1, n, n)
    w = torch.zeros(1, 1, k, k)
    shape = torch.nn.functional.conv2d(x, w, padding=p, stride=s, dilation=d).shape
    assert conv.conv_output_size(n, k, p, s, d) == shape[-1]


def test_receptive_field():
    rows, cols = conv.receptive_field(1, 2, 3, stride=2, dilation=2)
    np.testing.assert_array_equal(rows, [2, 4, 6])
    np.testing.assert_array_equal(cols, [4, 6, 8])
    rows, cols = conv.receptive_field(0, 1, (2, 1), stride=(1, 3))
    np.testing.assert_array_equal(rows, [0, 1])
    np.testing.assert_array_equal(cols, [3])


# -------------------------------------------------------------------------------------- layer

def test_conv2d_layer_counts_and_contract(rng):
    layer = conv.Conv2d(3, 8, 5, rng=rng, padding=2)
    assert layer.num_parameters() == 8 * 3 * 5 * 5 + 8
    assert layer.W.shape == (8, 3, 5, 5)
    # he_normal: std √(2 / fan_in), fan_in = 3·5·5
    assert abs(layer.W.data.std() / np.sqrt(2 / 75) - 1) < 0.15
    x = rng.standard_normal((2, 3, 10, 10))
    out = layer.forward(x)
    assert out.shape == (2, 8, 10, 10)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    assert dx.shape == x.shape and layer.W.grad.shape == layer.W.shape
    assert repr(layer) == "Conv2d(3, 8, (5, 5), padding=(2, 2))"
    no_bias = conv.Conv2d(1, 2, 3, rng=rng, bias=False)
    assert no_bias.num_parameters() == 18 and len(no_bias.parameters()) == 1
    with pytest.raises(RuntimeError, match="before forward"):
        conv.Conv2d(1, 1, 1, rng=rng).backward(np.zeros((1, 1, 1, 1)))


def test_conv2d_layer_xavier_uses_pytorch_fans(rng):
    layer = conv.Conv2d(4, 6, 3, rng=rng, init="xavier_uniform")
    bound = np.sqrt(6 / (4 * 9 + 6 * 9))
    assert np.abs(layer.W.data).max() <= bound
    assert np.abs(layer.W.data).max() > 0.9 * bound


def test_float32_stays_float32(rng):
    x = rng.standard_normal((2, 1, 6, 6)).astype(np.float32)
    w = rng.standard_normal((2, 1, 3, 3)).astype(np.float32)
    out, cache = conv.conv2d_forward(x, w, np.zeros(2, np.float32))
    assert out.dtype == np.float32
    dx, dw, db = conv.conv2d_backward(np.ones_like(out), cache)
    assert dx.dtype == dw.dtype == np.float32


# ------------------------------------------------------------------------------------- errors

def test_errors_name_the_parameter(rng):
    x = rng.standard_normal((1, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    with pytest.raises(ValueError, match=r"kernel_size 3 with dilation 1 spans 3 pixels, larger "
                                         r"than the padded input 2 \+ 2\*0 = 2"):
        conv.conv2d(x[:, :, :2], w)
    with pytest.raises(ValueError, match="spans 5 pixels.*padded input 4"):
        conv.conv2d(x[:, :, :4, :4], w, dilation=2)
    with pytest.raises(ValueError, match="stride must be an integer >= 1; got 0"):
        conv.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="padding must be an integer >= 0; got -1"):
        conv.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="dilation must be an integer >= 1; got 0"):
        conv.conv2d(x, w, dilation=0)
    with pytest.raises(TypeError, match="stride must be an integer"):
        conv.conv2d(x, w, stride=1.5)
    with pytest.raises(ValueError, match="padding must be an integer or a pair"):
        conv.conv2d(x, w, padding=(1, 1, 1))
    with pytest.raises(ValueError, match="channel-count mismatch: w has 2 input channels.*x has 3"):
        conv.conv2d(rng.standard_normal((1, 3, 5, 5)), w)
    with pytest.raises(ValueError, match=r"x must be 4-D; got shape \(2, 5, 5\)"):
        conv.conv2d(x[0], w)
    with pytest.raises(ValueError, match=r"w must be 4-D; got shape \(2, 3, 3\)"):
        conv.conv2d(x, w[0])
    with pytest.raises(ValueError, match=r"b must have one entry per filter, shape \(3,\)"):
        conv.conv2d(x, w, np.zeros(2))
    with pytest.raises(ValueError, match="x must be 2-D"):
        conv.cross_correlate2d(x, LECTURE_H)
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        conv.cross_correlate2d("image", LECTURE_H)
    out, cache = conv.conv2d_forward(x, w)
    with pytest.raises(ValueError, match=r"dout must have shape \(1, 3, 3, 3\)"):
        conv.conv2d_backward(np.zeros((1, 3, 3, 2)), cache)
    with pytest.raises(ValueError, match="in_channels must be an integer >= 1; got 0"):
        conv.Conv2d(0, 1, 3, rng=rng)
    with pytest.raises(ValueError, match="kernel_size must be an integer >= 1; got 0"):
        conv.Conv2d(1, 1, 0, rng=rng)
    with pytest.raises(ValueError, match="unknown init 'zeros'"):
        conv.Conv2d(1, 1, 3, rng=rng, init="zeros")


# --- issue 22: an empty image is named as such ------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1, 0, 4), (1, 1, 4, 0), (2, 0, 4, 4)])
def test_conv2d_on_an_empty_image_names_x(shape):
    with pytest.raises(ValueError, match=r"^x must be \(N, C, H, W\) with C, H and W >= 1.*got "
                                         r"shape " + re.escape(str(shape))):
        conv.conv2d(np.zeros(shape), np.zeros((1, shape[1], 1, 1)), np.zeros(1))


def test_conv2d_on_an_empty_kernel_names_w():
    with pytest.raises(ValueError, match=r"^w must be .*got shape \(1, 1, 0, 1\)"):
        conv.conv2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 0, 1)))
