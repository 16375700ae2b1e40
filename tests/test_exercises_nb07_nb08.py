"""Notebooks 07/08's code exercises: the instructor's answers agree with torch / exact
enumeration directly, and the checks catch the usual slips without showing expected numbers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nnlib.exercises import nb07, nb08
from nnlib.lessons.explaining_away import CarModel, probability

ROOT = Path(__file__).resolve().parent.parent / "solutions"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"solutions_{name[:2]}", ROOT / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batchnorm_backward_solution_matches_torch(rng, torch):
    sol = _load("07_batchnorm_and_skip_connections.py")
    x, dout = rng.normal(size=(6, 4)) * 3 + 1, rng.normal(size=(6, 4))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    tx = torch.tensor(x, requires_grad=True)
    tg, tb = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)
    torch.nn.functional.batch_norm(tx, None, None, tg, tb, training=True, eps=1e-5) \
        .backward(torch.tensor(dout))
    inv_std = 1 / np.sqrt(x.var(axis=0) + 1e-5)
    dx, dgamma, dbeta = sol.batchnorm_backward(dout, (x - x.mean(axis=0)) * inv_std, gamma,
                                               inv_std)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dgamma, tg.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(dbeta, tb.grad.numpy(), rtol=1e-10)


def test_batchnorm_check_explains_the_constant_statistics_slip(rng):
    sol = _load("07_batchnorm_and_skip_connections.py")
    result = nb07.q3.judge(sol.batchnorm_backward_constant_stats, rng=rng)
    assert not result and "dx" in result.message and "three terms" in result.message
    assert "expected" not in result.message.lower()
    swapped = nb07.q3.judge(lambda d, xh, g, s: sol.batchnorm_backward(d, xh, g, s)[::-1],
                            rng=rng)
    assert not swapped and ("shape" in swapped.message or "dbeta" in swapped.message)


def test_posterior_solution_matches_enumeration_and_the_check_catches_the_slip(rng):
    sol = _load("08_pretraining_and_explaining_away.py")
    for _ in range(5):
        m = CarModel(p_battery=rng.uniform(0.05, 0.9), p_pump=rng.uniform(0.05, 0.9),
                     p_fail=rng.uniform(0.05, 0.95, size=(2, 2)))
        for pump in (0, 1):
            assert sol.posterior_battery(m.p_battery, m.p_pump, m.p_fail, pump) == \
                pytest.approx(probability(m, {"battery": 1}, {"fails": 1, "pump": pump}),
                              rel=1e-12)
    result = nb08.q3.judge(sol.posterior_battery_ignoring_pump, rng=rng)
    assert not result and "wrong value" in result.message
    assert not nb08.q3.judge(lambda *a: 1.5, rng=rng)
