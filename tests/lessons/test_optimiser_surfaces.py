"""nnlib.lessons.optimiser_surfaces and optimiser_theory: exact gradients, trajectories driven by
nlib.optim, and the quadratic's theory against measured runs."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import optim
from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.layers import Parameter
from nnlib.lessons import optimiser_surfaces as os_
from nnlib.lessons import optimiser_theory as ot

SURFACES = [os_.Quadratic(kappa=30.0), os_.Quadratic(kappa=7.0, angle=35.0), os_.Rosenbrock(),
            os_.Rosenbrock(a=0.5, b=10.0), os_.Saddle(), os_.Plateau(), os_.Plateau(c=3.0)]


@pytest.mark.parametrize("surface", SURFACES, ids=repr)
def test_gradient_is_exact(surface, rng):
    x0, x1, y0, y1 = surface.extent
    checked = 0
    while checked < 5:
        xy = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)])
        if np.linalg.norm(surface.grad(xy)) < 1e-3:
            # out on the plateau f = 1 − (tiny): centred differences only see round-off there
            continue
        checked += 1
        numeric = numerical_gradient(lambda xy=xy: float(surface.value(xy)), xy)
        assert rel_error(surface.grad(xy), numeric) < 1e-7


@pytest.mark.parametrize("surface", SURFACES, ids=repr)
def test_minimum_value_and_vectorised_shapes(surface, rng):
    np.testing.assert_allclose(surface.value(surface.minimum), surface.f_min, atol=1e-15)
    np.testing.assert_allclose(surface.grad(surface.minimum), [0.0, 0.0], atol=1e-15)
    pts = rng.normal(size=(4, 3, 2))
    assert surface.value(pts).shape == (4, 3)
    g = surface.grad(pts)
    assert g.shape == (4, 3, 2)
    np.testing.assert_allclose(g[2, 1], surface.grad(pts[2, 1]), rtol=1e-15)
    X, Y, Z = surface.grid(20)
    assert X.shape == Y.shape == Z.shape == (20, 20)
    assert Z.min() >= surface.f_min - 1e-12  # f_min really is the smallest value on the plot


def test_quadratic_eigenvalues_are_one_and_kappa():
    q = os_.Quadratic(kappa=40.0, angle=20.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian), [1.0, 40.0], rtol=1e-12)
    np.testing.assert_allclose(q.hessian @ q.axes, q.axes * [1.0, 40.0], rtol=1e-12)
    # the start sits at the same place relative to the ravine, whatever the angle
    np.testing.assert_allclose(q.value(q.start), os_.Quadratic(kappa=40.0).value((-4.5, 1.5)))
    np.testing.assert_allclose(q.axes.T @ q.start, [-4.5, 1.5], rtol=1e-12)
    assert (q.lam_min, q.lam_max) == (1.0, 40.0)
    with pytest.raises(ValueError, match="kappa must be a condition number >= 1; got 0.5"):
        os_.Quadratic(kappa=0.5)


def test_trajectory_is_the_optimiser_class_stepping(rng):
    surface, start = os_.Rosenbrock(), np.array([-1.2, 1.0])
    t = os_.trajectory("adam", surface, start, 150, lr=0.05, betas=(0.8, 0.99))
    p = Parameter(start.copy(), "xy")
    opt = optim.Adam([p], lr=0.05, betas=(0.8, 0.99))
    expected = [start.copy()]
    for _ in range(150):
        opt.zero_grad()
        p.grad += surface.grad(p.data)
        opt.step()
        expected.append(p.data.copy())
    np.testing.assert_allclose(t.points, expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(t.gaps, surface.value(np.array(expected)), rtol=1e-12)
    assert t.name == "adam" and t.hyper["lr"] == 0.05 and not t.diverged
    # a factory works too, and gives the same run
    t2 = os_.trajectory(lambda ps: optim.Adam(ps, lr=0.05, betas=(0.8, 0.99)), surface, start, 150)
    np.testing.assert_array_equal(t2.points, t.points)


def test_follow_iterates_a_plain_update_function():
    r = os_.Rosenbrock()
    gd = os_.follow(lambda x, g: x - 1e-3 * g, r, (-1.2, 1.0), 50)
    np.testing.assert_allclose(gd, os_.trajectory("sgd", r, (-1.2, 1.0), 50, lr=1e-3).points,
                               rtol=1e-14)
    seen = []
    os_.follow(lambda x, g: seen.append((x, g)) or x + 1.0, r, (0.0, 0.0), 2)
    assert [tuple(x) for x, _ in seen] == [(0.0, 0.0), (1.0, 1.0)]
    np.testing.assert_allclose(seen[1][1], r.grad(np.array([1.0, 1.0])))
    with pytest.raises(ValueError, match="start must be a point"):
        os_.follow(lambda x, g: x, r, [1.0], 3)


def test_rate_curve_is_the_geometric_envelope_and_stays_finite():
    np.testing.assert_allclose(ot.rate_curve(2.0, 0.5, 3), [2.0, 0.5, 0.125, 2 / 64])
    assert np.all(np.isfinite(ot.rate_curve(1.0, 3.0, 2000)))
    assert np.all(np.isfinite(ot.rate_curve(1.0, 0.0, 5)))


def test_gradient_descent_on_the_quadratic_is_a_matrix_power():
    q = os_.Quadratic(kappa=10.0, angle=30.0)
    eta, x0 = 0.12, np.array([2.0, -1.0])
    t = os_.trajectory("sgd", q, x0, 25, lr=eta)
    M = np.eye(2) - eta * q.hessian
    np.testing.assert_allclose(t.points[25], np.linalg.matrix_power(M, 25) @ x0, rtol=1e-12)


def test_divergence_is_reported_and_never_leaves_non_finite_points():
    q = os_.Quadratic(kappa=50.0)
    ok = os_.trajectory("sgd", q, q.start, 200, lr=0.9 * 2 / 50)
    bad = os_.trajectory("sgd", q, q.start, 200, lr=1.05 * 2 / 50)
    assert not ok.diverged and bad.diverged
    assert bad.steps_to(1e-3) is None and bad.gaps[-1] > bad.gaps[0]
    r = os_.Rosenbrock()
    blown = os_.trajectory("sgd", r, r.start, 200, lr=0.1)
    assert blown.diverged and len(blown.points) < 201
    assert np.all(np.isfinite(blown.points)) and np.all(np.isfinite(blown.gaps))


def test_steps_to_tolerance():
    q = os_.Quadratic(kappa=4.0)
    t = os_.trajectory("sgd", q, q.start, 100, lr=0.3)
    k = t.steps_to(1e-6)
    assert t.gaps[k] <= 1e-6 < t.gaps[k - 1]
    assert os_.trajectory("sgd", q, q.start, 5, lr=0.01).steps_to(1e-6) is None


def test_hyperparameters_and_race():
    assert os_.hyperparameters("sgd", lr=0.1, momentum=0.5) == {"lr": 0.1}
    assert os_.hyperparameters("momentum", lr=0.1, momentum=0.5) == {"lr": 0.1, "momentum": 0.5}
    assert os_.hyperparameters("nesterov", lr=0.1)["nesterov"] is True
    assert os_.hyperparameters("nadam", lr=0.1, betas=(0.5, 0.9))["betas"] == (0.5, 0.9)
    assert os_.hyperparameters("rmsprop", lr=0.1, betas=(0.5, 0.9)) == {"lr": 0.1}
    s = os_.Saddle()
    runs = os_.race(s, s.start, 50, ["sgd", "momentum", "adam"], lr=0.05, momentum=0.8)
    assert list(runs) == ["sgd", "momentum", "adam"]
    assert runs["momentum"].hyper["momentum"] == 0.8
    # momentum rolls off the saddle faster than gradient descent
    assert runs["momentum"].gaps[-1] < runs["sgd"].gaps[-1]


def test_gd_theory_matches_a_measured_run():
    q = os_.Quadratic(kappa=20.0)
    th = ot.quadratic_theory(q)
    assert th.kappa == 20.0
    assert ot.gd_rate(th.eta_best, [1.0, 20.0]) == pytest.approx(th.gd_best_rate, rel=1e-12)
    t = os_.trajectory("sgd", q, q.start, 120, lr=th.eta_best)
    assert ot.measured_rate(t.gaps, 20, 120) == pytest.approx(19 / 21, rel=1e-6)
    # any other fixed step is slower
    for eta in (0.8 * th.eta_best, 1.1 * th.eta_best):
        assert ot.gd_rate(eta, [1.0, 20.0]) > th.gd_best_rate


def test_heavy_ball_theory_matches_measured_runs():
    q = os_.Quadratic(kappa=100.0, angle=10.0)
    th = ot.quadratic_theory(q)
    polyak = ot.heavy_ball_rate(th.polyak_eta, th.polyak_momentum, [1.0, 100.0])
    assert polyak == pytest.approx(9 / 11, rel=1e-6)
    assert th.polyak_rate == pytest.approx(9 / 11, rel=1e-12)
    # a non-Polyak setting with distinct roots: the measured rate is the predicted one
    eta, mu = 0.01, 0.6
    t = os_.trajectory("momentum", q, q.start, 400, lr=eta, momentum=mu)
    measured = ot.measured_rate(t.gaps, 200, 400)
    assert measured == pytest.approx(ot.heavy_ball_rate(eta, mu, [1.0, 100.0]), rel=2e-3)
    # Polyak's setting: a double root, so the error decays like k·ρ^k; the rate still shows
    t = os_.trajectory("momentum", q, q.start, 300, lr=th.polyak_eta, momentum=th.polyak_momentum)
    assert ot.measured_rate(t.gaps, 200, 300) == pytest.approx(9 / 11, rel=1e-2)
    assert ot.measured_rate(t.gaps, 200, 300) < ot.gd_rate(th.eta_best, [1.0, 100.0])


def test_measured_divergence_threshold_is_two_over_lambda_max():
    q = os_.Quadratic(kappa=25.0, angle=15.0)
    eta = os_.divergence_threshold(q, q.start, lo=1e-3, hi=1.0)
    assert eta == pytest.approx(2 / 25, rel=5e-3)
    with pytest.raises(ValueError, match="widen the bracket"):
        os_.divergence_threshold(q, q.start, lo=0.1, hi=1.0)


def test_bad_arguments():
    q = os_.Quadratic()
    with pytest.raises(ValueError, match=r"start must be a point \(x, y\); got shape \(3,\)"):
        os_.trajectory("sgd", q, [1.0, 2.0, 3.0], 10, lr=0.1)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        os_.trajectory("adamw", q, q.start, 10, lr=0.1)
    with pytest.raises(TypeError, match="optimizer must be a name"):
        os_.trajectory(3, q, q.start, 10)
    with pytest.raises(TypeError, match="must return an nnlib.optim.Optimizer"):
        os_.trajectory(lambda ps: None, q, q.start, 10)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        os_.trajectory("sgd", q, q.start, 0, lr=0.1)
    with pytest.raises(ValueError, match="unknown surface 'bowl'"):
        os_.make_surface("bowl")
    with pytest.raises(TypeError, match="surface must be a Quadratic"):
        ot.quadratic_theory(os_.Saddle())
    with pytest.raises(ValueError, match="first and last must satisfy"):
        ot.measured_rate(np.ones(10), 5, 10)
    assert isinstance(os_.make_surface("quadratic", kappa=3), os_.Quadratic)
