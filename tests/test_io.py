"""nnlib._io: a write is all-or-nothing and never replaces a file it was not asked to."""

import os

import numpy as np
import pytest

from nnlib._io import atomic_path, atomic_write


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_bytes_and_text(tmp_path):
    p = tmp_path / "sub" / "a.txt"
    assert atomic_write(p, "héllo", overwrite=False) == p
    assert p.read_text(encoding="utf-8") == "héllo"
    atomic_write(p, b"\x00\x01", overwrite=True)
    assert p.read_bytes() == b"\x00\x01"
    assert _leftovers(p.parent) == []


def test_refuses_to_overwrite_and_says_how(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("old")
    with pytest.raises(FileExistsError, match=r"a\.txt.*overwrite=True.*--force"):
        atomic_write(p, "new", overwrite=False)
    with pytest.raises(FileExistsError, match="a.txt"), atomic_path(p, overwrite=False):
        pass
    assert p.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_interrupted_write_keeps_the_old_file(tmp_path):
    p = tmp_path / "r.npz"
    np.savez(p, a=np.arange(3))
    before = p.read_bytes()

    class Boom(RuntimeError):
        pass

    with pytest.raises(Boom), atomic_path(p, overwrite=True) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"half a fi")
        raise Boom("serializer died midway")
    assert p.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_interrupted_first_write_leaves_nothing(tmp_path):
    p = tmp_path / "new.bin"
    with pytest.raises(KeyboardInterrupt), atomic_path(p, overwrite=False) as tmp:
        tmp.write_bytes(b"part")
        raise KeyboardInterrupt
    assert not p.exists()
    assert _leftovers(tmp_path) == []


def test_numpy_savez_writes_exactly_the_temp_name(tmp_path):
    p = tmp_path / "x.npz"
    with atomic_path(p, overwrite=False) as tmp:
        np.savez_compressed(tmp, a=np.ones(2))
    assert np.load(p)["a"].tolist() == [1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ["x.npz"]


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="path must be"):
        atomic_write(3, "x", overwrite=False)
    with pytest.raises(TypeError, match="data must be bytes or str"):
        atomic_write(tmp_path / "a", 3, overwrite=False)
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        atomic_write(tmp_path / "a", "x", overwrite="yes")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        atomic_write(tmp_path, "x", overwrite=True)
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        atomic_write(f / "inside.txt", "x", overwrite=True)
    with pytest.raises(TypeError):
        atomic_write(tmp_path / "a", "x")  # overwrite has no default: the caller decides
