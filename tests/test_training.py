"""training.fit: the fused engine equals the layer path, the engine choice is pinned, the hooks
(mode, penalties, callbacks, step budget) do what they say, and training actually learns."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import _fused as fused
from nnlib.layers import Dense, Flatten, Layer, Sequential
from nnlib.models import mlp
from nnlib.optim import SGD, Adam
from nnlib.training import (
    Callback,
    GradientNorms,
    accuracy,
    dense_layers,
    evaluate,
    fit,
    per_example_sgd_epoch,
)


def _data(rng, n=203, d=7, c=4):
    X = rng.standard_normal((n, d))
    y = (X[:, :c] + 0.3 * rng.standard_normal((n, c))).argmax(axis=1)
    return X, y


def _weights(net):
    return [p.data.copy() for p in net.parameters()]


class _EveryStep(Callback):
    """A per-step callback that does nothing but forces the layer path."""

    def __init__(self):
        self.calls = 0

    def on_batch_end(self, run):
        self.calls += 1


def _fit(net, X, y, lr=0.1, **kw):
    kw.setdefault("epochs", 1)
    kw.setdefault("batch_size", 5)
    kw.setdefault("rng", np.random.default_rng(0))
    kw.setdefault("progress", False)
    return fit(net, X, y, optimizer=kw.pop("optimizer", None) or SGD(net.parameters(), lr=lr),
               **kw)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("loss,out_act", [("quadratic", "sigmoid"), ("quadratic", "tanh"),
                                          ("softmax_cross_entropy", None)])
def test_fused_engine_matches_layer_engine(activation, loss, out_act):
    """Same rng, same data: both engines end with the same weights (float64, 2 epochs,
    a last minibatch smaller than the others) and report the same history."""
    results = []
    for callbacks in ((), (_EveryStep(),)):
        rng = np.random.default_rng(7)
        net = mlp([7, 9, 6, 4], rng=rng, activation=activation, output_activation=out_act,
                  init="xavier_normal", bias_std=0.5)
        X, y = _data(np.random.default_rng(1))
        X[:, 2] = 0  # an input that is zero everywhere: the fused engine drops it
        h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.5), loss=loss, epochs=2,
                batch_size=10, rng=rng, X_val=X[:50], y_val=y[:50], callbacks=callbacks,
                progress=False)
        results.append((_weights(net), h))
    (w_fused, h_fused), (w_layers, h_layers) = results
    assert (h_fused.engine, h_layers.engine) == ("fused", "layers")
    for a, b in zip(w_fused, w_layers):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_fused.train_loss, h_layers.train_loss, rtol=1e-10)
    np.testing.assert_allclose(h_fused.step_loss, h_layers.step_loss, rtol=1e-10)
    assert len(h_fused.step_loss) == 2 * 21
    assert h_fused.train_accuracy == h_layers.train_accuracy
    assert h_fused.val_accuracy == h_layers.val_accuracy


class _Dropout(Layer):
    """Stands in for nnlib.regularization.Dropout: the engine must refuse it by class name."""

    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


_Dropout.__name__ = "Dropout"


class _L2:
    def __init__(self, lam):
        self.lam = lam

    def __call__(self, net):
        value = 0.0
        for p in net.parameters():
            if p.data.ndim >= 2:
                value += 0.5 * self.lam * float(np.sum(p.data ** 2))
                p.grad += self.lam * p.data
        return value


class _EpochOnly(Callback):
    def __init__(self):
        self.epochs = []

    def on_epoch_end(self, run):
        self.epochs.append(run.epoch)


def test_engine_choice_is_pinned():
    """Fused only where exact: plain SGD, no penalty, no per-step callback, no dropout/BN."""
    rng = np.random.default_rng(0)
    X, y = _data(rng, n=20, d=4, c=2)

    def engine(net=None, **kw):
        net = net or mlp([4, 3, 2], rng=np.random.default_rng(1))
        return _fit(net, X, y, **kw).engine

    plain = mlp([4, 3, 2], rng=rng)
    assert engine(plain) == "fused"
    assert engine(callbacks=[_EpochOnly()]) == "fused"  # per-epoch callbacks are fine
    assert engine(callbacks=[_EveryStep()]) == "layers"
    assert engine(callbacks=[GradientNorms()]) == "layers"
    assert engine(penalties=[_L2(1e-3)]) == "layers"
    net = mlp([4, 3, 2], rng=rng)
    assert engine(net, optimizer=SGD(net.parameters(), lr=0.1, momentum=0.9)) == "layers"
    assert engine(net, optimizer=SGD(net.parameters(), lr=0.1, momentum=0.9,
                                     nesterov=True)) == "layers"
    assert engine(net, optimizer=SGD(net.parameters(), lr=0.1, weight_decay=1e-4)) == "layers"
    assert engine(net, optimizer=Adam(net.parameters(), lr=1e-3)) == "layers"
    # an optimiser over only some of the parameters: the engine would update them all
    assert engine(net, optimizer=SGD(net.parameters()[:2], lr=0.1)) == "layers"
    with_dropout = Sequential(Dense(4, 3, rng=rng), _Dropout(), Dense(3, 2, rng=rng))
    assert engine(with_dropout) == "layers"
    assert engine(Sequential(Flatten(), Dense(4, 2, rng=rng))) == "layers"


def test_fused_plan_supports_plain_mlps_only():
    rng = np.random.default_rng(0)
    assert fused.plan(mlp([4, 3, 2], rng=rng, output_activation="sigmoid"), "quadratic")
    # raw scores with the quadratic cost, or an activated output with softmax CE: layer path
    assert fused.plan(mlp([4, 3, 2], rng=rng), "quadratic") is None
    assert fused.plan(mlp([4, 3, 2], rng=rng, output_activation="sigmoid"),
                      "softmax_cross_entropy") is None
    assert fused.plan(Sequential(Flatten(), Dense(4, 2, rng=rng)), "quadratic") is None
    assert fused.plan(mlp([4, 3, 2], rng=rng, activation="heaviside",
                          output_activation="sigmoid"), "quadratic") is None


def test_momentum_and_adam_train_through_fit():
    """Any optimiser works: the same net, data and budget, each lowers the loss."""
    X, y = _data(np.random.default_rng(2), n=300)
    for make in (lambda ps: SGD(ps, lr=0.05, momentum=0.9), lambda ps: Adam(ps, lr=0.01)):
        net = mlp([7, 16, 4], rng=np.random.default_rng(3), activation="relu", init="he_normal")
        opt = make(net.parameters())
        h = fit(net, X, y, optimizer=opt, epochs=6, batch_size=20,
                rng=np.random.default_rng(4), progress=False)
        assert h.engine == "layers"
        assert h.train_loss[-1] < 0.5 * h.train_loss[0]
        assert opt.step_count == 6 * 15


def test_layer_path_matches_a_hand_written_momentum_loop():
    """fit's step is zero_grad → forward → loss → backward → step (gradients accumulate in
    layers, so a missing zero_grad would double them)."""
    X, y = _data(np.random.default_rng(5), n=40)
    nets = [mlp([7, 5, 4], rng=np.random.default_rng(6), activation="tanh") for _ in range(2)]
    fit(nets[0], X, y, optimizer=SGD(nets[0].parameters(), lr=0.1, momentum=0.9), epochs=2,
        batch_size=8, rng=np.random.default_rng(0), shuffle=False, progress=False)
    from nnlib.losses import softmax_cross_entropy

    opt = SGD(nets[1].parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        for s in range(0, 40, 8):
            opt.zero_grad()
            _, dout = softmax_cross_entropy(nets[1].forward(X[s:s + 8]), y[s:s + 8])
            nets[1].backward(dout)
            opt.step()
    for a, b in zip(_weights(nets[0]), _weights(nets[1])):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_per_example_epoch_equals_fit_without_shuffling():
    """Nielsen's per-example loop and the vectorised minibatch step are the same algorithm."""
    rng = np.random.default_rng(3)
    X, y = _data(rng, n=60, d=5, c=3)
    nets = [mlp([5, 6, 3], rng=np.random.default_rng(4), activation="sigmoid",
                output_activation="sigmoid", init="normal", bias_std=1.0) for _ in range(3)]
    order = np.random.default_rng(5).permutation(60)
    per_example_sgd_epoch(nets[0], X, y, order=order, batch_size=10, lr=3.0)
    for net, callbacks in zip(nets[1:], ((), (_EveryStep(),))):
        h = fit(net, X[order], y[order], optimizer=SGD(net.parameters(), lr=3.0),
                loss="quadratic", epochs=1, batch_size=10, rng=np.random.default_rng(9),
                shuffle=False, callbacks=callbacks, progress=False)
        for a, b in zip(_weights(nets[0]), _weights(net)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert h.engine == "layers"


def test_shuffle_false_keeps_the_order_and_draws_nothing():
    X, y = _data(np.random.default_rng(0), n=30)
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    seen = []

    class Record(Callback):
        def on_batch_end(self, run):
            seen.append(run.output.shape[0])

    net = mlp([7, 4], rng=np.random.default_rng(2))
    _fit(net, X, y, batch_size=7, rng=rng, shuffle=False, callbacks=[Record()])
    assert rng.bit_generator.state == state
    assert seen == [7, 7, 7, 7, 2]


def test_sgd_learns_a_separable_task():
    rng = np.random.default_rng(0)
    X, y = _data(rng, n=600, d=7, c=4)
    net = mlp([7, 16, 4], rng=rng, activation="tanh", init="xavier_uniform")
    before = evaluate(net, X[:500], y[:500], loss="softmax_cross_entropy")[0]
    h = fit(net, X[:500], y[:500], optimizer=SGD(net.parameters(), lr=0.3), epochs=15,
            batch_size=16, rng=rng, X_val=X[500:], y_val=y[500:], progress=False)
    assert h.train_loss[-1] < 0.6 * before
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_accuracy[-1] > 0.8
    assert h.train_accuracy[-1] > h.train_accuracy[0]
    assert h.epoch == list(range(1, 16))
    assert len(h.seconds) == 15 and all(s > 0 for s in h.seconds)
    assert accuracy(net, X[500:], y[500:]) == h.val_accuracy[-1]


class _ModeProbe(Layer):
    """Identity that records the mode it ran in (stands in for dropout/batch norm)."""

    def __init__(self):
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, dout):
        return dout


def test_train_mode_for_steps_eval_mode_for_measuring_and_mode_restored():
    rng = np.random.default_rng(0)
    X, y = _data(rng, n=40)
    probe = _ModeProbe()
    net = Sequential(Dense(7, 4, rng=rng), probe)
    net.eval()
    h = _fit(net, X, y, batch_size=10, epochs=2, X_val=X[:10], y_val=y[:10])
    assert h.engine == "layers"
    assert probe.modes == [True] * 4 + [False] + [True] * 4 + [False]
    assert net.training is False and probe.training is False
    net.train()
    probe.modes.clear()
    evaluate(net, X, y)
    accuracy(net, X, y)
    assert probe.modes == [False, False] and probe.training is True


def test_penalty_adds_its_gradient_and_its_value():
    """With an L2 penalty the update is that of the penalised objective, and the reported
    loss includes R(θ)."""
    X, y = _data(np.random.default_rng(1), n=20)
    nets = [mlp([7, 4], rng=np.random.default_rng(2)) for _ in range(2)]
    h = _fit(nets[0], X, y, lr=0.5, batch_size=20, penalties=[_L2(0.1)])
    from nnlib.losses import softmax_cross_entropy

    W, b = nets[1].parameters()
    value, dout = softmax_cross_entropy(nets[1].forward(X), y)
    W_before = W.data.copy()
    nets[1].zero_grad()
    nets[1].backward(dout)
    W.data -= 0.5 * (W.grad + 0.1 * W_before)
    b.data -= 0.5 * b.grad
    np.testing.assert_allclose(nets[0].parameters()[0].data, W.data, rtol=1e-12)
    assert h.step_loss[0] == pytest.approx(value + 0.05 * np.sum(W_before ** 2), rel=1e-12)


def test_step_budget_across_epochs():
    X, y = _data(np.random.default_rng(0), n=50)
    net = mlp([7, 4], rng=np.random.default_rng(1))
    opt = SGD(net.parameters(), lr=0.1)
    h = fit(net, X, y, optimizer=opt, steps=23, batch_size=10, rng=np.random.default_rng(2),
            progress=False)
    assert len(h.step_loss) == 23 and opt.step_count == 23
    assert h.epoch == [1, 2, 3, 4, 5]  # 5 steps an epoch: four full epochs and 3 steps
    h = _fit(net, X, y, epochs=2, steps=100, batch_size=10)
    assert len(h.step_loss) == 10 and h.epoch == [1, 2]  # epochs come first
    h = _fit(net, X, y, epochs=3, steps=7, batch_size=10, callbacks=[_EveryStep()])
    assert len(h.step_loss) == 7 and h.epoch == [1, 2]


def test_gradient_norms_records_layers_and_stops_at_divergence():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6))
    y = (X[:, 0] > 0).astype(int)
    net = mlp([6, 8, 8, 2], rng=rng, activation="sigmoid", init="xavier_normal")
    probe = GradientNorms()
    h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.5), steps=200, batch_size=20,
            rng=rng, callbacks=[probe], progress=False)
    assert not probe.diverged and not h.stopped_early
    assert len(probe.losses) == 200 and np.shape(probe.grad_norms) == (200, 3)
    assert probe.losses == h.step_loss
    assert probe.relative_change.shape == (3,) and np.all(probe.relative_change > 0)
    # the last layer's bias gradient is exactly ‖Σ_n (softmax − onehot)/N‖: largest here
    assert probe.learning_speed.shape == (3,)
    assert len(dense_layers(net)) == 3

    wild = mlp([6, 8, 2], rng=rng, activation="relu", init="normal", std=30.0)
    boom = GradientNorms()
    h = fit(wild, X * 1e3, y, optimizer=SGD(wild.parameters(), lr=10.0), steps=100,
            batch_size=20, rng=rng, callbacks=[boom], progress=False)
    assert boom.diverged and h.stopped_early
    assert boom.diverged_at == len(boom.losses) < 100
    assert np.all(np.isfinite(boom.grad_norms))
    # without a callback the run stops too, before an update with NaN gradients
    wild = mlp([6, 8, 2], rng=np.random.default_rng(5), activation="relu", init="normal",
               std=30.0)
    h = fit(wild, X * 1e3, y, optimizer=SGD(wild.parameters(), lr=10.0), loss="quadratic",
            steps=100, batch_size=20, rng=np.random.default_rng(6),
            callbacks=[_EveryStep()], progress=False)
    assert h.stopped_early and len(h.step_loss) < 100
    assert np.all(np.isfinite(h.step_loss))
    assert all(np.all(np.isfinite(p.data)) for p in wild.parameters())


def test_fit_bad_arguments():
    rng = np.random.default_rng(0)
    net = mlp([3, 2], rng=rng, output_activation="sigmoid")
    X, y = rng.standard_normal((8, 3)), np.zeros(8, dtype=int)
    opt = SGD(net.parameters(), lr=0.1)

    def call(**kw):
        args = dict(optimizer=opt, epochs=1, batch_size=2, rng=rng, progress=False)
        args.update(kw)
        fit(net, args.pop("X", X), args.pop("y", y), **args)

    with pytest.raises(ValueError, match="unknown loss 'mse'"):
        call(loss="mse")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1; got 0"):
        call(batch_size=0)
    with pytest.raises(ValueError, match="X and y must hold the same number of examples"):
        call(y=y[:5])
    with pytest.raises(ValueError, match="X contains NaN"):
        call(X=np.full((8, 3), np.nan))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        call(rng=np.random)
    with pytest.raises(ValueError, match="fit needs epochs or steps"):
        call(epochs=None)
    with pytest.raises(ValueError, match="steps must be an integer >= 1; got 0"):
        call(steps=0)
    with pytest.raises(TypeError, match="optimizer must be an nnlib.optim optimiser"):
        call(optimizer="sgd")
    with pytest.raises(TypeError, match=r"penalties\[0\] must be callable"):
        call(penalties=[0.1])
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        call(X_val=X)
    with pytest.raises(ValueError, match=r"X must have 3 features per row .*got shape \(8, 4\)"):
        call(X=np.zeros((8, 4)))  # the fused engine would index past the weights
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 1\]"):
        call(y=np.full(8, 2))
    with pytest.raises(ValueError, match=r"X_val must hold at least one example"):
        call(X_val=np.zeros((0, 3)), y_val=np.zeros(0, dtype=int))


def test_fused_epoch_over_many_prefetched_chunks_matches_layer_engine():
    """Several gather chunks (the double buffer alternates) and a short last minibatch."""
    rng = np.random.default_rng(11)
    X, y = _data(rng, n=257, d=6, c=3)
    Y = np.eye(3)[y]
    order = rng.permutation(257)
    nets = [mlp([6, 5, 3], rng=np.random.default_rng(12), activation="tanh",
                output_activation="sigmoid", bias_std=0.3) for _ in range(2)]
    runner = fused.FusedMLP(fused.plan(nets[0], "quadratic"), 10, np.float64)
    fused_loss, step_losses, correct = runner.epoch(fused.with_ones(X, np.float64), Y, order,
                                                    0.7, "quadratic", chunk_batches=3)
    runner.write_back()
    h = fit(nets[1], X[order], y[order], optimizer=SGD(nets[1].parameters(), lr=0.7),
            loss="quadratic", epochs=1, batch_size=10, rng=rng, shuffle=False,
            callbacks=[_EveryStep()], progress=False)
    assert fused_loss == pytest.approx(h.train_loss[0], rel=1e-12)
    np.testing.assert_allclose(step_losses, h.step_loss, rtol=1e-12)
    assert correct / 257 == h.train_accuracy[0]
    for a, b in zip(_weights(nets[0]), _weights(nets[1])):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_real_dropout_batch_norm_and_penalty_pass_through_fit():
    """The hooks carry the later layers without changing fit: they take the layer path,
    train, and validation runs in eval mode (deterministic for dropout, running statistics
    for batch norm), after which the net is back in training mode."""
    from nnlib.layers import ReLU
    from nnlib.normalization import BatchNorm1d
    from nnlib.regularization import L2, Dropout

    rng = np.random.default_rng(0)
    X, y = _data(rng, n=200)
    nets = {"dropout": Sequential(Dense(7, 16, rng=rng), ReLU(), Dropout(0.3, rng=rng),
                                  Dense(16, 4, rng=rng)),
            "batch norm": Sequential(Dense(7, 16, rng=rng), BatchNorm1d(16), ReLU(),
                                     Dense(16, 4, rng=rng))}
    for net in nets.values():
        h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.1), epochs=6, batch_size=20,
                rng=rng, X_val=X, y_val=y, progress=False)
        assert h.engine == "layers" and net.training
        assert h.train_loss[-1] < 0.8 * h.train_loss[0]
        assert evaluate(net, X, y)[0] == pytest.approx(h.val_loss[-1], rel=1e-12)
    net = mlp([7, 16, 4], rng=np.random.default_rng(1), activation="tanh")
    h = _fit(net, X, y, epochs=3, batch_size=20, penalties=[L2(1e-2)])
    assert h.engine == "layers" and h.train_loss[-1] < h.train_loss[0]


# --- issue 22: no silent no-op, binary labels, the same run fields in both engines ----------


def test_fit_refuses_an_optimiser_built_for_another_network():
    """Re-running the cell that builds net but not the one that builds the optimiser: fit
    must say so instead of training nothing."""
    rng = np.random.default_rng(0)
    X, y = _data(rng, n=20, d=4, c=2)
    old = mlp([4, 3, 2], rng=np.random.default_rng(1))
    net = mlp([4, 3, 2], rng=np.random.default_rng(1))
    before = _weights(net)
    for opt in (SGD(old.parameters(), lr=0.1), Adam(old.parameters(), lr=0.1)):
        with pytest.raises(ValueError, match=r"optimizer.*none of net's parameters.*another "
                                             r"network.*re-run the cell"):
            _fit(net, X, y, optimizer=opt)
    # some of the net's parameters plus foreign ones: refused too, with the count
    mixed = SGD(net.parameters()[:2] + old.parameters()[2:], lr=0.1)
    with pytest.raises(ValueError, match=r"2 of the optimizer's 4 parameters .*not net's"):
        _fit(net, X, y, optimizer=mixed)
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(net)))
    # a subset of the net's own parameters (freezing the rest) is fine
    h = _fit(net, X, y, optimizer=SGD(net.parameters()[2:], lr=0.1))
    after = _weights(net)
    assert np.array_equal(before[0], after[0]) and not np.array_equal(before[2], after[2])
    assert h.engine == "layers"


@pytest.mark.parametrize("loss,out_act", [("binary_cross_entropy", "sigmoid"),
                                          ("sigmoid_binary_cross_entropy", None),
                                          ("quadratic", "sigmoid"), ("quadratic", None)])
@pytest.mark.parametrize("per_step", [False, True])
def test_one_output_net_trains_on_integer_binary_labels(loss, out_act, per_step):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    net = mlp([2, 1], rng=np.random.default_rng(1), output_activation=out_act)
    callbacks = [_EveryStep()] if per_step else []
    h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.5), loss=loss, epochs=30,
            batch_size=10, rng=5, X_val=X, y_val=y, callbacks=callbacks, progress=False)
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_accuracy[-1] >= 0.9
    # the same run with float targets (N, 1) gives the same loss: the labels mean 0/1 targets
    net2 = mlp([2, 1], rng=np.random.default_rng(1), output_activation=out_act)
    h2 = fit(net2, X, y[:, None].astype(float), optimizer=SGD(net2.parameters(), lr=0.5),
             loss=loss, epochs=30, batch_size=10, rng=5, X_val=X,
             y_val=y[:, None].astype(float), callbacks=callbacks, progress=False)
    np.testing.assert_allclose(h.train_loss, h2.train_loss, rtol=1e-12)
    assert evaluate(net, X, y, loss) == pytest.approx(evaluate(net2, X, y[:, None] * 1.0, loss))


def test_label_messages_name_y_as_the_caller_wrote_it():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 2))
    net = mlp([2, 1], rng=rng, output_activation="sigmoid")
    opt = SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"^y must hold class labels in \[0, 1\]"):
        fit(net, X, np.full(10, 2), optimizer=opt, loss="binary_cross_entropy", epochs=1,
            batch_size=5, rng=0, progress=False)
    with pytest.raises(ValueError, match=r"^y_val must hold class labels in \[0, 1\]"):
        fit(net, X, np.zeros(10, int), optimizer=opt, loss="binary_cross_entropy", epochs=1,
            batch_size=5, rng=0, X_val=X, y_val=np.full(10, 3), progress=False)


class _LastRun(Callback):
    def __init__(self):
        self.seen = []

    def on_epoch_end(self, run):
        self.seen.append((run.epoch, run.step, run.loss,
                          None if run.output is None else run.output.copy()))


@pytest.mark.parametrize("loss,out_act", [("softmax_cross_entropy", None),
                                          ("quadratic", "sigmoid")])
def test_per_epoch_callbacks_see_the_same_run_in_both_engines(loss, out_act):
    """run.loss and run.output are the last minibatch's values under either engine."""
    results = []
    for extra in ((), (_EveryStep(),)):
        rng = np.random.default_rng(3)
        net = mlp([7, 5, 4], rng=rng, output_activation=out_act)
        X, y = _data(np.random.default_rng(1), n=47)
        cb = _LastRun()
        h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.3), loss=loss, epochs=2,
                batch_size=10, rng=rng, callbacks=[cb, *extra], progress=False)
        results.append((h, cb.seen))
    (h_f, seen_f), (h_l, seen_l) = results
    assert (h_f.engine, h_l.engine) == ("fused", "layers")
    for (ef, sf, lf, of), (el, sl, ll, ol) in zip(seen_f, seen_l, strict=True):
        assert (ef, sf) == (el, sl)
        assert lf == pytest.approx(ll, rel=1e-10) and np.isfinite(lf)
        assert of is not None and of.shape == ol.shape == (7, 4)  # 47 = 4·10 + 7
        np.testing.assert_allclose(of, ol, rtol=1e-10, atol=1e-12)
    assert seen_f[-1][2] == pytest.approx(h_f.step_loss[-1], rel=1e-12)


def test_penalties_and_callbacks_passed_the_wrong_way_are_named():
    from nnlib.regularization import L2

    rng = np.random.default_rng(0)
    X, y = _data(rng, n=12, d=4, c=2)
    net = mlp([4, 2], rng=rng)

    def call(**kw):
        _fit(net, X, y, **kw)

    with pytest.raises(TypeError, match=r"penalties\[0\] is the class L2, not an instance.*"
                                        r"L2\(lam=1e-3\)"):
        call(penalties=[L2])
    with pytest.raises(TypeError, match=r"penalties must be a list.*got L2"):
        call(penalties=L2(1e-3))
    with pytest.raises(TypeError, match=r"callbacks\[0\] is the class GradientNorms, not an "
                                        r"instance.*GradientNorms\(\)"):
        call(callbacks=[GradientNorms])
    with pytest.raises(TypeError, match=r"callbacks must be a list of callbacks.*\[norms\]"
                                        r".*got GradientNorms"):
        call(callbacks=GradientNorms())
    with pytest.raises(TypeError, match=r"callbacks\[1\] must be a callback .*got int"):
        call(callbacks=[_EpochOnly(), 3])


# --- transform, engine choice by type, BLAS threads (issue 21) ----------------------------------

@pytest.mark.parametrize("penalised", [False, True])
def test_transform_gives_each_epoch_its_inputs(penalised):
    """fit(transform=...) trains exactly as one fit per epoch on the transformed inputs does
    (the fused engine when nothing else is asked for, the layer engine with a penalty)."""
    from nnlib.regularization import L2

    rng = np.random.default_rng(3)
    X, y = _data(rng, n=47)
    shifts = [rng.standard_normal(X.shape[1]) for _ in range(3)]

    def make():
        net = mlp([7, 6, 4], rng=np.random.default_rng(5), activation="sigmoid")
        return net, SGD(net.parameters(), lr=0.3), [L2(1e-2)] if penalised else []

    net, opt, pens = make()
    calls = iter(shifts)
    h = fit(net, X, y, optimizer=opt, epochs=3, batch_size=5, rng=np.random.default_rng(9),
            penalties=pens, transform=lambda X_: X_ + next(calls), progress=False)
    ref, ref_opt, ref_pens = make()
    order_rng = np.random.default_rng(9)
    losses = []
    for s in shifts:
        losses += fit(ref, X + s, y, optimizer=ref_opt, epochs=1, batch_size=5, rng=order_rng,
                      penalties=ref_pens, progress=False).train_loss
    assert h.engine == ("layers" if penalised else "fused")
    assert h.train_loss == losses
    for a, b in zip(_weights(net), _weights(ref)):
        np.testing.assert_array_equal(a, b)


def test_engine_is_chosen_by_exact_type():
    """A subclass may compute something else: an SGD or Sigmoid subclass, or a callback that
    sets on_batch_end on the instance, gets the layer engine."""
    from nnlib.layers import Sigmoid

    rng = np.random.default_rng(0)
    X, y = _data(rng, n=20)

    class MySGD(SGD):
        pass

    class MySigmoid(Sigmoid):
        pass

    def engine(net, opt=None, callbacks=()):
        return _fit(net, X, y, optimizer=opt or SGD(net.parameters(), lr=0.1),
                    callbacks=list(callbacks)).engine

    assert engine(mlp([7, 5, 4], rng=0)) == "fused"
    net = mlp([7, 5, 4], rng=0)
    assert engine(net, MySGD(net.parameters(), lr=0.1)) == "layers"
    assert engine(Sequential(Dense(7, 5, rng=0), MySigmoid(), Dense(5, 4, rng=0))) == "layers"
    seen = []
    cb = Callback()
    cb.on_batch_end = lambda run: seen.append(run.step)
    assert engine(mlp([7, 5, 4], rng=0), callbacks=[cb]) == "layers" and len(seen) == 4


def test_fit_trains_on_one_blas_thread(monkeypatch):
    from contextlib import contextmanager

    import nnlib.training as training

    inside = []

    @contextmanager
    def fake(n=1):
        inside.append(n)
        yield True
        inside.append("out")

    monkeypatch.setattr(training, "blas_threads", fake)

    class Probe(Callback):
        def on_epoch_end(self, run):
            inside.append("epoch")

    rng = np.random.default_rng(0)
    X, y = _data(rng, n=20)
    _fit(mlp([7, 5, 4], rng=0), X, y, epochs=2, callbacks=[Probe()])
    assert inside == [1, "epoch", "epoch", "out"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_with_ones_copies_the_chosen_columns_and_appends_the_bias_input(dtype):
    X = np.random.default_rng(0).random((9000, 12)).astype(np.float32)  # three row blocks
    cols = np.array([0, 4, 5, 11])
    X1 = fused.with_ones(X, dtype, cols)
    assert X1.dtype == dtype and X1.shape == (9000, 5) and X1.flags.c_contiguous
    np.testing.assert_array_equal(X1[:, :-1], X[:, cols].astype(dtype))
    assert np.all(X1[:, -1] == 1)
    np.testing.assert_array_equal(fused.with_ones(X, dtype)[:, :-1], X.astype(dtype))


def test_the_layers_engine_never_computes_the_inputs_gradient():
    """fit trains on fixed inputs: the first Dense computes only its parameters' gradients
    (Sequential.backward(..., input_grad=False)); asking it for more fails here."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 6)), rng.integers(0, 3, 40)
    net = mlp([6, 8, 3], rng=np.random.default_rng(1), activation="relu")

    def refuse(dout):
        raise AssertionError("the gradient for the inputs was computed")

    net.layers[0].backward = refuse
    h = fit(net, X, y, optimizer=Adam(net.parameters(), lr=1e-2), epochs=3, batch_size=8,
            rng=np.random.default_rng(2), progress=False)
    assert h.engine == "layers" and h.train_loss[-1] < h.train_loss[0]
