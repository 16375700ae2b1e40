"""Optimisers: every rule against torch.optim step by step (float64), state, registry, errors."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers, losses, models, optim

SHAPES = [(3, 4), (4,), (2, 3, 2)]

# (class name, hyper-parameters): defaults and every non-default option, mixed.
CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, weight_decay=0.1)),
    ("SGD", dict(lr=0.02, momentum=0.9)),
    ("SGD", dict(lr=0.02, momentum=0.8, dampening=0.3, weight_decay=0.05)),
    ("SGD", dict(lr=0.02, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.02, momentum=0.5, nesterov=True, weight_decay=0.2)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.2, initial_accumulator_value=0.5, eps=1e-6)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.8)),
    ("RMSprop", dict(lr=0.005, momentum=0.7, centered=True, alpha=0.95, weight_decay=0.05)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True, betas=(0.5, 0.9))),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.02, momentum_decay=0.01, betas=(0.8, 0.99))),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, eps=1e-6, momentum_decay=0.0)),
]


def _gradient(p, noise, k):
    """A gradient that changes every step: a restoring force, a curvature term and noise."""
    return 0.5 * p + np.cos(3.0 * p) + noise * (1.0 + np.sin(0.1 * k))


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch_optim_over_200_steps(name, kwargs, rng, torch):
    start = [rng.normal(size=s) for s in SHAPES]
    params = [layers.Parameter(x.copy(), f"p{i}") for i, x in enumerate(start)]
    tparams = [torch.tensor(x.copy(), requires_grad=True) for x in start]
    opt = getattr(optim, name)(params, **kwargs)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    worst = 0.0
    for k in range(200):
        opt.zero_grad()
        topt.zero_grad()
        for p, t in zip(params, tparams):
            noise = rng.normal(size=p.data.shape)
            p.grad += _gradient(p.data, noise, k)
            t.grad = torch.tensor(_gradient(t.detach().numpy(), noise, k))
        opt.step()
        topt.step()
        worst = max(worst, max(np.max(np.abs(p.data - t.detach().numpy()))
                               for p, t in zip(params, tparams)))
    assert opt.step_count == 200
    assert worst <= 1e-9, f"{name}{kwargs}: max |ours - torch| = {worst:.2e}"
    # the run moved the parameters far from where they started (a real test of the rule)
    assert max(np.max(np.abs(p.data - x)) for p, x in zip(params, start)) > 0.1


@pytest.mark.parametrize("name,kwargs", CASES[::3])
def test_step_updates_in_place_keeps_dtype_and_never_edits_grad(name, kwargs, rng):
    p = layers.Parameter(rng.normal(size=(3, 2)).astype(np.float32), "W")
    p.grad = rng.normal(size=(3, 2)).astype(np.float32)
    grad_before, data_id = p.grad.copy(), id(p.data)
    opt = getattr(optim, name)([p], **kwargs)
    opt.step()
    opt.step()
    assert id(p.data) == data_id and p.data.dtype == np.float32
    np.testing.assert_array_equal(p.grad, grad_before)
    assert opt.state[p] or name == "SGD"  # stateful rules keep per-parameter buffers


def test_sgd_step_is_p_minus_lr_grad(rng):
    p = layers.Parameter(rng.normal(size=(3, 2)), "W")
    p.grad = rng.normal(size=(3, 2))
    expected = p.data - 0.1 * p.grad
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, expected, rtol=1e-15)


def test_lr_positional_and_changeable_between_steps(rng):
    p = layers.Parameter(np.zeros(2), "w")
    p.grad = np.ones(2)
    opt = optim.SGD([p], 0.1)
    opt.step()
    opt.lr = 0.5
    opt.step()
    np.testing.assert_allclose(p.data, [-0.6, -0.6])


def test_state_is_per_parameter(rng):
    a, b = layers.Parameter(np.zeros(2), "a"), layers.Parameter(np.zeros(3), "b")
    a.grad, b.grad = np.ones(2), -np.ones(3)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    opt.step()
    assert set(opt.state) == {a, b}
    np.testing.assert_array_equal(opt.state[a]["momentum_buffer"], np.ones(2))
    np.testing.assert_array_equal(opt.state[b]["momentum_buffer"], -np.ones(3))


def test_zero_grad(rng):
    net = models.mlp([3, 4, 2], rng=rng)
    opt = optim.Adam(net.parameters(), lr=1.0)
    net.forward(rng.normal(size=(5, 3)))
    net.backward(np.ones((5, 2)))
    assert any(np.any(p.grad != 0) for p in net.parameters())
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())


def test_sgd_matches_torch_on_an_mlp(rng, torch):
    net = models.mlp([4, 5, 3], rng=rng, activation="tanh", bias_std=0.3)
    dense = [layer for layer in net.layers if isinstance(layer, layers.Dense)]
    tparams = [torch.tensor(p.data.copy(), requires_grad=True)
               for d in dense for p in (d.W, d.b)]
    opt = optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
    topt = torch.optim.SGD(tparams, lr=0.5, momentum=0.9)
    x, y = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
    for _ in range(5):
        opt.zero_grad()
        loss, dz = losses.softmax_cross_entropy(net.forward(x), y)
        net.backward(dz)
        opt.step()
        topt.zero_grad()
        W1, b1, W2, b2 = tparams
        tloss = torch.nn.functional.cross_entropy(
            torch.tanh(torch.tensor(x) @ W1 + b1) @ W2 + b2, torch.tensor(y))
        tloss.backward()
        topt.step()
        assert loss == pytest.approx(tloss.item(), rel=1e-12)
    for p, t in zip(net.parameters(), tparams):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_every_registered_optimiser_with_its_defaults_decreases_a_loss(name, rng):
    net = models.mlp([2, 16, 1], rng=rng, activation="tanh")
    x = rng.normal(size=(64, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    opt = optim.make_optimizer(name, net.parameters())
    first = None
    for _ in range(300):
        opt.zero_grad()
        loss, da = losses.quadratic(net.forward(x), y)
        first = loss if first is None else first
        net.backward(da)
        opt.step()
    assert loss < 0.8 * first, f"{name}: loss {first:.4f} -> {loss:.4f}"


def test_registry_names_and_defaults(rng):
    assert set(optim.OPTIMIZERS) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                     "adam", "nadam"}
    assert set(optim.DEFAULTS) == set(optim.OPTIMIZERS)
    params = layers.Dense(2, 2, rng=rng).parameters()
    plain = optim.make_optimizer("sgd", params)
    heavy = optim.make_optimizer("momentum", params)
    nest = optim.make_optimizer("nesterov", params, lr=0.3)
    assert type(plain) is optim.SGD and plain.momentum == 0 and not plain.nesterov
    assert heavy.momentum > 0 and not heavy.nesterov
    assert nest.momentum > 0 and nest.nesterov and nest.lr == 0.3
    adam = optim.make_optimizer("adam", params)
    assert isinstance(adam, optim.Adam) and adam.betas == (0.9, 0.999) and adam.eps == 1e-8
    with pytest.raises(ValueError, match="unknown name 'adamw'"):
        optim.make_optimizer("adamw", params)


def test_nadam_momentum_schedule_starts_near_half_beta1(rng):
    opt = optim.NAdam(layers.Dense(2, 2, rng=rng).parameters(), lr=0.01)
    mus = opt.mu(np.arange(1, 50001))
    assert 0.44 < mus[0] < 0.46
    assert mus[999] < 0.55  # still far from beta1 after a thousand steps
    assert np.all(np.diff(mus) > 0) and mus[-1] > 0.89  # creeps up to beta1 = 0.9


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate(lr, rng):
    for cls in (optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.NAdam):
        with pytest.raises(ValueError, match="lr must be a finite number > 0"):
            cls(layers.Dense(2, 2, rng=rng).parameters(), lr=lr)


@pytest.mark.parametrize("cls,kwargs,match", [
    (optim.SGD, dict(momentum=-0.1), "momentum must be a finite number >= 0; got -0.1"),
    (optim.SGD, dict(weight_decay=-1), "weight_decay must be a finite number >= 0"),
    (optim.SGD, dict(nesterov=True), "nesterov=True needs momentum > 0"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1),
     "nesterov=True needs momentum > 0 and dampening = 0"),
    (optim.SGD, dict(dampening=1.5), r"dampening must be a number in \[0, 1\]; got 1.5"),
    (optim.Adam, dict(betas=(1.0, 0.999)), r"betas\[0\] must be a number in \[0, 1\); got 1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), r"betas\[1\] must be a number in \[0, 1\); got -0.1"),
    (optim.NAdam, dict(betas=(0.9, 1.2)), r"betas\[1\] must be a number in \[0, 1\)"),
    (optim.Adam, dict(eps=0.0), "eps must be a finite number > 0; got 0.0"),
    (optim.Adagrad, dict(eps=-1e-10), "eps must be a finite number > 0"),
    (optim.Adagrad, dict(lr_decay=-1), "lr_decay must be a finite number >= 0"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "initial_accumulator_value must be"),
    (optim.RMSprop, dict(alpha=1.0), r"alpha must be a number in \[0, 1\); got 1.0"),
    (optim.RMSprop, dict(momentum=-0.5), "momentum must be a finite number >= 0"),
    (optim.NAdam, dict(momentum_decay=-0.004), "momentum_decay must be a finite number >= 0"),
])
def test_bad_hyper_parameters_name_the_parameter(cls, kwargs, match, rng):
    with pytest.raises(ValueError, match=match):
        cls(layers.Dense(2, 2, rng=rng).parameters(), lr=0.1, **kwargs)


def test_bad_types_and_empty_params(rng):
    params = layers.Dense(2, 2, rng=rng).parameters()
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD(params, lr="0.1")
    with pytest.raises(TypeError, match="betas must be a pair"):
        optim.Adam(params, lr=0.1, betas=0.9)
    with pytest.raises(TypeError, match="nesterov must be True or False"):
        optim.SGD(params, lr=0.1, momentum=0.9, nesterov="yes")
    with pytest.raises(TypeError, match=r"params\[0\] must be a Parameter"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(TypeError, match="params must be an iterable of Parameters"):
        optim.SGD(np.zeros(3), lr=0.1)
    with pytest.raises(ValueError, match="params must contain at least one Parameter"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="params must contain at least one Parameter"):
        optim.Adam(iter([]), lr=0.1)
    with pytest.raises(ValueError, match="the same Parameter more than once"):
        optim.SGD(params + params[:1], lr=0.1)
    with pytest.raises(TypeError, match="lr"):
        optim.Adam(params)  # lr is required
