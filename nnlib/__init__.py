"""nnlib: the small library behind the deep-neural-network notebooks.

Three tiers, each importing only from the tiers below it:

* maths (NumPy only): ``activations``, ``init``, ``losses``, ``layers``, ``optim``,
  ``gradcheck``, ``data``, ``training``, ...
* the torch room: the only modules that import torch (``nnlib.torchkit``, ``nnlib.torchkit``).
* presentation: ``nnlib.plotting`` (matplotlib) and ``nnlib.widgets`` (ipywidgets).

``import nnlib`` is kept light: submodules load on first attribute access, so
``nnlib.data.load_mnist`` works without importing torch, matplotlib or ipywidgets.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"


def __getattr__(name: str):
    """Load ``nnlib.<name>`` on first use, so ``import nnlib`` itself imports nothing heavy."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module 'nnlib' has no attribute {name!r}") from None
    globals()[name] = module
    return module


def __dir__():
    import pkgutil

    return sorted(set(globals()) | {m.name for m in pkgutil.iter_modules(__path__)})
