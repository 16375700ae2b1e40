"""nnlib.pooling against torch float64 (forward and backward), finite differences, errors."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import pooling
from nnlib.gradcheck import check_layer

LECTURE = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]])

# (N, C, H, W, kernel_size, stride)
CASES = [
    (1, 1, 4, 4, 2, None),
    (2, 3, 8, 8, 2, 2),
    (2, 3, 7, 7, 2, 2),
    (2, 2, 9, 9, 3, 3),
    (2, 2, 7, 7, 3, 2),
    (2, 2, 6, 6, 3, 1),
    (1, 2, 8, 6, (2, 3), (2, 1)),
    (2, 1, 10, 9, (3, 2), (1, 3)),
    (1, 3, 5, 5, 5, 1),
    (3, 2, 6, 6, 1, 2),
]


def _torch_pool(torch, name, xt, k, s):
    F = torch.nn.functional
    fn = F.max_pool2d if name == "max" else F.avg_pool2d
    return fn(xt, k, stride=s if s is not None else k)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", ["max", "avg"])
def test_pooling_matches_torch(case, name, rng, torch):
    n, c, h, w, k, s = case
    x = rng.standard_normal((n, c, h, w))
    fwd = pooling.max_pool2d_forward if name == "max" else pooling.avg_pool2d_forward
    bwd = pooling.max_pool2d_backward if name == "max" else pooling.avg_pool2d_backward
    out, cache = fwd(x, k, s)
    xt = torch.tensor(x, requires_grad=True)
    ot = _torch_pool(torch, name, xt, k, s)
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    before = dout.copy()
    ot.backward(torch.tensor(dout))
    dx = bwd(dout, cache)
    np.testing.assert_array_equal(dout, before)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool_ties_go_to_the_first_maximum_like_torch(torch):
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 0.0, 2.0], [2.0, 2.0, 2.0]]]])
    out, cache = pooling.max_pool2d_forward(x, 2, 1)
    xt = torch.tensor(x, requires_grad=True)
    ot = torch.nn.functional.max_pool2d(xt, 2, stride=1)
    ot.backward(torch.ones_like(ot))
    np.testing.assert_array_equal(out, ot.detach().numpy())
    np.testing.assert_array_equal(pooling.max_pool2d_backward(np.ones_like(out), cache),
                                  xt.grad.numpy())


@pytest.mark.parametrize("name", ["max", "avg"])
def test_global_pooling_matches_torch(name, rng, torch):
    x = rng.standard_normal((2, 3, 5, 4))
    ours = pooling.global_max_pool2d(x) if name == "max" else pooling.global_avg_pool2d(x)
    F = torch.nn.functional
    ref = F.adaptive_max_pool2d if name == "max" else F.adaptive_avg_pool2d
    assert ours.shape == (2, 3, 1, 1)
    np.testing.assert_allclose(ours, ref(torch.tensor(x), 1).numpy(), rtol=1e-12)
    # global pooling is ordinary pooling with the region as large as the map
    full = pooling.max_pool2d(x, (5, 4)) if name == "max" else pooling.avg_pool2d(x, (5, 4))
    np.testing.assert_allclose(ours, full, rtol=1e-12)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("group_size", [1, 2, 3, 6])
def test_channel_pooling_matches_torch(mode, group_size, rng, torch):
    x = rng.standard_normal((2, 6, 3, 4))
    out, cache = pooling.channel_pool_forward(x, group_size, mode)
    xt = torch.tensor(x, requires_grad=True)
    grouped = xt.reshape(2, 6 // group_size, group_size, 3, 4)
    ot = grouped.amax(dim=2) if mode == "max" else grouped.mean(dim=2)
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12)
    dout = rng.standard_normal(out.shape)
    ot.backward(torch.tensor(dout))
    np.testing.assert_allclose(pooling.channel_pool_backward(dout, cache), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer", [pooling.MaxPool2d(2), pooling.AvgPool2d(3, stride=2),
                                   pooling.MaxPool2d((2, 3), stride=1),
                                   pooling.ChannelPool(2), pooling.ChannelPool(2, mode="avg")],
                         ids=repr)
def test_finite_differences(layer, rng):
    x = rng.standard_normal((2, 4, 7, 7))  # continuous values: no ties, so max is smooth here
    errors = check_layer(layer, x, rng=rng)
    assert errors["x"] < 1e-7, errors


def test_lecture_example():
    np.testing.assert_array_equal(pooling.max_pool2d(LECTURE, 2, 2), [[9, 2], [6, 3]])
    np.testing.assert_array_equal(pooling.avg_pool2d(LECTURE, 2, 2),
                                  [[3.75, 1.25], [3.75, 2.0]])
    assert pooling.max_pool2d(LECTURE, 2, 1).shape == (3, 3)


def test_layers_have_no_parameters_and_repr():
    layer = pooling.MaxPool2d(2)
    assert layer.parameters() == [] and layer.num_parameters() == 0
    assert repr(layer) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2))"
    assert repr(pooling.AvgPool2d(3, stride=1)) == "AvgPool2d(kernel_size=(3, 3), stride=(1, 1))"
    assert repr(pooling.ChannelPool(2)) == "ChannelPool(2, mode='max')"
    with pytest.raises(RuntimeError, match="before forward"):
        pooling.AvgPool2d(2).backward(np.zeros((1, 1, 1, 1)))


def test_errors(rng):
    x = rng.standard_normal((1, 2, 4, 4))
    with pytest.raises(ValueError, match="larger than the padded input 4"):
        pooling.max_pool2d(x, 5)
    with pytest.raises(ValueError, match="stride must be an integer >= 1; got 0"):
        pooling.avg_pool2d(x, 2, 0)
    with pytest.raises(ValueError, match="kernel_size must be an integer >= 1; got 0"):
        pooling.MaxPool2d(0)
    with pytest.raises(ValueError, match=r"x must be 2-D or 4-D; got shape \(2, 4, 4\)"):
        pooling.max_pool2d(x[0], 2)
    with pytest.raises(ValueError, match=r"x must be 4-D; got shape \(4, 4\)"):
        pooling.max_pool2d_forward(x[0, 0], 2)
    with pytest.raises(ValueError, match="group_size must divide the 2 channels of x; got 3"):
        pooling.channel_pool_forward(x, 3)
    with pytest.raises(ValueError, match="unknown mode 'min'"):
        pooling.ChannelPool(2, mode="min")
    out, cache = pooling.max_pool2d_forward(x, 2)
    with pytest.raises(ValueError, match=r"dout must have shape \(1, 2, 2, 2\)"):
        pooling.max_pool2d_backward(np.zeros((1, 2, 2, 3)), cache)
    out, cache = pooling.avg_pool2d_forward(x, 2)
    with pytest.raises(ValueError, match=r"dout must have shape \(1, 2, 2, 2\)"):
        pooling.avg_pool2d_backward(np.zeros((2, 2, 2, 2)), cache)


# --- issue 22: empty maps are named, never NumPy's "zero-size array" or a silent NaN ----------

@pytest.mark.parametrize("fn", [pooling.global_max_pool2d, pooling.global_avg_pool2d,
                                lambda x: pooling.max_pool2d(x, 1),
                                lambda x: pooling.avg_pool2d(x, 1)],
                         ids=["global_max", "global_avg", "max", "avg"])
@pytest.mark.parametrize("shape", [(1, 1, 0, 0), (1, 1, 0, 3), (2, 2, 3, 0)])
def test_pooling_an_empty_map_is_a_value_error_naming_x(fn, shape):
    with pytest.raises(ValueError, match=r"^x must be \(N, C, H, W\) with C, H and W >= 1.*"
                                         r"got shape"):
        fn(np.zeros(shape))


def test_pooling_one_empty_2d_map():
    with pytest.raises(ValueError, match=r"^x must be \(H, W\) .*got shape \(1, 1, 0, 2\)"):
        pooling.max_pool2d(np.zeros((0, 2)), 1)
