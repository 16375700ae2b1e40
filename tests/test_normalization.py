"""Batch normalisation: torch float64 as the reference, centred differences, the contract."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.gradcheck import check_layer
from nnlib.normalization import BatchNorm1d, BatchNorm2d

SHAPES = {BatchNorm1d: (7, 5), BatchNorm2d: (3, 5, 4, 2)}


def _pair(cls, torch, rng, **kw):
    """An nnlib layer and its torch twin with the same random γ and β."""
    ours = cls(5, **kw)
    theirs = getattr(torch.nn, cls.__name__)(5, **kw)
    g, b = rng.normal(size=5) + 1.0, rng.normal(size=5)
    ours.gamma.data[:], ours.beta.data[:] = g, b
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(g))
        theirs.bias.copy_(torch.tensor(b))
    return ours, theirs


def _step(ours, theirs, x, dout, torch):
    out, dx = ours.forward(x), ours.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tout = theirs(tx)
    tout.backward(torch.tensor(dout))
    return out, dx, tout.detach().numpy(), tx.grad.numpy()


@pytest.mark.parametrize("cls", [BatchNorm1d, BatchNorm2d])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_matches_torch_over_several_training_steps_then_eval(cls, momentum, rng, torch):
    ours, theirs = _pair(cls, torch, rng, momentum=momentum)
    shape = SHAPES[cls]
    for _ in range(4):  # gradients accumulate in both, as neither is zeroed
        x = 3.0 * rng.normal(size=shape) + rng.normal(size=(1, 5) + (1,) * (len(shape) - 2))
        out, dx, tout, tdx = _step(ours, theirs, x, rng.normal(size=shape), torch)
        np.testing.assert_allclose(out, tout, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dx, tdx, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.gamma.grad, theirs.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.beta.grad, theirs.bias.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    out, dx, tout, tdx = _step(ours, theirs, x, rng.normal(size=shape), torch)
    np.testing.assert_allclose(out, tout, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, tdx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.gamma.grad, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.beta.grad, theirs.bias.grad.numpy(), rtol=1e-10)
    # evaluation leaves the running statistics alone
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)


def test_running_var_is_unbiased_estimate(rng):
    bn = BatchNorm1d(3, momentum=1.0)
    x = rng.normal(size=(4, 3))
    bn.forward(x)
    np.testing.assert_allclose(bn.running_mean, x.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(bn.running_var, x.var(axis=0, ddof=1), rtol=1e-13)


@pytest.mark.parametrize("cls", [BatchNorm1d, BatchNorm2d])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradcheck(cls, mode, rng):
    bn = cls(5)
    bn.gamma.data[:] = rng.normal(size=5)
    bn.beta.data[:] = rng.normal(size=5)
    bn.running_mean[:] = rng.normal(size=5)
    bn.running_var[:] = rng.uniform(0.5, 2.0, size=5)
    bn.train(mode == "train")
    x = 2.0 * rng.normal(size=SHAPES[cls]) + 1.0
    before = (bn.running_mean.copy(), bn.running_var.copy())
    errors = check_layer(bn, x, rng=rng)
    assert set(errors) == {"x", "gamma", "beta"}
    assert max(errors.values()) <= 1e-7, errors
    if mode == "eval":
        np.testing.assert_array_equal(bn.running_mean, before[0])


def test_training_output_is_standardised_then_scaled(rng):
    bn = BatchNorm2d(4)
    bn.gamma.data[:] = [1.0, 2.0, 0.5, 3.0]
    bn.beta.data[:] = [0.0, -1.0, 4.0, 0.5]
    out = bn.forward(5.0 + 10.0 * rng.normal(size=(6, 4, 3, 3)))
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), bn.beta.data, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), bn.gamma.data, rtol=1e-6)


def test_batch_and_running_statistics_differ(rng):
    """A fresh layer in eval mode leaves shifted data almost unchanged; training mode does not."""
    bn = BatchNorm1d(3)
    x = 5.0 + rng.normal(size=(50, 3))
    train_out = bn.forward(x)
    bn.eval()
    eval_out = bn.forward(x)
    assert np.abs(train_out.mean(axis=0)).max() < 1e-12
    assert eval_out.mean(axis=0).min() > 4.0


def test_contract(rng):
    bn = BatchNorm1d(4)
    assert bn.parameters() == [bn.gamma, bn.beta]
    assert bn.gamma.data.ndim == 1 and bn.beta.data.ndim == 1
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    keep_x, keep_dout = x.copy(), dout.copy()
    bn.forward(x)
    bn.backward(dout)
    np.testing.assert_array_equal(dout, keep_dout)
    np.testing.assert_array_equal(x, keep_x)
    first = (bn.gamma.grad.copy(), bn.beta.grad.copy())
    bn.forward(x)
    bn.backward(dout)  # backward adds into .grad
    np.testing.assert_allclose(bn.gamma.grad, 2 * first[0], rtol=1e-13)
    np.testing.assert_allclose(bn.beta.grad, 2 * first[1], rtol=1e-13)
    bn.zero_grad()
    assert not bn.gamma.grad.any() and not bn.beta.grad.any()
    assert BatchNorm2d(3).num_channels == 3
    assert "BatchNorm2d(3" in repr(BatchNorm2d(3))


def test_float32(rng):
    bn = BatchNorm2d(2, dtype=np.float32)
    x = rng.normal(size=(3, 2, 2, 2)).astype(np.float32)
    out = bn.forward(x)
    assert out.dtype == np.float32
    assert bn.backward(np.ones_like(out)).dtype == np.float32
    assert bn.running_mean.dtype == np.float32 and bn.gamma.grad.dtype == np.float32


# --- bad input --------------------------------------------------------------------------------

def test_training_batch_of_one_is_rejected_but_eval_works(rng):
    bn = BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"more than one value per feature.*\(1, 3\)"):
        bn.forward(rng.normal(size=(1, 3)))
    assert bn.num_batches_tracked == 0 and not bn.running_mean.any()
    bn.eval()
    assert bn.forward(rng.normal(size=(1, 3))).shape == (1, 3)
    with pytest.raises(ValueError, match=r"more than one value.*\(1, 2, 1, 1\)"):
        BatchNorm2d(2).forward(np.zeros((1, 2, 1, 1)))
    BatchNorm2d(2).forward(rng.normal(size=(1, 2, 2, 2)))  # 4 values per channel is enough


def test_wrong_feature_count_and_ndim(rng):
    with pytest.raises(ValueError, match=r"x must have 3 features .*got shape \(4, 5\)"):
        BatchNorm1d(3).forward(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"x must be 2-D \(N, F\).*got shape \(4, 3, 2, 2\)"):
        BatchNorm1d(3).forward(np.zeros((4, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\).*got shape \(4, 3\)"):
        BatchNorm2d(3).forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"x must have 3 channels .*\(2, 4, 2, 2\)"):
        BatchNorm2d(3).forward(np.zeros((2, 4, 2, 2)))
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        BatchNorm1d(3).forward("abc")
    bn = BatchNorm1d(3)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        bn.backward(np.zeros((2, 3)))
    bn.forward(rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"dout must have shape \(4, 3\); got \(4, 2\)"):
        bn.backward(np.zeros((4, 2)))


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"num_features": 0}, ValueError, "num_features must be an integer >= 1; got 0"),
    ({"num_features": 2.5}, TypeError, "num_features must be an integer"),
    ({"num_features": 3, "eps": 0}, ValueError, "eps must be a finite number > 0; got 0"),
    ({"num_features": 3, "momentum": 1.5}, ValueError, r"momentum must lie in \(0, 1\]; got 1.5"),
    ({"num_features": 3, "momentum": -0.1}, ValueError, "momentum must be a finite number > 0"),
    ({"num_features": 3, "dtype": np.int64}, TypeError, "dtype must be a floating type"),
])
def test_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        BatchNorm1d(**kwargs)


def test_batchnorm2d_names_its_own_argument():
    with pytest.raises(ValueError, match="num_channels must be an integer >= 1; got 0"):
        BatchNorm2d(0)
