"""Notebook 13's training helper: what each switch does to the network and the data."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import regularization as reg
from nnlib.lessons import regularization as lesson


@pytest.fixture(scope="module")
def tiny():
    X, y, Xt, yt = lesson.small_mnist(300, n_test=200, seed=3)
    return X, y, Xt, yt


def test_small_mnist_is_a_fixed_slice_with_every_class():
    X, y, Xt, yt = lesson.small_mnist(500, n_test=100, seed=1)
    assert X.shape == (500, 784) and X.dtype == np.float32 and Xt.shape == (100, 784)
    assert set(np.unique(y)) == set(range(10)) and 0 <= X.min() and X.max() <= 1
    X2, y2, *_ = lesson.small_mnist(500, n_test=100, seed=1)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(y, lesson.small_mnist(500, n_test=100, seed=2)[1])
    with pytest.raises(ValueError, match="n_train"):
        lesson.small_mnist(70000)


def test_build_mlp_places_dropout_where_asked(rng):
    kinds = [type(layer).__name__ for layer in
             lesson.build_mlp((20, 10), rng=rng, dropout=0.5, input_dropout=0.2)]
    assert kinds == ["Dropout", "Dense", "Activation", "Dropout", "Dense", "Activation",
                     "Dropout", "Dense"] or kinds.count("Dropout") == 3
    plain = lesson.build_mlp(20, rng=rng)
    assert not any(isinstance(layer, reg.Dropout) for layer in plain)
    assert plain.forward(np.zeros((2, 784), np.float32)).shape == (2, 10)


def test_train_records_curves_and_calls_back(tiny):
    seen = []
    run = lesson.train_regularized(*tiny, hidden=32, epochs=4, test_every=2,
                                   on_epoch=lambda r: seen.append(r.epoch[-1]))
    assert run.epoch == [2, 4] and seen == [2, 4]
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert len(getattr(run, name)) == 2
    assert run.train_loss[-1] < run.train_loss[0]
    assert len(run.seen_loss) == len(run.seen_accuracy) == 4
    assert run.label == "300 img, plain" and run.seconds > 0


def test_same_seed_same_start_and_switches_change_the_result(tiny):
    a = lesson.train_regularized(*tiny, hidden=16, epochs=2, seed=5)
    b = lesson.train_regularized(*tiny, hidden=16, epochs=2, seed=5)
    assert a.val_loss == b.val_loss
    for kw in (dict(l2=1e-2), dict(l1=1e-3), dict(dropout=0.5), dict(augment=True)):
        c = lesson.train_regularized(*tiny, hidden=16, epochs=2, seed=5, **kw)
        assert c.val_loss != a.val_loss, kw
    assert "L2 0.01" in lesson.run_label(300, l2=1e-2)


def test_l1_training_zeroes_more_weights_than_plain(tiny):
    plain = lesson.train_regularized(*tiny, hidden=32, epochs=6, seed=0)
    l1 = lesson.train_regularized(*tiny, hidden=32, epochs=6, seed=0, l1=3e-3)
    assert reg.fraction_small(l1.net) > 3 * reg.fraction_small(plain.net)


def test_augmented_images_are_moved_copies(tiny, rng):
    X = tiny[0][:20]
    out = lesson.augmented(X, rng=rng)
    assert out.shape == X.shape and out.dtype == X.dtype and not np.allclose(out, X)
    np.testing.assert_allclose(out.sum(1), X.sum(1), rtol=0.15)  # the ink moves, not vanishes
    still = lesson.augmented(X, rng=rng, max_shift=0)
    np.testing.assert_array_equal(still, X)


def test_thinned_average_approaches_the_full_network(tiny, rng):
    X, y, Xt, yt = tiny
    run = lesson.train_regularized(X, y, Xt, yt, hidden=64, epochs=5, dropout=0.5, seed=0)
    out = lesson.thinned_average(run.net, Xt, samples=40)
    assert run.net.training  # mode restored
    agree = out["running_agreement"]
    single = np.mean(out["single"].argmax(1) == out["full"].argmax(1))
    assert agree[-1] >= 0.9 and agree[-1] > single + 0.1
    np.testing.assert_allclose(out["average"].sum(1), 1.0, rtol=1e-5)
