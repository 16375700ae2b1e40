"""Layers: forward/backward against finite differences and torch autograd (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers as L
from nnlib.gradcheck import check_layer
from nnlib.models import mlp

A_LEAKY = 0.2  # deliberately not the default 0.01


def _x(rng, shape, margin=1e-3):
    """Random inputs kept ``margin`` away from 0, the ReLU kink."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < margin, margin + np.abs(x), x) * np.sign(x + 1e-300)


def _activation_layers():
    return {"sigmoid": L.Sigmoid(), "tanh": L.Tanh(), "relu": L.ReLU(),
            "leaky_relu": L.LeakyReLU(A_LEAKY), "heaviside": L.Heaviside()}


# --- finite differences -----------------------------------------------------------------------

def test_dense_gradcheck(rng):
    layer = L.Dense(5, 3, rng=rng, bias_std=1.0)
    errors = check_layer(layer, rng.normal(size=(4, 5)), rng=rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) <= 1e-7, errors


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "heaviside"])
def test_activation_gradcheck(name, rng):
    layer = _activation_layers()[name]
    x = _x(rng, (4, 6))
    errors = check_layer(layer, x, rng=rng)
    assert errors["x"] <= 1e-7


def test_flatten_gradcheck(rng):
    errors = check_layer(L.Flatten(), rng.normal(size=(2, 3, 4, 5)), rng=rng)
    assert errors["x"] <= 1e-7


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_mlp_gradcheck(activation, rng):
    net = mlp([4, 6, 5, 3], rng=rng, activation=activation, output_activation="sigmoid",
              bias_std=0.5)
    x = rng.normal(size=(5, 4))
    # precondition: no pre-activation within 1e-3 of the ReLU kink
    z = x
    for layer in net.layers:
        z = layer.forward(z)
        if isinstance(layer, L.Dense):
            assert np.abs(z).min() > 1e-3
    errors = check_layer(net, x, rng=rng)
    assert len(errors) == 1 + 6
    assert max(errors.values()) <= 1e-7, errors


def test_sequential_with_flatten_gradcheck(rng):
    net = L.Sequential(L.Flatten(), L.Dense(12, 4, rng=rng), L.Tanh(), L.Dense(4, 2, rng=rng))
    errors = check_layer(net, rng.normal(size=(3, 2, 2, 3)), rng=rng)
    assert max(errors.values()) <= 1e-7, errors


# --- torch autograd ---------------------------------------------------------------------------

def _torch_activation(name, torch):
    F = torch.nn.functional
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "leaky_relu": lambda t: F.leaky_relu(t, negative_slope=A_LEAKY)}[name]


def test_dense_matches_torch(rng, torch):
    layer = L.Dense(5, 3, rng=rng, bias_std=1.0)
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
    out = layer.forward(x)
    dx = layer.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tW = torch.tensor(layer.W.data, requires_grad=True)
    tb = torch.tensor(layer.b.data, requires_grad=True)
    tout = tx @ tW + tb
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.W.grad, tW.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.b.grad, tb.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_activation_layer_matches_torch(name, rng, torch):
    layer = _activation_layers()[name]
    x, dout = _x(rng, (4, 6)), rng.normal(size=(4, 6))
    out = layer.forward(x)
    dx = layer.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tout = _torch_activation(name, torch)(tx)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_flatten_matches_torch(rng, torch):
    x = rng.normal(size=(2, 3, 4))
    layer = L.Flatten()
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    tx = torch.tensor(x, requires_grad=True)
    tout = torch.flatten(tx, 1)
    tout.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, tout.detach().numpy())
    np.testing.assert_array_equal(layer.backward(dout), tx.grad.numpy())


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_mlp_matches_torch(activation, rng, torch):
    net = mlp([4, 6, 5, 3], rng=rng, activation=activation, bias_std=0.5)
    if activation == "leaky_relu":
        for layer in net.layers:
            if isinstance(layer, L.Activation):
                layer.negative_slope = A_LEAKY
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    out = net.forward(x)
    dx = net.backward(dout)
    dense = [layer for layer in net.layers if isinstance(layer, L.Dense)]
    tx = torch.tensor(x, requires_grad=True)
    params = [(torch.tensor(d.W.data, requires_grad=True), torch.tensor(d.b.data,
                                                                        requires_grad=True))
              for d in dense]
    phi = _torch_activation(activation, torch)
    h = tx
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = phi(h)
    h.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, h.detach().numpy(), rtol=1e-11)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    for d, (W, b) in zip(dense, params):
        np.testing.assert_allclose(d.W.grad, W.grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(d.b.grad, b.grad.numpy(), rtol=1e-10, atol=1e-14)


# --- contract -------------------------------------------------------------------------------

def test_backward_does_not_mutate_dout(rng):
    net = mlp([3, 4, 2], rng=rng, activation="relu", output_activation="sigmoid")
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    keep = dout.copy()
    net.forward(x)
    net.backward(dout)
    np.testing.assert_array_equal(dout, keep)


def test_mlp_structure_and_parameter_count(rng):
    net = mlp([784, 30, 10], rng=rng)
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Sigmoid", "Dense"]
    assert net.num_parameters() == 784 * 30 + 30 + 30 * 10 + 10
    assert len(net) == 3 and net[0].W.shape == (784, 30)
    net2 = mlp([2, 3, 1], rng=rng, output_activation="sigmoid")
    assert net2[-1].name == "sigmoid"


def test_zero_grad_and_train_eval(rng):
    net = mlp([3, 4, 2], rng=rng)
    net.forward(rng.normal(size=(2, 3)))
    net.backward(np.ones((2, 2)))
    assert any(np.any(p.grad != 0) for p in net.parameters())
    net.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())
    net.eval()
    assert not net.training and not any(layer.training for layer in net.layers)
    net.train()
    assert net.training and all(layer.training for layer in net.layers)


def test_dense_accepts_int_seed_with_random_bias():
    a = L.Dense(3, 2, rng=7, bias_std=1.0)
    b = L.Dense(3, 2, rng=np.random.default_rng(7), bias_std=1.0)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    np.testing.assert_array_equal(a.b.data, b.b.data)
    assert np.all(a.b.data != 0)


def test_dense_float32(rng):
    layer = L.Dense(3, 2, rng=rng, dtype=np.float32, bias_std=1.0)
    assert layer.W.data.dtype == np.float32 and layer.b.data.dtype == np.float32
    assert layer.forward(np.ones((1, 3), np.float32)).dtype == np.float32


# --- bad input ------------------------------------------------------------------------------

def test_dense_forward_shape_mismatch(rng):
    layer = L.Dense(3, 2, rng=rng)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\) .*got \(4, 5\)"):
        layer.forward(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\) .*got \(3,\)"):
        layer.forward(np.zeros(3))


def test_backward_shape_mismatch_and_order(rng):
    layer = L.Dense(3, 2, rng=rng)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.zeros((1, 2)))
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dout must have shape \(4, 2\); got \(4, 3\)"):
        layer.backward(np.zeros((4, 3)))
    act = L.Tanh()
    with pytest.raises(RuntimeError, match="backward called before forward"):
        act.backward(np.zeros(2))
    act.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 2\)"):
        act.backward(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        L.Flatten().backward(np.zeros((2, 3)))


def test_flatten_needs_a_batch_axis():
    with pytest.raises(ValueError, match=r"x must be at least 2-D \(N, \.\.\.\); got shape \(5,\)"):
        L.Flatten().forward(np.zeros(5))


@pytest.mark.parametrize("kw,match", [
    ({"in_features": 0, "out_features": 2}, "in_features must be an integer >= 1"),
    ({"in_features": 2, "out_features": -1}, "out_features must be an integer >= 1"),
])
def test_dense_non_positive_sizes(kw, match, rng):
    with pytest.raises(ValueError, match=match):
        L.Dense(rng=rng, **kw)


def test_dense_unknown_init_and_bad_rng(rng):
    with pytest.raises(ValueError, match="unknown init 'zeros'; allowed: xavier_uniform"):
        L.Dense(2, 2, rng=rng, init="zeros")
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        L.Dense(2, 2, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="bias_std must be a finite number >= 0"):
        L.Dense(2, 2, rng=rng, bias_std=-1.0)


def test_unknown_activation_lists_allowed():
    with pytest.raises(ValueError, match=r"unknown activation 'gelu'; allowed: heaviside, sigmoid, "
                                         r"tanh, relu, leaky_relu"):
        L.activation_layer("gelu")


def test_mlp_bad_arguments(rng):
    with pytest.raises(ValueError, match="sizes must list at least an input and an output"):
        mlp([3], rng=rng)
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1; got 0"):
        mlp([3, 0, 1], rng=rng)
    with pytest.raises(TypeError, match=r"sizes\[2\] must be an integer"):
        mlp([3, 2, 1.5], rng=rng)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        mlp([3, 1], rng=rng, activation="swish")
    with pytest.raises(ValueError, match="unknown output_activation 'softmax'"):
        mlp([3, 1], rng=rng, output_activation="softmax")


def test_sequential_rejects_non_layers(rng):
    with pytest.raises(TypeError, match=r"layers\[1\] must be an nnlib Layer; got function"):
        L.Sequential(L.Dense(2, 2, rng=rng), lambda x: x)


# --- the layer contract: accumulation, shared parameters, one error, registry --------------

def test_two_backwards_without_zeroing_add_up(rng):
    net = mlp([3, 4, 2], rng=rng, activation="tanh")
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    net.forward(x)
    net.zero_grad()
    net.backward(dout)
    once = [p.grad.copy() for p in net.parameters()]
    net.backward(dout)
    for p, g in zip(net.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-14)
    net.zero_grad()
    net.backward(dout)
    for p, g in zip(net.parameters(), once):
        np.testing.assert_array_equal(p.grad, g)


def test_shared_parameter_gets_the_sum_of_both_uses(rng, torch):
    """One weight matrix used by two Dense layers (an unrolled RNN): W.grad = ∂L/∂W, the sum
    of both contributions, as torch computes it."""
    d1, d2 = L.Dense(4, 4, rng=rng, bias_std=0.3), L.Dense(4, 4, rng=rng, bias_std=0.3)
    d2.W = d1.W                                     # share the Parameter itself
    net = L.Sequential(d1, L.Tanh(), d2, L.Sigmoid())
    assert L.count_parameters(net) == 16 + 4 + 4    # the shared W counts once
    assert [p for p in net.parameters() if p is d1.W] == [d1.W]
    x, dout = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    net.zero_grad()
    net.forward(x)
    dx = net.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    W = torch.tensor(d1.W.data, requires_grad=True)
    b1 = torch.tensor(d1.b.data, requires_grad=True)
    b2 = torch.tensor(d2.b.data, requires_grad=True)
    out = torch.sigmoid(torch.tanh(tx @ W + b1) @ W + b2)
    out.backward(torch.tensor(dout))
    np.testing.assert_allclose(d1.W.grad, W.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d1.b.grad, b1.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d2.b.grad, b2.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    # neither use alone gives it: the second layer's share is a_1ᵀ dz_2, not the whole
    a1 = np.tanh(x @ d1.W.data + d1.b.data)
    dz2 = dout * net.layers[3].cache * (1 - net.layers[3].cache)
    assert not np.allclose(a1.T @ dz2, d1.W.grad)


def test_backward_before_forward_names_the_layer(rng):
    for layer, text in [(L.Dense(3, 2, rng=rng), r"Dense\(3, 2\)"), (L.Sigmoid(), r"Sigmoid\(\)"),
                        (L.LeakyReLU(0.2), r"LeakyReLU\(negative_slope=0.2\)"),
                        (L.PReLU(3), r"PReLU\(num_parameters=3\)"), (L.Flatten(), "Flatten"),
                        (L.Identity(), "Identity"), (L.Heaviside(), "Heaviside"),
                        (L.Residual(L.Tanh()), r"Residual\(Tanh\(\)\)")]:
        with pytest.raises(RuntimeError, match=rf"backward called before forward on {text}"):
            layer.backward(np.zeros((2, 2)))


def test_activation_classes_cover_the_registry():
    from nnlib import activations as act

    assert set(L.ACTIVATION_LAYERS) == set(act.ACTIVATIONS)
    for name, cls in L.ACTIVATION_LAYERS.items():
        layer = L.activation_layer(name)
        assert type(layer) is cls and layer.name == name
        assert issubclass(cls, L.Activation) and "backward" in vars(cls) and "forward" in vars(cls)
    assert L.activation_layer("leaky_relu", negative_slope=0.2).negative_slope == 0.2
    assert L.LeakyReLU().negative_slope == 0.01  # torch's default
    with pytest.raises(TypeError, match="negative_slope must be a finite number"):
        L.LeakyReLU("0.2")


@pytest.mark.parametrize("name", ["identity", "heaviside", "prelu"])
def test_more_activation_layers_match_torch(name, rng, torch):
    x, dout = _x(rng, (4, 3)), rng.normal(size=(4, 3))
    layer = L.activation_layer(name, **({"num_parameters": 3} if name == "prelu" else {}))
    tx = torch.tensor(x, requires_grad=True)
    if name == "identity":
        tout = torch.nn.Identity()(tx)
    elif name == "heaviside":
        tout = torch.heaviside(tx, torch.tensor(1.0, dtype=torch.float64))
    else:
        tout = torch.nn.functional.prelu(tx, torch.full((3,), 0.25, dtype=torch.float64))
    np.testing.assert_allclose(layer.forward(x), tout.detach().numpy(), rtol=1e-14)
    dx = layer.backward(dout)
    if name != "heaviside":  # torch's heaviside has no backward; ours is 0
        tout.backward(torch.tensor(dout))
        np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-14)
    else:
        np.testing.assert_array_equal(dx, 0)


def test_count_parameters_and_prelu_num_parameters(rng):
    prelu = L.PReLU(3)
    assert prelu.num_parameters() == L.count_parameters(prelu) == 3 and prelu.channels == 3
    net = mlp([784, 30, 10], rng=rng)
    assert L.count_parameters(net) == net.num_parameters() == 784 * 30 + 30 + 30 * 10 + 10
    with pytest.raises(TypeError, match="net must be an nnlib Layer; got int"):
        L.count_parameters(3)


def test_no_layer_attribute_shadows_num_parameters(rng):
    layers = [L.PReLU(4), L.Dense(2, 2, rng=rng), L.LeakyReLU(), L.Residual(L.ReLU()),
              mlp([3, 3, 3, 2], rng=rng, skip=True)]
    for layer in layers:
        assert callable(layer.num_parameters)


def test_residual_forward_backward_and_gradcheck(rng, torch):
    block = L.Sequential(L.Dense(5, 5, rng=rng, bias_std=0.5), L.Tanh())
    res = L.Residual(block)
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    out = res.forward(x)
    np.testing.assert_allclose(out, x + block.forward(x))
    res.forward(x)
    res.zero_grad()
    dx = res.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    W = torch.tensor(block[0].W.data, requires_grad=True)
    b = torch.tensor(block[0].b.data, requires_grad=True)
    tout = tx + torch.tanh(tx @ W + b)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(block[0].W.grad, W.grad.numpy(), rtol=1e-10, atol=1e-14)
    errors = check_layer(res, x, rng=rng)
    assert max(errors.values()) <= 1e-7, errors
    assert res.parameters() == block.parameters()
    res.eval()
    assert not block[0].training and not block[1].training
    with pytest.raises(ValueError, match="Residual needs a block that keeps the shape"):
        L.Residual(L.Dense(5, 3, rng=rng)).forward(x)
    with pytest.raises(TypeError, match="block must be an nnlib Layer"):
        L.Residual(np.tanh)


def test_mlp_skip_wraps_equal_width_blocks(rng):
    net = mlp([4, 8, 8, 8, 8, 3], rng=rng, activation="relu", skip=True)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Dense", "ReLU", "Residual", "Residual", "Residual", "Dense"]
    assert [type(lay).__name__ for lay in net[2].block] == ["Dense", "ReLU"]
    net2 = mlp([4, 8, 8, 8, 8, 8, 3], rng=rng, activation="tanh", skip=True, skip_every=2)
    kinds2 = [type(layer).__name__ for layer in net2.layers]
    assert kinds2 == ["Dense", "Tanh", "Residual", "Residual", "Dense"]
    assert [type(lay).__name__ for lay in net2[2].block] == ["Dense", "Tanh", "Dense", "Tanh"]
    # the same draws as the plain net: skip changes wiring, not the weights
    plain = mlp([4, 8, 8, 8, 8, 3], rng=np.random.default_rng(5), activation="relu")
    skip = mlp([4, 8, 8, 8, 8, 3], rng=np.random.default_rng(5), activation="relu", skip=True)
    for p, q in zip(plain.parameters(), skip.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    x = rng.normal(size=(3, 4))
    errors = check_layer(net2, x, rng=rng)
    assert max(errors.values()) <= 1e-6, errors


@pytest.mark.parametrize("place", ["before", "after"])
def test_mlp_batch_norm_places(place, rng):
    from nnlib.normalization import BatchNorm1d

    net = mlp([4, 6, 6, 3], rng=rng, activation="sigmoid", batch_norm=place, skip=True)
    kinds = [type(layer).__name__ for layer in net.layers]
    hidden = ["Dense", "BatchNorm1d", "Sigmoid"] if place == "before" else \
        ["Dense", "Sigmoid", "BatchNorm1d"]
    assert kinds == hidden + ["Residual", "Dense"]
    assert [type(lay).__name__ for lay in net[3].block] == hidden
    bns = [lay for lay in net[3].block if isinstance(lay, BatchNorm1d)]
    assert bns and bns[0].gamma in net.parameters()
    x = rng.normal(size=(8, 4))
    errors = check_layer(net, x, rng=rng)
    if place == "before":  # BN subtracts the batch mean: a bias before it has gradient 0,
        # so its relative error compares round-off with round-off; check it is ~0 instead
        for d in (net[0], net[3].block[0]):
            assert np.abs(d.b.grad).max() < 1e-12
        errors = {k: v for k, v in errors.items() if not k.startswith("b[")} | \
            {k: v for k, v in errors.items() if k == f"b[{len(net.parameters()) - 1}]"}
    assert max(errors.values()) <= 1e-6, errors
    net.eval()
    assert all(not lay.training for lay in net[3].block)


def test_mlp_builder_options_are_checked(rng):
    with pytest.raises(ValueError,
                       match=r"batch_norm must be None, 'before' or 'after'; got 'middle'"):
        mlp([3, 3, 1], rng=rng, batch_norm="middle")
    with pytest.raises(TypeError, match="skip must be True or False; got 'yes'"):
        mlp([3, 3, 1], rng=rng, skip="yes")
    with pytest.raises(ValueError, match="skip_every must be 1 or 2"):
        mlp([3, 3, 1], rng=rng, skip=True, skip_every=3)


# --- issue 22: integer dtypes and text inputs are named ---------------------------------------

def _module(name):
    return __import__(f"nnlib.{name}", fromlist=["_"])


@pytest.mark.parametrize("make", [
    lambda dt: L.Dense(3, 2, rng=0, dtype=dt),
    lambda dt: L.PReLU(dtype=dt),
    lambda dt: mlp([3, 2, 2], rng=0, dtype=dt),
    lambda dt: mlp([3, 2, 2], rng=0, dtype=dt, activation="prelu"),
    lambda dt: _module("conv").Conv2d(1, 2, 3, rng=0, dtype=dt),
    lambda dt: _module("recurrent").SimpleRNN(3, 4, rng=0, dtype=dt),
    lambda dt: _module("normalization").BatchNorm2d(3, dtype=dt),
], ids=["Dense", "PReLU", "mlp", "mlp-prelu", "Conv2d", "RNN", "BatchNorm2d"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, "int8", bool])
def test_layers_refuse_integer_dtypes(make, dtype):
    with pytest.raises(TypeError, match=r"dtype must be a floating type"):
        make(dtype)


@pytest.mark.parametrize("layer", [L.Dense(3, 3, rng=0), L.PReLU(), L.PReLU(3)],
                         ids=["Dense", "PReLU", "PReLU3"])
def test_text_input_is_a_type_error_naming_x(layer):
    with pytest.raises(TypeError, match=r"x must be an array of numbers; got dtype <U1"):
        layer.forward(np.array([["a", "b", "c"]]))


# --- walking a network ------------------------------------------------------------------------

def test_children_and_modules_walk_nested_containers_in_pre_order(rng):
    d1, d2, d3 = L.Dense(3, 3, rng=rng), L.Dense(3, 3, rng=rng), L.Dense(3, 2, rng=rng)
    inner = L.Sequential(d2, L.ReLU())
    res = L.Residual(inner)
    net = L.Sequential(d1, L.Tanh(), res, d3)
    assert net.children() == net.layers and res.children() == [inner]
    assert d1.children() == [] and L.ReLU().children() == []
    names = [type(m).__name__ for m in net.modules()]
    assert names == ["Sequential", "Dense", "Tanh", "Residual", "Sequential", "Dense", "ReLU",
                     "Dense"]
    assert net.modules()[0] is net and [m for m in net.modules() if isinstance(m, L.Dense)] == \
        [d1, d2, d3]
    # a container's children list is a copy: changing it does not change the net
    net.children().append(L.ReLU())
    assert len(net) == 4


def test_modules_lists_a_shared_layer_once(rng):
    shared = L.Dense(4, 4, rng=rng)
    net = L.Sequential(shared, L.ReLU(), L.Residual(L.Sequential(shared)), shared)
    assert sum(m is shared for m in net.modules()) == 1
    assert L.count_parameters(net) == 16 + 4


def test_every_walk_over_a_network_uses_modules():
    """No module descends into a network through its attributes: ``modules()`` does it."""
    import pathlib
    import re

    root = pathlib.Path(L.__file__).parent
    walk = re.compile(r"""getattr\([^,]+, ["'](block|dense|body)["']|while getattr\(""")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if walk.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_layer_outputs_keeps_every_intermediate_array(rng):
    net = mlp([4, 5, 3], rng=rng, activation="tanh", output_activation="sigmoid")
    x = rng.normal(size=(6, 4))
    outs = net.layer_outputs(x)
    assert len(outs) == len(net) == 4
    h = x
    for layer, out in zip(net.layers, outs):
        h = layer.forward(h)
        np.testing.assert_array_equal(out, h)
    np.testing.assert_array_equal(outs[-1], net.forward(x))
    net.zero_grad()
    net.layer_outputs(x)
    net.backward(np.ones((6, 3)))  # the caches are those of this pass
    assert np.any(net[0].W.grad != 0)


# --- backward without the input's gradient -----------------------------------------------------

def _refuse(*_):
    raise AssertionError("called, but nothing needs this layer's input gradient")


def _nets(rng):
    from nnlib import conv, pooling

    return {
        "mlp": lambda: mlp([6, 5, 4, 3], rng=np.random.default_rng(1), activation="relu"),
        "flatten first": lambda: L.Sequential(
            L.Flatten(), L.Dense(6, 4, rng=np.random.default_rng(2)), L.Tanh(),
            L.Dense(4, 3, rng=np.random.default_rng(3))),
        "cnn": lambda: L.Sequential(
            conv.Conv2d(1, 2, 3, rng=np.random.default_rng(4)), L.ReLU(),
            pooling.MaxPool2d(2), L.Flatten(), L.Dense(2, 3, rng=np.random.default_rng(5))),
    }


@pytest.mark.parametrize("name", ["mlp", "flatten first", "cnn"])
def test_backward_without_input_grad_gives_the_same_parameter_gradients(name, rng):
    """input_grad=False returns None, leaves every .grad exactly as a full backward does, and
    never asks the first parametrised layer (nor the layers before it) for an input
    gradient."""
    build = _nets(rng)[name]
    x = rng.normal(size={"mlp": (7, 6), "flatten first": (7, 2, 3), "cnn": (7, 1, 4, 4)}[name])
    grads = []
    for input_grad in (True, False):
        net = build()
        dout = np.random.default_rng(9).normal(size=net.forward(x).shape)
        if not input_grad:
            first = next(i for i, layer in enumerate(net.layers) if layer.parameters())
            for layer in net.layers[:first + 1]:
                layer.backward = _refuse
        back = net.backward(dout, input_grad=input_grad)
        assert (back is None) == (not input_grad)
        grads.append([p.grad.copy() for p in net.parameters()])
    for full, params_only in zip(*grads):
        np.testing.assert_array_equal(params_only, full)


def test_backward_without_input_grad_of_a_net_without_parameters_does_nothing(rng):
    net = L.Sequential(L.Flatten(), L.ReLU())
    net.forward(rng.normal(size=(3, 2, 2)))
    for layer in net.layers:
        layer.backward = _refuse
    assert net.backward(np.ones((3, 4)), input_grad=False) is None
