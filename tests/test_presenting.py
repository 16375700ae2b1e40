"""Every notebook can be presented live: slide structure, collapsed plumbing, speaker notes with
timings (written by ``tools/present.py``), and the presenter settings behind ``make present``."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import present as tp  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIX = "run `python -m tools.present notebooks/*.ipynb`"


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sections(cells):
    """[(heading cell index, cells up to the next section)] for the title and each ##."""
    starts = [i for i, c in enumerate(cells) if i == 0 or ((h := tp.heading(c)) and h[0] <= 2)]
    return [(s, cells[s:(starts[k + 1] if k + 1 < len(starts) else len(cells))])
            for k, s in enumerate(starts)]


# --- the committed notebooks ------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_slides_hidden_plumbing_and_notes(path):
    cells = _nb(path)["cells"]
    problems = []
    for i, c in enumerate(cells):
        kind = c.get("metadata", {}).get("slideshow", {}).get("slide_type")
        h = tp.heading(c)
        if kind not in tp.SLIDE_TYPES:
            problems.append(f"cell {i}: slide_type {kind!r}")
        elif (i == 0 or (h and h[0] <= 2)) and kind != "slide":
            problems.append(f"cell {i} ({h}): a title or ## section must start a slide")
        elif h and h[0] == 3 and kind != "subslide":
            problems.append(f"cell {i} ({h}): a ### heading must start a subslide")
        hidden = c.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
        if hidden and tp.is_assert_cell(c):
            problems.append(f"cell {i}: an assert cell must stay visible")
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    setup = cells[code[0]] if code else None
    if setup is None or not setup["metadata"].get("jupyter", {}).get("source_hidden"):
        problems.append("the setup cell (first code cell) is not collapsed")
    for start, section in _sections(cells):
        notes = [c for c in section if tp.is_generated_notes(c)]
        title = tp.heading(cells[start])
        if len(notes) != 1:
            problems.append(f"section {title}: {len(notes)} speaker-notes cells, want 1")
            continue
        text = "".join(notes[0]["source"])
        if notes[0]["metadata"]["slideshow"]["slide_type"] != "notes" or "Show:" not in text:
            problems.append(f"section {title}: notes without slide_type notes / 'Show:'")
        if any(c["cell_type"] == "code" for c in section) and "Time:" not in text:
            problems.append(f"section {title}: notes do not say how long its cells take")
    assert not problems, f"{path.name} ({FIX}):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_presentation_is_up_to_date(path):
    """The committed notebook is what tools/present.py makes of it (idempotent, current notes:
    a cell edited since the last run changes the notes)."""
    text = path.read_text(encoding="utf-8")
    after = tp.dump(tp.present(json.loads(text), notebook=path.name,
                               timings=tp.load_timings().get(path.name)))
    assert after == text, f"{path.name} is not up to date: {FIX}"


def test_every_exercise_section_is_a_slide_with_notes_naming_the_solutions():
    found = 0
    for path in NOTEBOOKS:
        cells = _nb(path)["cells"]
        for start, section in _sections(cells):
            h = tp.heading(cells[start])
            if h and "exercise" in h[1].lower():
                found += 1
                notes = "".join(next(c for c in section if tp.is_generated_notes(c))["source"])
                assert f"solutions/{path.stem}.py" in notes, path.name
    assert found, "no notebook has an Exercises section"


def test_notes_measure_long_cells_from_the_timings_file():
    timings = tp.load_timings()
    assert timings, "tools/cell_timings.json is missing: python -m tools.present --time ..."
    some = 0
    for path in NOTEBOOKS:
        t = timings.get(path.name)
        if not t:
            continue
        assert {"host", "cpus", "date"} <= set(t["machine"]), "say which machine measured"
        longest = max((tp._cell_seconds(v) for v in t["cells"].values()), default=0)
        text = "".join("".join(c["source"]) for c in _nb(path)["cells"]
                       if tp.is_generated_notes(c))
        if longest >= tp.LONG_CELL_S and any(
                tp.source_key(c["source"]) in t["cells"] for c in _nb(path)["cells"]):
            some += 1
            assert "Long cell" in text, f"{path.name}: its long cells are not in the notes"
    assert some, "no notebook's notes name a long cell"


# --- tools/present.py on small notebooks ------------------------------------------------------

def _cell(kind, text, **meta):
    c = {"cell_type": kind, "id": f"c{abs(hash(text)) % 10**6}", "metadata": dict(meta),
         "source": text}
    if kind == "code":
        c.update(outputs=[], execution_count=None)
    return c


def _toy():
    return {"cells": [
        _cell("markdown", "# 99 · Toy\n\nObjectives."),
        _cell("code", "%matplotlib widget\nimport numpy as np\n\nrng = np.random.default_rng(0)"),
        _cell("markdown", "## 1 · Idea"),
        _cell("code", "from nnlib import layers"),
        _cell("code", "x = np.ones(3)\ny = slow_training(x)"),
        _cell("code", "# the claim\nassert y.sum() > 0"),
        _cell("markdown", "### Detail"),
        _cell("code", "lab = gradient_lab()\nlab"),
        _cell("markdown", "## Exercises"),
        _cell("code", "ex.q1.check(None)"),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _timings(nb):
    cells = {tp.source_key(c["source"]): {"wall_s": 1.0, "cpu_s": 0.5}
             for c in nb["cells"] if c["cell_type"] == "code"}
    cells[tp.source_key("x = np.ones(3)\ny = slow_training(x)")] = {"wall_s": 40.0, "cpu_s": 12.0}
    return {"machine": {"host": "box", "cpus": 2, "date": "2026-12-01"}, "cells": cells}


def test_present_sets_slides_hides_plumbing_and_is_idempotent():
    nb = _toy()
    once = tp.present(copy.deepcopy(nb), notebook="99_toy.ipynb", timings=_timings(nb))
    twice = tp.present(copy.deepcopy(once), notebook="99_toy.ipynb", timings=_timings(nb))
    assert tp.dump(once) == tp.dump(twice)
    kinds = {"".join(c["source"]).split("\n")[0]: c["metadata"]["slideshow"]["slide_type"]
             for c in once["cells"] if not tp.is_generated_notes(c)}
    assert kinds["# 99 · Toy"] == kinds["## 1 · Idea"] == kinds["## Exercises"] == "slide"
    assert kinds["### Detail"] == "subslide" and kinds["# the claim"] == "fragment"
    assert kinds["x = np.ones(3)"] == "-"
    hidden = {"".join(c["source"]).split("\n")[0] for c in once["cells"]
              if c["metadata"].get("jupyter", {}).get("source_hidden")}
    assert hidden == {"%matplotlib widget", "from nnlib import layers"}
    notes = [c for c in once["cells"] if tp.is_generated_notes(c)]
    assert len(notes) == 3 and once["cells"][1] is notes[0]   # after the title + objectives
    text = ["".join(c["source"]) for c in notes]
    assert "Long cell (12 s CPU, 40 s wall" in text[1] and "`x = np.ones(3)`" in text[1]
    assert "gradient_lab" in text[1]
    assert "Long cell" not in text[0] and "solutions/99_toy.py" in text[2]
    assert "CPU time" in text[1] and "2-core box" in text[1]
    assert text[0].split("\n")[2] == "- Point: Objectives."   # the section's first sentence


def test_key_message_is_the_first_sentence_after_the_heading():
    cells = [_cell("markdown", "## 3 · Momentum\n\nKeep a running sum. Then step along it."),
             _cell("code", "x = 1")]
    assert tp.key_message(cells) == "Keep a running sum."
    assert tp.key_message([_cell("markdown", "## Only a heading")]) == ""


def test_notes_list_the_lab_scenarios():
    from nnlib.widgets.gradient_lab import PRESETS

    nb = tp.present(_toy(), notebook="99_toy.ipynb", timings=None)
    text = "".join("".join(c["source"]) for c in nb["cells"] if tp.is_generated_notes(c))
    assert all(name in text for name in PRESETS)
    assert "not yet timed" in text


def test_a_changed_cell_changes_the_notes():
    nb = _toy()
    t = _timings(nb)
    before = tp.dump(tp.present(copy.deepcopy(nb), notebook="99_toy.ipynb", timings=t))
    nb["cells"][4]["source"] = "x = np.ones(3)\ny = slow_training(x, epochs=99)"
    after = tp.present(copy.deepcopy(nb), notebook="99_toy.ipynb", timings=t)
    assert tp.dump(after) != before
    assert "not yet timed" in "".join("".join(c["source"]) for c in after["cells"]
                                       if tp.is_generated_notes(c))


def test_check_mode_reports_stale_notebooks(tmp_path):
    path = tmp_path / "99_toy.ipynb"
    path.write_text(tp.dump(_toy()), encoding="utf-8")
    assert tp.main(["--check", str(path)]) == 1
    assert tp.main([str(path)]) == 0 and tp.main(["--check", str(path)]) == 0


def test_plumbing_is_only_imports_magics_and_setup():
    def plumbing(text):
        return tp.is_plumbing(_cell("code", text))

    assert plumbing("import numpy as np\nfrom nnlib import data\nrng = np.random.default_rng(0)")
    assert plumbing("%matplotlib widget\nimport torch\ntorch.manual_seed(0)\ndevice = 'cpu'")
    assert not plumbing("import numpy as np\nX = np.ones(3)")
    assert not plumbing("lab = gradient_lab()\nlab")
    assert not plumbing("")


# --- presenter mode: what `make present` switches on ------------------------------------------

def test_make_present_starts_jupyterlab_in_presenter_mode():
    text = (ROOT / "Makefile").read_text()
    m = re.search(r"^present:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, "Makefile has no `present` target"
    assert "NNLIB_PRESENTER=1" in m.group(1) and "jupyter lab" in m.group(1)
    assert "NNLIB_USE_SHIPPED" in m.group(1)


def test_readme_links_binder_and_explains_presenting():
    text = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in text and "badge_logo.svg" in text
    assert "make present" in text and "Presentation Mode" in text
