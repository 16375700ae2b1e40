"""nnlib: the small library behind the deep-neural-network notebooks.

A house whose imports run downward only (``tests/test_layout.py`` holds it to this):

* building blocks, NumPy only, what every notebook imports, named as in PyTorch:
  ``activations``, ``init``, ``losses``, ``layers``, ``conv``, ``conv_naive``, ``pooling``,
  ``recurrent``, ``normalization``, ``regularization``, ``augment``, ``optim``, ``gradcheck``,
  ``data``, ``training``; private plumbing ``_checks``, ``_blas``, ``_fused``;
* ``nnlib.shipped``: course plumbing beside the blocks (NumPy only, held to their rules): a
  lecture loads a long training cell's shipped result from ``data/results/``
  (``shipped.compute_or_load``);
* ``nnlib.lessons``: one module per lecture idea that is not a reusable block (imports blocks);
* ``nnlib.exercises``: the one check mechanism behind every notebook's exercises;
* ``nnlib.torchkit``: the torch room, the only code that imports torch
  (``python -m nnlib.torchkit`` trains the MNIST CNN from a terminal);
* presentation: ``nnlib.plotting`` (matplotlib; takes data, returns artists) and
  ``nnlib.widgets`` (ipywidgets; ``<topic>_lab(...)`` returns a ``<Topic>Lab`` container).

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
