"""accuracy_bars: the one bar chart of test accuracy per named run (notebooks 07, 08, 13)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from nnlib.plotting.comparison import accuracy_bars


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_horizontal_bars_one_row_per_run_with_chance_and_title():
    bars = accuracy_bars({"a": 0.1, "b": 0.91}, chance=0.1, title="t")
    ax = bars[0].axes
    assert [b.get_width() for b in bars] == [0.1, 0.91]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xlim() == (0, 1) and ax.get_title() == "t"
    assert [t.get_text() for t in ax.texts] == ["10.0%", "91.0%"]
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0.1, 0.1]


def test_no_chance_line_unless_asked():
    bars = accuracy_bars({"a": 0.5})
    assert bars[0].axes.get_lines() == []


def test_upright_bars_in_percent_zoomed_to_the_values_with_the_baseline_in_grey():
    fig, ax = plt.subplots()
    bars = accuracy_bars({"plain": 0.90, "dropout": 0.92, "L2": 0.91}, ax=ax,
                         horizontal=False, baseline="plain", color="C8")
    assert bars[0].axes is ax
    np.testing.assert_allclose([b.get_height() for b in bars], [90, 92, 91])
    assert ax.get_ylim() == pytest.approx((85, 94))
    assert [t.get_text() for t in ax.texts] == ["90.0", "92.0", "91.0"]
    assert bars[0].get_facecolor() == to_rgba("C3")
    assert bars[1].get_facecolor() == bars[2].get_facecolor() == to_rgba("C8")


def test_upright_zoom_takes_in_the_chance_line():
    bars = accuracy_bars({"a": 0.5, "b": 0.6}, horizontal=False, chance=0.1)
    ax = bars[0].axes
    assert ax.get_ylim() == pytest.approx((5, 62))
    assert list(ax.get_lines()[0].get_ydata()) == [10, 10]
