"""The course's optimisers in torch: the names and defaults of :mod:`nnlib.optim`, torch's code.

:data:`OPTIMIZERS` maps the seven names notebook 06 teaches (``"sgd"``, ``"momentum"``,
``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, ``"nadam"``) to their
``torch.optim`` classes, and :func:`make_optimizer` builds one by name with
:data:`nnlib.optim.DEFAULTS` (the same dictionary, not a copy) and the NumPy class's own
defaults (β, ε, ...), so ``make_optimizer("momentum", model.parameters(), lr=0.05)`` is the
torch twin of ``nnlib.optim.make_optimizer("momentum", net.parameters(), lr=0.05)``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import threading

import numpy as np
import torch

from .. import optim
from .._checks import check_choice
from ..layers import Parameter


def _import_dynamo() -> None:
    try:
        importlib.import_module("torch._dynamo")
    except Exception:  # noqa: BLE001 - only a head start: the first optimiser imports it anyway
        pass


# Building the first torch optimiser imports torch._dynamo (torch wraps Optimizer's methods in
# torch._disable_dynamo, which imports it on first use): 2-3 s of a laptop CPU (sympy, torch.fx)
# at the first training cell, or at the first click of a Train button. A thread starts that
# import now, while the student reads the next cells; an optimiser built before it is done waits
# for it (Python's import lock), as it would have waited for its own import.
if "torch._dynamo" not in sys.modules:
    threading.Thread(target=_import_dynamo, name="nnlib: import torch._dynamo",
                     daemon=True).start()

#: ``torch.optim`` class by the names of :data:`nnlib.optim.OPTIMIZERS` (same order)
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    name: getattr(torch.optim, cls.__name__) for name, cls in optim.OPTIMIZERS.items()}

#: default hyper-parameters by name: :data:`nnlib.optim.DEFAULTS` itself
DEFAULTS = optim.DEFAULTS


def _hyperparameters(name: str, **overrides) -> dict:
    """Every hyper-parameter of optimiser ``name`` with ``overrides``, as nnlib sets them.

    ``{**DEFAULTS[name], **overrides}`` completed with the defaults of the
    :mod:`nnlib.optim` class and checked by it (same messages as ``nnlib.optim``); a
    hyper-parameter the optimiser does not have is a ``TypeError`` that lists those it has.
    """
    check_choice("name", name, OPTIMIZERS)
    cls = optim.OPTIMIZERS[name]
    takes = [p for p in inspect.signature(cls).parameters if p != "params"]
    for key in overrides:
        if key not in takes:
            raise TypeError(f"optimizer {name!r} ({cls.__name__}) has no hyper-parameter "
                            f"{key!r}; it has {', '.join(takes)}")
    probe = Parameter(np.zeros(1))  # the NumPy class checks and completes them
    return cls([probe], **{**DEFAULTS[name], **overrides}).defaults


def make_optimizer(name: str, params, **overrides) -> torch.optim.Optimizer:
    """``OPTIMIZERS[name](params, **{**DEFAULTS[name], **overrides})``, with every other
    hyper-parameter at the :mod:`nnlib.optim` class's default.

    The torch twin of :func:`nnlib.optim.make_optimizer`: ``make_optimizer("adam",
    model.parameters(), lr=1e-2, betas=(0.9, 0.9))``. Adam runs torch's fused kernel (all
    weights in one pass: ~10 % faster epochs on a CPU) when every parameter is on a CPU or a
    CUDA GPU.
    """
    hyper = _hyperparameters(name, **overrides)
    if isinstance(params, torch.Tensor) or not hasattr(params, "__iter__"):
        raise TypeError("params must be an iterable of tensors (e.g. model.parameters()); "
                        f"got {type(params).__name__}")
    params = list(params)
    if name == "adam":
        fused = bool(params) and all(p.device.type in ("cpu", "cuda") for p in params)
        hyper["fused"] = fused or None
    return OPTIMIZERS[name](params, **hyper)
