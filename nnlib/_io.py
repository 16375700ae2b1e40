"""Atomic file writes: a file is either its old self or completely new, never half-written.

Everything in the course that writes a file (checkpoints, shipped results, handouts,
regenerated or stripped notebooks) goes through :func:`atomic_path` or :func:`atomic_write`.
The new contents go to a temporary file in the same directory, are flushed to disk, and then
replace the target in one ``os.replace`` (atomic on POSIX and Windows). If writing fails
midway (an exception, Ctrl-C), the temporary file is removed and the old file is untouched.

``overwrite`` is keyword-only and has no default, so every caller decides whether replacing
an existing file is what the user asked for; when it is not, :class:`FileExistsError` names
the file and says how to allow it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _check_target(path, overwrite, how: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False; got {overwrite!r}")
    path = Path(path)
    if str(path) in ("", "."):
        raise ValueError(f"path must name a file; got {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; give a file name to write to")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; nothing was written. To replace it, "
                              f"pass {how}")
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(f"cannot write {path}: {path.parent} is not a directory")
    return path


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path, *, overwrite: bool,
                how: str = "overwrite=True (or --force on the command line)") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    Write the whole file to the yielded path (with any library's own ``save``); when the
    ``with`` block ends normally the file is fsynced and renamed onto ``path``. If the block
    raises, the temporary file is deleted and ``path`` keeps its old contents (or stays absent).
    Missing parent folders are created. ``how`` is the hint the ``FileExistsError`` gives.

    Note: some writers append a suffix (``np.savez`` adds ``.npz`` to a name without one); the
    yielded name already ends with ``path``'s own suffix, so they write exactly that file.
    """
    path = _check_target(path, overwrite, how)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
                                + path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if not tmp.exists() or tmp.is_dir():
            raise FileNotFoundError(f"nothing was written to the temporary file {tmp} "
                                    f"for {path}")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # Re-check: a file that appeared while we wrote is not ours to replace.
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; nothing was written. To replace "
                                  f"it, pass {how}")
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(path, data: bytes | str, *, overwrite: bool,
                 how: str = "overwrite=True (or --force on the command line)") -> Path:
    """Write ``data`` (``bytes``, or ``str`` as UTF-8) to ``path`` atomically; return the path.

    Raises ``FileExistsError`` (nothing written) when ``path`` exists and ``overwrite`` is False.
    """
    if not isinstance(data, (bytes, bytearray, str)):
        raise TypeError(f"data must be bytes or str; got {type(data).__name__}")
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with atomic_path(path, overwrite=overwrite, how=how) as tmp:
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
    return Path(path)
