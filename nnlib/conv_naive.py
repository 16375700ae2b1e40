"""Loop references for :mod:`nnlib.conv`: one output value at a time, exactly as the maths reads.

They are slow on purpose (a Python loop over every image, filter and output location) and
exist to pin the vectorised :func:`nnlib.conv.conv2d_forward` / ``conv2d_backward`` to
something obviously right, and to show what vectorising buys.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_cache
from .conv import _geometry, _pad, check_conv_inputs


def _window(i, j, kh, kw, s, d):
    """Row and column slices of the (dilated) window of output (i, j) in the padded input."""
    r0, c0 = i * s[0], j * s[1]
    return (slice(r0, r0 + d[0] * (kh - 1) + 1, d[0]),
            slice(c0, c0 + d[1] * (kw - 1) + 1, d[1]))


def conv2d_forward_naive(x, w, b=None, *, padding=0, stride=1, dilation=1):
    """Same as :func:`nnlib.conv.conv2d_forward`, with loops.

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,) or None -> out (N, F, Ho, Wo), cache.
    """
    x, w, b = check_conv_inputs(x, w, b)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    p, s, d, (ho, wo) = _geometry((h, wd), (kh, kw), padding, stride, dilation)
    xp = _pad(x, p)
    out = np.zeros((n, f, ho, wo), dtype=np.result_type(x, w))
    for im in range(n):
        for fi in range(f):
            for i in range(ho):
                for j in range(wo):
                    rows, cols = _window(i, j, kh, kw, s, d)
                    out[im, fi, i, j] = np.sum(xp[im, :, rows, cols] * w[fi])
            if b is not None:
                out[im, fi] += b[fi]
    return out, (x, w, b is not None, p, s, d)


def conv2d_backward_naive(dout, cache):
    """Gradients of :func:`conv2d_forward_naive`, with loops. dout: (N, F, Ho, Wo) -> dx, dw, db.

    Each output value out[n, f, i, j] = Σ window · w[f] + b[f] sends dout[n, f, i, j]·w[f]
    back to its window of the input, and dout[n, f, i, j]·window to w[f].
    """
    x, w, has_bias, p, s, d = check_cache("cache", cache, 6, "conv2d_forward_naive")
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    ho = (h + 2 * p[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    wo = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    dout = np.asarray(dout)
    if dout.shape != (n, f, ho, wo):
        raise ValueError(f"dout must have shape {(n, f, ho, wo)}; got {dout.shape}")
    xp = _pad(x, p)
    dxp = np.zeros_like(xp, dtype=np.result_type(x, w))
    dw = np.zeros_like(w)
    for im in range(n):
        for fi in range(f):
            for i in range(ho):
                for j in range(wo):
                    rows, cols = _window(i, j, kh, kw, s, d)
                    g = dout[im, fi, i, j]
                    dxp[im, :, rows, cols] += g * w[fi]
                    dw[fi] += g * xp[im, :, rows, cols]
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    dx = dxp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd]
    return dx, dw, db
