"""A saved notebook, reopened, shows its labs and figures as they were (issue 19, item 5).

The project's Jupyter configuration (``jupyter-config/labconfig/default_setting_overrides.json``)
turns on ``saveState`` of ``@jupyter-widgets/jupyterlab-manager``: saving a notebook stores its
widget state, ipympl's figures included with their last picture, so a notebook reopened after
its kernel is gone shows them again instead of "Error displaying widget: model not found".

In JupyterLab inside headless Chromium (``tools/browser.py``), on a temporary copy of the
notebooks: Run All of notebook 09 (its stepper lab and its figures), save, and check that the
file on disk holds the state of every widget its outputs show; reload the page (kernel still
running); then shut the kernel down and reload again (a new kernel, nothing in it). Each time
every widget output must render (a widget view, no "model not found"/"Error displaying widget"
text anywhere) and every ipympl figure must show a picture (non-blank canvas pixels). Waits are
on the events themselves with generous bounds (the machine may be loaded); on failure a
screenshot goes to ``test-artifacts/``. The committed notebooks never carry widget state
(tests/test_repository.py; ``make clean-notebooks`` strips it).
"""

from __future__ import annotations

import base64
import io
import json
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
NOTEBOOK = "09_cross_correlation.ipynb"
STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
BROKEN = ("model not found", "Error displaying widget")

# every ipympl figure in the notebook: does one of its canvases hold a picture?
_JS_FIGURES = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const figs = Array.from(nb.node.querySelectorAll('.jupyter-matplotlib'));
  return figs.map(f => {
    for (const c of f.querySelectorAll('canvas')) {
      if (!c.width || !c.height) continue;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) {
          return true;
        }
      }
    }
    return false;
  });
}"""

_JS_DIRTY = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"


def _view_ids(nb: dict) -> set[str]:
    return {o["data"][VIEW_MIME]["model_id"] for c in nb["cells"] if c["cell_type"] == "code"
            for o in c.get("outputs", []) if VIEW_MIME in o.get("data", {})}


def _has_picture(url) -> bool:
    """Whether a saved ``_data_url`` is a PNG with some opaque, non-white pixels."""
    import matplotlib.image as mimg

    if not isinstance(url, str) or not url.startswith("data:image/png;base64,"):
        return False
    a = mimg.imread(io.BytesIO(base64.b64decode(url.split(",", 1)[1])), format="png")
    return bool(((a[..., 3] > 0) & (a[..., :3] < 0.94).any(axis=-1)).any())


def _saved_state(path: Path):
    """(model ids the outputs show, model ids whose state was saved, {figure model id: has a
    picture}) in the file on disk."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    state = nb.get("metadata", {}).get("widgets", {}).get(STATE_MIME, {}).get("state", {})
    pictures = {k: _has_picture(m.get("state", {}).get("_data_url")) for k, m in state.items()
                if m.get("model_name") == "MPLCanvasModel"}
    return _view_ids(nb), set(state), pictures


def _kernels(base: str, token: str) -> list:
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=30) as r:
        return json.loads(r.read())


def test_the_project_config_saves_widget_state(monkeypatch, tmp_path):
    """jupyterlab_server reads the override from jupyter-config/labconfig (no browser)."""
    from jupyterlab_server.settings_utils import _get_overrides

    env = tb.jupyter_env({})
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", env["JUPYTER_CONFIG_PATH"])
    overrides, error = _get_overrides(str(tmp_path))
    assert not error
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True


def _check_shown(nbp: tb.NotebookPage, expected: int, when: str) -> None:
    state = nbp.widgets(timeout=300.0)
    assert not state["problems"], f"{when}: {state['problems']}"
    assert state["expected"] == expected and state["rendered"] == expected, f"{when}: {state}"
    text = nbp.text()
    assert not any(b in text for b in BROKEN), f"{when}: the page says {BROKEN}"
    figures = tb.wait_until(lambda: (f := nbp.page.evaluate(_JS_FIGURES)) and all(f) and f,
                            f"every ipympl figure to show a picture ({when})", 300.0,
                            interval=0.5)
    assert len(figures) >= 2, f"{when}: expected the lab's figure and the notebook's; {figures}"


def _reload(nbp: tb.NotebookPage) -> None:
    nbp.page.reload(timeout=300_000)
    nbp.page.get_by_text("(ipykernel) | Idle").first.wait_for(timeout=300_000)


@pytest.mark.browser
@pytest.mark.slow
def test_a_saved_notebook_reopens_with_its_labs_and_figures(tmp_path):
    tb.require_browser()  # skips without Chromium (fails under CI=true)
    with tb.lab_server(tmp_path) as (base, token, _log), tb.browser() as b:
        on_disk = tmp_path / "notebooks" / NOTEBOOK
        nbp = tb.NotebookPage(b, base, token, NOTEBOOK)
        step = "running all cells"
        try:
            nbp.run_all()
            first = nbp.widgets(timeout=300.0)
            assert not first["problems"] and first["expected"] >= 2, first
            expected = first["expected"]

            step = "saving"

            def save():  # as JupyterLab's autosave would, until every figure's picture is in
                nbp.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
                tb.wait_until(lambda: not nbp.page.evaluate(_JS_DIRTY), "the notebook to be saved",
                              300.0, interval=0.5)
                s = _saved_state(on_disk)
                return s if s and s[0] and s[2] and all(s[2].values()) else None

            try:
                shown, saved, pictures = tb.wait_until(
                    save, "a save that holds every figure's picture", 300.0, interval=2.0)
            except tb.WaitTimeout:
                raise AssertionError(f"the saved file: {_saved_state(on_disk)}") from None
            assert len(shown) == expected and shown <= saved, \
                f"saved state lacks {sorted(shown - saved)} (saveState is off?)"
            assert len(pictures) >= 2, pictures

            step = "reloading the page, kernel running"
            _reload(nbp)
            _check_shown(nbp, expected, "after a reload")

            step = "shutting the kernel down and reopening"
            nbp.page.evaluate("() => window.jupyterapp.shell.currentWidget"
                              ".sessionContext.shutdown()")
            tb.wait_until(lambda: _kernels(base, token) == [] or None, "the kernel to shut down",
                          120.0, interval=0.5)
            _reload(nbp)  # opens the notebook again, with a new, empty kernel
            _check_shown(nbp, expected, "reopened after the kernel was shut down")
        except BaseException as e:
            shot = nbp.screenshot(ARTIFACTS / f"reopen-{Path(NOTEBOOK).stem}.png")
            raise AssertionError(f"{NOTEBOOK}: {step}: {e} ({shot})") from e
        finally:
            nbp.close()
