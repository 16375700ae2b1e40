"""MNIST loading and verification, the download fallback (offline), minibatch iteration."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from nnlib import data
from nnlib.data import MNISTError

SHIPPED = Path(data.__file__).resolve().parent.parent / "data" / "mnist"
LABELS = "t10k-labels-idx1-ubyte"


def _shipped_state():
    """(size, mtime) of every shipped file: a test that wrote to one changes it."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(SHIPPED.glob("*"))}


@pytest.fixture(autouse=True)
def shipped_files_untouched():
    """Every test here, whatever order it runs in, leaves the shipped files as they were (the
    error-path tests work on copies); their content is checked against the published
    checksums by test_shipped_files_match_published_checksums."""
    before = _shipped_state()
    yield
    assert _shipped_state() == before, "a test modified the shipped MNIST files"


@pytest.fixture
def mnist_copy(tmp_path):
    """A private copy of the shipped files, safe to damage."""
    root = tmp_path / "mnist"
    root.mkdir()
    for name in data.MNIST_SHA256:
        shutil.copyfile(SHIPPED / f"{name}.gz", root / f"{name}.gz")
    return root


def _small_copy(tmp_path):
    """Only the two test-split files (the test split is enough for the error paths)."""
    root = tmp_path / "mnist"
    root.mkdir(exist_ok=True)
    for name in ("t10k-images-idx3-ubyte", LABELS):
        shutil.copyfile(SHIPPED / f"{name}.gz", root / f"{name}.gz")
    return root


# --- the shipped data -----------------------------------------------------------------------

def test_shipped_files_match_published_checksums():
    for name, sha in data.MNIST_SHA256.items():
        with gzip.open(SHIPPED / f"{name}.gz", "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == sha


@pytest.mark.parametrize("split,n,first", [("test", 10000, [7, 2, 1, 0, 4]),
                                           ("train", 60000, [5, 0, 4, 1, 9])])
def test_load_mnist(split, n, first):
    images, labels = data.load_mnist(split)
    assert images.shape == (n, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert labels[:5].tolist() == first
    assert set(np.unique(labels)) == set(range(10))
    assert images.min() == 0 and images.max() == 255
    assert images.flags.writeable  # a real copy, not a view on read-only bytes


def test_mnist_vectors():
    x, y = data.mnist_vectors("test")
    assert x.shape == (10000, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == 1.0
    assert y[:3].tolist() == [7, 2, 1]


def test_mnist_vectors_subset_is_the_first_digits():
    x, y = data.mnist_vectors("test")
    xs, ys = data.mnist_vectors("test", limit=20)
    assert xs.shape == (20, 784) and xs.dtype == np.float32 and ys.shape == (20,)
    np.testing.assert_array_equal(xs, x[:20])
    np.testing.assert_array_equal(ys, y[:20])
    with pytest.raises(ValueError, match="limit must be at most 10000"):
        data.mnist_vectors("test", limit=10001)
    with pytest.raises(ValueError, match="limit"):
        data.mnist_vectors("test", limit=0)


def test_mnist_images_subset_matches_the_raw_digits():
    raw, labels = data.load_mnist("test")
    x, y = data.mnist_images("test", limit=50)
    assert x.shape == (50, 1, 28, 28) and x.dtype == np.float64 and y.shape == (50,)
    np.testing.assert_array_equal(x[:, 0] * 255, raw[:50])
    np.testing.assert_array_equal(y, labels[:50])
    x32, _ = data.mnist_images("test", limit=3, dtype=np.float32)
    assert x32.dtype == np.float32 and x32.max() <= 1.0
    assert data.mnist_images("test")[0].shape == (10000, 1, 28, 28)
    with pytest.raises(ValueError, match="limit must be at most 10000"):
        data.mnist_images("test", limit=10001)
    with pytest.raises(ValueError, match="limit"):
        data.mnist_images("test", limit=0)
    with pytest.raises(TypeError, match="dtype"):
        data.mnist_images("test", dtype=int)


def test_bad_split_lists_allowed():
    with pytest.raises(ValueError, match="unknown split 'validation'; allowed: train, test"):
        data.load_mnist("validation")
    with pytest.raises(TypeError, match="split must be a string"):
        data.load_mnist(0)


def test_nnlib_data_environment_variable(tmp_path, monkeypatch):
    _small_copy(tmp_path)
    monkeypatch.setenv("NNLIB_DATA", str(tmp_path))
    assert data.default_root() == tmp_path / "mnist"
    images, labels = data.load_mnist("test")
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]
    # the train files are not there: the error names the file under the env root
    with pytest.raises(MNISTError, match=r"train-images-idx3-ubyte\.gz is missing"):
        data.load_mnist("train")


def test_explicit_root_wins_over_environment(tmp_path, monkeypatch):
    root = _small_copy(tmp_path)
    monkeypatch.setenv("NNLIB_DATA", str(tmp_path / "nowhere"))
    assert data.load_mnist("test", root=root)[1][0] == 7


# --- damaged files: a clear error, never partial data ----------------------------------------

def _expected(name):
    return data.MNIST_SHA256[name]


def test_missing_file(tmp_path):
    root = _small_copy(tmp_path)
    (root / f"{LABELS}.gz").unlink()
    with pytest.raises(MNISTError) as e:
        data.load_mnist("test", root=root)
    msg = str(e.value)
    assert f"{LABELS}.gz" in msg and "missing" in msg and _expected(LABELS) in msg


def test_truncated_gzip(tmp_path):
    root = _small_copy(tmp_path)
    path = root / "t10k-images-idx3-ubyte.gz"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(MNISTError) as e:
        data.load_mnist("test", root=root)
    msg = str(e.value)
    assert "t10k-images-idx3-ubyte.gz" in msg
    assert f"expected SHA-256 {_expected('t10k-images-idx3-ubyte')}" in msg
    # the actual checksum of what could be read is shown too
    assert "actual SHA-256" in msg
    m = re.search(r"actual SHA-256 of the \d+ bytes that could be read ([0-9a-f]{64})", msg)
    assert m and m.group(1) != _expected("t10k-images-idx3-ubyte")


def _rewrite(path: Path, change):
    """Decompress, alter the content, and write a VALID gzip of the altered bytes."""
    with gzip.open(path, "rb") as f:
        raw = bytearray(f.read())
    raw = change(raw)
    path.write_bytes(gzip.compress(bytes(raw)))
    return hashlib.sha256(bytes(raw)).hexdigest()


def test_one_flipped_byte(tmp_path):
    root = _small_copy(tmp_path)

    def flip(raw):
        raw[1000] ^= 0x01
        return raw

    actual = _rewrite(root / f"{LABELS}.gz", flip)
    with pytest.raises(MNISTError) as e:
        data.load_mnist("test", root=root)
    msg = str(e.value)
    assert f"{LABELS}.gz" in msg and "fails its checksum" in msg
    assert f"expected SHA-256 {_expected(LABELS)}" in msg and f"actual {actual}" in msg


def test_content_truncated_inside_a_valid_gzip(tmp_path):
    root = _small_copy(tmp_path)
    actual = _rewrite(root / f"{LABELS}.gz", lambda raw: raw[:5000])
    with pytest.raises(MNISTError, match=f"expected SHA-256 {_expected(LABELS)}, actual {actual}"):
        data.load_mnist("test", root=root)


def test_corrupt_compressed_stream(tmp_path):
    root = _small_copy(tmp_path)
    path = root / f"{LABELS}.gz"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(MNISTError, match=rf"{LABELS}\.gz.*expected SHA-256 {_expected(LABELS)}"):
        data.load_mnist("test", root=root)


def test_not_a_gzip_file(tmp_path):
    root = _small_copy(tmp_path)
    (root / f"{LABELS}.gz").write_bytes(b"<html>404 not found</html>")
    with pytest.raises(MNISTError, match=rf"{LABELS}\.gz cannot be decompressed"):
        data.load_mnist("test", root=root)


# --- download fallback, offline: urlopen serves local bytes ----------------------------------

class _FakeUrlopen:
    """Stands in for urllib.request.urlopen: serves bytes from a dict keyed by file name."""

    def __init__(self, served: dict[str, bytes]):
        self.served = served
        self.calls: list[str] = []

    def __call__(self, url, timeout=None):
        name = url.rsplit("/", 1)[-1]
        self.calls.append(name)
        if name not in self.served:
            raise OSError(f"no route to {url}")
        return io.BytesIO(self.served[name])


def _good_bytes(names=None):
    names = names or data.MNIST_SHA256
    return {f"{n}.gz": (SHIPPED / f"{n}.gz").read_bytes() for n in names}


def test_download_fetches_missing_files_and_verifies_them(tmp_path, monkeypatch):
    fake = _FakeUrlopen(_good_bytes())
    monkeypatch.setattr(data.urllib.request, "urlopen", fake)
    root = tmp_path / "fresh"
    assert data.download_mnist(root) == root
    assert sorted(fake.calls) == sorted(f"{n}.gz" for n in data.MNIST_SHA256)
    assert sorted(p.name for p in root.iterdir()) == sorted(f"{n}.gz" for n in data.MNIST_SHA256)
    # a second call finds everything verified and downloads nothing
    fake.calls.clear()
    data.download_mnist(root)
    assert fake.calls == []
    assert data.load_mnist("test", root=root)[1][:5].tolist() == [7, 2, 1, 0, 4]


def test_load_mnist_download_true_repairs_a_bad_file(tmp_path, monkeypatch):
    root = _small_copy(tmp_path)
    for n in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        shutil.copyfile(SHIPPED / f"{n}.gz", root / f"{n}.gz")
    (root / f"{LABELS}.gz").write_bytes(b"garbage")
    fake = _FakeUrlopen(_good_bytes([LABELS]))
    monkeypatch.setattr(data.urllib.request, "urlopen", fake)
    images, labels = data.load_mnist("test", root=root, download=True)
    assert fake.calls == [f"{LABELS}.gz"]
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]


@pytest.mark.parametrize("damage", ["flipped", "truncated", "unreachable"])
def test_bad_download_leaves_no_file_behind(damage, tmp_path, monkeypatch):
    served = _good_bytes([LABELS])
    good = served[f"{LABELS}.gz"]
    if damage == "flipped":
        raw = bytearray(gzip.decompress(good))
        raw[100] ^= 0x01
        served[f"{LABELS}.gz"] = gzip.compress(bytes(raw))
    elif damage == "truncated":
        served[f"{LABELS}.gz"] = good[: len(good) // 2]
    else:
        served.clear()
    root = tmp_path / "dl"
    root.mkdir()
    # the other three files are present and good, so only LABELS is fetched
    for n in data.MNIST_SHA256:
        if n != LABELS:
            shutil.copyfile(SHIPPED / f"{n}.gz", root / f"{n}.gz")
    monkeypatch.setattr(data.urllib.request, "urlopen", _FakeUrlopen(served))
    expected_error = OSError if damage == "unreachable" else MNISTError
    with pytest.raises(expected_error):
        data.download_mnist(root)
    names = sorted(p.name for p in root.iterdir())
    assert f"{LABELS}.gz" not in names
    assert not [n for n in names if n.endswith(".part")]
    assert len(names) == 3


def test_bad_download_does_not_clobber_the_old_file(tmp_path, monkeypatch):
    """The real name is only ever replaced by a verified file (atomic rename)."""
    root = _small_copy(tmp_path)
    for n in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        shutil.copyfile(SHIPPED / f"{n}.gz", root / f"{n}.gz")
    old = b"an old damaged file"
    (root / f"{LABELS}.gz").write_bytes(old)
    monkeypatch.setattr(data.urllib.request, "urlopen",
                        _FakeUrlopen({f"{LABELS}.gz": b"also garbage"}))
    with pytest.raises(MNISTError):
        data.download_mnist(root)
    assert (root / f"{LABELS}.gz").read_bytes() == old
    assert not list(root.glob("*.part"))


# --- minibatches -------------------------------------------------------------------------------

@pytest.mark.parametrize("n,k", [(10, 3), (12, 4), (1, 5), (100, 1)])
def test_minibatches_cover_every_index_once(n, k, rng):
    batches = list(data.minibatches(n, k, rng=rng))
    allidx = np.concatenate(batches)
    assert sorted(allidx.tolist()) == list(range(n))
    assert all(len(b) == k for b in batches[:-1]) and 1 <= len(batches[-1]) <= k
    assert len(batches) == -(-n // k)


def test_minibatches_shuffle_per_epoch_and_in_order_without_rng(rng):
    e1 = np.concatenate(list(data.minibatches(50, 7, rng=rng)))
    e2 = np.concatenate(list(data.minibatches(50, 7, rng=rng)))
    assert not np.array_equal(e1, e2) and sorted(e1) == sorted(e2)
    assert np.concatenate(list(data.minibatches(50, 7))).tolist() == list(range(50))
    a = np.concatenate(list(data.minibatches(50, 7, rng=3)))
    b = np.concatenate(list(data.minibatches(50, 7, rng=np.random.default_rng(3))))
    np.testing.assert_array_equal(a, b)


def test_minibatches_drop_last(rng):
    batches = list(data.minibatches(10, 3, rng=rng, drop_last=True))
    assert [len(b) for b in batches] == [3, 3, 3]
    assert len(set(np.concatenate(batches).tolist())) == 9


def test_minibatches_bad_arguments():
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        list(data.minibatches(0, 3))
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1; got -1"):
        list(data.minibatches(5, -1))
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        list(data.minibatches(5, 2.0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator or an int seed"):
        list(data.minibatches(5, 2, rng=np.random.RandomState(0)))
