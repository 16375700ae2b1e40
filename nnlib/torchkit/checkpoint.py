"""Save a trained model and load it back safely.

A checkpoint holds the model's ``state_dict``, the name and keyword arguments that rebuild its
architecture (see :func:`nnlib.torchkit.models.build_model`), a small dict of metadata
(accuracy, epochs, ...) and a SHA-256 checksum of all of that. Loading uses
``torch.load(..., weights_only=True)``, which only unpickles tensors and plain containers, so
opening a checkpoint from elsewhere cannot run code; then the checksum is recomputed, so a
file damaged on disk or in transit (even one flipped byte inside the weights) is refused
instead of loading different weights. Every damaged file raises :class:`CheckpointError`,
naming the file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .._io import atomic_path
from .models import MODELS, build_model

FORMAT = "nnlib-checkpoint"
VERSION = 1


_HOW = "overwrite=True (or --force to python -m nnlib.torchkit)"


class CheckpointError(ValueError):
    """A checkpoint file is empty, truncated, corrupt, fails its checksum or is not ours."""


def _plain(value, where: str):
    """``value`` as plain Python (None, bool, int, float, str, lists/tuples, str-keyed dicts).

    NumPy scalars and 0-d arrays become Python numbers, NumPy arrays lists, so that
    ``torch.load(weights_only=True)`` reads back everything :func:`save_checkpoint` wrote.
    """
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        return _plain(value.item(), where)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)  # an int subclass (IntEnum, ...) would not load with weights_only
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.ndarray):
        return _plain(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        items = [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where} keys must be strings; got {k!r} "
                                f"({type(k).__name__})")
            out[k] = _plain(v, f"{where}[{k!r}]")
        return out
    raise TypeError(f"{where} must hold plain values (None, bool, int, float, str, lists, tuples, "
                    f"dicts with string keys, NumPy numbers); got {type(value).__name__} "
                    f"{value!r:.60}")


def _canonical(value):
    """JSON-friendly form for the checksum: tuples as lists, non-finite floats spelled out."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def _checksum(state: dict, arch, arch_kwargs: dict, meta: dict) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, then the architecture and meta."""
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name]
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"state_dict entry {name!r} is a {type(t).__name__}, not a tensor")
        t = t.detach().to("cpu").contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    text = json.dumps(_canonical({"arch": arch, "arch_kwargs": arch_kwargs, "meta": meta}),
                      sort_keys=True)
    h.update(text.encode())
    return h.hexdigest()


def save_checkpoint(path: str | os.PathLike, model: nn.Module, *, arch: str | None = None,
                    arch_kwargs: dict | None = None, meta: dict | None = None,
                    overwrite: bool = False) -> Path:
    """Write ``model``'s weights (moved to the CPU), how to rebuild it, and a checksum to ``path``.

    arch / arch_kwargs: the :data:`~nnlib.torchkit.models.MODELS` name and its keyword
    arguments; meta: e.g. ``{"test_accuracy": 0.99}``. Both hold plain values (ints, floats,
    strings, bools, lists, tuples, dicts); NumPy numbers are converted, anything else is
    refused with a ``TypeError`` before a byte is written. The file appears atomically (written
    beside it, flushed, then renamed), so an interrupted save never leaves a half-written
    checkpoint and keeps the old one. An existing ``path`` is replaced only with
    ``overwrite=True`` (``--force`` on the command line); otherwise ``FileExistsError``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False; got {overwrite!r}")
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if arch is not None and (not isinstance(arch, str) or arch not in MODELS):
        raise ValueError(f"unknown arch {arch!r}; allowed: {', '.join(MODELS)} or None")
    if arch_kwargs is not None and not isinstance(arch_kwargs, dict):
        raise TypeError(f"arch_kwargs must be a dict or None; got {type(arch_kwargs).__name__}")
    if meta is not None and not isinstance(meta, dict):
        raise TypeError(f"meta must be a dict or None; got {type(meta).__name__}")
    arch_kwargs = _plain(dict(arch_kwargs or {}), "arch_kwargs")
    meta = _plain(dict(meta or {}), "meta")
    state = {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "version": VERSION, "state_dict": state, "arch": arch,
               "arch_kwargs": arch_kwargs, "meta": meta,
               "sha256": _checksum(state, arch, arch_kwargs, meta)}
    path = Path(path)
    with atomic_path(path, overwrite=overwrite, how=_HOW) as tmp:
        torch.save(payload, tmp)
    return path


def _read(path: Path, map_location) -> dict:
    """The verified payload of ``path``; :class:`CheckpointError` for anything damaged."""
    if not path.exists():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise CheckpointError(f"checkpoint {path} is empty (0 bytes); save it again")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:  # noqa: BLE001 - any failure to parse means a damaged file
        # torch's own message may advise weights_only=False, which would run arbitrary code
        # from the file: never pass that on, and do not chain it.
        raise CheckpointError(
            f"checkpoint {path} ({size} bytes) cannot be read: it is truncated, corrupt or not "
            f"a checkpoint written by save_checkpoint ({type(e).__name__}). Save it again."
        ) from None
    if not isinstance(payload, dict) or "state_dict" not in payload:
        raise CheckpointError(f"checkpoint {path} is not an nnlib checkpoint (no state_dict); "
                              "write it with nnlib.torchkit.checkpoint.save_checkpoint")
    if "sha256" not in payload:
        raise CheckpointError(f"checkpoint {path} has no checksum, so its weights cannot be "
                              "verified; write it with nnlib.torchkit.checkpoint.save_checkpoint")
    state, meta = payload["state_dict"], payload.get("meta", {})
    if not isinstance(state, dict) or not isinstance(meta, dict):
        raise CheckpointError(f"checkpoint {path} is corrupt (state_dict or meta is not a dict)")
    try:
        actual = _checksum(state, payload.get("arch"), payload.get("arch_kwargs", {}), meta)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint {path} is corrupt ({e})") from None
    if actual != payload["sha256"]:
        raise CheckpointError(f"checkpoint {path} fails its checksum (stored SHA-256 "
                              f"{str(payload['sha256'])[:16]}..., contents {actual[:16]}...): "
                              "the file was damaged after it was written. Save it again.")
    return payload


def load_checkpoint(path: str | os.PathLike, model: nn.Module | None = None, *,
                    map_location="cpu") -> tuple[nn.Module, dict]:
    """Load ``path`` (with ``weights_only=True``) into ``model``, or rebuild the model it names.

    Returns ``(model, meta)``; the model is in eval mode on ``map_location``. Raises
    :class:`CheckpointError` (a ``ValueError``) naming the file when it is empty, truncated,
    corrupt or fails its checksum; ``FileNotFoundError`` when it does not exist.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    if model is not None and not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module or None; got {type(model).__name__}")
    path = Path(path)
    payload = _read(path, map_location)
    if model is None:
        arch = payload.get("arch")
        if arch is None:
            raise ValueError(f"checkpoint {path} does not name its architecture; pass the "
                             "model to load the weights into")
        kwargs = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in payload.get("arch_kwargs", {}).items()}
        model = build_model(arch, **kwargs)
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as e:
        raise ValueError(f"checkpoint {path} does not fit the model given: {e}") from None
    model.to(map_location)
    model.eval()
    return model, payload.get("meta", {})
