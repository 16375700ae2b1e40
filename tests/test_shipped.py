"""nnlib.shipped: shipped results load only when asked, compute by default (CI), and must keep
the structure of what the cell computes."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import shipped
from nnlib.training import History


def _value(n=30):
    h = History(epoch=list(range(1, n + 1)), val_accuracy=[0.5 + i / 100 for i in range(n)],
                engine="fused", step_loss=[float(i) for i in range(3 * n)])
    return {"histories": {"a": h, "b": h}, "weights": np.arange(12.0).reshape(3, 4),
            "labels": np.arange(5, dtype=np.int64), "best": ("a", 0.97, 3, True, None),
            "names": ["x", "y"], "by_k": {1: 0.5, 10: [0.7, 0.8]}}


def _calls():
    calls = []

    def compute():
        calls.append(1)
        return _value()
    return calls, compute


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("NNLIB_USE_SHIPPED", raising=False)
    monkeypatch.delenv("NNLIB_SAVE_SHIPPED", raising=False)


def test_round_trip_keeps_values_types_and_structure(tmp_path):
    v = _value()
    shipped.save("demo", v, folder=tmp_path)
    back = shipped.load("demo", folder=tmp_path)
    assert isinstance(back["histories"]["a"], History)
    assert back["histories"]["a"].val_accuracy == v["histories"]["a"].val_accuracy
    assert back["histories"]["a"].engine == "fused" and back["best"] == v["best"]
    assert np.array_equal(back["weights"], v["weights"]) and back["labels"].dtype == np.int64
    assert isinstance(back["best"], tuple) and back["names"] == ["x", "y"]
    assert back["by_k"] == {1: 0.5, 10: [0.7, 0.8]}
    assert shipped.structure(back) == shipped.structure(v)


def test_numpy_scalars_in_long_lists_keep_their_structure(tmp_path):
    v = {"acc": [np.float64(i / 10) for i in range(12)], "n": [np.int64(i) for i in range(12)],
         "f32": [np.float32(1.5)] * 12, "mixed": [1, 2.5] * 6}
    shipped.save("np", v, folder=tmp_path)
    back = shipped.load("np", folder=tmp_path)
    assert shipped.structure(back) == shipped.structure(v)
    assert back["acc"] == [i / 10 for i in range(12)] and back["mixed"] == [1, 2.5] * 6


def test_ci_default_computes_even_when_a_shipped_file_exists(tmp_path):
    shipped.save("demo", _value(), folder=tmp_path)
    calls, compute = _calls()
    shipped.compute_or_load("demo", compute, folder=tmp_path)
    assert calls == [1]


def test_lecture_mode_loads_instead_of_computing(tmp_path, monkeypatch, capsys):
    shipped.save("demo", _value(), folder=tmp_path)
    calls, compute = _calls()
    monkeypatch.setenv("NNLIB_USE_SHIPPED", "1")
    got = shipped.compute_or_load("demo", compute, folder=tmp_path)
    assert calls == [] and "loaded the shipped result" in capsys.readouterr().out
    assert shipped.structure(got) == shipped.structure(_value())
    # explicit use=False wins over the environment
    shipped.compute_or_load("demo", compute, folder=tmp_path, use=False)
    assert calls == [1]


def test_lecture_mode_without_a_file_computes_and_says_so(tmp_path, capsys):
    calls, compute = _calls()
    shipped.compute_or_load("missing", compute, folder=tmp_path, use=True)
    assert calls == [1] and "no shipped result" in capsys.readouterr().out


def test_a_changed_structure_is_an_error_naming_the_fix(tmp_path):
    shipped.save("demo", _value(30), folder=tmp_path)
    with pytest.raises(ValueError, match="regenerate"):
        shipped.compute_or_load("demo", lambda: _value(20), folder=tmp_path)   # other epoch count
    with pytest.raises(ValueError, match="structure"):
        shipped.compute_or_load("demo", lambda: {**_value(), "extra": 1}, folder=tmp_path)


def test_save_mode_writes_the_computed_result(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLIB_SAVE_SHIPPED", "1")
    shipped.compute_or_load("fresh", lambda: _value(), folder=tmp_path)
    assert shipped.structure(shipped.load("fresh", folder=tmp_path)) == \
        shipped.structure(_value())


def test_bad_input_names_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="name"):
        shipped.compute_or_load("../escape", lambda: 1, folder=tmp_path)
    with pytest.raises(TypeError, match="compute"):
        shipped.compute_or_load("ok", 3, folder=tmp_path)
    with pytest.raises(TypeError, match="use"):
        shipped.compute_or_load("ok", lambda: 1, use="yes", folder=tmp_path)
    with pytest.raises(TypeError, match="cannot be shipped"):
        shipped.save("ok", {"f": object()}, folder=tmp_path)
    with pytest.raises(TypeError, match="keys"):
        shipped.save("ok", {1: 2, "a": 3}, folder=tmp_path)


def test_oversized_results_are_refused_and_leave_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped, "MAX_BYTES", 1000)
    noise = np.random.default_rng(0).standard_normal(10_000)
    with pytest.raises(ValueError, match="MB"):
        shipped.save("big", noise, folder=tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("path", sorted(shipped.RESULTS_DIR.glob("*.npz")),
                         ids=lambda p: p.name)
def test_every_shipped_file_is_small_and_loads(path):
    assert path.stat().st_size < shipped.MAX_BYTES
    value = shipped.load(path.stem)
    assert shipped.structure(value)  # decodes without pickle


def test_drop_leaves_out_per_step_data_in_both_modes(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLIB_SAVE_SHIPPED", "1")
    saved = shipped.compute_or_load("slim", _value, folder=tmp_path, drop=("step_loss", "names"))
    assert saved["histories"]["a"].step_loss == [] and "names" not in saved
    assert saved["histories"]["a"].val_accuracy == _value()["histories"]["a"].val_accuracy
    monkeypatch.delenv("NNLIB_SAVE_SHIPPED")
    computed = shipped.compute_or_load("slim", _value, folder=tmp_path, drop=("step_loss", "names"))
    loaded = shipped.compute_or_load("slim", _value, folder=tmp_path, drop=("step_loss", "names"),
                             use=True)
    assert shipped.structure(computed) == shipped.structure(loaded)
    with pytest.raises(TypeError, match="drop"):
        shipped.compute_or_load("slim", _value, folder=tmp_path, drop="step_loss")


def test_every_shipped_call_in_the_notebooks_has_its_file_and_every_file_a_call():
    import json
    import re

    root = shipped.RESULTS_DIR.parent.parent
    used = set()
    for path in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            used |= set(re.findall(r"shipped\.compute_or_load\(\s*[\"']([\w.-]+)[\"']",
                                   "".join(cell["source"])))
    files = {p.stem for p in shipped.RESULTS_DIR.glob("*.npz")}
    assert used, "no notebook cell loads a shipped result"
    assert used <= files, f"no shipped file for {sorted(used - files)}: run " \
                          "`python -m tools.present --ship <notebook>`"
    assert files <= used, f"shipped files no cell uses: {sorted(files - used)}"


# --- issue 22: nothing lost --------------------------------------------------------------------

def test_save_refuses_to_overwrite_unless_asked(tmp_path):
    path = shipped.save("demo", {"a": 1}, folder=tmp_path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match=r"demo\.npz already exists.*overwrite=True.*"
                                              r"NNLIB_SAVE_SHIPPED"):
        shipped.save("demo", {"a": 2}, folder=tmp_path)
    assert path.read_bytes() == before
    shipped.save("demo", {"a": 2}, folder=tmp_path, overwrite=True)
    assert shipped.load("demo", folder=tmp_path) == {"a": 2}
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        shipped.save("demo", {"a": 2}, folder=tmp_path, overwrite=1)


def test_regenerating_shipped_results_replaces_them(tmp_path, monkeypatch):
    """NNLIB_SAVE_SHIPPED=1 is the maintainer asking for the files to be replaced."""
    shipped.save("demo", _value(30), folder=tmp_path)
    monkeypatch.setenv("NNLIB_SAVE_SHIPPED", "1")
    shipped.compute_or_load("demo", lambda: _value(20), folder=tmp_path)
    assert shipped.structure(shipped.load("demo", folder=tmp_path)) == \
        shipped.structure(_value(20))


def test_an_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = shipped.save("demo", {"a": 1}, folder=tmp_path)
    before = path.read_bytes()

    def dies_midway(file, **arrays):
        with open(file, "wb") as f:
            f.write(before[:40])
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        shipped.save("demo", {"a": 2}, folder=tmp_path, overwrite=True)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["demo.npz"]
