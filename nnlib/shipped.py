"""Shipped results: a lecture can load a long training cell's result instead of waiting for it.

Course plumbing, not a building block: only the notebooks use it. A notebook wraps its longest
training in :func:`compute_or_load`::

    run = shipped.compute_or_load("nb12_cnn", train_cnn)

By default (CI, students) ``compute()`` runs, exactly as without the wrapper. With
``NNLIB_USE_SHIPPED=1`` in the environment (or ``use=True``) and ``data/results/<name>.npz``
present, the stored result is loaded in a fraction of a second instead, with a printed note that
it was. Whenever the result is computed and a shipped copy exists, the two must have the same
structure (keys, types, array shapes and dtypes), or :func:`compute_or_load` raises: CI thereby
checks that every shipped file still matches the cell that made it.

A maintainer regenerates the files by running the notebooks with ``NNLIB_SAVE_SHIPPED=1``
(``python -m tools.present --ship notebooks/NN_x.ipynb``): each computed result is then written
to ``data/results/<name>.npz``.

What can be stored: NumPy arrays, Python scalars (bool, int, float, str, None), and
dicts (string or integer keys), lists and tuples of these, and dataclasses of ``nnlib`` (e.g.
:class:`nnlib.training.History`) whose fields are these. Files are plain ``.npz`` archives read
with ``allow_pickle=False``; the structure is a JSON description stored beside the arrays.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ._io import atomic_path

#: where the shipped results live (in the repository, next to data/mnist)
RESULTS_DIR = Path(__file__).resolve().parent.parent / "data" / "results"
#: largest shipped file we accept writing (Binder and git stay light)
MAX_BYTES = 1_000_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
_TRUE = ("1", "true", "yes", "on")
_SPEC_KEY = "__structure__"


def _flag(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in _TRUE


def use_shipped_from_env() -> bool:
    """True when ``NNLIB_USE_SHIPPED`` is 1/true/yes/on (a lecture)."""
    return _flag("NNLIB_USE_SHIPPED")


def save_shipped_from_env() -> bool:
    """True when ``NNLIB_SAVE_SHIPPED`` is 1/true/yes/on (a maintainer regenerating the files)."""
    return _flag("NNLIB_SAVE_SHIPPED")


def _check_name(name) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be a file name of letters, digits, '_', '.' or '-' "
                         f"(e.g. 'nb02_histories'); got {name!r}")
    return name


def path_of(name: str, folder=None) -> Path:
    """``<folder>/<name>.npz`` (folder: :data:`RESULTS_DIR` by default)."""
    if folder is not None and not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a str or os.PathLike (or None); got "
                        f"{type(folder).__name__} {folder!r:.60}")
    return Path(folder if folder is not None else RESULTS_DIR) / f"{_check_name(name)}.npz"


# --- encoding ---------------------------------------------------------------------------------

def _encode(value, arrays: dict, where: str):
    """The JSON description of ``value``; its arrays go into ``arrays``."""
    if value is None or isinstance(value, (bool, str)):
        return {"t": "scalar", "v": value}
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)) and np.ndim(value) == 0:
        kind = "bool" if isinstance(value, (bool, np.bool_)) else \
            "int" if isinstance(value, (int, np.integer)) else "float"
        v = value.item() if isinstance(value, np.generic) else value
        return {"t": kind, "v": repr(float(v)) if kind == "float" else v}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{where}: object arrays cannot be shipped")
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"t": "array", "k": key}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("nnlib."):
            raise TypeError(f"{where}: only dataclasses of nnlib can be shipped; got "
                            f"{cls.__module__}.{cls.__qualname__}")
        return {"t": "dataclass", "cls": f"{cls.__module__}:{cls.__qualname__}",
                "f": {f.name: _encode(getattr(value, f.name), arrays, f"{where}.{f.name}")
                      for f in dataclasses.fields(value) if f.init}}
    if isinstance(value, dict):
        ints = value and all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                             for k in value)
        bad = [k for k in value if not isinstance(k, str)]
        if bad and not ints:
            raise TypeError(f"{where}: dict keys must be all strings or all integers to be "
                            f"shipped; got {bad[0]!r}")
        return {"t": "intdict" if ints else "dict",
                "f": {str(k): _encode(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}}
    if isinstance(value, list) and len(value) > 8 and _numbers(value):
        key = f"a{len(arrays)}"  # a long list of numbers (a history) as one array
        arrays[key] = np.asarray(value, dtype=np.float64 if _numbers(value) == "float"
                                 else np.int64)
        return {"t": "numlist", "k": key}
    if isinstance(value, (list, tuple)):
        return {"t": type(value).__name__,
                "i": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    raise TypeError(f"{where}: a {type(value).__name__} cannot be shipped (allowed: arrays, "
                    f"scalars, str, None, dict, list, tuple, nnlib dataclasses)")


def _numbers(items) -> str | None:
    """"int" if every item is an integer (Python or NumPy, not bool), "float" if every one is
    a float (Python or NumPy), else None."""
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
           for v in items):
        return "int"
    if all(isinstance(v, (float, np.floating)) for v in items):
        return "float"
    return None


def _decode(spec, arrays):
    t = spec["t"]
    if t == "scalar" or t in ("bool", "int"):
        return spec["v"]
    if t == "float":
        return float(spec["v"])
    if t == "array":
        return arrays[spec["k"]]
    if t == "numlist":
        return arrays[spec["k"]].tolist()
    if t == "dict":
        return {k: _decode(v, arrays) for k, v in spec["f"].items()}
    if t == "intdict":
        return {int(k): _decode(v, arrays) for k, v in spec["f"].items()}
    if t in ("list", "tuple"):
        items = [_decode(v, arrays) for v in spec["i"]]
        return items if t == "list" else tuple(items)
    if t == "dataclass":
        module, qualname = spec["cls"].split(":")
        if not module.startswith("nnlib."):
            raise ValueError(f"shipped file names a class outside nnlib: {spec['cls']}")
        cls = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        return cls(**{k: _decode(v, arrays) for k, v in spec["f"].items()})
    raise ValueError(f"unknown entry type {t!r} in a shipped file")


def structure(value):
    """A hashable summary of ``value``'s shape: container types and keys, scalar types, array
    shapes and dtypes, but no numbers. Two results with equal structures are interchangeable
    for the cells that use them."""
    arrays: dict = {}
    spec = _encode(value, arrays, "result")

    def strip(s):
        t = s["t"]
        if t in ("array", "numlist"):
            a = arrays[s["k"]]
            return (t, a.shape, a.dtype.str)
        if t in ("scalar",):
            return ("scalar", type(s["v"]).__name__)
        if t in ("bool", "int", "float"):
            return (t,)
        if t in ("list", "tuple"):
            return (t, tuple(strip(x) for x in s["i"]))
        head = (t, s["cls"]) if t == "dataclass" else (t,)
        return (*head, tuple((k, strip(v)) for k, v in s["f"].items()))

    return strip(spec)


def save(name: str, value, *, folder=None, overwrite: bool = False) -> Path:
    """Write ``value`` to ``<folder>/<name>.npz``; refuse files over :data:`MAX_BYTES`.

    The file appears whole or not at all (written beside it, then renamed), so an interrupted
    save keeps the old file. An existing file is replaced only with ``overwrite=True``
    (:func:`compute_or_load` passes it under ``NNLIB_SAVE_SHIPPED=1``); otherwise
    ``FileExistsError``.
    """
    path = path_of(name, folder)
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False; got {overwrite!r}")
    arrays: dict = {}
    spec = _encode(value, arrays, name)
    how = "overwrite=True (NNLIB_SAVE_SHIPPED=1 regenerates shipped results on purpose)"
    with atomic_path(path, overwrite=overwrite, how=how) as tmp:
        np.savez_compressed(tmp, **arrays, **{_SPEC_KEY: np.array(json.dumps(spec))})
        size = tmp.stat().st_size
        if size > MAX_BYTES:
            raise ValueError(f"{name}: the result takes {size / 1e6:.2f} MB, above the "
                             f"{MAX_BYTES / 1e6:.0f} MB a shipped file may have; ship less "
                             f"(e.g. a history instead of a model)")
    return path


def load(name: str, *, folder=None):
    """Read ``<folder>/<name>.npz`` back into the value :func:`save` wrote."""
    path = path_of(name, folder)
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files if k != _SPEC_KEY}
        spec = json.loads(str(f[_SPEC_KEY]))
    return _decode(spec, arrays)


def without(value, drop=()):
    """``value`` with the dataclass fields and dict keys named in ``drop`` left out (a dataclass
    field goes back to its default; e.g. a History's per-step lists), at every depth."""
    if isinstance(drop, (str, bytes)) or not hasattr(drop, "__iter__") \
            or not all(isinstance(d, str) for d in drop):
        raise TypeError(f"drop must be a tuple of field or key names (strings); got "
                        f"{type(drop).__name__} {drop!r:.60}")
    drop = tuple(drop)
    if not drop:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kept = {f.name: without(getattr(value, f.name), drop) for f in dataclasses.fields(value)
                if f.init and f.name not in drop}
        return type(value)(**kept)
    if isinstance(value, dict):
        return {k: without(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, (list, tuple)):
        items = [without(v, drop) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def compute_or_load(name: str, compute: Callable[[], object], *, use: bool | None = None,
                    drop=(), folder=None):
    """Return ``compute()``, or in a lecture the shipped copy of its result.

    name: the file ``data/results/<name>.npz``. compute: a function of no arguments that
    computes the result (the notebook's training). use: ``True`` loads the shipped copy when it
    exists, ``False`` always computes, ``None`` (default) reads ``NNLIB_USE_SHIPPED``.
    drop: field/key names left out of the result, computed or shipped alike (per-step
    histories that would make the file too large), see :func:`without`.
    When computing and a shipped copy exists, raise ``ValueError`` if the two differ in
    structure; with ``NNLIB_SAVE_SHIPPED=1`` the computed result replaces the shipped copy.
    """
    path = path_of(name, folder)
    if isinstance(drop, str) or not all(isinstance(d, str) for d in drop):
        raise TypeError(f"drop must be a tuple of field names; got {drop!r}")
    if not callable(compute):
        raise TypeError(f"compute must be a function of no arguments; got "
                        f"{type(compute).__name__}")
    if use is not None and not isinstance(use, bool):
        raise TypeError(f"use must be True, False or None; got {use!r}")
    if use is None:
        use = use_shipped_from_env()
    if use and path.exists():
        value = load(name, folder=folder)
        print(f"[{name}: loaded the shipped result (NNLIB_USE_SHIPPED); unset it to compute]")
        return value
    if use:
        print(f"[{name}: no shipped result at {path}; computing]")
    value = without(compute(), drop)
    if save_shipped_from_env():
        save(name, value, folder=folder, overwrite=True)
    elif path.exists():
        got, want = structure(value), structure(load(name, folder=folder))
        if got != want:
            raise ValueError(f"{name}: the computed result no longer has the structure of the "
                             f"shipped file {path} (keys, shapes or types changed); regenerate "
                             f"it with `python -m tools.present --ship <notebook>`")
    return value
