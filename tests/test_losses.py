"""Losses: values and gradients against finite differences and torch; input checks."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import losses
from nnlib.gradcheck import check_loss

N, C = 6, 4


@pytest.fixture
def batch(rng):
    z = rng.normal(size=(N, C))
    labels = rng.integers(0, C, size=N)
    probs = rng.dirichlet(np.ones(C), size=N)
    p = rng.uniform(0.05, 0.95, size=(N, C))
    y01 = rng.integers(0, 2, size=(N, C)).astype(float)
    # soft targets 0.3 away from p, so no gradient element is ~0 (relative error would then
    # measure only round-off)
    soft = np.where(p > 0.5, p - 0.3, p + 0.3)
    return z, labels, probs, p, y01, soft


def test_quadratic_known_value():
    loss, da = losses.quadratic(np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0]] * 2))
    assert loss == pytest.approx(0.5 * 5 / 2)
    np.testing.assert_allclose(da, [[0.5, 1.0], [0.0, 0.0]])


def test_softmax_rows_sum_to_one_and_are_stable():
    p = losses.softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0], [1 / 3] * 3])


def test_one_hot():
    np.testing.assert_array_equal(losses.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"labels must hold class labels in \[0, 2\]; got values "
                                         r"from 3 to 3"):
        losses.one_hot(np.array([3]), 3)
    with pytest.raises(ValueError, match="labels must be a 1-D integer array"):
        losses.one_hot(np.array([0.5]), 3)


def test_softmax_cross_entropy_label_and_one_hot_forms_agree(batch):
    z, labels, *_ = batch
    l1, d1 = losses.softmax_cross_entropy(z, labels)
    l2, d2 = losses.softmax_cross_entropy(z, losses.one_hot(labels, C))
    assert l1 == pytest.approx(l2)
    np.testing.assert_allclose(d1, d2)


def test_sigmoid_bce_equals_bce_of_sigmoid(batch):
    z, *_, y01 = batch
    from nnlib.activations import sigmoid
    l1, dz = losses.sigmoid_binary_cross_entropy(z, y01)
    l2, dp = losses.binary_cross_entropy(sigmoid(z), y01)
    assert l1 == pytest.approx(l2, rel=1e-12)
    # the lecture's dz = (a - y)/N
    np.testing.assert_allclose(dz, (sigmoid(z) - y01) / N, rtol=1e-12)


def test_sigmoid_bce_is_finite_for_huge_logits():
    loss, dz = losses.sigmoid_binary_cross_entropy(np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx(800.0)
    np.testing.assert_allclose(dz, [0.5, -0.5])


CASES = {
    "quadratic": lambda b: (losses.quadratic, b[0], b[2]),
    "softmax_ce_labels": lambda b: (losses.softmax_cross_entropy, b[0], b[1]),
    "softmax_ce_probs": lambda b: (losses.softmax_cross_entropy, b[0], b[2]),
    "bce": lambda b: (losses.binary_cross_entropy, b[3], b[4]),
    "bce_soft_targets": lambda b: (losses.binary_cross_entropy, b[3], b[5]),
    "sigmoid_bce": lambda b: (losses.sigmoid_binary_cross_entropy, b[0], b[4]),
    "quadratic_1d": lambda b: (losses.quadratic, b[0][:, 0], b[2][:, 0]),
    "sigmoid_bce_1d": lambda b: (losses.sigmoid_binary_cross_entropy, b[0][:, 1], b[4][:, 1]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_gradient_matches_finite_differences(case, batch):
    fn, pred, target = CASES[case](batch)
    assert check_loss(fn, pred, target) <= 1e-7


def _torch_loss(case, torch, pred, target):
    F = torch.nn.functional
    t = torch.as_tensor
    if case.startswith("quadratic"):
        return 0.5 * ((pred - t(target)) ** 2).sum() / pred.shape[0]
    if case == "softmax_ce_labels":
        return F.cross_entropy(pred, t(target))
    if case == "softmax_ce_probs":
        return F.cross_entropy(pred, t(target))
    if case.startswith("bce"):  # nnlib averages over the batch only, like the lecture
        return F.binary_cross_entropy(pred, t(target), reduction="sum") / pred.shape[0]
    return F.binary_cross_entropy_with_logits(pred, t(target), reduction="sum") / pred.shape[0]


@pytest.mark.parametrize("case", list(CASES))
def test_matches_torch_value_and_gradient(case, batch, torch):
    fn, pred, target = CASES[case](batch)
    loss, grad = fn(pred, target)
    tp = torch.tensor(pred, requires_grad=True)
    ref = _torch_loss(case, torch, tp, target)
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(grad, tp.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_losses_do_not_modify_inputs(batch):
    z, labels, probs, p, y01, _ = batch
    copies = [a.copy() for a in batch]
    losses.quadratic(z, probs)
    losses.softmax_cross_entropy(z, labels)
    losses.binary_cross_entropy(p, y01)
    losses.sigmoid_binary_cross_entropy(z, y01)
    for a, b in zip(batch, copies):
        np.testing.assert_array_equal(a, b)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,pname,tname", [
    (losses.quadratic, "a", "y"),
    (losses.binary_cross_entropy, "p", "y"),
    (losses.sigmoid_binary_cross_entropy, "z", "y"),
    (losses.softmax_cross_entropy, "z", "y"),
])
def test_shape_mismatch_names_both(fn, pname, tname):
    pred = np.full((3, 2), 0.5)
    with pytest.raises(ValueError, match=rf"{tname} must have the same shape as {pname} \(3, 2\);"
                                         r" got \(3, 3\)"):
        fn(pred, np.full((3, 3), 0.5))


def test_softmax_ce_label_count_mismatch():
    with pytest.raises(ValueError, match=r"y must have one label per row of z \(3\); got 2"):
        losses.softmax_cross_entropy(np.zeros((3, 4)), np.array([0, 1]))


def test_softmax_ce_label_out_of_range():
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 3\]; got values "
                                         r"from 0 to 4"):
        losses.softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 4]))
    with pytest.raises(TypeError, match="y must be .N,. integer class labels"):
        losses.softmax_cross_entropy(np.zeros((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"y must hold target probabilities in \[0, 1\]"):
        losses.softmax_cross_entropy(np.zeros((1, 2)), np.array([[2.0, -1.0]]))


@pytest.mark.parametrize("fn,pname,y", [
    (losses.quadratic, "a", np.zeros((0, 3))),
    (losses.binary_cross_entropy, "p", np.zeros((0, 3))),
    (losses.sigmoid_binary_cross_entropy, "z", np.zeros(0)),
    (losses.softmax_cross_entropy, "z", np.zeros(0, dtype=int)),
])
def test_empty_batch_is_a_value_error_naming_the_prediction(fn, pname, y):
    pred = np.zeros((0, 3)) if y.ndim == 2 or fn is losses.softmax_cross_entropy else np.zeros(0)
    with pytest.raises(ValueError, match=rf"{pname} must hold at least one example; got shape"):
        fn(pred, y)


@pytest.mark.parametrize("fn", [losses.binary_cross_entropy,
                                losses.sigmoid_binary_cross_entropy])
@pytest.mark.parametrize("target", [2.0, -1.0])
def test_binary_targets_outside_zero_one_are_refused(fn, target):
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]; got values from"):
        fn(np.array([0.5, 0.5]), np.array([0.0, target]))


@pytest.mark.parametrize("eps,kind", [(-1, ValueError), (0, ValueError), (0.5, ValueError),
                                      (float("nan"), ValueError), ("1e-7", TypeError),
                                      (None, TypeError)])
def test_bce_eps_must_lie_in_the_open_interval(eps, kind):
    with pytest.raises(kind, match=r"eps must be a (real|finite) number.*in \(0.0, 0.5\)"):
        losses.binary_cross_entropy(np.array([0.5]), np.array([1.0]), eps=eps)
    loss, _ = losses.binary_cross_entropy(np.array([0.0]), np.array([1.0]), eps=1e-7)
    assert np.isfinite(loss) and loss == pytest.approx(-np.log(1e-7))


def test_softmax_needs_a_class_axis():
    with pytest.raises(ValueError, match="z must have at least one logit"):
        losses.softmax(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="num_classes must be an integer >= 1; got 0"):
        losses.one_hot(np.array([0]), 0)


@pytest.mark.parametrize("fn,pname", [
    (losses.quadratic, "a"), (losses.binary_cross_entropy, "p"),
    (losses.sigmoid_binary_cross_entropy, "z"), (losses.softmax_cross_entropy, "z"),
])
def test_nan_prediction_is_rejected(fn, pname):
    pred = np.full((2, 3), 0.5)
    pred[1, 2] = np.nan
    with pytest.raises(ValueError, match=rf"{pname} contains NaN or infinite values"):
        fn(pred, np.full((2, 3), 0.5))


def test_nan_target_is_rejected():
    with pytest.raises(ValueError, match="y contains NaN"):
        losses.quadratic(np.zeros(3), np.array([0.0, np.nan, 1.0]))


@pytest.mark.parametrize("fn,pname,ndim", [
    (losses.quadratic, "a", "1-D or 2-D"), (losses.softmax_cross_entropy, "z", "2-D"),
])
def test_wrong_dimensionality(fn, pname, ndim):
    with pytest.raises(ValueError, match=rf"{pname} must be {ndim}; got shape \(2, 2, 2\)"):
        fn(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


def test_bce_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\]"):
        losses.binary_cross_entropy(np.array([0.5, 1.5]), np.array([0.0, 1.0]))


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="a must be an array of numbers"):
        losses.quadratic("abc", np.zeros(3))
