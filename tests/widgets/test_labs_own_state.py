"""Labs own their state: moving any control of any lab to any value never changes what a later
cell computes (issue 19, item 7).

For every notebook with a lab (a code cell that builds a widget and shows it), in a kernel
(nbclient, no browser): run the cells up to and including the lab's cell; then, in the kernel,
move every control of every lab the cell built to its extremes (a slider to its maximum, then
its minimum; every option of a menu, a toggle or a selection slider, ending on the first; a
multiple selection to all, none and each option; a checkbox on and off) and, with the controls
left at those cheapest values, press every button, the trainers' **Train** and 14's **New draw**
included (at 500 or 6 000 images and the fewest epochs a press trains in seconds); then run the
rest of the notebook. Every later cell, and every assert in it, must still pass. Besides,
nothing the notebook held before the lab's cell may have changed: its arrays, tensors, networks
(weights and train/eval mode), generators, numbers and strings, and the global random generators
of Python, NumPy and torch and torch's thread count are fingerprinted before the lab's cell and
after the controls moved, and must match (names the lab's cell itself assigns are left out).

A notebook's long training cells load their shipped results here (``NNLIB_USE_SHIPPED=1``,
data/results/): what is tested is the labs and the cells after them, and the notebooks
themselves run at full fidelity under nbval. Marked slow: the thirteen notebooks took 20 min
together (26 s for 00 to 190 s for 15) on a 2-core machine at load 20, one after another (the
module is one ``--dist loadscope`` group); one notebook:
``pytest -m slow tests/widgets/test_labs_own_state.py -k 07``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import notebooks as nbtool  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
WIDGET_CODE = re.compile(r"(\w+_lab\(|ipywidgets\.\w+\()")
MARK = "NNLIB-LAB-STATE:"

# Runs in the kernel once, before the first lab cell. Names start with "_nnlib" so that the
# fingerprint (which skips names starting with "_") never sees them.
KERNEL_HELPERS = r'''
import hashlib as _nnlib_hashlib
import json as _nnlib_json
import random as _nnlib_random
import sys as _nnlib_sys

import ipywidgets as _nnlib_w
import numpy as _nnlib_np


def _nnlib_hash(v, depth=0):
    np, torch = _nnlib_np, _nnlib_sys.modules.get("torch")
    if isinstance(v, (bool, int, float, complex, str, bytes, type(None))):
        return repr(v)
    if isinstance(v, np.ndarray):
        data = v.tobytes() if v.dtype != object else repr(v.tolist()).encode()
        return f"{v.dtype}{v.shape}:" + _nnlib_hashlib.sha1(data).hexdigest()
    if isinstance(v, np.random.Generator):
        return repr(v.bit_generator.state)
    if torch is not None:
        if isinstance(v, torch.Tensor):
            t = v.detach().cpu().contiguous()
            return f"{t.dtype}{tuple(t.shape)}:" + _nnlib_hashlib.sha1(
                t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"").hexdigest()
        if isinstance(v, torch.nn.Module):
            return repr([(k, _nnlib_hash(t)) for k, t in v.state_dict().items()]
                        + [m.training for m in v.modules()])
    if isinstance(v, _nnlib_w.Widget) or isinstance(v, type):
        return None
    params = getattr(v, "parameters", None)
    if callable(params):  # nnlib's NumPy networks
        try:
            return repr([_nnlib_hash(p.data) for p in params()])
        except Exception:  # noqa: BLE001 - not a network after all
            return None
    if depth < 3 and isinstance(v, (list, tuple)):
        return repr([_nnlib_hash(x, depth + 1) for x in v])
    if depth < 3 and isinstance(v, dict):
        return repr({str(k): _nnlib_hash(x, depth + 1) for k, x in v.items()})
    return None


def _nnlib_snapshot():
    out = {}
    for name, v in list(globals().items()):
        if name.startswith("_") or name in ("In", "Out", "exit", "quit", "get_ipython"):
            continue
        try:
            h = _nnlib_hash(v)
        except Exception as e:  # noqa: BLE001 - report, do not guess
            h = f"unhashable: {e}"
        if h is not None:
            out[name] = h
    torch = _nnlib_sys.modules.get("torch")
    out["<python random>"] = repr(_nnlib_random.getstate())
    out["<numpy global random>"] = repr(_nnlib_np.random.get_state())
    if torch is not None:
        out["<torch random>"] = _nnlib_hash(torch.get_rng_state())
        out["<torch threads>"] = repr(torch.get_num_threads())
    return out


def _nnlib_labs(before_ids):
    """The labs a cell built: new widgets with .controls, or a new bare control widget."""
    found = {}
    for name, v in sorted(globals().items(), key=lambda kv: kv[0].startswith("_")):
        if id(v) in before_ids or not isinstance(v, _nnlib_w.Widget):
            continue
        if isinstance(getattr(v, "controls", None), dict) or isinstance(v, _nnlib_w.ValueWidget):
            found.setdefault(id(v), (name, v))
    return list(found.values())


def _nnlib_visits(ctl):
    """(attribute, value) pairs that take a control to its extremes, ending on the cheapest."""
    w = _nnlib_w
    if isinstance(ctl, w.SelectMultiple):
        n = len(ctl.options)
        return [("index", tuple(range(n))), ("index", ())] + [("index", (i,)) for i in range(n)]
    if isinstance(ctl, (w.Dropdown, w.ToggleButtons, w.SelectionSlider, w.RadioButtons,
                        w.Select)):
        return [("index", i) for i in reversed(range(len(ctl.options)))]
    if isinstance(ctl, w.FloatLogSlider):
        return [("value", ctl.base ** ctl.max), ("value", ctl.base ** ctl.min)]
    if isinstance(ctl, (w.Checkbox, w.ToggleButton)):
        return [("value", not ctl.value), ("value", True), ("value", False)]
    if hasattr(ctl, "min") and hasattr(ctl, "max") and hasattr(ctl, "value"):
        return [("value", ctl.max), ("value", ctl.min)]
    return None


def _nnlib_move(before_ids):
    report = []
    for name, lab in _nnlib_labs(before_ids):
        controls = lab.controls if isinstance(getattr(lab, "controls", None), dict) \
            else {name: lab}
        moved, clicked, skipped = [], [], []
        buttons = []
        for key, ctl in controls.items():
            if isinstance(ctl, _nnlib_w.Button):
                buttons.append((key, ctl))
                continue
            visits = _nnlib_visits(ctl)
            if visits is None:
                skipped.append(f"{key}: {type(ctl).__name__} has no extremes")
                continue
            for attr, value in visits:
                # a control another one bounds (an output index, a channel) may have new limits
                if attr == "value" and hasattr(ctl, "min") and not isinstance(
                        ctl, _nnlib_w.FloatLogSlider):
                    value = min(max(value, ctl.min), ctl.max)
                setattr(ctl, attr, value)
            moved.append(key)
        for attr in ("train_button", "draw_button"):  # the trainers' Train, 14's New draw
            if isinstance(getattr(lab, attr, None), _nnlib_w.Button):
                buttons.append((attr, getattr(lab, attr)))
        for key, button in buttons:
            button.click()
            readout = getattr(getattr(lab, "readout", None), "value", "")
            if "failed" in readout:
                raise AssertionError(f"{name}: pressing {key} showed: {readout}")
            clicked.append(key)
        report.append({"lab": name, "type": type(lab).__name__, "moved": moved,
                       "clicked": clicked, "skipped": skipped})
    return report
'''


def _code_cells(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _shows_a_widget(source: str) -> bool:
    """A cell that builds a widget and shows it: it calls a lab (or ipywidgets) and its last
    line is a bare expression (the lab, or the call itself)."""
    if not WIDGET_CODE.search(source):
        return False
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    last = body[-1].value  # the lab's name, or the lab call itself (not e.g. plt.close(...))
    if isinstance(last, ast.Name):
        return True
    func = last.func if isinstance(last, ast.Call) else None
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name.endswith("_lab")


def _assigned(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _lab_notebooks() -> list[str]:
    return nbtool.notebooks_with(_shows_a_widget, NOTEBOOKS)


def _run(client, source: str, index: int) -> str:
    """Run ``source`` in the kernel (not stored in its history); return its stdout."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    client.execute_cell(cell, index, store_history=False)
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def _result(text: str):
    lines = [ln for ln in text.splitlines() if ln.startswith(MARK)]
    assert lines, f"the kernel helper printed nothing to read: {text!r}"
    return json.loads(lines[-1][len(MARK):])


def test_a_lab_cell_is_one_that_shows_a_lab():
    assert _shows_a_widget("lab = gradient_lab()\nlab")
    assert _shows_a_widget("chain_lab(neurons=10)")
    assert _shows_a_widget("s = ipywidgets.FloatSlider()\ns")
    assert not _shows_a_widget("fresh = cnn_trainer_lab(mnist)\nplt.close(fresh.view.fig)")
    assert not _shows_a_widget("lab = gradient_lab()")


def test_the_lab_notebooks_are_found():
    found = _lab_notebooks()
    # 00 (the slider), 01, 04-10 and 12-15: every notebook the browser test lists
    assert len(found) >= 13, found
    assert "07_batchnorm_and_skip_connections.ipynb" in found


def test_the_moves_reach_every_kind_of_control():
    """The kernel helper, here in-process: extremes for each control kind, ending cheap."""
    import ipywidgets as w

    ns: dict = {}
    exec(KERNEL_HELPERS, ns)  # noqa: S102 - our own helper code
    visits = ns["_nnlib_visits"]
    assert visits(w.IntSlider(value=3, min=1, max=9)) == [("value", 9), ("value", 1)]
    assert visits(w.FloatLogSlider(value=1, base=10, min=-2, max=1)) == [("value", 10.0),
                                                                        ("value", 0.01)]
    assert visits(w.Dropdown(options=["a", "b", "c"], value="b"))[-1] == ("index", 0)
    assert [v for _, v in visits(w.Checkbox(value=False))] == [True, True, False]
    assert ("index", ()) in visits(w.SelectMultiple(options=["a", "b"]))
    assert visits(w.HTML()) is None
    # a lab-shaped object: every control moved, its button pressed, the rest reported
    pressed = []
    slider, button = w.IntSlider(value=2, min=0, max=5), w.Button()
    button.on_click(lambda _b: pressed.append(slider.value))

    class Lab(w.VBox):
        pass

    lab = Lab()
    lab.controls = {"n": slider, "go": button, "note": w.HTML()}
    ns["lab"] = lab
    report = ns["_nnlib_move"](set())
    assert report == [{"lab": "lab", "type": "Lab", "moved": ["n"], "clicked": ["go"],
                       "skipped": ["note: HTML has no extremes"]}]
    assert pressed == [0]  # pressed once, with the control at its cheapest


@pytest.mark.slow
@pytest.mark.parametrize("notebook", _lab_notebooks())
def test_moving_every_control_changes_nothing_later(notebook, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebooks choose ipympl themselves
    monkeypatch.setenv("NNLIB_USE_SHIPPED", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    reports, labs_cells = [], 0
    with client.setup_kernel():
        helpers_loaded = False
        for index in _code_cells(nb):
            cell = nb.cells[index]
            is_lab = _shows_a_widget(cell.source)
            if is_lab:
                if not helpers_loaded:
                    _run(client, KERNEL_HELPERS, index)
                    helpers_loaded = True
                _run(client, "_nnlib_before = _nnlib_snapshot()\n"
                             "_nnlib_ids = {id(v) for v in list(globals().values())}", index)
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as e:
                moved = "" if not reports else (
                    f" after the labs' controls were moved ({reports})")
                pytest.fail(f"{notebook}: cell {index}{moved} failed:\n{cell.source}\n\n{e}",
                            pytrace=False)
            if not is_lab:
                continue
            labs_cells += 1
            report = _result(_run(client, f"print({MARK!r} + _nnlib_json.dumps("
                                          "_nnlib_move(_nnlib_ids)))", index))
            assert report, f"{notebook}: cell {index} shows a widget but no lab was found"
            reports.extend(report)
            changed = _result(_run(client, (
                "_nnlib_after = _nnlib_snapshot()\n"
                f"_nnlib_skip = {sorted(_assigned(cell.source))!r}\n"
                f"print({MARK!r} + _nnlib_json.dumps(sorted("
                "k for k in _nnlib_before if k not in _nnlib_skip"
                " and _nnlib_after.get(k) != _nnlib_before[k])))"), index))
            assert not changed, (f"{notebook}: moving the controls of {report} changed "
                                 f"{changed}, which the notebook held before the lab's cell")
    assert labs_cells, f"{notebook}: no lab cell found"
    for r in reports:
        assert r["moved"] or r["clicked"], f"{notebook}: nothing moved in {r}"
    print(f"{notebook}: {json.dumps(reports)}")


def _cheap_labs():
    from nnlib.widgets.chain import chain_lab
    from nnlib.widgets.conv_geometry import conv_geometry_lab
    from nnlib.widgets.cross_correlation import cross_correlation_lab
    from nnlib.widgets.explaining_away import explaining_away_lab
    from nnlib.widgets.gradient_lab import gradient_lab
    from nnlib.widgets.optimiser_race import optimiser_race_lab
    from nnlib.widgets.universal_approximation import universal_approximation_lab

    return {"chain": chain_lab, "conv_geometry": conv_geometry_lab,
            "cross_correlation": cross_correlation_lab, "explaining_away": explaining_away_lab,
            "gradient": lambda: gradient_lab(depth=30, activation="sigmoid",
                                             init="xavier_normal", batch_norm="before"),
            "optimiser_race": optimiser_race_lab, "universal_approximation":
                lambda: universal_approximation_lab(units=8)}


@pytest.mark.parametrize("name", sorted(_cheap_labs()))
def test_reset_brings_every_control_and_the_readout_back(name):
    import ipywidgets as w
    import matplotlib

    matplotlib.use("Agg")
    lab = _cheap_labs()[name]()
    start = {k: c.value for k, c in lab.controls.items() if hasattr(c, "value")}
    readout = getattr(lab, "readout", None)
    shown = readout.value if readout is not None else None
    ns: dict = {}
    exec(KERNEL_HELPERS, ns)  # noqa: S102 - our own helper code
    for ctl in lab.controls.values():
        if isinstance(ctl, w.Button):
            ctl.click()
            continue
        for attr, value in ns["_nnlib_visits"](ctl):
            if attr == "value" and not isinstance(ctl, w.FloatLogSlider):
                value = min(max(value, ctl.min), ctl.max) if hasattr(ctl, "min") else value
            setattr(ctl, attr, value)
    assert lab.reset() is lab
    assert {k: c.value for k, c in lab.controls.items() if hasattr(c, "value")} == start
    if shown is not None:
        assert readout.value == shown


def test_gradient_lab_reset_also_undoes_a_scenario():
    """07's check cell: after a scenario (or skips switched on), reset() measures the start."""
    import matplotlib

    matplotlib.use("Agg")
    from nnlib.widgets.gradient_lab import gradient_lab

    lab = gradient_lab(depth=30, activation="sigmoid", init="xavier_normal", batch_norm="before")
    start = lab.result.verdict
    lab.controls["skip"].value = True
    lab.choose(lab.controls["scenario"].options[-1])
    lab.reset()
    assert lab.result.verdict == start and lab.controls["scenario"].value == "custom"
    assert lab.config == lab._start_base


def test_the_adversarial_lab_leaves_the_models_mode_alone():
    import matplotlib

    matplotlib.use("Agg")
    torch = pytest.importorskip("torch")
    from nnlib.torchkit import attacks
    from nnlib.widgets.adversarial import adversarial_lab

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(784, 10))
    model = attacks.PixelModel(net).train()
    x = torch.rand(4, 1, 28, 28)
    y = torch.tensor([0, 1, 2, 3])
    lab = adversarial_lab(model, x, y, eps=0.1)
    first = lab.state["clean_confidence"]
    lab.controls["method"].value = "iterated"
    lab.controls["digit"].value = 0
    assert model.training                                 # the caller's mode, kept
    assert lab.state["clean_confidence"] == first          # measured in eval mode: no dropout


def test_own_random_state_keeps_every_global_generator():
    torch = pytest.importorskip("torch")
    import random

    import numpy as np

    from nnlib.torchkit.device import own_random_state, seed_everything

    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    threads = torch.get_num_threads()
    expected = (random.random(), np.random.random(), torch.rand(1).item())
    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    with own_random_state():
        seed_everything(0)                                 # what fit(seed=0) does
        torch.set_num_threads(1)
        torch.rand(5)
    assert (random.random(), np.random.random(), torch.rand(1).item()) == expected
    assert torch.get_num_threads() == threads


def test_the_race_at_momentum_zero_runs_nesterov_as_plain_gradient_descent():
    """The race lab's momentum slider reaches 0; Nesterov's step is then gradient descent's
    (SGD refuses nesterov=True without momentum, which broke the lab at μ = 0)."""
    import numpy as np

    from nnlib.lessons.optimiser_surfaces import make_surface, race

    s = make_surface("quadratic")
    runs = race(s, s.start, 50, ("sgd", "nesterov"), lr=0.02, momentum=0.0)
    np.testing.assert_array_equal(runs["nesterov"].points, runs["sgd"].points)
