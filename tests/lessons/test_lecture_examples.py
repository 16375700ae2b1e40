"""nnlib.lessons.lecture_examples: the slides' arrays give the slides' hand-computed results."""

from __future__ import annotations

import numpy as np

from nnlib import conv, pooling
from nnlib.lessons import lecture_examples as ex


def test_cross_correlation_example_gives_the_lectures_output():
    x, h = ex.cross_correlation_example()
    assert x.shape == (4, 4) and h.shape == (2, 2) and x.dtype == h.dtype == np.float64
    # worked on the slide: (-1)(-1) + (1)(1) + (0)(0) + (-2)(-2) = 6 at the top left
    np.testing.assert_array_equal(conv.cross_correlate2d(x, h),
                                  [[6, 1.5, 0.5], [0, 3, -1], [-3.5, 0, 6]])
    np.testing.assert_array_equal(np.rot90(h, 2), [[-2, 0], [1, -1]])


def test_examples_are_fresh_copies():
    x, _ = ex.cross_correlation_example()
    x[0, 0] = 99.0
    assert ex.cross_correlation_example()[0][0, 0] == -1
    m = ex.pooling_example()
    m[:] = 0
    assert ex.pooling_example().max() == 9


def test_edge_masks_respond_to_the_edges_they_name():
    step = np.zeros((6, 6))
    step[:, :3] = 10                                   # bright left half
    np.testing.assert_array_equal(conv.cross_correlate2d(step, ex.vertical_edge_mask()),
                                  np.tile([0, 30, 30, 0], (4, 1)))
    np.testing.assert_array_equal(conv.cross_correlate2d(step, ex.horizontal_edge_mask()), 0)
    masks = ex.edge_masks()
    assert masks.shape == (4, 1, 3, 3)
    np.testing.assert_array_equal(masks[1, 0], ex.vertical_edge_mask().T)
    np.testing.assert_array_equal(masks[2:], -masks[:2])


def test_receptive_field_masks_are_the_lectures():
    m3, m5 = ex.receptive_field_masks()
    np.testing.assert_array_equal(m3, [[-1, 1, 0], [0, -2, -2], [-1, 1, 0.1]])
    np.testing.assert_array_equal(m5, [[1, 0, -2, -2, -1]])
    assert m3.dtype == m5.dtype == np.float64
    m3[:] = 0
    assert ex.receptive_field_masks()[0][2, 2] == 0.1
    # a 1×5 mask over a 1×40 signal gives 36 outputs; a 3×3 over 6×6 gives 4×4
    assert conv.cross_correlate2d(np.ones((1, 40)), m5).shape == (1, 36)
    assert conv.cross_correlate2d(np.ones((6, 6)), ex.receptive_field_masks()[0]).shape == (4, 4)


def test_pooling_example_gives_the_lectures_pooled_maps():
    a = ex.pooling_example()
    np.testing.assert_array_equal(pooling.max_pool2d(a, kernel_size=2, stride=2), [[9, 2], [6, 3]])
    np.testing.assert_array_equal(pooling.avg_pool2d(a, kernel_size=2, stride=2),
                                  [[3.75, 1.25], [3.75, 2.0]])
