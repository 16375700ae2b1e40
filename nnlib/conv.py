"""Convolution (really cross-correlation) in NumPy: the teaching version and a fast layer.

A convolutional layer slides one small mask (kernel, filter) over the input and, at each
location, multiplies every weight by the input under it and sums:

    Y[i, j] = Σ_k Σ_l X[i·S + k·D, j·S + l·D] · H[k, l]          (cross-correlation)

with stride S, dilation D, and the input first surrounded by P rows/columns of zeros.
Convolution proper flips the mask first, Y = X ⋆ rot180(H); CNN layers (and PyTorch's
``conv2d``) compute the cross-correlation. The output has

    ⌊(n + 2P − D(k − 1) − 1) / S⌋ + 1           rows (and the same for columns)

(:func:`conv_output_size`). Functions here:

* :func:`cross_correlate2d`, :func:`convolve2d`, :func:`window_products`: one channel, one
  image, for the worked examples;
* :func:`conv2d_forward` / :func:`conv2d_backward` (and :func:`conv2d`): batches of
  multi-channel images, NCHW like PyTorch, vectorised with a sliding-window view and one
  matrix product per image (im2col). The loop reference lives in :mod:`nnlib.conv_naive`;
* :class:`Conv2d`: the layer, following the contract of :mod:`nnlib.layers`;
* :func:`receptive_field`: which padded-input pixels one output looks at.

Left out: groups, "same" padding by name, transposed convolution.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._checks import (
    as_float_array,
    check_cache,
    check_choice,
    check_float_dtype,
    check_positive_int,
)
from .init import INITIALIZERS, initialize
from .layers import Layer, Parameter


def pair(name: str, value, *, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, each ``>= minimum``, as ``(rows, cols)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an integer or a pair of integers >= {minimum}; "
                             f"got {value!r}")
        return (check_positive_int(name, value[0], minimum=minimum),
                check_positive_int(name, value[1], minimum=minimum))
    v = check_positive_int(name, value, minimum=minimum)
    return v, v


def conv_output_size(n: int, k: int, padding: int = 0, stride: int = 1,
                     dilation: int = 1) -> int:
    """Output length ⌊(n + 2P − D(k − 1) − 1)/S⌋ + 1 along one axis of length ``n``.

    Raises ``ValueError`` when the dilated kernel, which spans D(k − 1) + 1 pixels, does not
    fit inside the padded input n + 2P.
    """
    n = check_positive_int("n", n)
    k = check_positive_int("k", k)
    p = check_positive_int("padding", padding, minimum=0)
    s = check_positive_int("stride", stride)
    d = check_positive_int("dilation", dilation)
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise ValueError(f"kernel_size {k} with dilation {d} spans {span} pixels, larger than "
                         f"the padded input {n} + 2*{p} = {n + 2 * p}; the kernel span "
                         "dilation*(k-1)+1 must be <= n + 2*padding")
    return (n + 2 * p - span) // s + 1


def _geometry(x_shape, k_shape, padding, stride, dilation):
    """Checked (padding, stride, dilation) pairs and the output size (Ho, Wo)."""
    p = pair("padding", padding, minimum=0)
    s = pair("stride", stride, minimum=1)
    d = pair("dilation", dilation, minimum=1)
    try:
        out = tuple(conv_output_size(x_shape[a], k_shape[a], p[a], s[a], d[a]) for a in (0, 1))
    except ValueError as e:
        raise ValueError(f"a kernel of shape {tuple(k_shape)} does not fit an input of shape "
                         f"{tuple(x_shape)}: {e}") from None
    return p, s, d, out


def _windows(xp: np.ndarray, k_shape, out_shape, stride, dilation) -> np.ndarray:
    """Read-only view (..., Ho, Wo, KH, KW) of every (dilated) window of ``xp`` (..., Hp, Wp)."""
    *lead, _, _ = xp.shape
    *lead_strides, sh, sw = xp.strides
    shape = (*lead, *out_shape, *k_shape)
    strides = (*lead_strides, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return as_strided(xp, shape=shape, strides=strides, writeable=False)


def _pad(x: np.ndarray, padding) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths)


# ----------------------------------------------------------------- single channel (teaching)

def cross_correlate2d(x, kernel, *, padding=0, stride=1, dilation=1) -> np.ndarray:
    """Y[i, j] = Σ_kl X[i·S + k·D, j·S + l·D] H[k, l] on a zero-padded 2-D input.

    x: (H, W), kernel: (KH, KW) -> (Ho, Wo). With the defaults this is the "valid"
    cross-correlation of the lecture: the mask visits every place where it fits entirely.
    """
    x = as_float_array("x", x, ndim=2)
    kernel = as_float_array("kernel", kernel, ndim=2)
    p, s, d, out = _geometry(x.shape, kernel.shape, padding, stride, dilation)
    windows = _windows(_pad(x, p), kernel.shape, out, s, d)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def convolve2d(x, kernel, *, padding=0, stride=1, dilation=1) -> np.ndarray:
    """True convolution: cross-correlation with the mask rotated by 180°.

    x: (H, W), kernel: (KH, KW) -> (Ho, Wo).
    """
    kernel = as_float_array("kernel", kernel, ndim=2)
    return cross_correlate2d(x, np.rot90(kernel, 2), padding=padding, stride=stride,
                             dilation=dilation)


def window_products(x, kernel, i: int, j: int, *, padding=0, stride=1, dilation=1):
    """The products X[..]·H[k, l] that make output (i, j), and where they come from.

    x: (H, W), kernel: (KH, KW). Returns ``(window, products, total)``: the (KH, KW) input
    values under the mask, their element-wise products with the mask, and the sum
    (= ``cross_correlate2d(x, kernel, ...)[i, j]``).
    """
    x = as_float_array("x", x, ndim=2)
    kernel = as_float_array("kernel", kernel, ndim=2)
    i = check_positive_int("i", i, minimum=0)
    j = check_positive_int("j", j, minimum=0)
    p, s, d, (ho, wo) = _geometry(x.shape, kernel.shape, padding, stride, dilation)
    if not (0 <= i < ho and 0 <= j < wo):
        raise ValueError(f"(i, j) must index the {ho}x{wo} output; got ({i}, {j})")
    window = _windows(_pad(x, p), kernel.shape, (ho, wo), s, d)[i, j].copy()
    products = window * kernel
    return window, products, float(products.sum())


def receptive_field(i: int, j: int, k_shape, *, stride=1, dilation=1):
    """Rows and columns, in padded-input coordinates, of the taps that output (i, j) reads.

    Returns two 1-D integer arrays (KH,) and (KW,): rows ``i·S + k·D`` and columns ``j·S + l·D``.
    """
    kh, kw = pair("k_shape", k_shape, minimum=1)
    s = pair("stride", stride, minimum=1)
    d = pair("dilation", dilation, minimum=1)
    i = check_positive_int("i", i, minimum=0)
    j = check_positive_int("j", j, minimum=0)
    return i * s[0] + d[0] * np.arange(kh), j * s[1] + d[1] * np.arange(kw)


# -------------------------------------------------------------------- batches (NCHW), fast

def check_maps(name: str, x, what: str = "(N, C, H, W)") -> np.ndarray:
    """Raise ``ValueError`` naming ``name`` if a batch of maps has no rows, columns or
    channels (a 0-high image has no window to slide over); return it unchanged."""
    if x.ndim == 4 and 0 in x.shape[1:]:
        raise ValueError(f"{name} must be {what} with C, H and W >= 1 (at least one channel, "
                         f"row and column); got shape {x.shape}")
    return x


def check_conv_inputs(x, w, b=None):
    """Validate x (N, C, H, W), w (F, C, KH, KW), b (F,) or None; return them as float arrays."""
    x = check_maps("x", as_float_array("x", x, ndim=4))
    w = as_float_array("w", w, ndim=4)
    if 0 in w.shape:
        raise ValueError(f"w must be (F, C, KH, KW) with every size >= 1; got shape {w.shape}")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"channel-count mismatch: w has {w.shape[1]} input channels "
                         f"(w: (F, C, KH, KW) = {w.shape}) but x has {x.shape[1]} "
                         f"(x: (N, C, H, W) = {x.shape}); they must be equal")
    if b is not None:
        b = as_float_array("b", b, ndim=1)
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"b must have one entry per filter, shape ({w.shape[0]},); "
                             f"got {b.shape}")
    return x, w, b


def conv2d_forward(x, w, b=None, *, padding=0, stride=1, dilation=1):
    """Multi-channel cross-correlation of a batch, as PyTorch's ``F.conv2d``.

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,) or None -> out (N, F, Ho, Wo), cache.
    ``padding``, ``stride``, ``dilation``: int or (rows, cols) pair.

    Vectorised as im2col: a strided view lists every window without copying, one copy lays
    them out as columns, cols (N, C·KH·KW, Ho·Wo), and one matrix product per image applies
    all F filters to all its windows: out[n] = W (F, C·KH·KW) @ cols[n]. (Per-image products
    stay small, so a multi-threaded BLAS does not stall on a busy machine.)
    """
    x, w, b = check_conv_inputs(x, w, b)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    p, s, d, (ho, wo) = _geometry((h, wd), (kh, kw), padding, stride, dilation)
    dtype = np.result_type(x, w)
    xp = _pad(x, p).astype(dtype, copy=False)
    windows = _windows(xp, (kh, kw), (ho, wo), s, d)              # (N, C, Ho, Wo, KH, KW)
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, ho * wo)
    w2 = w.reshape(f, -1).astype(dtype, copy=False)
    out = np.matmul(w2, cols)                                      # (N, F, Ho·Wo)
    if b is not None:
        out += b.astype(dtype, copy=False)[:, None]
    cache = (x.shape, w2, w.shape, cols, p, s, d, (ho, wo), b is not None)
    return out.reshape(n, f, ho, wo), cache


def conv2d_backward(dout, cache, *, input_grad: bool = True):
    """Gradients of :func:`conv2d_forward`. dout: (N, F, Ho, Wo) -> dx, dw, db.

    Per image, with D = dout[n] as an (F, Ho·Wo) matrix: dw = Σ_n D @ cols[n]ᵀ,
    db = Σ over N, Ho, Wo of dout, and dx scatters Wᵀ @ D back onto the windows it came from
    (col2im: one strided add per kernel tap). ``db`` is None if the forward had no bias;
    ``dx`` is None with ``input_grad=False`` (a first layer: nothing flows further back).
    """
    x_shape, w2, w_shape, cols, p, s, d, (ho, wo), has_bias = check_cache(
        "cache", cache, 9, "conv2d_forward")
    n, c, h, wd = x_shape
    f, _, kh, kw = w_shape
    dout = np.asarray(dout)
    if dout.shape != (n, f, ho, wo):
        raise ValueError(f"dout must have shape {(n, f, ho, wo)}; got {dout.shape}")
    d2 = dout.reshape(n, f, ho * wo)
    db = d2.sum(axis=(0, 2)) if has_bias else None
    dw = np.matmul(d2, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)
    if not input_grad:
        return None, dw, db
    dcols = np.matmul(w2.T, d2).reshape(n, c, kh, kw, ho, wo)
    dxp = np.zeros((n, c, h + 2 * p[0], wd + 2 * p[1]), dtype=dcols.dtype)
    for i in range(kh):
        r0 = i * d[0]
        rows = slice(r0, r0 + s[0] * (ho - 1) + 1, s[0])
        for j in range(kw):
            c0 = j * d[1]
            dxp[:, :, rows, c0:c0 + s[1] * (wo - 1) + 1:s[1]] += dcols[:, :, i, j]
    dx = dxp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd]
    return dx, dw, db


def conv2d(x, w, b=None, *, padding=0, stride=1, dilation=1) -> np.ndarray:
    """Output only of :func:`conv2d_forward`: x (N, C, H, W), w (F, C, KH, KW) -> (N, F, Ho, Wo)."""
    return conv2d_forward(x, w, b, padding=padding, stride=stride, dilation=dilation)[0]


# ------------------------------------------------------------------------------------- layer

class Conv2d(Layer):
    """Convolutional layer: F filters of shape (C, KH, KW) shared over all locations.

    x: (N, C, H, W) -> (N, F, Ho, Wo). W: (F, C, KH, KW), b: (F,).
    Parameters: F·C·KH·KW weights + F biases, whatever the image size (weight sharing).
    ``init`` names an initialiser from :mod:`nnlib.init`, used with fan_in = C·KH·KW and
    fan_out = F·KH·KW (as PyTorch counts them); biases start at zero.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, rng, padding=0,
                 stride=1, dilation=1, bias: bool = True, init: str = "he_normal",
                 dtype=np.float64, **init_kwargs):
        c = check_positive_int("in_channels", in_channels)
        f = check_positive_int("out_channels", out_channels)
        kh, kw = pair("kernel_size", kernel_size, minimum=1)
        check_choice("init", init, INITIALIZERS)
        dtype = check_float_dtype("dtype", dtype)
        self.padding = pair("padding", padding, minimum=0)
        self.stride = pair("stride", stride, minimum=1)
        self.dilation = pair("dilation", dilation, minimum=1)
        self.in_channels, self.out_channels, self.kernel_size = c, f, (kh, kw)
        # torch's layout (F, C, KH, KW): fan_in = C·KH·KW, fan_out = F·KH·KW
        self.W = Parameter(initialize(init, (f, c, kh, kw), rng, dtype=dtype, **init_kwargs), "W")
        self.b = Parameter(np.zeros(f, dtype=dtype), "b") if bias else None

    def forward(self, x):
        b = self.b.data if self.b is not None else None
        out, self.cache = conv2d_forward(x, self.W.data, b, padding=self.padding,
                                         stride=self.stride, dilation=self.dilation)
        return out

    def backward(self, dout):
        dx, dw, db = conv2d_backward(dout, self._cached())
        self._add(dw, db)
        return dx

    def backward_params(self, dout):
        _, dw, db = conv2d_backward(dout, self._cached(), input_grad=False)
        self._add(dw, db)

    def _add(self, dw, db):
        self.W.grad += dw
        if self.b is not None:
            self.b.grad += db

    def parameters(self):
        return [self.W] if self.b is None else [self.W, self.b]

    def __repr__(self):
        kh, kw = self.kernel_size
        extra = "".join(f", {name}={getattr(self, name)}" for name in
                        ("padding", "stride", "dilation")
                        if getattr(self, name) != ((0, 0) if name == "padding" else (1, 1)))
        return f"Conv2d({self.in_channels}, {self.out_channels}, ({kh}, {kw}){extra})"
