"""Plots of notebooks 07/08: what is drawn is the data given (Agg backend)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.lessons.skip_paths import PathGradients
from nnlib.plotting import batchnorm as P


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_drift_lines_per_layer():
    steps = np.arange(0, 50, 10)
    mean, std = np.random.default_rng(0).uniform(size=(2, 5, 3))
    lines = P.plot_drift(steps, mean, std)
    assert len(lines["mean"]) == len(lines["std"]) == 3
    np.testing.assert_array_equal(lines["std"][2].get_ydata(), std[:, 2])


def test_layer_gradients():
    lines = P.plot_layer_gradients({"plain": [1e-6, 1e-3, 1.0], "bn": [1.0, 2.0, 1.0]})
    assert lines["plain"].axes.get_yscale() == "log"
    np.testing.assert_array_equal(lines["bn"].get_xdata(), [1, 2, 3])


def test_path_gradients_and_reconstruction():
    pg = PathGradients(lengths=np.arange(3), norms=np.array([1.0, 0.1, 0.01]),
                       paths=np.array([1, 2, 1]), total=np.zeros((1, 2)),
                       parts=np.zeros((3, 1, 2)))
    art = P.plot_path_gradients({"init": pg})
    np.testing.assert_array_equal(art["lines"]["init"].get_ydata(), pg.norms)
    np.testing.assert_array_equal(art["paths"].get_ydata(), pg.paths)
    before, after = P.plot_reconstruction([10.0, 2.0], [1.0, 0.5])
    np.testing.assert_array_equal(after.get_ydata(), [1.0, 0.5])
