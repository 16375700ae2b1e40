"""settle_limits: a lab's axis limits change only when its data leave them or shrink in them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting._grid import settle_limits  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_linear_limits_start_at_lo_with_a_round_width_and_stay_while_the_data_fit(ax):
    assert settle_limits(ax, "x", (0.5, 11.5))
    assert ax.get_xlim() == (0.5, 15.5)  # width 11 -> 15
    ax.figure.canvas.draw()
    for hi in (12.5, 15.5, 9.5):  # inside, and at least half as wide: nothing is set
        assert not settle_limits(ax, "x", (0.5, hi))
        assert not ax.stale and ax.get_xlim() == (0.5, 15.5)
    assert settle_limits(ax, "x", (0.5, 16.5))  # past the edge
    assert ax.get_xlim() == (0.5, 20.5)
    assert settle_limits(ax, "x", (0.5, 5.5))  # 20 is more than twice 5: shrinks
    assert ax.get_xlim() == (0.5, 5.5)


def test_log_limits_snap_to_decades_and_join_two_settings_a_control_switches_between(ax):
    ax.set_yscale("log")
    assert settle_limits(ax, "y", (0.03, 5.0), log=True)
    assert ax.get_ylim() == pytest.approx((0.01, 10.0))
    assert settle_limits(ax, "y", (0.3, 50.0), log=True)  # leaves at the top
    assert ax.get_ylim() == pytest.approx((0.01, 100.0))  # joined: both settings fit now
    ax.figure.canvas.draw()
    for needed in ((0.03, 5.0), (0.3, 50.0)):
        assert not settle_limits(ax, "y", needed, log=True)
    assert not ax.stale
    assert settle_limits(ax, "y", (1e-12, 1e-11), log=True)  # far away: its own decades
    assert ax.get_ylim() == pytest.approx((1e-12, 1e-11))


def test_log_limits_are_not_joined_with_matplotlibs_defaults(ax):
    ax.set_yscale("log")
    ax.set_ylim(1e-300, 1e300)  # not set by settle_limits: too wide, and never joined
    assert settle_limits(ax, "y", (2.0, 30.0), log=True)
    assert ax.get_ylim() == pytest.approx((1.0, 100.0))

