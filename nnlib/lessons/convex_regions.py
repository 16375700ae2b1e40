"""Which regions of the plane threshold networks can recognise: convex vs non-convex.

A threshold unit H(w·x − b) (H = Heaviside) fires on a half-plane. The classic picture:

* **one hidden layer**: k hidden units draw k lines; an output unit with weights 1 and
  threshold k − ½ fires only where *all* of them fire (an AND), i.e. on the intersection of k
  half-planes, a convex polygon;
* **two hidden layers**: the second hidden layer ANDs groups of first-layer units into several
  convex polygons, and the output unit combines them (OR, or "A and not B"), which gives
  non-convex and even disconnected regions.

(With other output weights a single hidden layer can do more than an AND; that is what makes
it a universal approximator. The convex picture is about the AND construction.)

Here the networks are *built* from their geometry (regular polygons around circles) as
ordinary :class:`nnlib.layers.Sequential` networks of ``Dense`` and Heaviside layers; nothing
is trained. :func:`convex_accuracy_bound` gives an upper bound on the accuracy of *any* convex
region on a grid-sampled target, so "one hidden layer (AND) cannot do this" is a measurement.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_choice, check_positive_float, check_positive_int
from ..layers import Dense, Heaviside, Sequential

TASKS = ("two_blobs", "ring")


def grid(n: int = 201, *, lim: float = 1.0):
    """An n×n grid on [−lim, lim]²: returns (xx, yy, points) with points (n², 2), row-major."""
    n = check_positive_int("n", n, minimum=2)
    lim = check_positive_float("lim", lim)
    xs = np.linspace(-lim, lim, n)
    xx, yy = np.meshgrid(xs, xs)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def task_labels(points, task: str = "two_blobs") -> np.ndarray:
    """0/1 labels of the non-convex target regions, for points (M, 2) -> (M,) int.

    ``two_blobs``: two discs of radius 0.35 at (±0.5, 0) (disconnected).
    ``ring``: the annulus 0.4 ≤ r ≤ 0.85 (connected, with a hole).
    """
    p = as_float_array("points", points, ndim=2)
    if p.shape[1] != 2:
        raise ValueError(f"points must have shape (M, 2); got {p.shape}")
    check_choice("task", task, TASKS)
    if task == "two_blobs":
        inside = (np.hypot(p[:, 0] - 0.5, p[:, 1]) <= 0.35) | (np.hypot(p[:, 0] + 0.5, p[:, 1])
                                                               <= 0.35)
    else:
        r = np.hypot(p[:, 0], p[:, 1])
        inside = (r >= 0.4) & (r <= 0.85)
    return inside.astype(np.int64)


def polygon_units(centre, radius: float, k: int):
    """First-layer weights of k half-planes whose intersection is the regular k-gon
    circumscribed about the circle (centre, radius).

    Returns W: (2, k) and thresholds t: (k,), unit j firing where x·W[:, j] − t_j ≥ 0,
    i.e. on the circle's side of the tangent line with outward normal at angle 2πj/k.
    """
    k = check_positive_int("k", k, minimum=3)
    radius = check_positive_float("radius", radius)
    c = as_float_array("centre", centre, ndim=1)
    if c.shape != (2,):
        raise ValueError(f"centre must be a point (x, y); got shape {c.shape}")
    angles = 2 * np.pi * np.arange(k) / k
    normals = np.stack([np.cos(angles), np.sin(angles)])  # (2, k), unit outward normals
    # inside ⇔ n·(x − c) ≤ r ⇔ (−n)·x − (−n·c − r) ≥ 0
    return -normals, -(c @ normals) - radius


def _and_unit(k: int):
    """Weights 1 and threshold k − ½: fires iff all k inputs fire."""
    return np.ones((k, 1)), k - 0.5


def one_hidden_layer_net(centre, radius: float, k: int = 12) -> Sequential:
    """[2, k, 1] threshold network recognising the k-gon around a circle (an AND of k lines)."""
    W1, t1 = polygon_units(centre, radius, k)
    W2, t2 = _and_unit(k)
    return _build([(W1, t1), (W2, np.array([t2]))])


def two_hidden_layer_net(polygons, *, combine: str = "or", k: int = 12) -> Sequential:
    """[2, k·P, P, 1] threshold network over P polygons ``[(centre, radius), ...]``.

    The first hidden layer draws the lines, the second ANDs each polygon's k lines, the output
    combines the P polygons: ``"or"`` (fires in any of them) or ``"and_not"`` (P = 2: inside
    the first and outside the second, e.g. a ring).
    """
    check_choice("combine", combine, ("or", "and_not"))
    polygons = list(polygons)
    if not polygons:
        raise ValueError("polygons must list at least one (centre, radius) pair")
    if combine == "and_not" and len(polygons) != 2:
        raise ValueError(f"combine='and_not' needs exactly 2 polygons; got {len(polygons)}")
    units = [polygon_units(c, r, k) for c, r in polygons]
    W1 = np.concatenate([w for w, _ in units], axis=1)
    t1 = np.concatenate([t for _, t in units])
    P = len(polygons)
    W2 = np.zeros((k * P, P))
    for j in range(P):
        W2[j * k:(j + 1) * k, j] = 1.0
    t2 = np.full(P, k - 0.5)
    if combine == "or":
        W3, t3 = np.ones((P, 1)), 0.5
    else:
        W3, t3 = np.array([[1.0], [-1.0]]), 0.5
    return _build([(W1, t1), (W2, t2), (W3, np.array([t3]))])


def _build(layers_wt) -> Sequential:
    """Dense + Heaviside layers from (W (m, n), thresholds t (n,)); nnlib's bias is −t."""
    layers = []
    for W, t in layers_wt:
        dense = Dense(W.shape[0], W.shape[1], rng=0)
        dense.W.data[...] = W
        dense.b.data[...] = -np.asarray(t, dtype=float)
        layers += [dense, Heaviside()]
    return Sequential(*layers)


def accuracy(net, points, labels) -> float:
    """Fraction of points (M, 2) where the 0/1 network output matches labels (M,)."""
    points = as_float_array("points", points, ndim=2)
    labels = as_float_array("labels", labels, ndim=1)
    if len(labels) != len(points):
        raise ValueError(f"labels must hold one label per point ({len(points)}); got shape "
                         f"{labels.shape}")
    pred = net.forward(points)[:, 0]
    return float(np.mean(pred == labels))


def convex_accuracy_bound(labels_grid) -> float:
    """Upper bound on the accuracy of ANY convex region on a grid-sampled 0/1 target.

    labels_grid: (n, n), rows = grid lines y = const. A convex set meets each row in an interval,
    which covers a contiguous run of that row's grid points (possibly none). So its accuracy is
    at most the average over rows of the best accuracy of a contiguous run, computed exactly
    here by a maximum-subarray scan (+1 for a positive point covered, −1 for a negative one).
    """
    lab = as_float_array("labels_grid", labels_grid)
    if lab.ndim != 2:
        raise ValueError(f"labels_grid must be 2-D (n, n); got shape {lab.shape}")
    lab = lab.astype(bool)
    correct = 0
    for row in lab:
        gain = np.where(row, 1, -1)
        best = run = 0  # Kadane: best total gain of a contiguous run (empty allowed)
        for g in gain:
            run = max(0, run + g)
            best = max(best, run)
        correct += int((~row).sum()) + best  # empty run gets all negatives right
    return correct / lab.size
