"""Plotting for notebooks 00/01 and the universal-approximation widget (Agg backend)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.lessons import convex_regions as R
from nnlib.lessons import universal_approximation as ap
from nnlib.plotting import basics
from nnlib.widgets.universal_approximation import universal_approximation_lab


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_activations_draws_phi_and_derivative():
    lines = basics.plot_activations(["sigmoid", "relu", "leaky_relu"], a=0.2)
    x, y = lines["sigmoid"][1].get_data()
    assert np.max(y) == pytest.approx(0.25, abs=1e-4)
    xr, dr = lines["relu"][1].get_data()
    assert set(np.unique(dr)) == {0.0, 1.0}
    _, dl = lines["leaky_relu"][1].get_data()
    assert dl.min() == pytest.approx(0.2)


def test_draw_network_line_widths_follow_weights():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0], [-4.0, 1.0]])
    W2 = np.array([[2.0], [-1.0]])
    art = basics.draw_network([W1, W2], max_width=8.0)
    widths = np.asarray(art["edges"].get_linewidths())
    expected = 8.0 * np.abs(np.concatenate([W1.ravel(), W2.ravel()])) / 4.0
    np.testing.assert_allclose(widths, expected)
    colours = art["edges"].get_colors()
    assert len(colours) == 8
    assert len(art["nodes"].get_offsets()) == 3 + 2 + 1
    with pytest.raises(ValueError, match=r"weights\[1\] must have 2 rows"):
        basics.draw_network([W1, np.ones((3, 1))])


def test_digit_grid_titles_and_images():
    images = np.zeros((12, 28, 28), np.uint8)
    images[:, 10:18, 12:16] = 255
    shown = basics.digit_grid(images, np.arange(12) % 10, ncols=6)
    assert len(shown) == 12
    assert shown[3].axes.get_title() == "3"
    with pytest.raises(ValueError, match=r"images must have shape \(K, H, W\)"):
        basics.digit_grid(np.zeros((28, 28)))


def test_decision_regions_shape_check():
    xx, yy, pts = R.grid(21)
    lab = R.task_labels(pts, "ring").reshape(xx.shape)
    mesh, contour = basics.decision_regions(xx, yy, lab, target=lab)
    assert contour is not None and mesh.get_array().size == lab.size
    with pytest.raises(ValueError, match="predicted must have the grid's shape"):
        basics.decision_regions(xx, yy, lab[:5])


def test_lab_builds_and_shows_the_fit():
    lab = universal_approximation_lab(target="bump", activation="sigmoid", units=4)
    assert set(lab.controls) == {"units", "activation", "target"}
    assert lab.view.widget in lab.children
    f = ap.target_function("bump")
    x, y = lab.lines["fit"].get_data()
    np.testing.assert_allclose(y, ap.fit_shallow(f, 4, activation="sigmoid")(x))
    assert len(lab.lines["units"].get_segments()) == 4


def test_units_slider_updates_fit_error_and_readout():
    lab = universal_approximation_lab(target="wave", activation="tanh", units=4)
    f = ap.target_function("wave")
    fit_line = lab.lines["fit"]
    before_y = fit_line.get_ydata().copy()
    before_err, before_text = lab.error, lab.readout.value
    assert f"{before_err:.4f}" in before_text and "N = <b>4</b>" in before_text
    lab.controls["units"].value = 64
    x, y = fit_line.get_data()
    assert lab.lines["fit"] is fit_line  # the same artist, updated in place
    np.testing.assert_allclose(y, ap.fit_shallow(f, 64, activation="tanh")(x))
    assert not np.allclose(y, before_y)
    expected = ap.approximation_error(ap.fit_shallow(f, 64, activation="tanh"), f)
    assert lab.error == pytest.approx(expected)
    assert lab.error < before_err / 10
    assert f"{lab.error:.4f}" in lab.readout.value and "N = <b>64</b>" in lab.readout.value
    mx, my = lab.lines["marker"].get_data()
    assert list(mx) == [64] and my[0] == pytest.approx(lab.error)
    # the fit is now close to the target everywhere on the plotted grid
    assert np.max(np.abs(y - f(x))) <= lab.error + 1e-12


def test_square_activation_plateaus_in_the_lab():
    lab = universal_approximation_lab(target="wave", activation="square", units=5)
    e5 = lab.error
    lab.controls["units"].value = 100
    assert lab.error == pytest.approx(e5, rel=1e-6)
    assert lab.error == pytest.approx(ap.best_polynomial_error(ap.target_function("wave"), 2),
                                      rel=1e-6)
    curve = lab.lines["curve"].get_ydata()
    np.testing.assert_allclose(curve[2:], e5, rtol=1e-6)


def test_changing_target_and_activation_refits():
    lab = universal_approximation_lab(target="wave", activation="sigmoid", units=16)
    curve_before = lab.lines["curve"].get_ydata().copy()
    lab.controls["target"].value = "abs"
    f = ap.target_function("abs")
    _, yt = lab.lines["target"].get_data()
    np.testing.assert_allclose(yt, f(lab.x))
    assert not np.allclose(lab.lines["curve"].get_ydata(), curve_before)
    lab.controls["activation"].value = "relu"
    assert lab.fit.activation == "relu" and lab.fit.n_units == 16


def test_lab_bad_arguments():
    with pytest.raises(ValueError, match="unknown target 'zigzag'"):
        universal_approximation_lab(target="zigzag")
    with pytest.raises(ValueError, match=r"units must be <= max_units \(10\); got 20"):
        universal_approximation_lab(units=20, max_units=10)
