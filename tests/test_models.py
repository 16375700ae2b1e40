"""nnlib.models.mlp: the one NumPy MLP builder (its layer-by-layer tests are in test_layers.py,
through the same function)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import models
from nnlib.lessons import regularization as reg_lesson
from nnlib.regularization import Dropout


def test_dropout_follows_every_hidden_layer_and_input_dropout_comes_first(rng):
    net = models.mlp([4, 5, 5, 3], rng=rng, activation="relu", dropout=0.5, input_dropout=0.2)
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == ["Dropout", "Dense", "ReLU", "Dropout", "Dense", "ReLU", "Dropout", "Dense"]
    assert [m.p for m in net.modules() if isinstance(m, Dropout)] == [0.2, 0.5, 0.5]
    plain = models.mlp([4, 5, 3], rng=rng)
    assert not any(isinstance(m, Dropout) for m in plain.modules())


def test_dropout_goes_inside_residual_blocks_after_batch_norm(rng):
    net = models.mlp([4, 4, 4, 2], rng=rng, activation="relu", batch_norm="after", skip=True,
                     dropout=0.3)
    block = net[0].block
    assert [type(m).__name__ for m in block] == ["Dense", "ReLU", "BatchNorm1d", "Dropout"]


def test_the_regularisation_lesson_builds_its_net_with_mlp():
    a = reg_lesson.build_mlp((20, 10), rng=np.random.default_rng(3), dropout=0.5,
                             input_dropout=0.2)
    b = models.mlp([784, 20, 10, 10], rng=np.random.default_rng(3), activation="relu",
                   dtype=np.float32, dropout=0.5, input_dropout=0.2)
    assert repr(a) == repr(b)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("name", ["dropout", "input_dropout"])
def test_dropout_rates_are_checked(name, rng):
    with pytest.raises(ValueError, match=name):
        models.mlp([3, 4, 2], rng=rng, **{name: 1.0})
