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


# --- the slowest notebooks, summed over their cells (pytest's --durations lists cells) -----------
_NOTEBOOK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebooks by nbval time (all cells, setup included)")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{seconds:8.1f} s  {path}")
