"""Pooling: replace each region of a feature map by its maximum or its mean.

Pooling has no weights to learn. With a region of KH×KW pixels moved by a stride S (usually
S > 1, often S = region size) each map shrinks to ⌊(H − KH)/S⌋ + 1 rows (and likewise
columns), which tolerates small shifts of a pattern and cuts the cost of later layers, at
the price of some discrimination. Global pooling uses the whole map as the region (one
number per channel); cross-channel pooling takes the max/mean over groups of channels at
each pixel instead (fewer channels, same map size).

Backward: max pooling sends each dout value to the position that won the max (the first
one, in row-major order, on ties, as PyTorch does); average pooling spreads it evenly over
the region. Arrays are NCHW. Left out: padding, ceil mode.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_cache, check_choice, check_positive_int
from .conv import _windows, check_maps, conv_output_size, pair
from .layers import Layer


def _pool_geometry(x, kernel_size, stride):
    x = check_maps("x", as_float_array("x", x, ndim=4))
    k = pair("kernel_size", kernel_size, minimum=1)
    s = k if stride is None else pair("stride", stride, minimum=1)
    out = tuple(conv_output_size(x.shape[2 + a], k[a], 0, s[a]) for a in (0, 1))
    return x, k, s, out


def max_pool2d_forward(x, kernel_size, stride=None):
    """Max over each KH×KW region. x: (N, C, H, W) -> out (N, C, Ho, Wo), cache.

    ``kernel_size``, ``stride``: int or (rows, cols); ``stride`` defaults to ``kernel_size``.
    """
    x, k, s, (ho, wo) = _pool_geometry(x, kernel_size, stride)
    n, c, h, w = x.shape
    flat = _windows(x, k, (ho, wo), s, (1, 1)).reshape(n, c, ho, wo, k[0] * k[1])
    idx = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, idx[..., None], axis=-1)[..., 0]
    return out, (x.shape, k, s, idx)


def max_pool2d_backward(dout, cache):
    """dout: (N, C, Ho, Wo) -> dx (N, C, H, W): each dout goes to its region's arg-max."""
    (n, c, h, w), k, s, idx = check_cache("cache", cache, 4, "max_pool2d_forward")
    if not isinstance(idx, np.ndarray):
        raise TypeError("cache must be the cache that max_pool2d_forward returned; got the "
                        "cache of another function")
    dout = np.asarray(dout)
    if dout.shape != idx.shape:
        raise ValueError(f"dout must have shape {idx.shape}; got {dout.shape}")
    ho, wo = idx.shape[2:]
    rows = np.arange(ho)[:, None] * s[0] + idx // k[1]           # (N, C, Ho, Wo)
    cols = np.arange(wo)[None, :] * s[1] + idx % k[1]
    maps = np.arange(n * c).reshape(n, c, 1, 1)
    flat = (maps * h + rows) * w + cols
    dx = np.bincount(flat.ravel(), weights=dout.ravel(), minlength=n * c * h * w)
    return dx.reshape(n, c, h, w).astype(dout.dtype, copy=False)


def avg_pool2d_forward(x, kernel_size, stride=None):
    """Mean over each KH×KW region. x: (N, C, H, W) -> out (N, C, Ho, Wo), cache."""
    x, k, s, out_hw = _pool_geometry(x, kernel_size, stride)
    out = _windows(x, k, out_hw, s, (1, 1)).mean(axis=(-2, -1))
    return out, (x.shape, k, s, out_hw)


def avg_pool2d_backward(dout, cache):
    """dout: (N, C, Ho, Wo) -> dx (N, C, H, W): each dout spread as dout/(KH·KW) over its region."""
    (n, c, h, w), k, s, out_hw = check_cache("cache", cache, 4, "avg_pool2d_forward")
    if isinstance(out_hw, np.ndarray):
        raise TypeError("cache must be the cache that avg_pool2d_forward returned; got the "
                        "cache of another function")
    ho, wo = out_hw
    dout = np.asarray(dout)
    if dout.shape != (n, c, ho, wo):
        raise ValueError(f"dout must have shape {(n, c, ho, wo)}; got {dout.shape}")
    dx = np.zeros((n, c, h, w), dtype=dout.dtype)
    share = dout / (k[0] * k[1])
    for i in range(k[0]):
        for j in range(k[1]):
            dx[:, :, i:i + s[0] * (ho - 1) + 1:s[0], j:j + s[1] * (wo - 1) + 1:s[1]] += share
    return dx


def _any2d(fn, x, *args):
    """Let the convenience functions take one (H, W) map as well as an (N, C, H, W) batch."""
    arr = as_float_array("x", x, ndim=(2, 4))
    if arr.ndim == 2:
        check_maps("x", arr[None, None], "(H, W)")
        return fn(arr[None, None], *args)[0][0, 0]
    return fn(arr, *args)[0]


def max_pool2d(x, kernel_size, stride=None) -> np.ndarray:
    """Max pooling, output only. x: (N, C, H, W) -> (N, C, Ho, Wo), or (H, W) -> (Ho, Wo)."""
    return _any2d(max_pool2d_forward, x, kernel_size, stride)


def avg_pool2d(x, kernel_size, stride=None) -> np.ndarray:
    """Average pooling, output only. x: (N, C, H, W) -> (N, C, Ho, Wo), or (H, W) -> (Ho, Wo)."""
    return _any2d(avg_pool2d_forward, x, kernel_size, stride)


def global_max_pool2d(x) -> np.ndarray:
    """One maximum per map. x: (N, C, H, W) -> (N, C, 1, 1)."""
    x = check_maps("x", as_float_array("x", x, ndim=4))
    return x.max(axis=(2, 3), keepdims=True)


def global_avg_pool2d(x) -> np.ndarray:
    """One mean per map. x: (N, C, H, W) -> (N, C, 1, 1)."""
    x = check_maps("x", as_float_array("x", x, ndim=4))
    return x.mean(axis=(2, 3), keepdims=True)


POOL_MODES = ("max", "avg")


def channel_pool_forward(x, group_size: int, mode: str = "max"):
    """Pool across channels: groups of ``group_size`` consecutive channels become one.

    x: (N, C, H, W) with C divisible by ``group_size`` -> out (N, C/group_size, H, W), cache.
    ``mode``: "max" or "avg".
    """
    x = as_float_array("x", x, ndim=4)
    g = check_positive_int("group_size", group_size)
    check_choice("mode", mode, POOL_MODES)
    n, c, h, w = x.shape
    if c % g:
        raise ValueError(f"group_size must divide the {c} channels of x; got {g}")
    groups = x.reshape(n, c // g, g, h, w)
    if mode == "avg":
        return groups.mean(axis=2), (x.shape, g, mode, None)
    idx = groups.argmax(axis=2)
    out = np.take_along_axis(groups, idx[:, :, None], axis=2)[:, :, 0]
    return out, (x.shape, g, mode, idx)


def channel_pool_backward(dout, cache):
    """dout: (N, C/g, H, W) -> dx (N, C, H, W)."""
    (n, c, h, w), g, mode, idx = check_cache("cache", cache, 4, "channel_pool_forward")
    dout = np.asarray(dout)
    if dout.shape != (n, c // g, h, w):
        raise ValueError(f"dout must have shape {(n, c // g, h, w)}; got {dout.shape}")
    if mode == "avg":
        dx = np.repeat(dout[:, :, None] / g, g, axis=2)
    else:
        dx = np.zeros((n, c // g, g, h, w), dtype=dout.dtype)
        np.put_along_axis(dx, idx[:, :, None], dout[:, :, None], axis=2)
    return dx.reshape(n, c, h, w)


# ------------------------------------------------------------------------------------ layers

class _Pool2d(Layer):
    _forward = _backward = None

    def __init__(self, kernel_size, stride=None):
        self.kernel_size = pair("kernel_size", kernel_size, minimum=1)
        self.stride = self.kernel_size if stride is None else pair("stride", stride, minimum=1)
        self.cache = None

    def forward(self, x):
        out, self.cache = type(self)._forward(x, self.kernel_size, self.stride)
        return out

    def backward(self, dout):
        return type(self)._backward(dout, self._cached())

    def __repr__(self):
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride})"


class MaxPool2d(_Pool2d):
    """Max pooling layer. x: (N, C, H, W) -> (N, C, Ho, Wo). No parameters."""

    _forward = staticmethod(max_pool2d_forward)
    _backward = staticmethod(max_pool2d_backward)


class AvgPool2d(_Pool2d):
    """Average pooling layer. x: (N, C, H, W) -> (N, C, Ho, Wo). No parameters."""

    _forward = staticmethod(avg_pool2d_forward)
    _backward = staticmethod(avg_pool2d_backward)


class ChannelPool(Layer):
    """Cross-channel pooling layer. x: (N, C, H, W) -> (N, C/group_size, H, W)."""

    def __init__(self, group_size: int, mode: str = "max"):
        self.group_size = check_positive_int("group_size", group_size)
        self.mode = check_choice("mode", mode, POOL_MODES)
        self.cache = None

    def forward(self, x):
        out, self.cache = channel_pool_forward(x, self.group_size, self.mode)
        return out

    def backward(self, dout):
        return channel_pool_backward(dout, self._cached())

    def __repr__(self):
        return f"ChannelPool({self.group_size}, mode={self.mode!r})"
