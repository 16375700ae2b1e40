"""Threshold networks and the regions they recognise: convex (one hidden layer, AND) vs
non-convex (two hidden layers)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.lessons import convex_regions as R


@pytest.fixture(scope="module")
def plane():
    return R.grid(121)


def _random_pairs(mask, points, rng, pairs=4000):
    """Random pairs (a, b) of the points where ``mask`` holds."""
    pos = points[mask]
    i, j = rng.integers(0, len(pos), size=(2, pairs))
    return pos[i], pos[j]


def test_polygon_units_contain_the_circle_and_little_else(rng):
    W, t = R.polygon_units((0.2, -0.1), 0.5, 16)
    assert W.shape == (2, 16) and t.shape == (16,)
    theta = rng.uniform(0, 2 * np.pi, 500)
    on_circle = np.column_stack([0.2 + 0.5 * np.cos(theta), -0.1 + 0.5 * np.sin(theta)])
    assert np.all(on_circle @ W - t >= -1e-12)  # every unit fires on the circle
    outside = np.column_stack([0.2 + 0.56 * np.cos(theta), -0.1 + 0.56 * np.sin(theta)])
    assert np.all(np.min(outside @ W - t, axis=1) < 0)  # 16-gon apothem 0.5: corners < 0.51


def test_one_hidden_layer_region_is_convex(plane, rng):
    _, _, pts = plane
    net = R.one_hidden_layer_net((0.1, 0.2), 0.4, k=7)
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Heaviside"] * 2
    inside = net.forward(pts)[:, 0] == 1
    a, b = _random_pairs(inside, pts, rng)
    for lam in (0.5, 0.25, 0.9):
        assert np.all(net.forward(lam * a + (1 - lam) * b)[:, 0] == 1)


def test_two_hidden_layers_make_disconnected_regions(plane):
    _, _, pts = plane
    net = R.two_hidden_layer_net([((0.5, 0), 0.35), ((-0.5, 0), 0.35)], k=12)
    out = net.forward(np.array([[0.5, 0.0], [-0.5, 0.0], [0.0, 0.0]]))[:, 0]
    assert out.tolist() == [1, 1, 0]  # both centres in, the midpoint out: not convex


def test_ring_net_has_a_hole():
    net = R.two_hidden_layer_net([((0, 0), 0.85), ((0, 0), 0.4)], combine="and_not", k=24)
    out = net.forward(np.array([[0.0, 0.0], [0.6, 0.0], [-0.6, 0.0], [0.95, 0.0]]))[:, 0]
    assert out.tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("task", R.TASKS)
def test_convex_bound_holds_for_one_hidden_layer_and_two_layers_beat_it(task):
    xx, _, pts = R.grid(161)
    labels = R.task_labels(pts, task)
    bound = R.convex_accuracy_bound(labels.reshape(xx.shape))
    assert bound < 0.95
    if task == "two_blobs":
        candidates = [((0.5, 0), 0.35), ((0, 0), 0.85), ((0, 0), 0.6)]
        deep = R.two_hidden_layer_net([((0.5, 0), 0.35), ((-0.5, 0), 0.35)], k=24)
    else:
        candidates = [((0, 0), 0.85), ((0, 0), 0.6), ((0.6, 0), 0.3)]
        deep = R.two_hidden_layer_net([((0, 0), 0.85), ((0, 0), 0.4)], combine="and_not", k=24)
    for c, r in candidates:
        for k in (3, 8, 24):
            assert R.accuracy(R.one_hidden_layer_net(c, r, k), pts, labels) <= bound
    assert R.accuracy(deep, pts, labels) >= 0.99


def test_convex_bound_on_simple_cases():
    assert R.convex_accuracy_bound(np.ones((5, 5))) == 1.0
    assert R.convex_accuracy_bound(np.zeros((5, 5))) == 1.0
    row = np.array([[1, 1, 0, 0, 1]])  # best run covers the first two: 4 of 5 right
    assert R.convex_accuracy_bound(row) == pytest.approx(4 / 5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown task 'moons'; allowed: two_blobs, ring"):
        R.task_labels(np.zeros((2, 2)), "moons")
    with pytest.raises(ValueError, match=r"points must have shape \(M, 2\)"):
        R.task_labels(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="k must be an integer >= 3; got 2"):
        R.polygon_units((0, 0), 1.0, 2)
    with pytest.raises(ValueError, match="combine='and_not' needs exactly 2 polygons"):
        R.two_hidden_layer_net([((0, 0), 1.0)], combine="and_not")
    with pytest.raises(ValueError, match="unknown combine 'xor'"):
        R.two_hidden_layer_net([((0, 0), 1.0)], combine="xor")
    with pytest.raises(ValueError, match="labels_grid must be 2-D"):
        R.convex_accuracy_bound(np.zeros(4))
