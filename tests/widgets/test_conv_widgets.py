"""The cross-correlation stepper and the convolution-geometry lab, driven programmatically."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from nnlib import conv  # noqa: E402
from nnlib.plotting import convolution as cplot  # noqa: E402
from nnlib.widgets.conv_geometry import conv_geometry_lab  # noqa: E402
from nnlib.widgets.cross_correlation import cross_correlation_lab  # noqa: E402

LECTURE_OUT = np.array([[6, 1.5, 0.5], [0, 3, -1], [-3.5, 0, 6]])
CONV_OUT = np.array([[4, -3, -2], [1.5, 4, 0], [-3, 3, 4]])


def _window_corner(lab):
    x0, y0 = lab.window.get_xy()
    return int(round(y0 + 0.5)), int(round(x0 + 0.5))


def _shown(texts):
    return [[t.get_text() for t in row] for row in texts]


@pytest.fixture
def stepper():
    import matplotlib.pyplot as plt

    lab = cross_correlation_lab()
    yield lab
    plt.close(lab.view.fig)


def test_stepper_starts_at_the_top_left(stepper):
    assert stepper.state["total"] == 6
    np.testing.assert_array_equal(stepper.state["products"], [[1, 1], [0, 4]])
    assert _window_corner(stepper) == (0, 0)
    assert "= 1 + 1 + 0 + 4 = <b>6</b>" in stepper.readout.value
    assert _shown(stepper.output_texts) == [["6", "", ""], ["", "", ""], ["", "", ""]]
    data = stepper.output_image.get_array()
    assert data[0, 0] == 6 and data.mask.sum() == 8


def test_step_back_and_scrub(stepper):
    c = stepper.controls
    c["step"].click()
    assert stepper.state["step"] == 1 and _window_corner(stepper) == (0, 1)
    assert "Y[0,1]" in stepper.readout.value and "<b>1.5</b>" in stepper.readout.value
    c["step"].click()
    c["step"].click()                                  # wraps to the next row
    assert _window_corner(stepper) == (1, 0)
    assert stepper.output_cell.get_xy() == (-0.5, 0.5)
    c["back"].click()
    assert _window_corner(stepper) == (0, 2)
    c["scrub"].value = 8
    assert _window_corner(stepper) == (2, 2)
    np.testing.assert_array_equal(stepper.state["filled"], LECTURE_OUT)
    assert _shown(stepper.output_texts)[2] == ["-3.5", "0", "6"]
    c["step"].click()                                  # stays at the last step
    assert stepper.state["step"] == 8
    c["scrub"].value = 0
    c["back"].click()
    assert stepper.state["step"] == 0


def test_every_step_matches_nnlib_conv(stepper):
    for step in range(9):
        stepper.controls["scrub"].value = step
        i, j = divmod(step, 3)
        assert stepper.state["total"] == LECTURE_OUT[i, j]
        assert np.isnan(stepper.state["filled"].flat[step + 1:]).all()


def test_play_drives_the_slider(stepper):
    stepper.controls["play"].value = 4
    assert stepper.controls["scrub"].value == 4
    assert _window_corner(stepper) == (1, 1)
    assert stepper.state["total"] == 3


def test_convolution_toggle_rotates_the_mask(stepper):
    stepper.controls["scrub"].value = 8
    stepper.controls["mode"].value = "convolution"
    np.testing.assert_array_equal(stepper.mask, [[-2, 0], [1, -1]])
    assert _shown(stepper.mask_texts) == [["-2", "0"], ["1", "-1"]]
    np.testing.assert_array_equal(stepper.state["filled"], CONV_OUT)
    assert "<b>convolution</b>" in stepper.readout.value
    assert "-0" not in stepper.readout.value
    stepper.controls["mode"].value = "cross-correlation"
    np.testing.assert_array_equal(stepper.state["filled"], LECTURE_OUT)


def test_stepper_on_other_inputs(rng):
    import matplotlib.pyplot as plt

    x = rng.standard_normal((5, 6))
    h = rng.standard_normal((3, 3))
    lab = cross_correlation_lab(x, h, mode="convolution")
    assert lab.controls["scrub"].max == 3 * 4 - 1
    lab.controls["scrub"].value = 7
    assert np.isclose(lab.state["total"], conv.convolve2d(x, h)[1, 3])
    assert lab.window.get_width() == 3
    plt.close(lab.view.fig)
    with pytest.raises(ValueError,
                       match="unknown mode 'conv'; allowed: cross-correlation, convolution"):
        cross_correlation_lab(mode="conv")
    with pytest.raises(ValueError, match="larger than the padded input"):
        cross_correlation_lab(np.zeros((2, 2)), np.zeros((3, 3)))


@pytest.fixture
def geometry():
    import matplotlib.pyplot as plt

    lab = conv_geometry_lab(n=7, k=3, padding=1, stride=2, dilation=1)
    yield lab
    plt.close(lab.view.fig)


def test_geometry_readout_and_pictures(geometry):
    assert geometry.state["out_size"] == 4 and geometry.state["actual_shape"] == (4, 4)
    assert "<b>4</b>" in geometry.readout.value
    grid = geometry.images[0].get_array()
    assert grid.shape == (9, 9)
    assert (grid[0, 3:] == 0).all() and (grid[:3, :3] == 2).all() and grid[4, 4] == 1
    assert geometry.images[1].get_array().shape == (4, 4)
    assert geometry.controls["output"].max == 15


def test_geometry_highlights_the_chosen_receptive_field(geometry):
    c = geometry.controls
    c["dilation"].value = 2
    c["output"].value = 4                                  # (1, 1) of the 3×3 output
    assert geometry.state["out_size"] == 3
    assert geometry.state["output_index"] == (1, 1)
    np.testing.assert_array_equal(geometry.state["rows"], [2, 4, 6])
    grid = geometry.images[0].get_array()
    assert np.argwhere(grid == 2).tolist() == [[r, col] for r in (2, 4, 6) for col in (2, 4, 6)]
    out = geometry.images[1].get_array()
    assert out.shape == (3, 3) and out[1, 1] == 3 and (out == 3).sum() == 1
    assert "spanning 5×5 pixels" in geometry.readout.value


@pytest.mark.parametrize("n,k,p,s,d", [(5, 3, 0, 1, 1), (6, 2, 2, 3, 1), (12, 4, 3, 2, 3),
                                       (4, 1, 0, 4, 1), (9, 5, 0, 2, 2)])
def test_geometry_formula_equals_actual_shape(geometry, n, k, p, s, d):
    c = geometry.controls
    for name, v in (("n", n), ("k", k), ("padding", p), ("stride", s), ("dilation", d)):
        c[name].value = v
    size = geometry.state["out_size"]
    assert size == (n + 2 * p - d * (k - 1) - 1) // s + 1
    assert geometry.state["actual_shape"] == (size, size)
    assert geometry.images[1].get_array().shape == (size, size)
    assert geometry.images[0].get_array().shape == (n + 2 * p, n + 2 * p)


def test_geometry_reports_a_kernel_that_does_not_fit(geometry):
    c = geometry.controls
    c["padding"].value = 0
    c["k"].value = 5
    c["dilation"].value = 2                                # span 9 > 7
    assert geometry.state["out_size"] is None
    assert "larger than the padded input" in geometry.readout.value
    assert (geometry.images[0].get_array() == 2).sum() == 0
    c["dilation"].value = 1
    assert geometry.state["out_size"] == 2 and geometry.state["error"] is None


def test_plotting_helpers_return_updatable_artists():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    im, texts = cplot.matrix_image([[1, np.nan], [-2.5, 0]], ax=ax)
    assert _shown(texts) == [["1", ""], ["-2.5", "0"]]
    cplot.set_matrix(im, texts, [[3, 4], [5, np.nan]])
    assert _shown(texts) == [["3", "4"], ["5", ""]]
    rect = cplot.window_patch(0, 0, 2, 2, ax=ax)
    cplot.move_window(rect, 1, 0)
    assert rect.get_xy() == (-0.5, 0.5)
    images = cplot.plot_feature_maps([np.eye(3), -np.eye(3)], symmetric=True,
                                     titles=["a", "b"])
    assert len(images) == 2 and images[1].get_clim() == (-1, 1)
    plt.close("all")
