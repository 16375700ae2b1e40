"""Shared fixtures. Tests never need a GPU, internet or a display."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A fresh, seeded generator per test."""
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def torch():
    """PyTorch in float64 on the CPU, as the reference for forward and backward passes."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    return torch
