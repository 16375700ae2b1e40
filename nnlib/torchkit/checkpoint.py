"""Save a trained model and load it back safely.

A checkpoint holds the model's ``state_dict``, the name and keyword arguments that rebuild its
architecture (see :func:`nnlib.torchkit.models.build_model`) and a small dict of metadata
(accuracy, epochs, ...). Loading uses ``torch.load(..., weights_only=True)``, which only
unpickles tensors and plain containers, so opening a checkpoint from elsewhere cannot run code.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from .models import MODELS, build_model


def save_checkpoint(path: str | os.PathLike, model: nn.Module, *, arch: str | None = None,
                    arch_kwargs: dict | None = None, meta: dict | None = None) -> Path:
    """Write ``model``'s weights (moved to the CPU) and how to rebuild it to ``path``.

    arch / arch_kwargs: the :data:`~nnlib.torchkit.models.MODELS` name and its keyword
    arguments (plain values: ints, floats, strings, bools, tuples); meta: plain values too.
    """
    if arch is not None and arch not in MODELS:
        raise ValueError(f"unknown arch {arch!r}; allowed: {', '.join(MODELS)}")
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    payload = {"state_dict": state, "arch": arch, "arch_kwargs": dict(arch_kwargs or {}),
               "meta": dict(meta or {})}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | os.PathLike, model: nn.Module | None = None, *,
                    map_location="cpu") -> tuple[nn.Module, dict]:
    """Load ``path`` (with ``weights_only=True``) into ``model``, or rebuild the model it names.

    Returns ``(model, meta)``; the model is in eval mode on ``map_location``.
    """
    payload = torch.load(Path(path), map_location=map_location, weights_only=True)
    if model is None:
        arch = payload.get("arch")
        if arch is None:
            raise ValueError(f"checkpoint {path} does not name its architecture; pass the "
                             "model to load the weights into")
        kwargs = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in payload.get("arch_kwargs", {}).items()}
        model = build_model(arch, **kwargs)
    model.load_state_dict(payload["state_dict"])
    model.to(map_location)
    model.eval()
    return model, payload.get("meta", {})
