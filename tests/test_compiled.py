"""nnlib._compiled: the compiled SGD epoch of sigmoid MLPs computes what the NumPy engine
computes (same weights, step losses, predictions), in fit and in lockstep, and NNLIB_COMPILED=0
turns it off."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nnlib import _compiled
from nnlib import _fused as fused
from nnlib.callbacks import Callback
from nnlib.lessons.lockstep import train_in_lockstep
from nnlib.metrics import evaluate
from nnlib.models import mlp
from nnlib.optim import SGD
from nnlib.training import fit

pytestmark = pytest.mark.skipif(not _compiled.available(),
                                reason="Numba is not installed (requirements.txt pins it)")


def _net(sizes, dtype, seed=1):
    return mlp(sizes, rng=np.random.default_rng(seed), activation="sigmoid",
               output_activation="sigmoid", init="normal", bias_std=1.0, dtype=dtype)


def _epoch(sizes, dtype, X, y, order, K, *, compiled, monkeypatch):
    monkeypatch.setenv("NNLIB_COMPILED", "1" if compiled else "0")
    net = _net(sizes, dtype)
    active = np.flatnonzero(np.any(X != 0, axis=0))
    runner = fused.FusedMLP(fused.plan(net, "quadratic"), K, dtype, active_inputs=active)
    X1 = fused.with_ones(X[:, active], dtype)
    Y = (np.eye(sizes[-1], dtype=dtype)[y] if sizes[-1] > 1 else y[:, None].astype(dtype))
    mean, steps, correct = runner.epoch(X1, Y, order, 3.0, "quadratic", labels=y)
    return [w.copy() for w in runner.W], mean, steps, correct, runner.last_output


@pytest.mark.parametrize("sizes", [[12, 5], [12, 7, 4], [12, 7, 5, 3], [12, 6, 1],
                                   [12, 40, 33, 3]])  # widths past one padded block of 32
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-11), (np.float32, 2e-5)])
@pytest.mark.parametrize("n,K", [(100, 10), (103, 10), (57, 4), (30, 7)])
def test_compiled_epoch_matches_numpy_engine(sizes, dtype, rtol, n, K, monkeypatch):
    """Same data and order: the same weights after an epoch (a last minibatch smaller than the
    others included), the same step losses, the same count of right predictions and output."""
    rng = np.random.default_rng(0)
    X = rng.random((n, sizes[0]))
    X[:, 3] = 0  # an input that is zero everywhere: dropped by both
    y = rng.integers(0, max(sizes[-1], 2), n)
    order = rng.permutation(n)
    ref = _epoch(sizes, dtype, X, y, order, K, compiled=False, monkeypatch=monkeypatch)
    got = _epoch(sizes, dtype, X, y, order, K, compiled=True, monkeypatch=monkeypatch)
    for a, b in zip(got[0], ref[0]):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2)
    np.testing.assert_allclose(got[1], ref[1], rtol=rtol)
    np.testing.assert_allclose(got[2], ref[2], rtol=rtol)
    assert got[3] == ref[3]
    np.testing.assert_allclose(got[4], ref[4], rtol=rtol)
    assert len(got[2]) == -(-n // K)


@pytest.mark.parametrize("sizes", [[12, 5], [12, 7, 4], [12, 6, 1], [12, 40, 33, 3]])
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-11), (np.float32, 2e-5)])
@pytest.mark.parametrize("n", [1, 100, 257])  # one row, whole blocks of 100, a part block
def test_compiled_evaluation_matches_metrics_evaluate(sizes, dtype, rtol, n):
    """The compiled forward pass scores a net as metrics.evaluate does: the same mean cost
    (up to rounding) and the same accuracy, for every row, past whole blocks of rows."""
    rng = np.random.default_rng(2)
    net = _net(sizes, dtype)
    X = rng.random((n, sizes[0])) * 2 - 0.5
    y = rng.integers(0, max(sizes[-1], 2), n)
    Y = np.eye(sizes[-1], dtype=dtype)[y] if sizes[-1] > 1 else y[:, None].astype(dtype)
    W = [np.hstack([d.W.data.T, d.b.data[:, None]]) for d in net.layers[0::2]]
    loss, acc = _compiled.sigmoid_quadratic_evaluate(W, fused.with_ones(X, dtype), Y, y)
    ref_loss, ref_acc = evaluate(net, X.astype(dtype), y, "quadratic")
    assert loss == pytest.approx(ref_loss, rel=rtol)
    assert acc == ref_acc
    # and it has teeth: another net scores otherwise
    W[0][0, 0] += 1.0
    assert _compiled.sigmoid_quadratic_evaluate(W, fused.with_ones(X, dtype), Y, y)[0] != loss


def test_compiled_epoch_changes_the_weights_it_is_given(monkeypatch):
    """A sanity check that the comparison above compares something: an epoch moves W."""
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 6)), rng.integers(0, 3, 40)
    before = [w.copy() for w in fused.FusedMLP(fused.plan(_net([6, 4, 3], np.float64),
                                                          "quadratic"), 10, np.float64).W]
    after = _epoch([6, 4, 3], np.float64, X, y, np.arange(40), 10, compiled=True,
                   monkeypatch=monkeypatch)[0]
    assert all(np.abs(a - b).max() > 1e-3 for a, b in zip(after, before))


def test_only_sigmoid_quadratic_networks_are_compiled():
    sig = [("sigmoid", 0.0)] * 2
    assert _compiled.applies(sig, "quadratic", np.float32)
    assert not _compiled.applies(sig, "softmax_cross_entropy", np.float32)
    assert not _compiled.applies([("sigmoid", 0.0), ("tanh", 0.0)], "quadratic", np.float64)
    assert not _compiled.applies(sig, "quadratic", np.float16)


@pytest.mark.parametrize("value,expected", [("0", False), ("off", False), ("1", True)])
def test_the_environment_switch(value, expected, monkeypatch):
    monkeypatch.setenv("NNLIB_COMPILED", value)
    assert _compiled.available() is expected


def test_fit_gives_the_same_history_with_and_without_the_compiled_loop(monkeypatch):
    rng = np.random.default_rng(3)
    X, y = rng.random((120, 10)), rng.integers(0, 4, 120)
    runs = []
    for switch in ("0", "1"):
        monkeypatch.setenv("NNLIB_COMPILED", switch)
        net = _net([10, 8, 4], np.float64, seed=5)
        h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=2.0), loss="quadratic",
                epochs=3, batch_size=10, rng=np.random.default_rng(9), X_val=X[:30],
                y_val=y[:30], progress=False)
        runs.append((h, [p.data.copy() for p in net.parameters()]))
    (h0, w0), (h1, w1) = runs
    assert h0.engine == h1.engine == "fused"
    for a, b in zip(w0, w1):
        np.testing.assert_allclose(a, b, rtol=1e-11)
    np.testing.assert_allclose(h1.step_loss, h0.step_loss, rtol=1e-11)
    assert h1.train_accuracy == h0.train_accuracy and h1.val_accuracy == h0.val_accuracy


class _Reads(Callback):
    def on_epoch_end(self, run):
        self.seen = list(run.history.val_accuracy)


def test_fit_measures_validation_beside_the_next_compiled_epoch_with_the_same_numbers(
        monkeypatch):
    # without an on_epoch_end callback (which may read the result) the validation runs in a
    # helper thread beside the next compiled epoch: the same numbers, every epoch, in order
    rng = np.random.default_rng(3)
    X, y = rng.random((200, 12)), rng.integers(0, 3, 200)
    started = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start",
                        lambda self: (started.append(self.name), start(self))[1])
    runs = []
    for callbacks, progress in (([], True), ([_Reads()], False)):
        net = _net([12, 6, 3], np.float64)
        h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=3.0), loss="quadratic", epochs=4,
                batch_size=10, rng=np.random.default_rng(0), X_val=X[:50], y_val=y[:50],
                callbacks=callbacks, progress=progress)
        runs.append((net, h))
    assert started.count("nnlib-validation") == 4  # the run without the callback only
    (net_a, a), (_, b) = runs
    assert a.val_epoch == b.val_epoch == [1, 2, 3, 4]
    assert a.val_loss == b.val_loss and a.val_accuracy == b.val_accuracy
    assert evaluate(net_a, X[:50], y[:50], "quadratic")[0] == a.val_loss[-1]  # the last weights


def test_lockstep_gives_the_same_histories_with_and_without_the_compiled_loop(monkeypatch):
    rng = np.random.default_rng(4)
    X, y = rng.random((100, 9)), rng.integers(0, 3, 100)
    runs = []
    for switch in ("0", "1"):
        monkeypatch.setenv("NNLIB_COMPILED", switch)
        nets = [_net([9, 6, 5, 3], np.float64, seed=s) for s in (0, 1, 2)]
        hs = train_in_lockstep(nets, [np.random.default_rng(s) for s in (0, 1, 2)], X, y,
                               lr=3.0, epochs=2, batch_size=10, X_val=X[:40], y_val=y[:40])
        runs.append((hs, [[p.data.copy() for p in n.parameters()] for n in nets]))
    (hs0, w0), (hs1, w1) = runs
    for a, b in zip(hs0, hs1):
        np.testing.assert_allclose(b.train_loss, a.train_loss, rtol=1e-11)
        np.testing.assert_allclose(b.val_loss, a.val_loss, rtol=1e-11)
        assert b.val_accuracy == a.val_accuracy
    for ws0, ws1 in zip(w0, w1):
        for a, b in zip(ws0, ws1):
            np.testing.assert_allclose(b, a, rtol=1e-11)


def test_compiled_loop_false_switches_it_off_inside_the_block_only():
    from nnlib.training import compiled_loop

    with compiled_loop(False):
        assert not _compiled.available()
        with compiled_loop(True):
            assert not _compiled.available()  # True changes nothing
    assert _compiled.available()
    with pytest.raises(TypeError, match="on must be True or False"):
        with compiled_loop("no"):
            pass
