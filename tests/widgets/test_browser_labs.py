"""Every notebook with a widget, in JupyterLab inside headless Chromium: the table of controls.

For each notebook in ``tools.browser.LABS`` the browser test
``tests/widgets/test_browser_layout.py`` (one Run All per notebook serves the layout checks and
these) makes sure that every widget output is rendered (none left at "Loading widget..." or
"Error displaying widget"), that the news prompt does not appear (the project's
``jupyter-config/``), and that each listed control, moved once, shows a new value and changes
its lab's plot (the canvas pixels differ): ``tools.browser.move_each_control``. This file
checks the table itself. To cover a new notebook add a row to ``LABS``;
``test_every_notebook_with_a_widget_has_a_row`` fails until you do.
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
from tools import notebooks as nbtool  # noqa: E402

WIDGET_CODE = re.compile(r"(\w+_lab\(|ipywidgets\.\w+\(|widgets\.\w+\()")


def test_every_notebook_with_a_widget_has_a_row():
    missing = [n for n in nbtool.notebooks_with(WIDGET_CODE.search) if n not in tb.LABS]
    assert not missing, f"add rows for {missing} to tools.browser.LABS"


@pytest.mark.parametrize("notebook", sorted(tb.LABS))
def test_each_row_names_an_existing_cell(notebook):
    path = ROOT / "notebooks" / notebook
    assert path.exists(), f"tools.browser.LABS lists {notebook}, which does not exist"
    sources = nbtool.code_sources(path)
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
