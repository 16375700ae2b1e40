"""nnlib.lessons.gradient_lab and nnlib.lessons.gradient_flow: the gradient lab's maths,
measured and predicted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnlib import layers as L
from nnlib._blas import blas_threads
from nnlib.gradcheck import check_layer
from nnlib.init import INITIALIZERS
from nnlib.lessons import gradient_flow as vp
from nnlib.lessons import gradient_lab as dg

# ----------------------------------------------------------------------------- one-neuron chain


def test_chain_matches_lecture_formulas_for_five_neurons():
    w = np.array([0.7, -1.3, 0.9, 1.6])  # w21, w32, w43, w54
    x, t, eta = 0.8, 1.0, 0.5
    ch = vp.chain(w, x, activation="sigmoid", target=t, lr=eta)
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    ds = lambda z: s(z) * (1 - s(z))  # noqa: E731
    y1 = x
    y2 = s(w[0] * y1)
    y3 = s(w[1] * y2)
    y4 = s(w[2] * y3)
    y5 = s(w[3] * y4)
    dw54 = eta * (t - y5) * ds(w[3] * y4) * y4
    dw43 = eta * (t - y5) * ds(w[3] * y4) * w[3] * ds(w[2] * y3) * y3
    dw32 = eta * (t - y5) * ds(w[3] * y4) * w[3] * ds(w[2] * y3) * w[2] * ds(w[1] * y2) * y2
    np.testing.assert_allclose(ch.y, [y1, y2, y3, y4, y5], rtol=1e-12)
    np.testing.assert_allclose(ch.delta_w[[4, 3, 2]], [dw54, dw43, dw32], rtol=1e-12)
    np.testing.assert_allclose(ch.factors[4], ds(w[3] * y4) * w[3], rtol=1e-12)
    np.testing.assert_allclose(ch.products[2], np.prod(ch.factors[2:]), rtol=1e-12)
    assert ch.status == "ok" and np.isnan(ch.factors[0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_chain_delta_w_is_minus_lr_times_torch_gradient(torch, activation, rng):
    w = rng.normal(0, 1.5, size=7)
    b = rng.normal(0, 0.5, size=7)
    x, t, lr = 0.6, 0.3, 0.1
    ch = vp.chain(w, x, biases=b, activation=activation, target=t, lr=lr)
    wt = torch.tensor(w, requires_grad=True)
    y = torch.tensor(x)
    phi = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    for j in range(7):
        y = phi(wt[j] * y + b[j])
    loss = 0.5 * (t - y) ** 2
    loss.backward()
    np.testing.assert_allclose(ch.delta_w[1:], -lr * wt.grad.numpy(), rtol=1e-10, atol=1e-15)
    assert abs(ch.y[-1] - y.item()) < 1e-12


def test_sigmoid_factors_never_exceed_a_quarter_of_the_weight(rng):
    w = rng.normal(0, 3, size=50)
    ch = vp.chain(w, 0.3, biases=rng.normal(size=50))
    assert np.all(np.abs(ch.factors[1:]) <= np.abs(w) / 4 + 1e-15)


def test_chain_extremes_report_vanished_or_exploded_without_raising():
    assert vp.chain(np.ones(3000), 1.0).status == "vanished"
    # b = -w/2 keeps every sigmoid at z = 0 (φ' = 1/4): the factor is w/4 = 2 per neuron
    ch = vp.chain(np.full(3000, 8.0), 0.5, biases=-4.0)
    assert ch.status == "exploded"
    ok = vp.chain(np.full(20, 8.0), 0.5, biases=-4.0)
    np.testing.assert_allclose(ok.factors[1:], 2.0)
    assert ok.products[1] == pytest.approx(2.0 ** 20)


def test_chain_rejects_bad_input():
    with pytest.raises(ValueError, match="activation"):
        vp.chain([1.0], 1.0, activation="softplus")
    with pytest.raises(ValueError, match="weights"):
        vp.chain([], 1.0)
    with pytest.raises(TypeError, match="x must be a real number"):
        vp.chain([1.0], "1")
    with pytest.raises(ValueError, match="weights contains NaN"):
        vp.chain([np.nan], 1.0)


# -------------------------------------------------------------------------- variance propagation


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("q", [0.05, 1.0, 30.0])
def test_gaussian_moments_match_monte_carlo(activation, q, rng):
    z = rng.normal(0, np.sqrt(q), size=2_000_000)
    phi, dphi = vp.phi_and_prime(activation, slope=0.1)
    mean, m2, dp2 = vp.gaussian_moments(activation, q, slope=0.1)
    np.testing.assert_allclose([mean, m2, dp2],
                               [phi(z).mean(), (phi(z) ** 2).mean(), (dphi(z) ** 2).mean()],
                               rtol=0.01, atol=2e-3)


def test_he_keeps_relu_gain_exactly_one_and_xavier_tanh_at_most_one():
    he = vp.variance_profile(depth=50, width=64, activation="relu", init="he_normal")
    np.testing.assert_allclose(he.gain, 1.0, rtol=1e-12)
    np.testing.assert_allclose(he.q, 2.0, rtol=1e-12)  # Var(z) = 2 E[x²] at every layer
    xt = vp.variance_profile(depth=50, width=64, activation="tanh", init="xavier_normal")
    assert np.all(xt.gain <= 1.0) and xt.gain[-1] > 0.95
    big = vp.variance_profile(depth=50, width=64, activation="relu", init="normal", std=1.0)
    np.testing.assert_allclose(big.gain, np.sqrt(32), rtol=1e-12)
    np.testing.assert_allclose(big.log10_grad[0], 49 * np.log10(np.sqrt(32)), rtol=1e-12)


def test_variance_profile_predicts_measured_statistics():
    # finite width scatters the measurement around the mean-field line; measured over seeds
    # 0-4 at width 512 the worst deviation was 6 % (tanh, sigmoid) and 35 % (ReLU family,
    # whose per-layer fluctuations are larger), so the tolerances below leave margin
    for act, init, rtol_act, rtol_grad in [("tanh", "xavier_normal", 0.1, 0.1),
                                           ("sigmoid", "xavier_normal", 0.1, 0.1),
                                           ("relu", "he_normal", 0.35, 0.5),
                                           ("leaky_relu", "he_uniform", 0.35, 0.5)]:
        d = dg.measure(depth=8, width=512, activation=act, init=init, batch_size=256,
                       dtype="float64", slope=0.2)
        np.testing.assert_allclose(d.act_std, d.theory_act_std, rtol=rtol_act)
        np.testing.assert_allclose(d.grad_a, d.theory_grad_a, rtol=rtol_grad)

# ---------------------------------------------------------------------------------- measurement


def test_block_backward_passes_gradient_check(rng):
    for skip, activation in [(False, "tanh"), (True, "sigmoid"), (False, "prelu")]:
        cfg = dg.LabConfig(depth=1, width=4, activation=activation, skip=skip, dtype="float64",
                           slope=0.2)
        net = dg.build_network(cfg, rng)
        block = net[0]
        errors = check_layer(block, rng.standard_normal((3, 4)), rng=rng)
        assert max(errors.values()) < 1e-7, errors


def test_measure_gradients_agree_with_finite_differences_of_the_loss(rng):
    cfg = dg.LabConfig(depth=3, width=5, batch_size=4, outputs=2, activation="tanh",
                       dtype="float64")
    d = dg.measure(cfg)
    # rebuild the same network and data, then perturb one weight of layer 1
    rng2 = np.random.default_rng(cfg.seed)
    net = dg.build_network(cfg, rng2)
    x = rng2.standard_normal((4, 5))
    y = rng2.standard_normal((4, 2))
    from nnlib.gradcheck import numerical_gradient
    from nnlib.losses import quadratic

    def loss():
        return quadratic(net.forward(x), y)[0]

    gW = [numerical_gradient(loss, blk.dense.W.data) for blk in net.layers[:-1]]
    np.testing.assert_allclose(d.grad_w, [np.linalg.norm(g) for g in gW], rtol=1e-6)


def test_measure_is_deterministic_and_shapes_follow_depth():
    a = dg.measure(depth=7, activation="relu", init="he_uniform")
    b = dg.measure(depth=7, activation="relu", init="he_uniform")
    np.testing.assert_array_equal(a.grad_a, b.grad_a)
    for name in ("z_std", "act_mean", "act_std", "saturated", "dead", "grad_w", "grad_a",
                 "update_ratio", "theory_act_std", "theory_grad_a"):
        assert getattr(a, name).shape == (7,)
    assert a.layers.tolist() == list(range(1, 8))
    c = dg.measure(depth=7, activation="relu", init="he_uniform", seed=1)
    assert not np.array_equal(a.grad_a, c.grad_a)


@pytest.mark.parametrize(("changes", "verdict"), [
    ({"activation": "sigmoid", "init": "xavier_normal", "depth": 10}, "vanishing"),
    ({"activation": "tanh", "init": "normal", "std": 0.01, "depth": 10}, "vanishing"),
    ({"activation": "relu", "init": "normal", "std": 1.0, "depth": 10}, "exploding"),
    ({"activation": "tanh", "init": "xavier_normal", "depth": 10}, "healthy"),
    ({"activation": "relu", "init": "he_normal", "depth": 20}, "healthy"),
    ({"activation": "sigmoid", "init": "xavier_normal", "depth": 100}, "vanished"),
    ({"activation": "relu", "init": "he_normal", "scale": 10.0, "depth": 100}, "exploded"),
    ({"activation": "tanh", "init": "normal", "std": 0.01, "depth": 100}, "vanished"),
])
def test_verdicts(changes, verdict):
    d = dg.measure(**changes)
    assert d.verdict == verdict, d.message
    assert verdict in d.message


def test_relu_inactive_fraction_is_about_half_and_tanh_saturates_with_large_weights():
    d = dg.measure(depth=10, width=256, activation="relu", init="he_normal")
    assert np.all(np.abs(d.saturated - 0.5) < 0.06)
    # no unit is off for a whole batch in layer 1; deeper, inputs grow correlated and some
    # units die (18 % at layer 10 with this seed)
    assert d.dead[0] < 0.02 and d.dead[-1] > d.dead[0]
    t = dg.measure(depth=10, activation="tanh", init="xavier_normal", scale=10.0)
    assert np.all(t.saturated[1:] > 0.6)
    t1 = dg.measure(depth=10, activation="tanh", init="xavier_normal")
    assert np.all(t1.saturated < 0.05)


def test_every_setting_runs_and_nothing_non_finite_is_silent():
    acts = vp.LAB_ACTIVATIONS
    for act, init, scale, depth in itertools.product(acts, INITIALIZERS, [0.01, 1.0, 10.0],
                                                     [1, 100]):
        d = dg.measure(depth=depth, width=16, batch_size=16, activation=act, init=init,
                       scale=scale)
        assert d.verdict in dg.VERDICTS
        grads = np.concatenate([d.grad_a, d.grad_w])
        if d.verdict != "exploded":
            assert np.all(np.isfinite(grads)), (act, init, scale, depth, d.message)
        if d.verdict in ("healthy", "vanishing", "exploding"):
            assert np.isfinite(d.ratio) and d.ratio > 0


def test_float32_overflow_is_exploded_but_float64_survives():
    d32 = dg.measure(depth=40, activation="relu", init="he_normal", scale=10.0)
    d64 = dg.measure(depth=40, activation="relu", init="he_normal", scale=10.0, dtype="float64")
    assert d32.verdict == "exploded" and d64.verdict == "exploding"
    assert d32.extras["overflow"][0] in ("activations", "loss", "gradient")
    assert d64.ratio > 1e30


def test_skip_connection_switch_changes_the_gradient_and_has_no_theory():
    plain = dg.measure(depth=30, activation="sigmoid", init="xavier_normal")
    skip = dg.measure(depth=30, activation="sigmoid", init="xavier_normal", skip=True)
    assert skip.ratio > 1e3 * plain.ratio
    assert np.all(np.isnan(skip.theory_grad_a))


def test_config_validation_names_the_parameter():
    with pytest.raises(ValueError, match="depth must be an integer >= 1; got 0"):
        dg.LabConfig(depth=0)
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        dg.LabConfig(activation="softplus")
    with pytest.raises(ValueError, match="unknown init 'orthogonal'"):
        dg.LabConfig(init="orthogonal")
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        dg.LabConfig(scale=0.0)
    with pytest.raises(TypeError, match="skip must be True or False"):
        dg.LabConfig(skip=1)
    with pytest.raises(ValueError, match="unknown dtype"):
        dg.LabConfig(dtype="float16")


def test_batch_norm_and_skip_switches_build_from_building_blocks():
    """batch_norm puts nnlib.normalization.BatchNorm1d between Dense and φ; skip wraps each block
    in layers.Residual. Either rescues the deep sigmoid stack that vanishes without them."""
    from nnlib.normalization import BatchNorm1d

    net = dg.build_network(dg.LabConfig(depth=3, batch_norm=True, skip=True),
                           np.random.default_rng(0))
    blk = net.layers[0]
    assert isinstance(blk.body, L.Residual) and isinstance(blk.norm, BatchNorm1d)
    plain = dg.measure(depth=20, activation="sigmoid")
    assert plain.verdict == "vanishing" and plain.ratio < 1e-6
    for switch in ({"batch_norm": True}, {"skip": True}):
        d = dg.measure(depth=20, activation="sigmoid", **switch)
        assert d.verdict == "healthy" and d.ratio > 0.1, (switch, d.ratio)
        assert np.all(np.isnan(d.theory_grad_a))  # no mean-field theory for these


def test_safe_norm_does_not_overflow_on_large_finite_values():
    x = np.full(100, 1e300)
    assert dg.safe_norm(x) == pytest.approx(1e301)
    assert dg.safe_norm(np.zeros(3)) == 0.0
    assert dg.safe_norm([np.inf, 1.0]) == np.inf
    assert np.isnan(dg.safe_norm([np.nan, 1.0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1e-25, 1e-3, 1.0, 1e15, 1e25])
def test_safe_norm_agrees_with_a_float64_norm_at_every_size(size, dtype):
    """float32 sums its squares in float32 where that is safe (~1e-7 relative); at the ends of
    float32's range (squares that underflow or overflow) it must still be exact."""
    x = (size * np.random.default_rng(0).standard_normal((256, 256))).astype(dtype)
    ref = float(np.sqrt(np.sum(x.astype(np.float64) ** 2)))
    assert dg.safe_norm(x) == pytest.approx(ref, rel=1e-6 if dtype == np.float32 else 1e-12)
    assert dg.safe_norm(x[:, 0]) == pytest.approx(float(np.linalg.norm(x[:, 0].astype(float))),
                                                  rel=1e-6)


def test_mean_std_are_numpys_in_float64():
    rng = np.random.default_rng(1)
    for x in (rng.standard_normal((64, 256)).astype(np.float32),
              0.5 + 1e-5 * rng.standard_normal((64, 256)),       # mean far above the spread
              (1e30 * rng.standard_normal((8, 16))).astype(np.float32), np.zeros((2, 3))):
        mean, std = dg._mean_std(x)
        assert mean == pytest.approx(x.mean(dtype=np.float64), rel=1e-12, abs=1e-300)
        assert std == pytest.approx(x.std(dtype=np.float64), rel=1e-10, abs=1e-300)
    frozen = np.ones((2, 2), dtype=np.float32)
    frozen.flags.writeable = False
    assert dg._mean_std(frozen) == (1.0, 0.0)  # never writes into its input


def test_blas_threads_context_gives_identical_results():
    a = np.random.default_rng(0).standard_normal((64, 64))
    ref = a @ a
    with blas_threads(1) as active:
        out = a @ a
    assert isinstance(active, bool)
    np.testing.assert_allclose(out, ref, rtol=1e-12)


# ------------------------------------------------------------------------------ training probes


def test_gradient_norms_records_layers_and_stops_at_divergence(rng):
    from nnlib import models, optim, training

    X = rng.standard_normal((200, 8))
    y = (X[:, 0] > 0).astype(np.int64)
    net = models.mlp([8, 16, 16, 2], rng=rng, activation="tanh", init="xavier_normal")
    run = training.GradientNorms()
    training.fit(net, X, y, optimizer=optim.SGD(net.parameters(), lr=0.5), steps=200,
                 batch_size=20, rng=rng, callbacks=[run], progress=False)
    assert not run.diverged and len(run.losses) == 200
    assert run.relative_change.shape == (3,) and np.all(run.relative_change > 0)
    assert run.learning_speed.shape == (3,) and run.mean_grad_norms.shape == (3,)
    assert np.mean(run.losses[-20:]) < 0.5 * run.losses[0]
    # the Dense layers of a lab network are found inside its blocks
    lab_net = dg.build_network(dg.LabConfig(depth=3, width=8, dtype="float64"), rng)
    assert len(training.dense_layers(lab_net)) == 4

    wild = models.mlp([8, 64, 64, 64, 2], rng=rng, activation="relu", init="normal", std=30.0)
    boom = training.GradientNorms()
    training.fit(wild, X, y, optimizer=optim.SGD(wild.parameters(), lr=1.0), loss="quadratic",
                 steps=100, batch_size=20, rng=rng, callbacks=[boom], progress=False)
    assert boom.diverged and boom.diverged_at < 100
    assert all(np.isfinite(boom.losses))


def test_gradient_norms_needs_dense_layers(rng):
    from nnlib import layers, optim, training

    net = layers.Sequential(layers.PReLU())
    with pytest.raises(ValueError, match="GradientNorms needs a net with at least one Dense"):
        training.fit(net, np.zeros((4, 2)), np.zeros(4, int), optimizer=optim.SGD(
            net.parameters(), lr=0.1), steps=1, batch_size=2, rng=rng,
            callbacks=[training.GradientNorms()], progress=False)


def test_batch_norm_before_or_after_the_activation():
    from nnlib.normalization import BatchNorm1d

    assert dg.LabConfig(batch_norm=True).batch_norm == "before"
    assert dg.LabConfig(batch_norm=None).batch_norm is False
    for place, index in (("before", 1), ("after", -1)):
        blk = dg.build_network(dg.LabConfig(depth=2, batch_norm=place),
                               np.random.default_rng(0)).layers[0]
        assert isinstance(blk.body.layers[index], BatchNorm1d), place
        d = dg.measure(depth=20, activation="sigmoid", batch_norm=place)
        assert d.verdict == "healthy" and d.ratio > 0.1, (place, d.ratio)
    with pytest.raises(ValueError, match="batch_norm must be False, 'before' or 'after'"):
        dg.LabConfig(batch_norm="middle")
    with pytest.raises(ValueError, match="batch_norm must be"):
        dg.LabConfig(batch_norm=1)


def test_width_one_with_skips_and_a_dead_layer_is_not_healthy():
    """Width 1, ReLU, skip connections: the last layer's only unit is dead for the batch, the
    skip path keeps ∂L/∂a_1 / ∂L/∂a_L near 1, but that layer's weights get no gradient."""
    d = dg.measure(width=1, skip=True, activation="relu", depth=5, seed=3)
    assert d.grad_w[-1] == 0 and not np.isfinite(d.weight_ratio)
    assert 0.1 < d.ratio < 10  # the activation-gradient ratio alone would read "healthy"
    assert d.verdict == "vanished" and "4, 5" in d.message and "no gradient" in d.message
    for seed in range(6):  # never "healthy" while some layer's weights get no gradient
        for act in ("relu", "tanh", "sigmoid"):
            d = dg.measure(width=1, skip=True, activation=act, depth=5, seed=seed)
            if d.verdict == "healthy":
                assert np.all(d.grad_w > 0) and np.isfinite(d.weight_ratio)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_one_lab_change_checks_the_activation_name_once(activation, monkeypatch):
    """The name is checked where it enters (the lab's config) and trusted below: one change at
    depth 10 validates it once, not once per layer (it was 22 to 42 times)."""
    import nnlib._checks as checks
    import nnlib.activations as act_mod
    import nnlib.layers as layers_mod
    import nnlib.lessons.gradient_flow as flow_mod
    import nnlib.lessons.gradient_lab as lab_mod

    calls = []

    def counting(name, value, allowed):
        if "activation" in name:
            calls.append(value)
        return checks.check_choice(name, value, allowed)

    for module in (act_mod, layers_mod, flow_mod, lab_mod):
        monkeypatch.setattr(module, "check_choice", counting)
    base = lab_mod.LabConfig(depth=10, width=16, batch_size=32)
    calls.clear()
    lab_mod.measure(base, activation=activation)
    assert calls == [activation]


def _same_diagnostics(a, b):
    from dataclasses import fields as dc_fields
    from dataclasses import is_dataclass

    def same(x, y, name):
        if isinstance(x, dict):
            assert x.keys() == y.keys(), name
            for k in x:
                same(x[k], y[k], f"{name}[{k}]")
        elif is_dataclass(x):
            for f in dc_fields(x):
                same(getattr(x, f.name), getattr(y, f.name), f"{name}.{f.name}")
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=name)
        elif isinstance(x, float) and np.isnan(x):
            assert np.isnan(y), name
        else:
            assert x == y, name

    same(a, b, "diagnostics")


def test_replayed_random_draws_give_the_same_measurements_as_fresh_ones():
    """measure() replays the draws of the previous call when a lab moves one control; the
    numbers must be exactly those of a fresh generator, whatever the order of the moves."""
    from nnlib.lessons import gradient_lab as gl

    base = gl.LabConfig(depth=6, width=16, activation="relu", init="he_normal")
    moves = [{}, {"scale": 1.3}, {"depth": 8}, {"depth": 5}, {"width": 8},
             {"init": "xavier_uniform"}, {"init": "xavier_uniform", "scale": 0.7},
             {"seed": 3}, {"batch_norm": "before", "skip": True}, {}]
    for change in moves:
        cfg = base.replace(**change)
        replayed = gl.measure(cfg)
        fresh = gl._measure_with(cfg, np.random.default_rng(cfg.seed))
        _same_diagnostics(replayed, fresh)
    assert gl._TAPE.calls, "nothing was kept to replay"
    assert gl._TAPE.bytes == sum(c[2].nbytes for c in gl._TAPE.calls)
    # a draw the tape does not keep, made in between, must not shift what is replayed
    for extra in (5, 7):  # the second pass replays the first normals, then must draw anew
        rng = gl._TAPE.generator(base.seed)
        rng.standard_normal((3, 3))
        rng.integers(0, 10, size=extra)
        after = rng.standard_normal((3, 3))
        fresh = np.random.default_rng(base.seed)
        fresh.standard_normal((3, 3))
        fresh.integers(0, 10, size=extra)
        np.testing.assert_array_equal(after, fresh.standard_normal((3, 3)))


@pytest.mark.parametrize("pairing", [
    dict(activation="relu", init="he_normal"), dict(activation="relu", init="xavier_normal"),
    dict(activation="relu", init="he_normal", scale=1.5),
    dict(activation="sigmoid", init="xavier_normal"),
    dict(activation="sigmoid", init="xavier_normal", scale=10.0),
    dict(activation="tanh", init="xavier_normal")])
def test_notebook_05s_lab_batch_of_64_gives_the_verdicts_of_128(pairing):
    """Notebook 05's lab measures 64 inputs per move (half the time of 128) and says its
    verdicts are those of the cells' 128 inputs, ratios within about 20 %: at its depth 50 and
    width 256, for the pairings its text asks to try."""
    full, lab = (dg.measure(dg.LabConfig(depth=50, width=256, batch_size=b, **pairing))
                 for b in (128, 64))
    assert lab.verdict == full.verdict
    assert abs(np.log(lab.ratio / full.ratio)) < np.log(1.25)
