"""Every notebook with figures or labs fits the screen, in JupyterLab inside headless Chromium
(issue 19).

Each notebook runs once (Run All) and is measured on two screens (``tools/layout.py``); after
that, on the same page and kernel, each control that ``tools.browser.LABS`` lists for it is
moved once and must show a new value and change its lab's plot
(``tools.browser.move_each_control``):

- a 1366x768 laptop with the file browser open;
- a 1280x720 projector in presenter mode: side panels hidden, Presentation Mode, the kernel
  switched with ``nnlib.plotting.style.presenter(True)`` (open figures redrawn larger) and the
  controls enlarged by the CSS a presenter-mode lab carries.

On both: no output, widget box or figure is wider than its box (``scrollWidth > clientWidth``),
the notebook never scrolls sideways, no control label or read-out is cut short; on the
projector each lab (controls and plot) is no taller than the visible notebook area. The same
run's outputs are scanned for stray reprs (``<matplotlib.lines.Line2D at 0x…>``, a bare
``array(``…). Screenshots of both screens go to ``test-artifacts/layout/``.

Needs ``/usr/bin/chromium`` and playwright; skipped without them, failed instead under ``CI``.
Runtime: one Run All per notebook plus ~10 s of measuring; see the lead's report for totals.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402
from tools import layout  # noqa: E402
from tools import notebooks as nbtool  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "layout"
#: every course notebook: those with figures or labs are measured, and all are scanned
NOTEBOOKS = [p.name for p in nbtool.course_notebooks()]
FIGURE_CODE = re.compile(r"(plt\.|_lab\(|ipywidgets\.|\bplot_\w+\(|\w+plot\.\w+\(|Plot\()")


def notebooks_with_figures() -> list[str]:
    return nbtool.notebooks_with(FIGURE_CODE.search)


# --- the scanner and the checks themselves, without a browser ----------------------------------

def _cell(text, output_type="stream"):
    if output_type == "stream":
        out = {"output_type": "stream", "name": "stdout", "text": text}
    else:
        out = {"output_type": "execute_result", "data": {"text/plain": text}}
    return {"cell": 3, "source": "x = 1", "outputs": [out]}


@pytest.mark.parametrize("text", [
    "[<matplotlib.lines.Line2D at 0x7f3a2c1b9e50>]",
    "<Figure size 640x480 with 1 Axes>",
    "<nnlib.plotting.optimisers.RacePlot object at 0x7f00aa>",
    "array([[0.1, 0.2],\n       [0.3, 0.4]])",
    "[[[0.0095 0.0005]\n  [0.0009 0.0891]]]",
])
def test_the_scan_finds_stray_reprs(text):
    for kind in ("stream", "execute_result"):
        assert layout.stray_reprs([_cell(text, kind)]), (kind, text)


@pytest.mark.parametrize("text", [
    "W = [[1. 2.]]\n",
    "P(Y=0, Z=0, X=0) = 0.85500\n",
    "test accuracy 0.913   first/last-layer gradient ratio 2.90e+00\n",
])
def test_the_scan_leaves_labelled_output_alone(text):
    assert layout.stray_reprs([_cell(text)]) == []


def test_a_figure_or_widget_output_is_not_a_stray_repr():
    cell = {"cell": 1, "source": "fig", "outputs": [{
        "output_type": "display_data",
        "data": {"text/plain": "Canvas(toolbar=Toolbar(...))",
                 "application/vnd.jupyter.widget-view+json": {"model_id": "a"}}}]}
    assert layout.stray_reprs([cell]) == []


def test_problems_name_each_overflow_cut_label_and_tall_lab():
    m = {"notebookScrolls": False, "overflow": [{"cell": 2, "src": "lab", "el": "widget-box",
                                                 "extra": 174, "width": 934}],
         "cut": [{"cell": 2, "src": "lab", "el": "widget-label", "text": "learning rate",
                  "extra": 4}],
         "labs": [{"cell": 2, "src": "lab", "height": 1121, "visible": 599}]}
    found = layout.problems({"laptop": m, "presenter": m, "stray": []})
    assert any("174 px wider" in f and f.startswith("laptop") for f in found)
    assert any("'learning rate' is cut by 4 px" in f for f in found)
    assert any("1121 px tall" in f and f.startswith("presenter") for f in found)
    assert not any("tall" in f and f.startswith("laptop") for f in found)
    fine = {"notebookScrolls": False, "overflow": [], "cut": [],
            "labs": [{"cell": 2, "src": "lab", "height": 590, "visible": 599}]}
    assert layout.problems({"laptop": fine, "presenter": fine, "stray": []}) == []


def test_every_notebook_is_run_measured_and_scanned():
    """Every notebook has figures today; one without would still be run for the repr scan."""
    every = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    with_labs = nbtool.notebooks_with(re.compile(r"_lab\(").search)
    assert with_labs and set(with_labs) <= set(notebooks_with_figures())
    assert set(notebooks_with_figures()) <= set(every) == set(NOTEBOOKS)


def test_every_notebook_with_figures_applies_the_course_style():
    """The figure hook (fit to the column, no ipympl header, palette) is installed by importing
    nnlib.plotting (nnlib.widgets imports it too): a notebook that draws without it gets
    matplotlib's defaults (notebook 03's figures were 1100 px wide in a 934 px column)."""
    bare = [n for n in notebooks_with_figures()
            if not any(re.search(r"\bnnlib\.(plotting|widgets)\b", src)
                       for src in nbtool.code_sources(ROOT / "notebooks" / n))]
    assert not bare, f"import nnlib.plotting (or a widget) in the setup cell of {bare}"


# --- the real browser ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab():
    tb.require_browser()  # skips without Chromium (fails under CI=true)
    with tb.lab_server() as (base, token, _log), tb.browser() as b:
        yield b, base, token


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_fits_laptop_and_projector(lab, notebook, record_property):
    b, base, token = lab
    t0 = time.monotonic()
    # the same Run All also moves each lab's controls (tools.browser.LABS): one browser run
    # per notebook serves both tests
    result = layout.check_notebook(b, base, token, notebook, ARTIFACTS,
                                   between=tb.move_each_control)
    record_property("layout_seconds", round(time.monotonic() - t0, 1))
    for screen in ("laptop", "presenter"):
        m = result[screen]
        record_property(f"{screen}_column_px", m["column"])
        record_property(f"{screen}_widest_figure_px", max([f["width"] for f in m["figures"]],
                                                          default=0))
        record_property(f"{screen}_tallest_lab_px",
                        round(max([lab_["height"] for lab_ in m["labs"]], default=0)))
    found = layout.problems(result)
    assert not found, (f"{notebook} (screenshots in {ARTIFACTS}):\n  " + "\n  ".join(found))
