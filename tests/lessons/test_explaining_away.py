"""Explaining away: exact enumeration, checked against hand-derived Bayes and a brute-force sum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnlib.lessons import explaining_away as ea


def _brute(model, event, given):
    """P(event | given) by looping over the 8 worlds and multiplying the factors by hand."""
    num = den = 0.0
    for y, z, x in itertools.product((0, 1), repeat=3):
        world = {"battery": y, "pump": z, "fails": x}
        p = (model.p_battery if y else 1 - model.p_battery) * \
            (model.p_pump if z else 1 - model.p_pump)
        f = model.p_fail[y][z]
        p *= f if x else 1 - f
        if all(world[k] == v for k, v in given.items()):
            den += p
            if all(world[k] == v for k, v in event.items()):
                num += p
    return num / den


def test_joint_sums_to_one_and_priors_are_independent():
    m = ea.CarModel(p_battery=0.3, p_pump=0.2, p_fail=((0.1, 0.8), (0.7, 0.9)))
    j = m.joint()
    assert j.shape == (2, 2, 2) and j.sum() == pytest.approx(1.0, abs=1e-15)
    pyz = j.sum(axis=2)
    np.testing.assert_allclose(pyz, np.outer(pyz.sum(axis=1), pyz.sum(axis=0)), atol=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_probability_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    m = ea.CarModel(p_battery=rng.uniform(0.05, 0.9), p_pump=rng.uniform(0.05, 0.9),
                    p_fail=rng.uniform(0.05, 0.95, size=(2, 2)))
    for event, given in [({"battery": 1}, {}), ({"battery": 1}, {"fails": 1}),
                         ({"battery": 1}, {"fails": 1, "pump": 1}),
                         ({"pump": 0}, {"fails": 0, "battery": 1}),
                         ({"battery": 1, "pump": 1}, {"fails": 1})]:
        assert ea.probability(m, event, given) == pytest.approx(_brute(m, event, given),
                                                                rel=1e-12)


def test_lecture_car_explains_away_by_bayes_rule():
    m = ea.CarModel()
    r = ea.explaining_away(m)
    # P(Y | X) by hand: P(X | Y) P(Y) / P(X)
    py, pz, f = m.p_battery, m.p_pump, np.array(m.p_fail)
    px_given_y = f[1, 0] * (1 - pz) + f[1, 1] * pz
    px = px_given_y * py + (f[0, 0] * (1 - pz) + f[0, 1] * pz) * (1 - py)
    assert r.given_fail == pytest.approx(px_given_y * py / px, rel=1e-12)
    assert r.prior == pytest.approx(py) and r.given_pump == pytest.approx(py)
    assert r.given_fail_and_pump < r.given_fail < r.given_fail_no_pump
    assert r.explains_away and r.coupling < 0
    assert r.posterior_joint.sum() == pytest.approx(1.0)


def test_no_explaining_away_when_the_causes_do_not_share_the_effect():
    # X depends on Y only: Z is irrelevant, so P(Y | X, Z) = P(Y | X)
    m = ea.CarModel(p_fail=((0.1, 0.1), (0.9, 0.9)))
    r = ea.explaining_away(m)
    assert r.given_fail_and_pump == pytest.approx(r.given_fail, rel=1e-12)
    assert not r.explains_away and r.coupling == pytest.approx(0.0, abs=1e-15)


def test_belief_net_posterior_couples_units_that_share_a_child():
    W = np.array([[6.0], [6.0]])
    states, post = ea.belief_net_posterior(W, [-4.0], [-2.0, -2.0], [1.0])
    assert states.shape == (4, 2) and post.sum() == pytest.approx(1.0)
    assert ea.factorisation_gap(states, post) > 0.1
    # with no shared child (separate children), the posterior factorises exactly
    W2 = np.array([[6.0, 0.0], [0.0, 6.0]])
    states, post = ea.belief_net_posterior(W2, [-4.0, -4.0], [-2.0, -2.0], [1.0, 1.0])
    assert ea.factorisation_gap(states, post) < 1e-15


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"p_battery": 1.5}, ValueError, r"p_battery must be a probability in \[0, 1\]; got 1.5"),
    ({"p_pump": "a"}, TypeError, "p_pump must be a probability"),
    ({"p_fail": ((0.1, 0.2),)}, ValueError, r"p_fail must be a 2 x 2 table.*\(1, 2\)"),
    ({"p_fail": ((0.1, 0.2), (0.3, -1))}, ValueError, r"p_fail\[1\]\[1\] must be a probability"),
])
def test_bad_models(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        ea.CarModel(**kwargs)


def test_bad_queries():
    m = ea.CarModel()
    with pytest.raises(ValueError, match="unknown variable 'engine'"):
        ea.probability(m, {"engine": 1})
    with pytest.raises(ValueError, match="battery must be 0 or 1; got 2"):
        ea.probability(m, {"battery": 2})
    never = ea.CarModel(p_fail=((0.0, 0.0), (0.0, 0.0)))
    with pytest.raises(ValueError, match="has probability 0"):
        ea.probability(never, {"battery": 1}, {"fails": 1})
    with pytest.raises(ValueError, match="W must have at most 16 hidden rows"):
        ea.belief_net_posterior(np.ones((17, 1)), [0.0], np.zeros(17), [1.0])
    with pytest.raises(ValueError, match="v must hold 0/1"):
        ea.belief_net_posterior(np.ones((2, 1)), [0.0], [0.0, 0.0], [0.5])


def test_undefined_conditionals_are_nan():
    r = ea.explaining_away(ea.CarModel(p_fail=((0.0, 0.0), (0.5, 0.0))))
    assert r.given_fail == pytest.approx(1.0) and np.isnan(r.given_fail_and_pump)
    assert not r.explains_away
