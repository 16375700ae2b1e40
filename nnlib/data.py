"""MNIST from the files shipped in ``data/mnist/``, verified on load; minibatch iteration.

The four IDX files (gzip-compressed) hold 60 000 training and 10 000 test digits. Each file's
decompressed bytes are checked against a SHA-256 published in ``data/mnist/README.md``;
a missing, truncated or altered file raises :class:`MNISTError` naming the file and both
checksums, and nothing partial is ever returned.

The data directory is, in order: the ``root`` argument, the ``NNLIB_DATA`` environment
variable (its ``mnist/`` subfolder), or the repository's ``data/mnist``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from ._checks import check_choice, check_positive_int, check_rng

# SHA-256 of the decompressed IDX bytes: independent of how the .gz was compressed
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
_SPLITS = {"train": "train", "test": "t10k"}
_COUNTS = {"train": 60000, "test": 10000}
# Public mirror used only by the optional download fallback (never by tests or notebooks).
MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"


class MNISTError(RuntimeError):
    """A shipped MNIST file is missing, unreadable or fails its checksum."""


def default_root() -> Path:
    """Where MNIST is read from when no ``root`` is given."""
    env = os.environ.get("NNLIB_DATA")
    if env:
        return Path(env) / "mnist"
    return Path(__file__).resolve().parent.parent / "data" / "mnist"


def _root(root) -> Path:
    """``root`` (or the default) as a Path; where it came from goes into error messages."""
    if root is None:
        return default_root()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path (str or os.PathLike) or None; got "
                        f"{type(root).__name__} {root!r:.60}")
    return Path(root)


def _check_directory(root: Path, given) -> None:
    """Raise :class:`MNISTError` saying the data *directory* is missing, and how it was chosen."""
    if root.is_dir():
        return
    if given is not None:
        source = "the root argument"
    elif os.environ.get("NNLIB_DATA"):
        source = f"NNLIB_DATA={os.environ['NNLIB_DATA']!r} (its mnist/ subfolder)"
    else:
        source = "the repository's data/mnist"
    what = "is not a directory" if root.exists() else "does not exist"
    raise MNISTError(f"MNIST data directory {root} {what} (chosen by {source}). Point root or "
                     "NNLIB_DATA at the folder holding the four MNIST .gz files, restore "
                     "data/mnist from the repository, or call load_mnist(..., download=True) "
                     "with internet access.")


def _read_verified(path: Path, name: str) -> bytes:
    """Decompress ``path`` and return its bytes if their SHA-256 matches ``name``'s."""
    expected = MNIST_SHA256[name]
    if not path.is_file():
        raise MNISTError(f"MNIST file {path} is missing (expected SHA-256 of its contents "
                         f"{expected}). Restore it from the repository or call "
                         "load_mnist(..., download=True) with internet access.")
    digest, chunks = hashlib.sha256(), []
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as e:
        n = sum(map(len, chunks))
        raise MNISTError(
            f"MNIST file {path} cannot be decompressed ({e}); expected SHA-256 {expected}, "
            f"actual SHA-256 of the {n} bytes that could be read {digest.hexdigest()}. "
            "The file is truncated or corrupt.") from e
    raw = b"".join(chunks)
    actual = digest.hexdigest()
    if actual != expected:
        raise MNISTError(f"MNIST file {path} fails its checksum: expected SHA-256 {expected}, "
                         f"actual {actual}. The file is truncated or corrupt.")
    return raw


def _parse_idx(raw: bytes, name: str) -> np.ndarray:
    """IDX: big-endian magic (0x0000 08 ndim), ndim big-endian uint32 sizes, then uint8 data."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise MNISTError(f"{name} is not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise MNISTError(f"{name}: header promises {tuple(dims)} values, file holds {data.size}")
    return data.reshape(tuple(dims)).copy()


def download_mnist(root: str | os.PathLike | None = None, *, mirror: str = MIRROR) -> Path:
    """Fetch any missing or bad MNIST file (needs internet). Never used by the tests.

    Each file is written to a temporary file in ``root``, verified, then renamed into place,
    so an interrupted download never leaves a half-written file under the real name.
    """
    root = _root(root)
    if not isinstance(mirror, str):
        raise TypeError(f"mirror must be a URL string; got {type(mirror).__name__}")
    root.mkdir(parents=True, exist_ok=True)
    for name in MNIST_SHA256:
        target = root / f"{name}.gz"
        try:
            _read_verified(target, name)
            continue
        except MNISTError:
            pass
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(mirror + name + ".gz",
                                                                   timeout=60) as resp:
                while chunk := resp.read(1 << 20):
                    out.write(chunk)
            _read_verified(Path(tmp), name)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return root


def load_mnist(split: str, root: str | os.PathLike | None = None, *, download: bool = False):
    """Images and labels of an MNIST split.

    split: ``"train"`` (60 000) or ``"test"`` (10 000).
    Returns ``(images, labels)``: uint8 ``(N, 28, 28)`` with 0 = background, 255 = ink,
    and int64 ``(N,)`` digits 0-9. Raises :class:`MNISTError` on a missing or bad file;
    with ``download=True`` it first fetches missing or bad files from a public mirror.
    """
    check_choice("split", split, _SPLITS)
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False; got {download!r}")
    given, root = root, _root(root)
    if download:
        download_mnist(root)
    _check_directory(root, given)
    prefix = _SPLITS[split]
    img_name, lab_name = f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"
    images = _parse_idx(_read_verified(root / f"{img_name}.gz", img_name), img_name)
    labels = _parse_idx(_read_verified(root / f"{lab_name}.gz", lab_name), lab_name)
    n = _COUNTS[split]
    if images.shape != (n, 28, 28) or labels.shape != (n,):
        raise MNISTError(f"MNIST {split} has shapes {images.shape} and {labels.shape}; "
                         f"expected {(n, 28, 28)} and {(n,)}")
    return images, labels.astype(np.int64)


def _first_digits(split: str, root, limit: int | None, dtype):
    """The first ``limit`` digits of ``split`` (all when None), uint8, and a copy of their labels;
    checks ``dtype`` (a NumPy floating type) for the callers that scale them."""
    if not (isinstance(dtype, type) and issubclass(dtype, np.floating)):
        raise TypeError(f"dtype must be a NumPy floating type (np.float32, np.float64); "
                        f"got {dtype!r}")
    images, labels = load_mnist(split, root)
    if limit is not None:
        limit = check_positive_int("limit", limit)
        if limit > len(images):
            raise ValueError(f"limit must be at most {len(images)} for the {split} split; "
                             f"got {limit}")
        images, labels = images[:limit], labels[:limit]
    return images, labels.copy()


def mnist_vectors(split: str, root=None, *, limit: int | None = None, dtype=np.float32):
    """MNIST as flat vectors scaled to [0, 1]: ``(N, 784)`` and labels ``(N,)``.

    ``limit``: keep only the first ``limit`` digits (the same ones every time), as
    :func:`mnist_images` does.
    """
    images, labels = _first_digits(split, root, limit, dtype)
    return images.reshape(len(images), -1).astype(dtype) / dtype(255), labels


def mnist_images(split: str, root=None, *, limit: int | None = None, dtype=np.float64):
    """MNIST as one-channel images scaled to [0, 1]: ``(N, 1, 28, 28)`` and labels ``(N,)``.

    ``limit``: keep only the first ``limit`` digits (the same ones every time), converting only
    those, so a small subset costs no full-size float copy.
    """
    images, labels = _first_digits(split, root, limit, dtype)
    return images[:, None].astype(dtype) / dtype(255), labels


def minibatches(n: int, batch_size: int, *, rng=None, drop_last: bool = False):
    """Yield index arrays that cover ``range(n)`` in batches of ``batch_size``.

    With ``rng`` the order is a fresh random permutation (one epoch of SGD); without, in order.
    The arguments are checked at the call, not when the first batch is drawn.
    """
    n = check_positive_int("n", n)
    batch_size = check_positive_int("batch_size", batch_size)
    if not isinstance(drop_last, (bool, np.bool_)):
        raise TypeError(f"drop_last must be True or False; got {drop_last!r}")
    order = check_rng("rng", rng).permutation(n) if rng is not None else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    return (order[start:start + batch_size] for start in range(0, stop, batch_size))
