"""One dialect: the torch optimisers by name are nnlib.optim's, with the same defaults."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnlib.torchkit  # noqa: F401  (before torch: passive OpenMP waits)
from nnlib import optim
from nnlib.layers import Parameter

torch = pytest.importorskip("torch")

from nnlib.torchkit import optimizers  # noqa: E402


def _pair(seed=0):
    """The same float64 weights as an nnlib Parameter and a torch parameter."""
    w = np.random.default_rng(seed).normal(size=(3, 4))
    return Parameter(w.copy()), torch.nn.Parameter(torch.tensor(w))


def test_the_registries_have_the_same_names_and_classes():
    assert list(optimizers.OPTIMIZERS) == list(optim.OPTIMIZERS)  # same names, same order
    assert optimizers.DEFAULTS is optim.DEFAULTS  # the one table, not a copy
    for name, cls in optimizers.OPTIMIZERS.items():
        assert issubclass(cls, torch.optim.Optimizer)
        assert cls.__name__ == optim.OPTIMIZERS[name].__name__


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_each_torch_optimizer_has_nnlibs_hyperparameters(name):
    """Every hyper-parameter nnlib sets (DEFAULTS and the class's own defaults, e.g. Adam's
    betas=(0.9, 0.999) and eps=1e-8) has the same value in the torch optimiser."""
    mine, theirs = _pair()
    ours = optim.make_optimizer(name, [mine]).defaults
    torch_defaults = optimizers.make_optimizer(name, [theirs]).defaults
    signature = inspect.signature(optim.OPTIMIZERS[name]).parameters
    expected = {k: p.default for k, p in signature.items() if p.default is not p.empty}
    expected.update(optim.DEFAULTS[name])
    assert set(expected) == set(ours)  # nnlib sets exactly these
    for key, value in expected.items():
        assert ours[key] == value, (name, key)
        assert torch_defaults[key] == value, (name, key, torch_defaults[key])
        assert type(torch_defaults[key]) is type(ours[key]), (name, key)


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_both_registries_take_the_same_steps(name, torch):
    """Built by name with the defaults, the NumPy and torch optimisers move float64 weights the
    same way over 20 steps of a quadratic loss 0.5 * sum(w^2 * c) (torch in float64 throughout:
    the ``torch`` fixture, so NAdam's momentum product is float64 too)."""
    mine, theirs = _pair(1)
    c = np.linspace(0.5, 3.0, 12).reshape(3, 4)
    ours = optim.make_optimizer(name, [mine], lr=0.05)
    other = optimizers.make_optimizer(name, [theirs], lr=0.05)
    for _ in range(20):
        ours.zero_grad()
        mine.grad += c * mine.data
        ours.step()
        other.zero_grad()
        (0.5 * (theirs**2 * torch.tensor(c)).sum()).backward()
        other.step()
    np.testing.assert_allclose(mine.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert not np.allclose(mine.data, _pair(1)[0].data)  # the weights did move


def test_overrides_and_bad_names_as_in_nnlib():
    _, p = _pair()
    heavy = optimizers.make_optimizer("momentum", [p], lr=0.05)  # nnlib's docstring example
    assert isinstance(heavy, torch.optim.SGD)
    assert heavy.defaults["lr"] == 0.05 and heavy.defaults["momentum"] == 0.9
    assert not heavy.defaults["nesterov"]
    assert optimizers.make_optimizer("adam", [p], betas=(0.9, 0.9)).defaults["betas"] == (0.9, 0.9)
    with pytest.raises(ValueError, match="unknown name 'adamw'"):
        optimizers.make_optimizer("adamw", [p])
    with pytest.raises(TypeError, match=r"optimizer 'rmsprop' \(RMSprop\) has no hyper-parameter "
                                        r"'betas'; it has lr, alpha"):
        optimizers.make_optimizer("rmsprop", [p], betas=(0.9, 0.9))
    with pytest.raises(ValueError, match=r"betas\[0\] must be a number in \[0, 1\); got 1.0"):
        optimizers.make_optimizer("nadam", [p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        optimizers.make_optimizer("nesterov", [p], momentum=0.0)
    with pytest.raises(TypeError, match="params must be an iterable of tensors"):
        optimizers.make_optimizer("sgd", p)


def test_importing_the_module_starts_torchs_first_optimiser_import_on_a_thread():
    """The first torch optimiser imports torch._dynamo (2-3 s): importing nnlib's optimisers
    starts that import on a thread, so that the first training cell or Train click finds it
    done. A fresh interpreter, where nothing has imported it yet."""
    code = ("import sys, threading\n"
            "started, start = [], threading.Thread.start\n"
            "threading.Thread.start = lambda t: (started.append(t), start(t))[1]\n"
            "import nnlib.torchkit.optimizers\n"
            "[t] = [t for t in started if 'torch._dynamo' in t.name]\n"
            "assert t.daemon\n"
            "t.join(120)\n"
            "assert 'torch._dynamo' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=180,
                   env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
