"""The notebooks are the student edition (issue 18): each opens with what it assumes and how
long Run All takes (the measured time of tools/notebook_times.json, the same as README's table),
closes with a summary and further reading, labels every exercise with its kind and minutes, and
carries no instructor-only cell and no pointer to solutions/."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import notebooks as nbtool  # noqa: E402

NOTEBOOKS = nbtool.course_notebooks()
TIMES = nbtool.load_times()
CHECK = re.compile(r"\bex\.(q\d+)\.check\(")
#: the exercise classes each kind of label may stand for
KIND_OF = {"NumericExercise": {"predict", "code", "explore"},
           "ChoiceExercise": {"predict", "explore"},
           "CodeExercise": {"code"},
           "OpenQuestion": {"discuss", "explore"}}


def cells_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def is_notes(cell: dict) -> bool:
    meta = cell.get("metadata", {})
    return (meta.get("slideshow", {}).get("slide_type") == "notes"
            or "generated" in meta.get("nnlib", {}))


def student_cells(path: Path) -> list[dict]:
    return [c for c in cells_of(path) if not is_notes(c)]


def exercise_groups(cells: list[dict]) -> list[tuple[dict, list[str]]]:
    """``(markdown cell, [q names])``: each exercise check with the markdown cell that asks it
    (the nearest markdown cell above the check, speaker notes skipped)."""
    groups: dict[int, list[str]] = {}
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        for q in CHECK.findall(text(cell)):
            j = i - 1
            while j >= 0 and (cells[j]["cell_type"] != "markdown" or is_notes(cells[j])):
                j -= 1
            assert j >= 0, f"ex.{q}.check has no markdown cell above it"
            groups.setdefault(j, []).append(q)
    return [(cells[j], qs) for j, qs in sorted(groups.items())]


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def notebook(request) -> Path:
    return request.param


# ------------------------------------------------------------------ opening and closing

def test_each_notebook_opens_with_goals_assumptions_and_its_measured_run_all_time(notebook):
    cells = student_cells(notebook)
    title, intro = text(cells[0]), text(cells[1])
    assert title.startswith("# "), f"{notebook.name} must open with its title"
    assert re.search(r"\byou will\b", title, re.I), \
        f"{notebook.name}'s title cell must say what the student will be able to do ('You will')"
    assert intro.startswith(nbtool.INTRO_MARK), \
        f"{notebook.name}: the cell after the title must start with {nbtool.INTRO_MARK!r}"
    assert "assumes" in intro, f"{notebook.name}: the opening cell must say what it assumes"
    stated = nbtool.RUN_ALL.search(intro)
    assert stated, f"{notebook.name}: the opening cell must say how long Run All takes"
    measured = nbtool.run_all_seconds(notebook.stem, TIMES)
    assert measured is not None, \
        f"{notebook.stem} has no Run-All time in tools/notebook_times.json: run " \
        f"`nice -n 5 python -m tools.notebooks --time {notebook.stem[:2]}`"
    assert stated.group(2) == nbtool.run_all_text(measured), \
        f"{notebook.name} says Run All takes {stated.group(2)!r}; tools/notebook_times.json " \
        f"says {nbtool.run_all_text(measured)!r}: run `python -m tools.notebooks --write`"


def test_each_notebook_closes_with_a_summary_and_further_reading(notebook):
    cells = student_cells(notebook)
    markdown = [text(c) for c in cells if c["cell_type"] == "markdown"]
    reading = [i for i, c in enumerate(cells) if text(c).startswith(nbtool.READING_HEADING)]
    assert len(reading) == 1, f"{notebook.name} needs one {nbtool.READING_HEADING!r} cell"
    after = cells[reading[0] + 1:]
    assert all(c["cell_type"] == "markdown" and not text(c).lstrip().startswith("#")
               for c in after), f"{notebook.name}: further reading must close the notebook"
    items = re.findall(r"^- ", text(cells[reading[0]]), re.M)
    assert len(items) >= 3, f"{notebook.name}: further reading lists {len(items)} items"
    summaries = [i for i, c in enumerate(cells) if re.search(r"^## Summary\b", text(c), re.M)]
    assert summaries and summaries[0] < reading[0], \
        f"{notebook.name} needs a '## Summary' section before its further reading"
    assert any(re.search(r"\b(D2L|UDL|Nielsen|Goodfellow)\b", m) for m in markdown)


def test_further_reading_cites_books_by_chapter_or_section_and_papers_by_title():
    for path in NOTEBOOKS:
        cell = next(c for c in student_cells(path) if text(c).startswith(nbtool.READING_HEADING))
        body = text(cell)
        for line in re.findall(r"^- (.*(?:\n  .*)*)", body, re.M):
            if line.startswith(("Paper", "Papers")):
                assert re.search(r"\(\d{4}\), \"", line), f"{path.name}: {line[:60]} needs a year"
            else:
                assert re.match(r"(D2L|UDL|Nielsen|Goodfellow et al\.) (ch\.|§)\s?\d", line), \
                    f"{path.name}: {line[:60]!r} should name a book and a chapter or section"
                assert '"' in line, f"{path.name}: {line[:60]!r} should give the title"


# ---------------------------------------------------------------------------- exercises

def test_every_exercise_says_its_kind_and_minutes(notebook):
    module = importlib.import_module(f"nnlib.exercises.nb{notebook.stem[:2]}")
    groups = exercise_groups(student_cells(notebook))
    assert groups, f"{notebook.name} has no exercise checks"
    for cell, qs in groups:
        labels = nbtool.LABEL_RE.findall(text(cell))
        distinct = list(dict.fromkeys(qs))
        assert len(labels) >= len(distinct), \
            f"{notebook.name}: the cell asking {', '.join(distinct)} carries {len(labels)} " \
            f"'*Kind: … · about N min*' labels"
        for q, (kind, minutes) in zip(distinct, labels):
            exercise = getattr(module, q)
            allowed = KIND_OF[type(exercise).__name__]
            assert kind in allowed, \
                f"{notebook.name} {q} is a {type(exercise).__name__} but is labelled {kind!r}"
            assert 1 <= int(minutes) <= 45, f"{notebook.name} {q}: {minutes} min?"


def test_the_exercise_labels_are_found_where_a_student_reads_them(tmp_path):
    """The test above can fail: a notebook whose exercise cell lost its label is caught."""
    cells = [{"cell_type": "markdown",
              "source": "**1.** Predict it.\n\n*Kind: predict · about 2 min*"},
             {"cell_type": "code", "source": "ex.q1.check(answer)"},
             {"cell_type": "markdown", "source": "**2.** Write it."},
             {"cell_type": "code", "source": "ex.q2.check(f)"}]
    found = [nbtool.LABEL_RE.findall(text(c)) for c, _ in exercise_groups(cells)]
    assert found == [[("predict", "2")], []]


# ------------------------------------------------------------------ nothing for instructors

def test_no_student_notebook_has_a_notes_cell_or_points_to_solutions(notebook):
    for i, cell in enumerate(cells_of(notebook)):
        assert not is_notes(cell), \
            f"{notebook.name} cell {i} is an instructor's speaker-notes cell: {text(cell)[:60]!r}"
        assert "solutions/" not in text(cell), \
            f"{notebook.name} cell {i} points to solutions/: {text(cell)[:80]!r}"


def test_the_readmes_student_part_does_not_point_to_solutions():
    """Every README section but those for lecturers and contributors (presenting, giving the
    course, contributing) is for students."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = re.split(r"^(?=## )", readme, flags=re.M)
    student = [s for s in sections
               if not re.match(r"## .*(present|instructor|lecturer|contribut)", s, re.I)]
    assert len(student) >= 3 and any(s.startswith("## Quick start") for s in student)
    for section in student:
        assert "solutions/" not in section, \
            f"README's {section.splitlines()[0]!r} points students to solutions/"


# ------------------------------------------------------------- one source for the times

def test_readme_table_and_notebooks_show_the_measured_times():
    stale = nbtool.update_intros(write=False, times=TIMES)
    assert nbtool.update_readme(write=False) and not stale, \
        f"out of date: {stale or 'README.md'}; run `python -m tools.notebooks --write`"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        row = next(line for line in readme.splitlines() if f"(notebooks/{path.name})" in line)
        assert row.rstrip().endswith(
            f"| {nbtool.run_all_text(nbtool.run_all_seconds(path.stem, TIMES))} |"), row
    for stem, entry in TIMES["notebooks"].items():
        assert entry["load_before"] is not None and entry["date"], \
            f"{stem}: the time must come with the machine's load and the date"
    assert TIMES["machine"].get("cpus"), "tools/notebook_times.json must name the machine"


def test_run_all_text_rounds_up_for_a_student():
    assert nbtool.run_all_text(None) == "not measured yet"
    assert nbtool.run_all_text(0.4) == "about 5 s"
    assert nbtool.run_all_text(11.0) == "about 15 s"
    assert nbtool.run_all_text(15.0) == "about 15 s"
    assert nbtool.run_all_text(121) == "about 2.5 min"
    assert nbtool.run_all_text(180) == "about 3 min"


def test_a_stale_time_in_a_notebook_is_found_and_rewritten(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "id": "t", "metadata": {}, "source": ["# 00 · A"]},
                    {"cell_type": "markdown", "id": "i", "metadata": {},
                     "source": [f"{nbtool.INTRO_MARK} Assumes nothing. **Run All** takes "
                                "about 5 s on a 2-core laptop CPU."]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "00_a.ipynb").write_text(json.dumps(nb))
    times = {"machine": {}, "notebooks": {"00_a": {"wall_s": 90.0, "cpu_s": 40.0,
                                                   "load_before": 1.0, "load_after": 1.0,
                                                   "date": "2026-12-06 18:00 UTC"}}}
    assert nbtool.update_intros(write=False, folder=tmp_path, times=times) == ["00_a.ipynb"]
    assert nbtool.update_intros(write=True, folder=tmp_path, times=times) == ["00_a.ipynb"]
    assert nbtool.update_intros(write=False, folder=tmp_path, times=times) == []
    assert "**Run All** takes about 40 s" in (tmp_path / "00_a.ipynb").read_text()
