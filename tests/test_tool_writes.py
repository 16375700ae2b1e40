"""tools/strip_notebooks.py and tools/notebook.py write whole files or nothing, and
write_notebook replaces an existing notebook only when asked (issue 22)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools import notebook, strip_notebooks  # noqa: E402


def _dirty(path: Path) -> bytes:
    cell = {"cell_type": "code", "execution_count": 3, "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}],
            "source": ["print('hi')"]}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path.read_bytes()


def test_an_interrupted_strip_keeps_the_notebook(tmp_path, monkeypatch):
    path = tmp_path / "x.ipynb"
    before = _dirty(path)

    def dies(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(strip_notebooks.json, "dumps", _fails_on_indent(dies))
    with pytest.raises(KeyboardInterrupt):
        strip_notebooks.strip(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.ipynb"]


def _fails_on_indent(fail):
    """json.dumps that works for the comparison (sort_keys) but dies writing the file (indent)."""
    real = json.dumps

    def dumps(obj, *args, **kwargs):
        if "indent" in kwargs:
            fail()
        return real(obj, *args, **kwargs)
    return dumps


def test_strip_writes_through_a_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "x.ipynb"
    _dirty(path)
    seen = []
    real_replace = strip_notebooks.atomic_write.__globals__["os"].replace

    def replace(src, dst):
        seen.append((Path(src).parent, Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(strip_notebooks.atomic_write.__globals__["os"], "replace", replace)
    assert strip_notebooks.strip(path) is True
    assert seen == [(tmp_path, path)]
    assert json.loads(path.read_text())["cells"][0]["outputs"] == []


def test_write_notebook_refuses_to_replace_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setattr("tools.present.load_timings", lambda: {})
    path = tmp_path / "99_x.ipynb"
    notebook.write_notebook(path, [notebook.md("# 99 · X"), notebook.code("x = 1")])
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match=r"99_x\.ipynb already exists.*overwrite=True"):
        notebook.write_notebook(path, [notebook.md("# 99 · X"), notebook.code("x = 2")])
    assert path.read_bytes() == before
    notebook.write_notebook(path, [notebook.md("# 99 · X"), notebook.code("x = 2")],
                            overwrite=True)
    assert "x = 2" in path.read_text()


def test_an_interrupted_write_notebook_keeps_the_old_one(tmp_path, monkeypatch):
    monkeypatch.setattr("tools.present.load_timings", lambda: {})
    path = tmp_path / "99_x.ipynb"
    notebook.write_notebook(path, [notebook.md("# 99 · X"), notebook.code("x = 1")])
    before = path.read_bytes()
    import nnlib._io as io

    real_open = open

    def half_then_die(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        if "w" in mode and str(file).endswith(".tmp.ipynb"):
            f.write(b"{\"cells\": [")
            f.close()
            raise OSError("No space left on device")
        return f

    monkeypatch.setattr(io, "open", half_then_die, raising=False)
    with pytest.raises(OSError, match="No space left"):
        notebook.write_notebook(path, [notebook.md("# 99 · X"), notebook.code("x = 2")],
                                overwrite=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["99_x.ipynb"]
