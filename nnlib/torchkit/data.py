"""MNIST as whole tensors on the training device, and minibatches by index permutation.

The 60 000 training images take 188 MB as float32, so they fit on any GPU and in any laptop's
memory. Holding them as one tensor on the device and slicing a fresh random permutation each
epoch replaces a per-sample ``DataLoader`` (one Python call per image) by one gather per batch.

Images are scaled to [0, 1] and standardised with the training set's mean and standard deviation
(``MNIST_MEAN``, ``MNIST_STD``), so the background is about -0.42 and the ink about 2.8.
The files are read through :func:`nnlib.data.load_mnist`, which verifies their checksums.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from .._checks import check_positive_int
from ..data import load_mnist

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def images_to_tensor(images, device=None) -> torch.Tensor:
    """uint8 ``(N, 28, 28)`` or ``(N, 1, H, W)`` 0..255 -> standardised float32 ``(N, 1, H, W)``."""
    arr = np.asarray(images)
    if arr.dtype != np.uint8:
        raise TypeError(f"images must be uint8 pixels 0..255; got dtype {arr.dtype}")
    if arr.ndim == 3:
        arr = arr[:, None]
    if arr.ndim != 4 or arr.shape[1] != 1:
        raise ValueError(f"images must have shape (N, 28, 28) or (N, 1, H, W); got {arr.shape}")
    x = torch.from_numpy(np.ascontiguousarray(arr)).to(device=device, dtype=torch.float32)
    return x.mul_(1.0 / (255.0 * MNIST_STD)).sub_(MNIST_MEAN / MNIST_STD)


def tensor_to_images(x: torch.Tensor) -> np.ndarray:
    """Inverse of :func:`images_to_tensor`: ``(N, 1, H, W)`` -> float ``(N, H, W)`` in [0, 1]."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor (N, 1, H, W); got {type(x).__name__}")
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"x must have shape (N, 1, H, W); got {tuple(x.shape)}")
    arr = x.detach().to("cpu", torch.float32).numpy()
    return (arr[:, 0] * MNIST_STD + MNIST_MEAN).clip(0.0, 1.0)


@dataclass
class MNISTTensors:
    """MNIST on a device: ``x_*`` standardised float32 ``(N, 1, 28, 28)``, ``y_*`` ``(N,)``."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def device(self) -> torch.device:
        return self.x_train.device

    def __repr__(self) -> str:
        return (f"MNISTTensors(train={tuple(self.x_train.shape)}, test={tuple(self.x_test.shape)}, "
                f"device={self.device})")


def _take(images, labels, limit, name, rng):
    if limit is None:
        return images, labels
    limit = check_positive_int(name, limit)
    if limit > len(labels):
        raise ValueError(f"{name} must be at most {len(labels)} (the images in this split); "
                         f"got {limit}")
    if limit == len(labels):
        return images, labels
    # a random but fixed subset keeps all ten classes in proportion
    idx = np.sort(np.random.default_rng(rng).permutation(len(labels))[:limit])
    return images[idx], labels[idx]


def load_mnist_tensors(device=None, *, train_limit: int | None = None,
                       test_limit: int | None = None, root=None, seed: int = 0) -> MNISTTensors:
    """The MNIST splits as tensors on ``device`` (default CPU); optionally a fixed random subset.

    ``train_limit``/``test_limit`` keep that many images, drawn once with ``seed``
    (for quick tests and demos; the full sets are 60 000 and 10 000).
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    xtr, ytr = _take(*load_mnist("train", root), train_limit, "train_limit", seed)
    xte, yte = _take(*load_mnist("test", root), test_limit, "test_limit", seed + 1)
    return MNISTTensors(images_to_tensor(xtr, device), torch.from_numpy(ytr).to(device),
                        images_to_tensor(xte, device), torch.from_numpy(yte).to(device))


def batch_indices(n: int, batch_size: int, *, shuffle: bool = True,
                  generator: torch.Generator | None = None, device=None,
                  drop_last: bool = False) -> Iterator[torch.Tensor]:
    """Yield int64 index tensors covering ``range(n)`` in batches; shuffled: a new permutation.

    The permutation is drawn on the CPU from ``generator`` (so a seed gives the same order on
    every device) and moved to ``device`` once per epoch.
    """
    n = check_positive_int("n", n)
    batch_size = check_positive_int("batch_size", batch_size)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    if device is not None:
        order = order.to(device)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start:start + batch_size]


def num_batches(n: int, batch_size: int, *, drop_last: bool = False) -> int:
    """How many batches :func:`batch_indices` yields."""
    n = check_positive_int("n", n, minimum=0)
    batch_size = check_positive_int("batch_size", batch_size)
    if not isinstance(drop_last, bool):
        raise TypeError(f"drop_last must be True or False; got {drop_last!r}")
    return n // batch_size if drop_last else -(-n // batch_size)


def random_shift(x: torch.Tensor, max_shift: int, *,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Move each image of ``x`` ``(N, C, H, W)`` by its own random whole-pixel offset.

    Offsets are drawn uniformly from ``-max_shift..max_shift`` in each direction (on the CPU,
    from ``generator``) and applied by :func:`nnlib.torchkit.augment.shift` (one exact gather
    for the whole batch); pixels moved in from outside take the background value (the minimum).
    """
    from . import augment

    s = check_positive_int("max_shift", max_shift, minimum=0)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor (N, C, H, W); got {type(x).__name__}")
    if s == 0:
        return x
    offsets = torch.randint(0, 2 * s + 1, (2, len(x)), generator=generator).numpy()
    return augment.shift(x, s - offsets[1], s - offsets[0], fill=float(x.min()))
