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
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402

NOTEBOOK = "04_vanishing_exploding_gradients.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer {url} within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def chromium():
    """The Chromium binary (``NNLIB_CHROMIUM`` overrides Debian's path) and playwright, checked
    before any server starts: skip saying how to install them, or fail under CI=true."""
    return tb.require_browser()


@pytest.fixture
def lab_server(tmp_path):
    """A JupyterLab server on a temporary copy of notebooks/; yields (base_url, token)."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), os.urandom(16).hex()
    jupyter = Path(sys.executable).parent / "jupyter"
    cmd = [str(jupyter), "lab", "--ip=127.0.0.1", f"--port={port}", "--no-browser",
           f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
           "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.pop("MPLBACKEND", None)  # the tests' Agg must not leak into the kernel
    log = tmp_path / "jupyter.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(f"{base}/api/status?token={token}", proc, log)
        yield base, token
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)


def _readout(page) -> str:
    # text_content, not inner_text: JupyterLab may not lay out cells scrolled off screen
    return page.locator(".gradient-lab-readout").first.text_content(timeout=10_000) or ""


def _wait_readout(page, predicate, what: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = _readout(page)
        if predicate(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"readout never showed {what}; last readout: {text!r}")


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
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        step = "opening the notebook"
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}&reset", timeout=90_000)
            step = "waiting for the kernel to be idle"
            page.get_by_text("(ipykernel) | Idle").first.wait_for(timeout=120_000)
            step = "running all cells"
            page.evaluate("() => window.jupyterapp.commands.execute('runmenu:run-all')")
            step = "waiting for the gradient lab to render"
            page.locator(".gradient-lab-readout").first.wait_for(state="attached",
                                                                 timeout=180_000)
            first = _wait_readout(page, lambda t: "healthy" in t, "the default verdict")
            ratio0 = _ratio(first)
            step = "waiting for the notebook to finish"
            page.wait_for_function(
                "() => !Array.from(document.querySelectorAll('.jp-InputArea-prompt'))"
                ".some(e => e.textContent.includes('*'))", timeout=240_000)
            page.get_by_text("(ipykernel) | Idle").first.wait_for(timeout=240_000)
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
