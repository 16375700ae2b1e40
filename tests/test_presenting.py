"""Two editions from one source. The student notebooks carry slide structure and collapsed
plumbing (``tools/present.py``) and nothing for the instructor; the speaker notes live in
``solutions/notes/NN_topic.md``, one ``## <heading>`` per notebook section, and
``python -m tools.present --instructor DIR`` (``make present``) merges the two into an
instructor copy whose notes cells are hidden on the slides."""

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


# --- the student notebooks --------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_slides_and_hidden_plumbing(path):
    cells = _nb(path)["cells"]
    problems = []
    for i, c in enumerate(cells):
        kind = c.get("metadata", {}).get("slideshow", {}).get("slide_type")
        h = tp.heading(c)
        if kind is not None and kind not in tp.SLIDE_TYPES:
            problems.append(f"cell {i}: slide_type {kind!r}")
        elif (i == 0 or (h and h[0] <= 2)) and kind != "slide":
            problems.append(f"cell {i} ({h}): a title or ## section must start a slide")
        elif h and h[0] == 3 and kind != "subslide":
            problems.append(f"cell {i} ({h}): a ### heading must start a subslide")
        elif kind == "-":
            problems.append(f"cell {i}: slide_type '-' (jupyterlab-slideshow hides such a "
                            f"cell; a continuation cell has no slide type)")
        hidden = c.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
        if hidden and tp.is_assert_cell(c):
            problems.append(f"cell {i}: an assert cell must stay visible")
        if hidden != (kind == "skip"):
            problems.append(f"cell {i}: collapsed plumbing is exactly what slides skip "
                            f"(source_hidden {hidden}, slide_type {kind!r})")
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    setup = cells[code[0]] if code else None
    if setup is None or not setup["metadata"].get("jupyter", {}).get("source_hidden"):
        problems.append("the setup cell (first code cell) is not collapsed")
    assert not problems, f"{path.name} ({FIX}):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_has_nothing_for_the_instructor(path):
    cells = _nb(path)["cells"]
    notes = [i for i, c in enumerate(cells) if tp.is_notes_cell(c)]
    assert not notes, f"{path.name}: instructor notes cells {notes} ({FIX})"
    pointers = [i for i, c in enumerate(cells) if "solutions/" in tp._text(c)]
    assert not pointers, f"{path.name}: cells {pointers} point students to solutions/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_presentation_is_up_to_date(path):
    """The committed notebook is what tools/present.py makes of it (idempotent)."""
    text = path.read_text(encoding="utf-8")
    assert tp.dump(tp.present(json.loads(text), notebook=path.name)) == text, \
        f"{path.name} is not up to date: {FIX}"


# --- the speaker notes ------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_section_has_notes_and_every_note_a_section(path):
    notes_file = tp.notes_path(path.name)
    assert notes_file.exists(), f"{path.name}: no speaker notes ({notes_file} is missing)"
    problems = tp.notes_problems(_nb(path), tp.load_notes(path.name), notebook=path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notes_are_written_for_a_lecturer(path):
    """Not a paraphrase of the notebook: no notes body repeats a sentence of the notebook, and
    each notebook's notes say what to ask, where the answers are and how long it takes."""
    notes = tp.load_notes(path.name)
    prose = re.sub(r"\s+", " ", " ".join(tp._text(c) for c in _nb(path)["cells"]
                                         if c["cell_type"] == "markdown"))
    copied = []
    for title, body in notes.items():
        for sentence in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", body)):
            if len(sentence) > 60 and sentence in prose:
                copied.append(f"{title}: {sentence[:80]!r}")
    assert not copied, f"{path.name}: notes copy the notebook's text:\n" + "\n".join(copied)
    text = "\n".join(notes.values())
    assert re.search(r"\bask\b", text, re.I), f"{path.name}: notes never say what to ask"
    assert f"solutions/{path.stem}.py" in text, f"{path.name}: notes do not say where the " \
                                                f"answers are"
    assert re.search(r"\d\s*(s|min)\b", text), f"{path.name}: notes give no timing"


def test_sections_include_headings_in_the_middle_of_a_cell():
    nb = _toy()
    nb["cells"][8]["source"] = "Some text.\n\n## Summary\n\nIt worked.\n\n## Exercises"
    nb["cells"].insert(2, _cell("markdown", "```\n## not a heading\n```"))
    assert [t for _, t in tp.sections(nb)] == ["99 · Toy", "1 · Idea", "Summary", "Exercises"]


def test_notes_problems_name_missing_and_stale_sections():
    nb = _toy()
    notes = tp.parse_notes("Preamble.\n\n## 99 · Toy\n\nAsk x.\n\n## 1 · Idea\n\n"
                           "## Old section\n\nGone.\n")
    problems = "\n".join(tp.notes_problems(nb, notes, notebook="99_toy.ipynb"))
    assert "'Exercises' has no notes" in problems
    assert "`## Old section` names no section" in problems
    assert "notes of '1 · Idea' are empty" in problems
    assert "'99 · Toy' has no notes" not in problems and len(problems.split("\n")) == 3
    with pytest.raises(ValueError, match="twice"):
        tp.parse_notes("## A\n\nx\n\n## A\n\ny\n")


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
    once = tp.present(copy.deepcopy(nb), notebook="99_toy.ipynb")
    twice = tp.present(copy.deepcopy(once), notebook="99_toy.ipynb")
    assert tp.dump(once) == tp.dump(twice)
    kinds = {"".join(c["source"]).split("\n")[0]:
             c["metadata"].get("slideshow", {}).get("slide_type") for c in once["cells"]}
    assert kinds["# 99 · Toy"] == kinds["## 1 · Idea"] == kinds["## Exercises"] == "slide"
    assert kinds["### Detail"] == "subslide" and kinds["# the claim"] == "fragment"
    assert kinds["x = np.ones(3)"] is None and kinds["lab = gradient_lab()"] is None
    assert kinds["%matplotlib widget"] == kinds["from nnlib import layers"] == "skip"
    hidden = {"".join(c["source"]).split("\n")[0] for c in once["cells"]
              if c["metadata"].get("jupyter", {}).get("source_hidden")}
    assert hidden == {"%matplotlib widget", "from nnlib import layers"}


def test_present_removes_old_notes_and_continuation_marks():
    nb = _toy()
    nb["cells"].insert(1, _cell("markdown", "**Speaker notes: Toy**",
                                nnlib={"generated": "speaker-notes"},
                                slideshow={"slide_type": "notes"}))
    nb["cells"].insert(3, _cell("markdown", "Psst: the answer is 4.",
                                slideshow={"slide_type": "notes"}))
    nb["cells"][5]["metadata"]["slideshow"] = {"slide_type": "-"}
    out = tp.present(nb, notebook="99_toy.ipynb")
    assert len(out["cells"]) == len(_toy()["cells"])
    assert not any(tp.is_notes_cell(c) for c in out["cells"])
    assert all(c["metadata"].get("slideshow", {}).get("slide_type") != "-"
               for c in out["cells"])


def test_instructor_copy_inserts_notes_after_each_heading_cell():
    student = tp.present(_toy(), notebook="99_toy.ipynb")
    before = tp.dump(student)
    notes = {"99 · Toy": "Ask what a toy is.", "1 · Idea": "Run the slow cell first.",
             "Exercises": "Answers: solutions/99_toy.py."}
    out = tp.instructor_notebook(student, notes, timings=_timings(student))
    assert tp.dump(student) == before, "the student notebook was changed"
    cells = out["cells"]
    assert len(cells) == len(student["cells"]) + 3
    heads = {tp._text(c).split("\n")[0]: i for i, c in enumerate(cells)}
    for head, title in (("# 99 · Toy", "99 · Toy"), ("## 1 · Idea", "1 · Idea"),
                        ("## Exercises", "Exercises")):
        cell = cells[heads[head] + 1]
        assert tp.is_notes_cell(cell) and cell["metadata"]["slideshow"]["slide_type"] == "notes"
        assert notes[title] in tp._text(cell) and title in tp._text(cell)
    idea = tp._text(cells[heads["## 1 · Idea"] + 1])
    assert "`x = np.ones(3)`: 40 s wall, 12 s CPU" in idea and "2-core" in idea
    assert "Measured" not in tp._text(cells[1])      # no long cell in the title section
    # the handout and the student-edition test see these cells as instructor-only
    again = tp.present(copy.deepcopy(out), notebook="99_toy.ipynb")
    assert tp.dump(again) == before


def test_build_instructor_writes_notebooks_notes_and_solutions(tmp_path):
    src = ROOT / "notebooks" / "00_start_here.ipynb"
    problems = tp.build_instructor(tmp_path, [src])
    assert not problems, problems
    built = _nb(tmp_path / "notebooks" / src.name)
    n_sections = len(tp.sections(_nb(src)))
    notes_cells = [c for c in built["cells"] if tp.is_notes_cell(c)]
    assert len(notes_cells) == n_sections > 3
    def text(cells):
        return re.sub(r"\s+", "", "".join(tp._text(c) for c in cells))

    assert text(c for c in built["cells"] if not tp.is_notes_cell(c)) == \
        text(tp.present(_nb(src))["cells"])
    assert (tmp_path / "notebooks" / "index.json").exists()
    assert (tmp_path / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    assert (tmp_path / "notes" / "00_start_here.md").exists()
    assert (tmp_path / "solutions" / "00_start_here.py").exists()


def test_instructor_copy_gives_a_heading_in_the_middle_of_a_cell_its_own_slide():
    student = tp.present(_toy(), notebook="99_toy.ipynb")
    student["cells"][6]["source"] = ("Done with the idea.\n\n## 2 · More\n\nText.\n\n"
                                     "```\n## code\n```")
    notes = {"99 · Toy": "a", "1 · Idea": "b", "2 · More": "c", "Exercises": "d"}
    out = tp.instructor_notebook(student, notes)["cells"]
    texts = [tp._text(c) for c in out]
    i = texts.index("Done with the idea.")
    assert texts[i + 1].startswith("## 2 · More\n\nText.") and texts[i + 1].endswith("```")
    assert out[i + 1]["metadata"]["slideshow"]["slide_type"] == "slide"
    assert tp.is_notes_cell(out[i + 2]) and "2 · More" in texts[i + 2]
    assert student["cells"][6]["source"].startswith("Done"), "the student copy was cut"


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


# --- make present -----------------------------------------------------------------------------

def test_make_present_builds_the_instructor_copy_and_opens_it_in_presenter_mode():
    text = (ROOT / "Makefile").read_text()
    m = re.search(r"^present:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, "Makefile has no `present` target"
    recipe = m.group(1)
    assert "tools.present --instructor $(INSTRUCTOR)" in recipe
    assert "NNLIB_PRESENTER=1" in recipe and "NNLIB_USE_SHIPPED=1" in recipe
    assert "jupyter lab" in recipe and "root_dir=$(INSTRUCTOR)" in recipe
    assert re.search(r"^INSTRUCTOR\s*\?=\s*\.instructor$", text, re.M)
    assert "/.instructor/" in (ROOT / ".gitignore").read_text().split()


def test_the_slide_extension_is_pinned_everywhere():
    for name in ("requirements.txt", "environment.yml", "binder/environment.yml"):
        assert "jupyterlab-slideshow==0.3.4" in (ROOT / name).read_text(), name


def test_readme_links_binder_and_explains_presenting():
    text = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in text and "badge_logo.svg" in text
    section = text.split("## Presenting live", 1)[1].split("\n## ", 1)[0]
    assert "make present" in section and "View → Appearance → Presentation Mode" in section
    assert "jupyterlab-slideshow" in section and "solutions/notes/" in section
    for key in ("Space", "Shift+Space", "Escape"):
        assert key in section, f"README's Presenting live does not name the {key} key"
