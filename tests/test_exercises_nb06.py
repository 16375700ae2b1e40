"""Notebook 06's code exercises: the instructor's updates match torch.optim directly (the checks
compare with nnlib.optim, which tests/test_optim.py pins to torch), and the checks catch the
usual slips."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from nnlib.exercises import nb06

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions" / "06_optimisers.py"


def _solutions():
    spec = importlib.util.spec_from_file_location("solutions_06", SOLUTIONS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_solution_updates_match_torch_optim(rng, torch):
    sol = _solutions()
    p0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(20)]
    tp = torch.tensor(p0.copy(), requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.8)
    p, b = p0.copy(), np.zeros_like(p0)
    for g in grads:
        tp.grad = torch.tensor(g)
        topt.step()
        p, b = sol.momentum_update(p, g, b, 0.1, 0.8)
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=0, atol=1e-12)
    tp = torch.tensor(p0.copy(), requires_grad=True)
    topt = torch.optim.Adam([tp], lr=0.05, betas=(0.7, 0.95), eps=1e-6)
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        tp.grad = torch.tensor(g)
        topt.step()
        p, m, v = sol.adam_update(p, g, m, v, t, 0.05, (0.7, 0.95), 1e-6)
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=0, atol=1e-12)


def test_code_checks_say_what_failed_without_expected_numbers():
    sol = _solutions()
    rng = np.random.default_rng(3)
    assert nb06.q4.judge(sol.momentum_update, rng=rng)
    wrong = nb06.q4.judge(sol.momentum_update_dampened, rng=rng)
    assert not wrong and "p after step 1" in wrong.message
    wrong = nb06.q5.judge(sol.adam_update_no_bias_correction, rng=rng)
    assert not wrong and "bias correction" in wrong.message
    assert "triple" in nb06.q5.judge(lambda *a: a[0], rng=rng).message

    def starter(p, g, b, lr, mu):
        raise NotImplementedError

    assert nb06.q4.judge(starter).status == "not attempted"
