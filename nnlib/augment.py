"""Data augmentation: class-preserving transforms of digit images, vectorised over a batch.

images: ``(N, H, W)`` (or one ``(H, W)`` image) of floats in [0, 1] -> the same shape and dtype.
A digit moved by two pixels, turned by 10 degrees, made 10 % larger or slanted is still the same
digit, so each transform turns one labelled image into many.

Every transform is one affine map of the plane. Pixel centres sit at integer (row, column)
positions; we work in x = column - c_x (to the right) and y = c_y - row (upwards) about the
image centre (c_y, c_x) = ((H - 1)/2, (W - 1)/2). A source point p goes to M p + t with

    M = R(θ) · diag(s, s) · [[1, k], [0, 1]],   t = (dx, -dy),

rotation θ (degrees, counter-clockwise as seen on screen), scale s, shear k (the top leans
right for k > 0), shift dx pixels to the right and dy pixels down. Each output pixel q reads the
input at p = M⁻¹(q - t) by bilinear interpolation of its four neighbours; points outside the
image read ``fill`` (0, the background, by default). Whole-pixel shifts are exact.

All of a batch's maps are applied at once: one gather of four neighbours for all N·H·W output
pixels, so 1 000 MNIST digits take a few milliseconds. Random transforms draw their parameters
from an explicit ``rng``. The slow per-pixel reference lives in ``tests/test_augment.py``; the
torch twin on ``(N, 1, H, W)`` tensors is :mod:`nnlib.torchkit.augment`.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_positive_float, check_positive_int, check_rng

__all__ = ["shift", "rotate", "scale", "shear", "affine", "random_crop", "random_transform",
           "random_parameters", "add_cue", "affine_matrices"]


def _images(images):
    """(N, H, W) or (H, W) -> (N, H, W) float array and whether a single image came in."""
    arr = as_float_array("images", images, ndim=(2, 3))
    single = arr.ndim == 2
    return (arr[None] if single else arr), single


def _per_image(name: str, value, n: int) -> np.ndarray:
    """A scalar or an (N,) array of finite numbers -> float64 (N,)."""
    arr = as_float_array(name, value, ndim=(0, 1)).astype(np.float64)
    if arr.ndim == 1 and arr.shape[0] != n:
        raise ValueError(f"{name} must be a number or one value per image ({n}); "
                         f"got {arr.shape[0]} values")
    return np.broadcast_to(arr, (n,))


def affine_matrices(n: int, *, dx=0.0, dy=0.0, degrees=0.0, factors=1.0, shears=0.0):
    """The forward maps of a batch: ``M`` (N, 2, 2) and ``t`` (N, 2) in (x right, y up).

    Each parameter is a scalar or an (N,) array; see the module docstring for the formula.
    """
    n = check_positive_int("n", n)
    dx, dy = _per_image("dx", dx, n), _per_image("dy", dy, n)
    theta = np.deg2rad(_per_image("degrees", degrees, n))
    s = _per_image("factors", factors, n)
    if np.any(s <= 0):
        raise ValueError(f"factors must be > 0 (a scale factor); got {s.min()}")
    k = _per_image("shears", shears, n)
    c, si = np.cos(theta), np.sin(theta)
    # R(θ) · s · [[1, k], [0, 1]] = s · [[c, c k - si], [si, si k + c]]
    M = np.empty((n, 2, 2))
    M[:, 0, 0], M[:, 0, 1] = s * c, s * (c * k - si)
    M[:, 1, 0], M[:, 1, 1] = s * si, s * (si * k + c)
    t = np.stack([dx, -dy], axis=1)
    return M, t


def _warp(images: np.ndarray, M: np.ndarray, t: np.ndarray, fill: float,
          chunk: int = 64) -> np.ndarray:
    """Apply the maps (M, t) to images (N, H, W) by bilinear interpolation (fill outside).

    Works through the batch ``chunk`` images at a time so that the temporaries stay in cache.
    """
    n, h, w = images.shape
    dtype = images.dtype
    inv = np.linalg.inv(M)  # (N, 2, 2)
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    # source p = M⁻¹ (q - t) is affine in the output pixel's (row i, column j):
    # column = col0 + a j - b i, row = row0 - c j + d i, with M⁻¹ = [[a, b], [c, d]]
    a, b, c, d = inv[:, 0, 0], inv[:, 0, 1], inv[:, 1, 0], inv[:, 1, 1]
    tx, ty = t[:, 0], t[:, 1]
    col0 = cx - a * (cx + tx) + b * (cy - ty)
    row0 = cy + c * (cx + tx) - d * (cy - ty)
    coef = np.stack([a, -b, col0, -c, d, row0]).astype(dtype)[:, :, None, None]
    j = np.arange(w, dtype=dtype)[None, None, :]
    i = np.arange(h, dtype=dtype)[None, :, None]
    # a 2-pixel frame of `fill` around each image: clipping to [-1, size] then changes nothing
    wp = w + 4
    padded = np.full((n, h + 4, wp), fill, dtype=dtype)
    padded[:, 2:h + 2, 2:w + 2] = images
    out = np.empty_like(images)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        k = coef[:, s:e]
        col = k[0] * j + (k[1] * i + k[2])
        row = k[3] * j + (k[4] * i + k[5])
        np.clip(col, -1, w, out=col)
        np.clip(row, -1, h, out=row)
        c0, r0 = np.floor(col), np.floor(row)
        col -= c0  # now the weight of the right neighbour
        row -= r0  # and of the lower one
        base = r0.astype(np.intp)
        base += 2
        base *= wp
        base += c0.astype(np.intp)
        base += 2 + (np.arange(e - s) * ((h + 4) * wp))[:, None, None]
        flat = padded[s:e].reshape(-1)
        top, right = flat[base], flat[base + 1]
        right -= top
        right *= col
        top += right  # (1 - fc) · left + fc · right, upper row
        base += wp
        bottom, right = flat[base], flat[base + 1]
        right -= bottom
        right *= col
        bottom += right
        bottom -= top
        bottom *= row
        top += bottom  # (1 - fr) · upper + fr · lower
        out[s:e] = top
    return out


def _shift_whole(images: np.ndarray, dx: np.ndarray, dy: np.ndarray, fill: float) -> np.ndarray:
    """Whole-pixel shifts by slicing a padded copy (exact, and cheaper than interpolation)."""
    n, h, w = images.shape
    m = int(max(np.abs(dx).max(), np.abs(dy).max(), 0))
    m = min(m, max(h, w))
    padded = np.full((n, h + 2 * m, w + 2 * m), fill, dtype=images.dtype)
    padded[:, m:m + h, m:m + w] = images
    rows = m - np.clip(dy, -m, m).astype(np.intp)[:, None] + np.arange(h)[None, :]  # (N, H)
    cols = m - np.clip(dx, -m, m).astype(np.intp)[:, None] + np.arange(w)[None, :]  # (N, W)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def _finish(out, single):
    return out[0] if single else out


def _fill(fill) -> float:
    if isinstance(fill, bool) or not isinstance(fill, (int, float, np.integer, np.floating)):
        raise TypeError(f"fill must be a finite number; got {type(fill).__name__} {fill!r:.60}")
    if not np.isfinite(fill):
        raise ValueError(f"fill must be a finite number; got {fill!r}")
    return float(fill)


def affine(images, *, dx=0.0, dy=0.0, degrees=0.0, factors=1.0, shears=0.0, fill=0.0):
    """All transforms at once, in one interpolation: (N, H, W) or (H, W) -> same shape.

    Each parameter is a scalar or one value per image: shift ``dx`` right / ``dy`` down
    (pixels), rotation ``degrees`` counter-clockwise, scale ``factors`` (> 1 enlarges) and
    shear ``shears`` about the image centre. Pure whole-pixel shifts are done exactly.
    """
    x, single = _images(images)
    fill = _fill(fill)
    n = x.shape[0]
    M, t = affine_matrices(n, dx=dx, dy=dy, degrees=degrees, factors=factors, shears=shears)
    ddx, ddy = _per_image("dx", dx, n), _per_image("dy", dy, n)
    whole = (np.all(M == np.eye(2)) and np.all(ddx == np.round(ddx))
             and np.all(ddy == np.round(ddy)))
    out = _shift_whole(x, ddx, ddy, fill) if whole else _warp(x, M, t, fill)
    return _finish(out, single)


def shift(images, dx, dy, *, fill=0.0):
    """Move each image ``dx`` pixels right and ``dy`` pixels down (scalars or (N,) arrays).

    (N, H, W) or (H, W) -> same shape. Whole pixels are copied exactly; fractional shifts are
    interpolated bilinearly. Pixels that come in from outside take ``fill``.
    """
    return affine(images, dx=dx, dy=dy, fill=fill)


def rotate(images, degrees, *, fill=0.0):
    """Rotate each image about its centre by ``degrees`` (counter-clockwise; scalar or (N,))."""
    return affine(images, degrees=degrees, fill=fill)


def scale(images, factors, *, fill=0.0):
    """Zoom each image about its centre by ``factors`` (> 1 enlarges; scalar or (N,))."""
    return affine(images, factors=factors, fill=fill)


def shear(images, shears, *, fill=0.0):
    """Slant each image: a point at height y above the centre moves ``shears · y`` to the right."""
    return affine(images, shears=shears, fill=fill)


def random_crop(images, *, padding: int, rng, fill=0.0):
    """Pad each image by ``padding`` pixels of ``fill``, then cut out a random H x W window.

    The same as a random whole-pixel shift of -padding..padding in each direction.
    (N, H, W) or (H, W) -> same shape.
    """
    padding = check_positive_int("padding", padding, minimum=0)
    rng = check_rng("rng", rng)
    x, single = _images(images)
    n = x.shape[0]
    d = rng.integers(-padding, padding + 1, size=(2, n))
    return _finish(_shift_whole(x, d[0], d[1], _fill(fill)), single)


def random_parameters(n: int, *, rng, max_shift: int = 0, max_rotation: float = 0.0,
                      scale_range=None, max_shear: float = 0.0) -> dict:
    """Draw the parameters :func:`random_transform` uses, one per image, as a dict of (N,) arrays.

    Shifts are whole pixels from -max_shift..max_shift; rotation uniform in ±max_rotation
    degrees; scale uniform in ``scale_range`` = (low, high) (``None``: no scaling); shear
    uniform in ±max_shear. The draws are always made in this order, so one ``rng`` state gives
    the same transforms in the NumPy and the torch tier.
    """
    n = check_positive_int("n", n)
    rng = check_rng("rng", rng)
    max_shift = check_positive_int("max_shift", max_shift, minimum=0)
    max_rotation = check_positive_float("max_rotation", max_rotation, allow_zero=True)
    max_shear = check_positive_float("max_shear", max_shear, allow_zero=True)
    if scale_range is None:
        low = high = 1.0
    else:
        try:
            low, high = (float(v) for v in scale_range)
        except (TypeError, ValueError):
            raise TypeError(f"scale_range must be None or a pair (low, high); "
                            f"got {scale_range!r}") from None
        if not (0 < low <= high and np.isfinite(high)):
            raise ValueError(f"scale_range must satisfy 0 < low <= high; got {scale_range!r}")
    d = rng.integers(-max_shift, max_shift + 1, size=(2, n))
    return {
        "dx": d[0].astype(np.float64),
        "dy": d[1].astype(np.float64),
        "degrees": rng.uniform(-max_rotation, max_rotation, size=n),
        "factors": rng.uniform(low, high, size=n),
        "shears": rng.uniform(-max_shear, max_shear, size=n),
    }


def random_transform(images, *, rng, max_shift: int = 0, max_rotation: float = 0.0,
                     scale_range=None, max_shear: float = 0.0, fill=0.0):
    """A random shift, rotation, scaling and shear per image, applied in one interpolation.

    (N, H, W) or (H, W) -> same shape. Parameters as in :func:`random_parameters`; with
    only ``max_shift`` the result is exact (whole-pixel shifts).
    """
    x, single = _images(images)
    params = random_parameters(x.shape[0], rng=rng, max_shift=max_shift,
                               max_rotation=max_rotation, scale_range=scale_range,
                               max_shear=max_shear)
    return _finish(affine(x, fill=fill, **params), single)


def add_cue(images, *, position=(0, 0), value: float = 1.0, size: int = 1):
    """A copy of the images with a planted mark: a ``size`` x ``size`` square set to ``value``.

    position: (row, column) of the square's top-left pixel; the square must fit in the image.
    (N, H, W) or (H, W) -> same shape; the input is not changed.
    """
    x, single = _images(images)
    size = check_positive_int("size", size)
    try:
        r, c = (int(v) for v in position)
    except (TypeError, ValueError):
        raise TypeError(f"position must be a pair of ints (row, column); "
                        f"got {position!r}") from None
    h, w = x.shape[1:]
    if not (0 <= r <= h - size and 0 <= c <= w - size):
        raise ValueError(f"position {position!r} with size {size} must keep the mark inside the "
                         f"{h}x{w} image (row 0..{h - size}, column 0..{w - size})")
    value = float(as_float_array("value", value, ndim=0))
    out = x.copy()
    out[:, r:r + size, c:c + size] = value
    return _finish(out, single)
