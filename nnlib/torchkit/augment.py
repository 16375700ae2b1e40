"""The augmentation transforms of :mod:`nnlib.augment` on torch tensors, for CNN training.

images: ``(N, C, H, W)`` tensors on any device -> the same shape, dtype and device. The maps are
the same affine maps as in :mod:`nnlib.augment` (same conventions: ``dx`` right, ``dy`` down,
``degrees`` counter-clockwise, ``factors`` > 1 enlarge, ``shears`` lean the top to the right;
bilinear interpolation, ``fill`` outside), built by the same NumPy code and sampled with
``torch.nn.functional.grid_sample``; whole-pixel shifts are exact copies. Random parameters
are drawn by :func:`nnlib.augment.random_parameters` from a NumPy ``rng``, so one seed gives the
same transforms in both tiers (``tests/torchkit/test_augment.py`` pins one to the other).

Standardised MNIST tensors have their background at ``-MNIST_MEAN / MNIST_STD``, not 0: pass
that as ``fill`` (``nnlib.torchkit.data.random_shift`` does it for you).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .. import augment as np_augment
from .._checks import check_positive_int, check_rng

__all__ = ["shift", "rotate", "scale", "shear", "affine", "random_crop", "random_transform",
           "add_cue"]


def _images(images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor (N, C, H, W); got {type(images).__name__}")
    if images.ndim != 4:
        raise ValueError(f"images must have shape (N, C, H, W); got {tuple(images.shape)}")
    if not images.is_floating_point():
        raise TypeError(f"images must be a floating-point tensor; got {images.dtype}")
    return images


def _values(value):
    """Tensors become NumPy arrays (on the CPU) so the NumPy parameter checks apply."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", torch.float64).numpy()
    return value


def _fill(fill) -> float:
    if isinstance(fill, torch.Tensor) and fill.numel() == 1:
        fill = float(fill)
    return np_augment._fill(fill)


def _shift_whole(x: torch.Tensor, dx, dy, fill: float) -> torch.Tensor:
    """Whole-pixel shifts as one gather from a padded copy (exact)."""
    n, c, h, w = x.shape
    dx = torch.as_tensor(np.broadcast_to(dx, (n,)).astype(np.int64), device=x.device)
    dy = torch.as_tensor(np.broadcast_to(dy, (n,)).astype(np.int64), device=x.device)
    m = min(int(max(dx.abs().max(), dy.abs().max())), max(h, w)) if n else 0
    if m == 0:
        return x.clone()
    padded = F.pad(x, (m, m, m, m), value=fill)
    rows = m - dy.clamp(-m, m)[:, None] + torch.arange(h, device=x.device)[None, :]  # (N, H)
    cols = m - dx.clamp(-m, m)[:, None] + torch.arange(w, device=x.device)[None, :]  # (N, W)
    batch = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]  # (N, H, W, C)
    return out.permute(0, 3, 1, 2).contiguous()


def _grid(M: np.ndarray, t: np.ndarray, h: int, w: int, dtype, device) -> torch.Tensor:
    """grid_sample's (N, H, W, 2) grid: where each output pixel reads, in [-1, 1] coordinates
    (align_corners=False: -1 and 1 are the outer edges of the first and last pixels, so pixel
    centre k of a size-n axis is (2k + 1)/n - 1). Not align_corners=True: on an axis of size 1
    it maps every coordinate onto the one pixel and never reads ``fill``, where NumPy does."""
    inv = np.linalg.inv(M)
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    a, b, c, d = inv[:, 0, 0], inv[:, 0, 1], inv[:, 1, 0], inv[:, 1, 1]
    tx, ty = t[:, 0], t[:, 1]
    col0 = cx - a * (cx + tx) + b * (cy - ty)
    row0 = cy + c * (cx + tx) - d * (cy - ty)
    coef = torch.as_tensor(np.stack([a, -b, col0, -c, d, row0]), dtype=torch.float64,
                           device=device)[:, :, None, None]
    j = torch.arange(w, dtype=torch.float64, device=device)[None, None, :]
    i = torch.arange(h, dtype=torch.float64, device=device)[None, :, None]
    col = coef[0] * j + coef[1] * i + coef[2]
    row = coef[3] * j + coef[4] * i + coef[5]
    gx = (2.0 * col + 1.0) / w - 1.0
    gy = (2.0 * row + 1.0) / h - 1.0
    return torch.stack([gx, gy], dim=-1).to(dtype)


def affine(images, *, dx=0.0, dy=0.0, degrees=0.0, factors=1.0, shears=0.0, fill=0.0):
    """All transforms at once (see :func:`nnlib.augment.affine`): (N, C, H, W) -> same shape.

    Each parameter is a number, a sequence/array or a tensor with one value per image.
    """
    x = _images(images)
    fill = _fill(fill)
    n, _, h, w = x.shape
    kw = dict(dx=_values(dx), dy=_values(dy), degrees=_values(degrees),
              factors=_values(factors), shears=_values(shears))
    M, t = np_augment.affine_matrices(n, **kw)
    ddx, ddy = (np_augment._per_image(k, kw[k], n) for k in ("dx", "dy"))
    if np.all(M == np.eye(2)) and np.all(ddx == np.round(ddx)) and np.all(ddy == np.round(ddy)):
        return _shift_whole(x, ddx, ddy, fill)
    grid = _grid(M, t, h, w, x.dtype, x.device)
    out = F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros",
                        align_corners=False)
    return out + fill


def shift(images, dx, dy, *, fill=0.0):
    """Move each image ``dx`` pixels right and ``dy`` down; whole pixels are copied exactly."""
    return affine(images, dx=dx, dy=dy, fill=fill)


def rotate(images, degrees, *, fill=0.0):
    """Rotate each image about its centre by ``degrees`` (counter-clockwise)."""
    return affine(images, degrees=degrees, fill=fill)


def scale(images, factors, *, fill=0.0):
    """Zoom each image about its centre by ``factors`` (> 1 enlarges)."""
    return affine(images, factors=factors, fill=fill)


def shear(images, shears, *, fill=0.0):
    """Slant each image: a point at height y above the centre moves ``shears · y`` right."""
    return affine(images, shears=shears, fill=fill)


def random_crop(images, *, padding: int, rng, fill=0.0):
    """Pad by ``padding`` pixels of ``fill`` and cut a random H x W window: a random
    whole-pixel shift of -padding..padding (same draws as :func:`nnlib.augment.random_crop`)."""
    x = _images(images)
    padding = check_positive_int("padding", padding, minimum=0)
    d = check_rng("rng", rng).integers(-padding, padding + 1, size=(2, x.shape[0]))
    return _shift_whole(x, d[0], d[1], _fill(fill))


def random_transform(images, *, rng, max_shift: int = 0, max_rotation: float = 0.0,
                     scale_range=None, max_shear: float = 0.0, fill=0.0):
    """A random shift, rotation, scaling and shear per image (same draws as
    :func:`nnlib.augment.random_transform` from the same ``rng`` state)."""
    x = _images(images)
    params = np_augment.random_parameters(x.shape[0], rng=rng, max_shift=max_shift,
                                          max_rotation=max_rotation, scale_range=scale_range,
                                          max_shear=max_shear)
    return affine(x, fill=fill, **params)


def add_cue(images, *, position=(0, 0), value: float = 1.0, size: int = 1):
    """A copy with a ``size`` x ``size`` square set to ``value`` at (row, column) ``position``
    in every channel (see :func:`nnlib.augment.add_cue`)."""
    x = _images(images)
    size = check_positive_int("size", size)
    try:
        r, c = (int(v) for v in position)
    except (TypeError, ValueError):
        raise TypeError(f"position must be a pair of ints (row, column); "
                        f"got {position!r}") from None
    h, w = x.shape[-2:]
    if not (0 <= r <= h - size and 0 <= c <= w - size):
        raise ValueError(f"position {position!r} with size {size} must keep the mark inside the "
                         f"{h}x{w} image (row 0..{h - size}, column 0..{w - size})")
    out = x.clone()
    out[..., r:r + size, c:c + size] = float(value)
    return out
