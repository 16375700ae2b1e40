"""Argument checks for the torch room (the maths tier's live in :mod:`nnlib._checks`)."""

from __future__ import annotations

import torch
from torch import nn


def check_module(name: str, model) -> nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``; otherwise a ``TypeError`` naming it."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module (a network); got "
                        f"{type(model).__name__} {model!r:.60}")
    return model


def check_tensor(name: str, x, *, what: str = "a torch.Tensor") -> torch.Tensor:
    """Return ``x`` if it is a ``torch.Tensor``; otherwise a ``TypeError`` naming it."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be {what}; got {type(x).__name__} {x!r:.60}")
    return x


def check_device(name: str, device) -> torch.device:
    """``device`` (a ``torch.device`` or a string such as ``"cpu"``, ``"cuda:0"``) as a
    ``torch.device``: ``TypeError`` for another kind of thing, ``ValueError`` for an unknown
    name."""
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"{name} must be a torch.device or a string such as 'cpu' or 'cuda'; "
                        f"got {type(device).__name__} {device!r:.60}")
    try:
        return torch.device(device)
    except RuntimeError:
        raise ValueError(f"{name} must name a device such as 'cpu', 'cuda', 'cuda:0' or 'mps'; "
                         f"got {device!r}") from None
