"""Notebook 00's list of notebooks survives what students do to the folder: copies
(``…-Copy1.ipynb``), drafts, an edited title cell and notebooks not there yet."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00_start_here.ipynb"


def _list_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    found = ["".join(c["source"]) for c in cells
             if "notebook-list" in c.get("metadata", {}).get("tags", [])]
    assert len(found) == 2, "notebook 00 tags its list cell and its check cell 'notebook-list'"
    return found


def _run(folder: Path, monkeypatch) -> tuple[dict, list[str]]:
    shown = []
    namespace = {"Path": Path, "json": json, "Markdown": lambda text: text,
                 "display": shown.append}
    monkeypatch.chdir(folder)
    for source in _list_cells():
        exec(compile(source, "notebook 00", "exec"), namespace)
    return namespace, shown


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "index.json", folder)
    shutil.copy(NOTEBOOK, folder)
    return folder


def test_copies_drafts_and_edited_titles_do_not_break_the_list(tmp_path, monkeypatch, capsys):
    folder = _folder(tmp_path)
    shutil.copy(NOTEBOOK, folder / "00_start_here-Copy1.ipynb")
    (folder / "Untitled.ipynb").write_text('{"cells": []}')
    edited = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    edited["cells"][0]["source"] = ["# my notes on notebook 01\n"]
    (folder / "01_neurons_and_networks.ipynb").write_text(json.dumps(edited))
    ns, shown = _run(folder, monkeypatch)
    out = capsys.readouterr().out
    assert [e["stem"] for e in ns["here"]] == ["00_start_here", "01_neurons_and_networks"]
    assert "00_start_here-Copy1.ipynb" in out and "Untitled.ipynb" in out
    assert "note: 01_neurons_and_networks opens with" in out
    assert "still to come: 02" in out
    assert len(shown) == 1 and "`00_start_here`" in shown[0] and "Copy1" not in shown[0]


def test_the_real_folder_lists_every_course_notebook_without_notes(monkeypatch, capsys):
    ns, _ = _run(ROOT / "notebooks", monkeypatch)
    out = capsys.readouterr().out
    assert "note:" not in out
    present = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
               if "-" not in p.stem}
    assert {e["stem"] for e in ns["here"]} == present
