"""The course's list of notebooks, kept in one place: ``notebooks/index.json``.

Each entry has ``number``, ``stem`` (the file name without ``.ipynb``), ``title`` (the notebook's
``# NN · title`` heading) and a one-line ``summary``. An entry whose file does not exist yet is
"still to come". README.md's notebook table is generated from it, notebook 00 reads it at run
time (with the standard library only), and tests/test_repository.py checks that all of them and
the files agree.

Usage (from the repository root)::

    python -m tools.notebooks --write   # regenerate README.md's notebook table
    python -m tools.notebooks --check   # exit 1 if README.md's table is out of date
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
INDEX = NOTEBOOKS / "index.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- notebook-table -->", "<!-- /notebook-table -->"
#: a course notebook's file name; a student's copy (``01_x-Copy1.ipynb``) does not match
COURSE_NOTEBOOK = re.compile(r"\d\d_[a-z0-9_]+\.ipynb")


def load_index(path: Path = INDEX) -> list[dict]:
    """The entries of ``notebooks/index.json``, in file order."""
    return json.loads(path.read_text(encoding="utf-8"))["notebooks"]


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks present in ``folder`` (copies and other files ignored), sorted."""
    return sorted(p for p in folder.glob("*.ipynb") if COURSE_NOTEBOOK.fullmatch(p.name))


def split(entries: list[dict], folder: Path = NOTEBOOKS) -> tuple[list[dict], list[dict]]:
    """``(present, to_come)``: entries whose notebook exists in ``folder``, and the others."""
    present = [e for e in entries if (folder / f"{e['stem']}.ipynb").exists()]
    return present, [e for e in entries if e not in present]


def readme_table(entries: list[dict], folder: Path = NOTEBOOKS) -> str:
    """The README section between the markers: a table of the notebooks that exist and a line
    naming those still to come."""
    present, to_come = split(entries, folder)
    rows = ["| notebook | what it teaches |", "|---|---|"]
    rows += [f"| [`{e['stem']}`](notebooks/{e['stem']}.ipynb) | {e['summary']} |"
             for e in present]
    text = "\n".join(rows) + "\n"
    if to_come:
        names = ", ".join(f"{e['number']:02d} {e['title'][0].lower()}{e['title'][1:]}"
                          for e in to_come)
        text += "\n" + textwrap.fill(f"Still to come: {names}.", width=100) + "\n"
    return text


def update_readme(*, write: bool, readme: Path = README, entries: list[dict] | None = None,
                  folder: Path = NOTEBOOKS) -> bool:
    """Return True if README's table is up to date; with ``write``, make it so."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{readme} must contain the markers {BEGIN} and {END}")
    table = readme_table(load_index() if entries is None else entries, folder)
    new = text[:start + len(BEGIN)] + "\n" + table + text[end:]
    if new != text and write:
        readme.write_text(new, encoding="utf-8")
    return new == text


def main(argv: list[str]) -> int:
    if argv not in (["--write"], ["--check"]):
        print(__doc__)
        return 2
    ok = update_readme(write=argv == ["--write"])
    if argv == ["--check"] and not ok:
        print("README.md's notebook table is out of date: run `python -m tools.notebooks --write`")
        return 1
    print("README.md's notebook table is up to date" if ok else "README.md's table rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
