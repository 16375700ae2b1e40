"""Loop reference for :mod:`nnlib.augment`: one output pixel at a time, as the geometry reads.

Slow on purpose (a Python loop over every pixel of one image). It exists to pin the batched
:func:`nnlib.augment.shift`, ``rotate``, ``random_transform``... to something obviously right
(``tests/test_augment.py``) and to show what vectorising buys (``benchmarks/bench_augment.py``).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_float_array, check_positive_float, check_real


def transform(image, *, dx=0.0, dy=0.0, degrees=0.0, factor=1.0, shear=0.0, fill=0.0):
    """image (H, W) -> (H, W): shifted by (dx, dy) pixels (dy downwards), rotated by ``degrees``
    (anticlockwise) about the centre, scaled by ``factor`` and sheared (x' = x + shear·y).

    One output pixel at a time: undo shift, rotation, scaling and shear in turn, then read the
    input bilinearly (``fill`` outside). Written from the definitions only.
    """
    image = as_float_array("image", image, ndim=2)
    dx, dy, degrees, shear, fill = (check_real(name, v) for name, v in
                                    (("dx", dx), ("dy", dy), ("degrees", degrees),
                                     ("shear", shear), ("fill", fill)))
    factor = check_positive_float("factor", factor)
    h, w = image.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    th = math.radians(degrees)
    out = np.zeros((h, w))
    for r in range(h):
        for c in range(w):
            x, y = (c - cx) - dx, (cy - r) + dy          # undo the shift (dy is downwards)
            x, y = (math.cos(th) * x + math.sin(th) * y,  # undo the rotation: turn by -θ
                    -math.sin(th) * x + math.cos(th) * y)
            x, y = x / factor, y / factor                # undo the scaling
            x = x - shear * y                            # undo the shear x' = x + k y
            src_r, src_c = cy - y, cx + x
            r0, c0 = math.floor(src_r), math.floor(src_c)
            total = 0.0
            for rr, wr in ((r0, 1 - (src_r - r0)), (r0 + 1, src_r - r0)):
                for cc, wc in ((c0, 1 - (src_c - c0)), (c0 + 1, src_c - c0)):
                    inside = 0 <= rr < h and 0 <= cc < w
                    total += wr * wc * (image[rr, cc] if inside else fill)
            out[r, c] = total
    return out
