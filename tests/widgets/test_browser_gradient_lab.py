"""Real-browser test: JupyterLab + headless Debian Chromium drive the gradient lab of notebook 04.

Starts ``jupyter lab`` on 127.0.0.1 (free port, token, root = a temporary copy of notebooks/),
opens 04_vanishing_exploding_gradients, runs all cells, moves the depth slider and changes the
activation, and checks that the readout follows. On failure a screenshot goes to
``test-artifacts/``. Needs ``/usr/bin/chromium`` (Debian package) and the playwright package;
playwright's own browser download is never used.

Without Chromium the test skips locally and says how to get it; under CI (``CI=true``, as
``.ci/run`` sets) it fails instead. ``NNLIB_CHROMIUM`` points the test at another binary (tests
of this behaviour point it at a missing file).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402

NOTEBOOK = "04_vanishing_exploding_gradients.ipynb"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def chromium():
    """The Chromium binary (``NNLIB_CHROMIUM`` overrides Debian's path) and playwright, checked
    before any server starts: skip saying how to install them, or fail under CI=true."""
    return tb.require_browser()


@pytest.fixture
def lab_server(tmp_path):
    """JupyterLab on a temporary copy of notebooks/ (tools.browser.lab_server)."""
    with tb.lab_server(tmp_path) as (base, token, _log):
        yield base, token


def _readout(page) -> str:
    # text_content, not inner_text: JupyterLab may not lay out cells scrolled off screen
    return page.locator(".gradient-lab-readout").first.text_content(timeout=60_000) or ""


def _wait_readout(page, predicate, what: str, timeout: float = 300.0) -> str:
    """Wait (on the read-out's text itself, generously: the machine may be loaded) until
    ``predicate`` holds; the error names the wait and the last read-out."""
    return tb.wait_until(lambda: (t := _readout(page)) and predicate(t) and t or {"readout": t},
                         f"the read-out to show {what}", timeout, interval=0.25)


def _ratio(text: str) -> float:
    m = re.search(r"=\s*([0-9.eE+-]+)\s*\(theory", text)
    assert m, f"no ratio in readout {text!r}"
    return float(m.group(1))


@pytest.mark.browser
@pytest.mark.slow
def test_gradient_lab_in_jupyterlab(chromium, lab_server):
    from playwright import sync_api

    base, token = lab_server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=tb.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        step = "opening the notebook"
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}&reset", timeout=300_000)
            step = "waiting for the kernel to be idle"
            tb.wait_kernel_idle(page, NOTEBOOK)
            step = "running all cells"
            page.evaluate("() => window.jupyterapp.commands.execute('runmenu:run-all')")
            step = "waiting for the gradient lab to render"
            page.locator(".gradient-lab-readout").first.wait_for(state="attached",
                                                                 timeout=600_000)
            first = _wait_readout(page, lambda t: "healthy" in t, "the default verdict")
            ratio0 = _ratio(first)
            step = "waiting for the notebook to finish"
            page.wait_for_function(
                "() => !Array.from(document.querySelectorAll('.jp-InputArea-prompt'))"
                ".some(e => e.textContent.includes('*'))", timeout=900_000)
            tb.wait_kernel_idle(page, NOTEBOOK)
            page.locator(".gradient-lab").first.scroll_into_view_if_needed()

            step = "moving the depth slider"
            handle = page.locator(".gradient-lab-depth .noUi-handle").first
            handle.scroll_into_view_if_needed()
            handle.focus()
            for _ in range(10):
                handle.press("ArrowRight")
            moved = _wait_readout(page, lambda t: "a20" in t.replace(" ", ""),
                                  "depth 20 after moving the slider")
            assert "healthy" in moved
            ratio20 = _ratio(moved)
            assert ratio20 != ratio0, f"ratio did not change: {ratio0} -> {ratio20}"

            step = "choosing the sigmoid activation"
            page.locator(".gradient-lab-activation select").first.select_option("sigmoid")
            sig = _wait_readout(page, lambda t: "vanishing" in t, "'vanishing' for sigmoid")
            assert _ratio(sig) < 1e-6 * ratio20
        except Exception as e:
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "browser_gradient_lab.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                where = f"screenshot saved to {shot}"
            except Exception as shot_error:  # noqa: BLE001 - report, do not mask the failure
                where = f"screenshot failed too ({shot_error})"
            raise AssertionError(f"browser test failed while {step}: {e}; {where}") from e
        finally:
            browser.close()


@pytest.mark.parametrize("ci", ["", "true"], ids=["local", "ci"])
def test_missing_chromium_skips_locally_and_fails_under_ci(ci, tmp_path):
    """Point the browser test at a missing Chromium: a skip that says how to install it, or,
    under CI=true, a failure (no browser or server is started either way)."""
    env = dict(os.environ, NNLIB_CHROMIUM=str(tmp_path / "no-chromium"), CI=ci)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider", "-p",
         "no:xdist", f"{__file__}::test_gradient_lab_in_jupyterlab"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    out = run.stdout + run.stderr
    assert str(tmp_path / "no-chromium") in out and tb.INSTALL_HINT in out, out
    if ci:
        # a failing fixture is reported as an error: either way pytest exits 1, nothing skipped
        assert run.returncode == 1 and re.search(r"\b1 (failed|error)\b", out), out
        assert "CI=true" in out and "skipped" not in out, out
    else:
        assert run.returncode == 0 and "1 skipped" in out, out
