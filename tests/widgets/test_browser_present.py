"""Real-browser test of presenting live: JupyterLab started as ``make present`` starts it
(``NNLIB_PRESENTER=1``), notebook 04 in JupyterLab's Presentation Mode, the gradient lab's
controls enlarged, a scenario chosen and the depth slider moved: the plot's canvas pixels and
the readout change each time.

Uses the server, browser and page helpers of ``tools/browser.py`` (see
tests/widgets/test_browser_labs.py). Needs ``/usr/bin/chromium`` and playwright: skipped
without them, failed instead under ``CI=true``. On failure a screenshot goes to
``test-artifacts/browser_present.png``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402

NOTEBOOK = "04_vanishing_exploding_gradients.ipynb"
LAB = "gradient_lab()"
DEPTH = tb.Control(LAB, "depth")
SCENARIO = tb.Control(LAB, "scenario", kind="dropdown", values=("ReLU + He, 50 layers",))
ARTIFACTS = ROOT / "test-artifacts"

_JS_PRESENTING = """() => ({
  shell: window.jupyterapp.shell.presentationMode === true,
  body: document.querySelector('.jp-mod-presentationMode') !== null,
  widgetFont: getComputedStyle(document.documentElement)
      .getPropertyValue('--jp-widgets-font-size').trim(),
})"""


def _readout(nbp, key: str) -> str:
    return nbp.page.locator(f'[data-nnlib-cell="{key}"] .gradient-lab-readout').first \
        .text_content(timeout=10_000) or ""


def _wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s (last: {value!r})")


@pytest.fixture
def presenter_lab(monkeypatch):
    tb.require_browser()  # skips without Chromium (fails under CI=true)
    monkeypatch.setenv("NNLIB_PRESENTER", "1")      # what `make present` sets; the kernel
    monkeypatch.delenv("NNLIB_USE_SHIPPED", raising=False)  # inherits the server's env
    with tb.lab_server() as (base, token, _log), tb.browser() as b:
        yield b, base, token


@pytest.mark.browser
@pytest.mark.slow
def test_present_notebook_in_presentation_mode_and_move_the_lab(presenter_lab):
    b, base, token = presenter_lab
    nbp = tb.NotebookPage(b, base, token, NOTEBOOK)
    step = "switching Presentation Mode on"
    try:
        nbp.page.evaluate("() => window.jupyterapp.commands.execute("
                          "'application:toggle-presentation-mode')")
        state = _wait_for(lambda: (s := nbp.page.evaluate(_JS_PRESENTING))["shell"] and s,
                          "Presentation Mode")
        assert state["body"], "the page does not show Presentation Mode"
        step = "running all cells in Presentation Mode"
        nbp.run_all()
        widgets = nbp.widgets()
        assert widgets["rendered"] == widgets["expected"] > 0, widgets

        step = "checking presenter mode (enlarged widget controls)"
        font = _wait_for(lambda: nbp.page.evaluate(_JS_PRESENTING)["widgetFont"],
                         "the presenter CSS")
        assert float(font.removesuffix("px")) >= 18, f"widget font {font}: not enlarged"
        key = nbp.mark(DEPTH)
        nbp.wait_quiet(key)
        size = nbp.page.evaluate(
            "(key) => { const c = document.querySelector(`[data-nnlib-cell=\"${key}\"] canvas`);"
            " return c ? [c.width, c.height] : null; }", key)
        assert size and size[0] >= 1.4 * 1100, f"figure canvas {size}: not enlarged (1.5x)"

        step = "choosing a scenario"
        before, text0 = nbp.fingerprint(key), _readout(nbp, key)
        nbp.change(key, SCENARIO, 0)
        nbp.wait_quiet(key)
        text1 = _wait_for(lambda: (t := _readout(nbp, key)) != text0 and "a50" in
                          t.replace(" ", "") and t, "the readout showing depth 50")
        assert "healthy" in text1
        after_scenario = nbp.fingerprint(key)
        assert after_scenario != before, "choosing a scenario did not change the plot"

        step = "moving the depth slider"
        nbp.change(key, DEPTH, 0)
        nbp.wait_quiet(key)
        _wait_for(lambda: "a51" in _readout(nbp, key).replace(" ", ""),
                  "the readout showing depth 51")
        assert nbp.fingerprint(key) != after_scenario, "the slider did not change the plot"
        assert nbp.page.evaluate(_JS_PRESENTING)["shell"], "Presentation Mode was lost"
    except Exception as e:
        where = nbp.screenshot(ARTIFACTS / "browser_present.png")
        raise AssertionError(f"presenting {NOTEBOOK} failed while {step}: {e}; {where}") from e
    finally:
        nbp.close()
