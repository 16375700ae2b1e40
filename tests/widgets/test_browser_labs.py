"""Every notebook with a widget, in JupyterLab inside headless Chromium.

For each notebook in ``tools.browser.LABS``: run all cells (no error output), every widget
output is rendered (none left at "Loading widget..." or "Error displaying widget"), the news
prompt does not appear (the project's ``jupyter-config/``), and each listed control, moved
once, changes its lab's plot (the canvas pixels differ). To cover a new notebook add a row to
``LABS``; ``test_every_notebook_with_a_widget_has_a_row`` fails until you do.

Needs ``/usr/bin/chromium`` and playwright (see tests/widgets/test_browser_gradient_lab.py);
skipped without them, failed instead under ``CI``. On failure a screenshot goes to
``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
WIDGET_CODE = re.compile(r"(\w+_lab\(|ipywidgets\.\w+\(|widgets\.\w+\()")


def _code(nb_path: Path) -> list[str]:
    nb = json.loads(nb_path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _notebooks_with_widgets() -> list[str]:
    return sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                  if any(WIDGET_CODE.search(src) for src in _code(p)))


def test_every_notebook_with_a_widget_has_a_row():
    missing = [n for n in _notebooks_with_widgets() if n not in tb.LABS]
    assert not missing, f"add rows for {missing} to tools.browser.LABS"


@pytest.mark.parametrize("notebook", sorted(tb.LABS))
def test_each_row_names_an_existing_cell(notebook):
    path = ROOT / "notebooks" / notebook
    assert path.exists(), f"tools.browser.LABS lists {notebook}, which does not exist"
    sources = _code(path)
    for control in tb.LABS[notebook]:
        assert any(control.cell in s for s in sources), \
            f"{notebook}: no code cell contains {control.cell!r}"
        assert control.kind in ("slider", "dropdown", "button")
        assert control.kind != "dropdown" or len(control.values) >= 2


def test_project_jupyter_config_switches_the_news_off(monkeypatch):
    from jupyterlab_server.config import get_static_page_config

    env = tb.jupyter_env({})
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", env["JUPYTER_CONFIG_PATH"])
    disabled = get_static_page_config(level="all").get("disabledExtensions", {})
    assert disabled.get("@jupyterlab/apputils-extension:announcements") is True
    server = json.loads((tb.JUPYTER_CONFIG / "jupyter_server_config.json").read_text())
    assert server["LabApp"]["news_url"] is None
    # the same folder is used by `make lab` and Binder
    assert "jupyter-config" in (ROOT / "Makefile").read_text()
    assert "jupyter-config" in (ROOT / "binder" / "start").read_text()


@pytest.fixture(scope="module")
def lab():
    tb.require_browser()  # skips without Chromium (fails under CI=true)
    with tb.lab_server() as (base, token, _log), tb.browser() as b:
        yield b, base, token


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", sorted(tb.LABS))
def test_notebook_widgets_render_and_move_their_plots(lab, notebook):
    b, base, token = lab
    nbp = tb.NotebookPage(b, base, token, notebook)
    step = "running all cells"
    try:
        nbp.run_all()
        step = "checking that every widget rendered"
        state = nbp.widgets()
        assert state["expected"] > 0, f"{notebook} shows no widget"
        assert state["rendered"] == state["expected"] and not state["problems"], state
        assert tb.NEWS_PROMPT not in nbp.text(), "the news notification popped up"
        for control in tb.LABS[notebook]:
            step = f"moving {control.name}"
            key = nbp.mark(control)
            nbp.wait_quiet(key)
            before, value = nbp.fingerprint(key), nbp.control_value(key, control)
            nbp.change(key, control, 0, timeout=300)
            if control.kind != "button":
                nbp.wait_value_changed(key, control, value)
            nbp.wait_changed(key, before, f"{control.name}'s plot to change", timeout=300)
    except Exception as e:
        where = nbp.screenshot(ARTIFACTS / f"browser_{Path(notebook).stem}.png")
        raise AssertionError(f"{notebook}: failed while {step}: {e}; {where}") from e
    finally:
        nbp.close()
