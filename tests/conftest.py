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


@pytest.fixture
def torch():
    """PyTorch in float64 on the CPU, as the reference for forward and backward passes.

    The default dtype is float64 only for the test that asks for this fixture; it is restored
    afterwards, so tests that use torch at its own defaults are unaffected.
    """
    torch = pytest.importorskip("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(old)
