"""nnlib.lessons.hierarchy: layer representations, linear probes and shift similarity."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers, models
from nnlib.lessons import hierarchy


def test_layer_representations_are_the_input_each_hidden_activation_and_the_scores():
    rng = np.random.default_rng(0)
    net = models.mlp([4, 5, 3, 2], rng=rng, activation="relu")
    X = rng.normal(size=(7, 4))
    reps = hierarchy.layer_representations(net, X)
    assert [r.shape for r in reps] == [(7, 4), (7, 5), (7, 3), (7, 2)]
    np.testing.assert_array_equal(reps[0], X)
    np.testing.assert_allclose(reps[1], np.maximum(X @ net[0].W.data + net[0].b.data, 0))
    np.testing.assert_allclose(reps[-1], net.forward(X))
    # an output activation gives the scores once, not twice
    squashed = models.mlp([4, 5, 2], rng=rng, activation="relu", output_activation="sigmoid")
    assert len(hierarchy.layer_representations(squashed, X)) == 3


def test_linear_probe_separates_linear_classes_and_not_random_ones():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(2000, 6))
    labels = (A @ rng.normal(size=(6, 3))).argmax(axis=1)
    acc = hierarchy.linear_probe_accuracy(A[:1500], labels[:1500], A[1500:], labels[1500:])
    shuffled = rng.permutation(labels)
    chance = hierarchy.linear_probe_accuracy(A[:1500], shuffled[:1500], A[1500:],
                                             shuffled[1500:])
    assert acc > 0.9 and chance < 0.5


def test_shift_similarity_is_one_for_no_change_and_near_zero_for_unrelated_rows():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(500, 8)) + 3.0          # the mean response is subtracted
    assert hierarchy.shift_similarity(a, a) == pytest.approx(1.0)
    assert abs(hierarchy.shift_similarity(a, a[rng.permutation(500)])) < 0.1
    assert hierarchy.shift_similarity(a, a + 0.1 * rng.normal(size=a.shape)) > 0.9


def test_bad_inputs_name_the_parameter():
    rng = np.random.default_rng(3)
    with pytest.raises(TypeError, match="net"):
        hierarchy.layer_representations(layers.Dense(2, 2, rng=rng), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="same shape"):
        hierarchy.shift_similarity(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="features"):
        hierarchy.linear_probe_accuracy(np.zeros((4, 2)), np.zeros(4, int), np.zeros((4, 3)),
                                        np.zeros(4, int))
    with pytest.raises(ValueError, match="one label per row"):
        hierarchy.linear_probe_accuracy(np.zeros((4, 2)), np.zeros(3, int), np.zeros((4, 2)),
                                        np.zeros(4, int))
