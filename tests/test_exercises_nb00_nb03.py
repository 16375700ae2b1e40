"""The code checks of notebooks 00-03 catch the usual slips and say what is wrong."""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid
from nnlib.exercises import nb00, nb01, nb02, nb03


def _judge(exercise, fn, seed=0):
    return exercise.judge(fn, rng=np.random.default_rng(seed))


def test_nb00_slider_that_is_never_connected_is_reported():
    def forgets_to_observe(slider, line, x):
        line.set_ydata(np.sin(2 * np.pi * slider.value * x))

    result = _judge(nb00.q4, forgets_to_observe)
    assert not result and "did not change" in result.message


def test_nb01_forward_pass_slips():
    def transposed(x, weights, biases):
        a = x
        for W, b in zip(weights[:-1], biases[:-1]):
            a = np.maximum(W.T @ a + b, 0)
        return weights[-1].T @ a + biases[-1]

    def threshold_sign(x, weights, biases):   # subtracts the bias as if it were a threshold
        a = x
        for W, b in zip(weights[:-1], biases[:-1]):
            a = np.maximum(W @ a - b, 0)
        return weights[-1] @ a - biases[-1]

    assert not _judge(nb01.q3, transposed)
    assert not _judge(nb01.q3, threshold_sign)


def test_nb02_backprop_slips_fail_with_a_reason():
    def wrong_hidden_derivative(Ws, bs, x, y):   # σ'(a) instead of σ'(z) = a (1 − a)
        acts = [x]
        for W, b in zip(Ws, bs):
            acts.append(sigmoid(W @ acts[-1] + b))
        dz = acts[-1] - y
        dWs, dbs = [None] * len(Ws), [None] * len(Ws)
        for layer in range(len(Ws) - 1, -1, -1):
            dWs[layer], dbs[layer] = dz @ acts[layer].T, dz
            if layer:
                s = sigmoid(acts[layer])
                dz = (Ws[layer].T @ dz) * s * (1 - s)
        return dWs, dbs

    result = _judge(nb02.q3, wrong_hidden_derivative)
    assert not result and "finite differences" in result.message
    shapes = _judge(nb02.q3, lambda Ws, bs, x, y: ([W.ravel() for W in Ws], list(bs)))
    assert not shapes and "shape" in shapes.message


def test_nb03_bptt_step_without_the_tanh_derivative_fails():
    result = _judge(nb03.q3, lambda dh, z, W: dh @ W.T)
    assert not result and "finite differences" in result.message
