"""Prepare the notebooks for presenting: slides and collapsed plumbing in the student notebooks,
speaker notes only in the instructor copy.

Usage (from the repository root)::

    python -m tools.present notebooks/*.ipynb          # add/refresh the presentation metadata
    python -m tools.present --check notebooks/*.ipynb  # exit 1 if a notebook is not up to date
    python -m tools.present --instructor .instructor   # build the instructor copy (make present)
    python -m tools.present --time notebooks/*.ipynb   # run the notebooks, store cell timings

What it writes into ``notebooks/`` (idempotent: a second run changes nothing):

* ``slideshow.slide_type``, which jupyterlab-slideshow, RISE and nbconvert all read: the title
  and every cell that opens with a ``##`` heading start a ``slide``, a ``###`` heading a
  ``subslide``, an ``assert`` cell is a ``fragment`` (the proof appears after the
  demonstration). Every other cell has no slide type: it stays on the current slide (the
  default for all three readers; jupyterlab-slideshow hides a cell marked ``-``).
* ``jupyter.source_hidden`` on the setup cell and on pure-plumbing cells (only imports,
  ``%magic`` lines and the rng/device set-up): their code is collapsed in the notebook, their
  outputs stay; and slide type ``skip``: they run but are never on a slide.
* nothing for the instructor: speaker-notes cells left by earlier versions are removed.

The speaker notes live in ``solutions/notes/NN_topic.md``, one ``## <section heading>`` per
section of the notebook, the heading copied exactly (the notebook's ``#`` title included).
``--instructor DIR`` writes ``DIR/notebooks/`` (each notebook with its notes inserted as cells
of slide type ``notes`` after each section's heading cell, plus the measured long cells from
``tools/cell_timings.json``; a heading in the middle of a cell is cut into a cell and slide of
its own there), ``DIR/notes/`` and ``DIR/solutions/``; ``make present`` builds it
into ``.instructor/`` (gitignored) and opens JupyterLab there.

``--time`` executes the notebooks with nbclient (one at a time, ``OPENBLAS_NUM_THREADS=1``) and
records for each code cell its wall time and the kernel's CPU time, keyed by the cell's source,
together with the machine they were measured on. CPU time is what a quiet machine's wall time
would be for a one-thread cell; wall time on a shared machine can be several times longer.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import time
from pathlib import Path

from .notebooks import cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ROOT / "tools" / "cell_timings.json"
#: a cell this long (kernel CPU seconds; wall seconds if CPU is unknown) is named in the notes
LONG_CELL_S = 2.0
#: metadata key that marks the cells this script generated
MARK = "nnlib"


# --- timing -----------------------------------------------------------------------------------

def source_key(source) -> str:
    """A short stable key for a cell's source (what the timings are looked up by)."""
    text = "".join(source) if isinstance(source, list) else str(source)
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:16]


def machine() -> dict:
    """Where the timings come from (stored beside them, quoted in the notes)."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(), "load_1min": round(load, 1),
            "date": time.strftime("%Y-%m-%d %H:%M")}


def time_notebook(path: Path, *, timeout: int = 1800, env: dict | None = None) -> dict:
    """Execute ``path`` (working directory: its folder) and return its cell timings.
    ``env``: extra environment variables for the kernel (e.g. ``NNLIB_SAVE_SHIPPED=1``)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    cells: dict[str, dict] = {}
    state: dict = {}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})

    def pid():
        try:
            return client.km.provisioner.process.pid
        except AttributeError:
            return None

    def start(cell, cell_index, **_):
        state.update(t=time.perf_counter(), cpu=cpu_seconds(pid()) if pid() else None)

    def done(cell, cell_index, execute_reply=None, **_):
        wall = time.perf_counter() - state["t"]
        cpu_now = cpu_seconds(pid()) if pid() else None
        cpu = (cpu_now - state["cpu"]) if cpu_now is not None and state["cpu"] is not None \
            else None
        cells[source_key(cell.source)] = {
            "index": cell_index, "wall_s": round(wall, 2),
            "cpu_s": None if cpu is None else round(cpu, 2),
            "first_line": cell.source.strip().splitlines()[0][:80] if cell.source.strip() else ""}

    client.on_cell_execute = start
    client.on_cell_executed = done
    t0 = time.perf_counter()
    env_before = dict(os.environ)
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    os.environ.pop("NNLIB_USE_SHIPPED", None)  # time what CI runs: the real training
    os.environ.pop("MPLBACKEND", None)
    os.environ.update(env or {})
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return {"machine": machine(), "total_wall_s": round(time.perf_counter() - t0, 1),
            "cells": cells}


def load_timings(path: Path = TIMINGS) -> dict:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def record_timings(paths, out: Path = TIMINGS, *, env: dict | None = None) -> dict:
    """Time each notebook in turn and merge the results into ``out`` (saved after each)."""
    data = load_timings(out)
    for p in paths:
        p = Path(p)
        print(f"timing {p.name} ...", flush=True)
        try:
            data[p.name] = time_notebook(p, env=env)
        except Exception as e:  # noqa: BLE001 - record what failed and go on with the others
            print(f"  {p.name} failed: {type(e).__name__}: {str(e)[:300]}", flush=True)
            continue
        print(f"  {data[p.name]['total_wall_s']} s", flush=True)
        _write(out, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return data


# --- slides, hidden plumbing ----------------------------------------------------------------

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)")
#: names a plumbing cell may assign (besides imports)
_PLUMBING_NAMES = {"rng", "device", "dev"}
_PLUMBING_CALLS = {"set_default_dtype", "manual_seed", "set_printoptions", "filterwarnings",
                   "presenter", "seed"}
NOTES_DIR = ROOT / "solutions" / "notes"
#: the metadata mark of a notes cell in the instructor copy
INSTRUCTOR_NOTES = "instructor-notes"


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines(text: str) -> list[str]:
    out = [line + "\n" for line in text.split("\n")]
    out[-1] = out[-1].rstrip("\n")
    return [x for x in out if x != ""] or [""]


def heading(cell) -> tuple[int, str] | None:
    """(level, title) if a markdown cell opens with a heading."""
    if cell.get("cell_type") != "markdown":
        return None
    text = _text(cell).strip()
    m = _HEADING.match(text.split("\n", 1)[0]) if text else None
    return (len(m.group(1)), m.group(2).strip()) if m else None


def _statements(code: str):
    """Top-level statements of a code cell (magics dropped); None if it does not parse."""
    body = "\n".join(line for line in code.split("\n")
                     if not line.lstrip().startswith(("%", "!")))
    try:
        return ast.parse(body).body
    except SyntaxError:
        return None


def is_plumbing(cell) -> bool:
    """Only imports, magics and the rng/device/seed set-up: nothing a student needs to read."""
    if cell.get("cell_type") != "code" or not _text(cell).strip():
        return False
    stmts = _statements(_text(cell))
    if stmts is None:
        return False
    for s in stmts:
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) and t.id in
                                             _PLUMBING_NAMES for t in s.targets):
            continue
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            f = s.value.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in _PLUMBING_CALLS:
                continue
        return False
    return True


def is_assert_cell(cell) -> bool:
    """A code cell made only of ``assert`` statements: the proof, shown as a fragment."""
    if cell.get("cell_type") != "code":
        return False
    stmts = _statements(_text(cell))
    return bool(stmts) and all(isinstance(s, ast.Assert) for s in stmts)


def slide_type(cell, index: int) -> str | None:
    """The slide type this script gives a cell; None: it stays on the current slide."""
    h = heading(cell)
    if index == 0 or (h and h[0] <= 2):
        return "slide"
    if h and h[0] == 3:
        return "subslide"
    if is_assert_cell(cell):
        return "fragment"
    return None


def is_generated_notes(cell) -> bool:
    """A speaker-notes cell that an earlier version of this script wrote into a notebook."""
    return cell.get("metadata", {}).get(MARK, {}).get("generated") == "speaker-notes"


def is_notes_cell(cell) -> bool:
    """Any cell meant for the instructor only (slide type ``notes``, or marked as notes)."""
    meta = cell.get("metadata", {})
    return (meta.get("slideshow", {}).get("slide_type") == "notes" or is_generated_notes(cell)
            or meta.get(MARK, {}).get("generated") == INSTRUCTOR_NOTES)


def present(nb: dict, *, notebook: str = "", timings: dict | None = None) -> dict:
    """Return ``nb`` (changed in place) with slide types and collapsed plumbing, and without
    any instructor-only cell. ``notebook`` and ``timings`` are accepted for callers of the
    earlier version (they only fed the generated notes) and ignored."""
    cells = [c for c in nb["cells"] if not is_notes_cell(c)]
    first_code = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"), None)
    for i, c in enumerate(cells):
        meta = c.setdefault("metadata", {})
        kind = slide_type(c, i)
        if c.get("cell_type") == "code" and (i == first_code or is_plumbing(c)):
            meta.setdefault("jupyter", {})["source_hidden"] = True
            kind = "skip"   # plumbing runs, but is never on a slide
        if kind is None:
            meta.pop("slideshow", None)
        else:
            meta["slideshow"] = {"slide_type": kind}
    nb["cells"] = cells
    return nb


def dump(nb: dict) -> str:
    """The notebook as ``tools.notebook.write_notebook`` writes it."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _write(path: Path, text: str) -> None:
    """Replace ``path`` in one step (never a half-written notebook)."""
    try:
        from nnlib._io import atomic_write
    except ImportError:  # an older nnlib: the same thing by hand
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return
    atomic_write(path, text, overwrite=True)


def present_file(path: Path, *, timings: dict | None = None, write: bool = True) -> bool:
    """Apply :func:`present` to the notebook at ``path``; return True if it changed."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    after = dump(present(json.loads(before), notebook=path.name))
    if write and after != before:
        _write(path, after)
    return after != before


# --- sections and speaker notes ---------------------------------------------------------------

_SECTION = re.compile(r"^(#{1,2})\s+(\S.*?)\s*$")


def sections(nb: dict) -> list[tuple[int, str]]:
    """``(cell index, heading)`` of every section: each ``#`` or ``##`` heading line in a
    markdown cell (outside code fences), also one that sits in the middle of a cell."""
    out = []
    for i, c in enumerate(nb["cells"]):
        if c.get("cell_type") != "markdown" or is_notes_cell(c):
            continue
        fence = False
        for line in _text(c).split("\n"):
            if line.lstrip().startswith(("```", "~~~")):
                fence = not fence
            m = None if fence else _SECTION.match(line)
            if m:
                out.append((i, m.group(2)))
    return out


def notes_path(notebook: str | Path) -> Path:
    """Where the speaker notes of ``notebook`` (a file name or path) live."""
    return NOTES_DIR / f"{Path(notebook).stem}.md"


def parse_notes(text: str) -> dict[str, str]:
    """heading -> notes (markdown) from a notes file: each ``## heading`` line starts the notes
    of that section, up to the next one; anything before the first is a preamble, ignored."""
    notes: dict[str, str] = {}
    title, body, fence = None, [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line.startswith("## "):
            if title is not None:
                notes[title] = "\n".join(body).strip()
            title, body = line[3:].strip(), []
            if title in notes:
                raise ValueError(f"notes for section {title!r} appear twice")
        elif title is not None:
            body.append(line)
    if title is not None:
        notes[title] = "\n".join(body).strip()
    return notes


def load_notes(notebook: str | Path) -> dict[str, str]:
    path = notes_path(notebook)
    return parse_notes(path.read_text(encoding="utf-8")) if path.exists() else {}


def notes_problems(nb: dict, notes: dict[str, str], *, notebook: str) -> list[str]:
    """What is wrong between a notebook's sections and its notes (empty: nothing)."""
    where = notes_path(notebook).relative_to(ROOT)
    titles = [t for _, t in sections(nb)]
    problems = [f"{notebook}: section {t!r} has no notes in {where} (add a line `## {t}` "
                f"and the notes under it)" for t in titles if t not in notes]
    problems += [f"{where}: `## {t}` names no section of {notebook} (renamed or removed? "
                 f"its headings are: {titles})" for t in notes if t not in titles]
    problems += [f"{where}: the notes of {t!r} are empty" for t, body in notes.items()
                 if t in titles and not body]
    return problems


def _fmt_s(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def long_cells(cells: list, timings: dict | None) -> list[str]:
    """One line per code cell among ``cells`` measured at ``LONG_CELL_S`` or more."""
    out = []
    measured = (timings or {}).get("cells", {})
    for c in cells:
        t = measured.get(source_key(c["source"])) if c.get("cell_type") == "code" else None
        if not t:
            continue
        cpu = t.get("cpu_s")
        if (cpu if cpu is not None else t["wall_s"]) >= LONG_CELL_S:
            first = _text(c).strip().split("\n", 1)[0][:60]
            out.append(f"`{first}`: {_fmt_s(t['wall_s'])} wall" +
                       (f", {_fmt_s(cpu)} CPU" if cpu is not None else ""))
    return out


def _instructor_cell(title: str, body: str, measured: list[str], machine: dict) -> dict:
    text = f"**Speaker notes · {title}**\n\n{body}"
    if measured:
        text += (f"\n\n*Measured long cells* ({machine.get('cpus', '?')}-core machine, "
                 f"{machine.get('date', '?')}): " + "; ".join(measured) + ".")
    return {"cell_type": "markdown", "id": "notes-" + source_key(title)[:12],
            "metadata": {MARK: {"generated": INSTRUCTOR_NOTES},
                         "slideshow": {"slide_type": "notes"}},
            "source": _lines(text)}


def split_at_sections(cells: list) -> list:
    """``cells`` with every markdown cell that has a ``#``/``##`` heading after its first line
    cut there, so that each section starts a cell, and so a slide (the student notebooks keep
    such cells whole; only the instructor copy is cut)."""
    out = []
    for c in cells:
        if c.get("cell_type") != "markdown" or is_notes_cell(c):
            out.append(c)
            continue
        parts, current, fence = [], [], False
        for line in _text(c).split("\n"):
            if line.lstrip().startswith(("```", "~~~")):
                fence = not fence
            if not fence and _SECTION.match(line) and "".join(current).strip():
                parts.append(current)
                current = []
            current.append(line)
        parts.append(current)
        if len(parts) == 1:
            out.append(c)
            continue
        for k, lines in enumerate(parts):
            text = "\n".join(lines).strip("\n")
            if k == 0:
                out.append({**c, "source": _lines(text)})
            else:
                out.append({"cell_type": "markdown", "id": f"{c.get('id', 'cell')}-{k}",
                            "metadata": {"slideshow": {"slide_type": "slide"}},
                            "source": _lines(text)})
    return out


def instructor_notebook(nb: dict, notes: dict[str, str], *, timings: dict | None = None
                        ) -> dict:
    """A copy of the student notebook ``nb`` in which every section starts a cell (and a
    slide; see :func:`split_at_sections`), with each section's notes inserted as a cell of slide
    type ``notes`` right after its heading cell (hidden on the slides, shown in the notebook
    view), and the section's measured long cells appended to its notes."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"] = split_at_sections(nb["cells"])
    found = sections(nb)
    ends = [i for i, _ in found[1:]] + [len(cells)]
    after: dict[int, list[dict]] = {}
    for (i, title), end in zip(found, ends):
        if title not in notes:
            continue
        measured = long_cells(cells[i:end], timings)
        after.setdefault(i, []).append(_instructor_cell(title, notes[title], measured,
                                                        (timings or {}).get("machine", {})))
    nb["cells"] = [x for i, c in enumerate(cells) for x in [c, *after.get(i, [])]]
    return nb


def build_instructor(out: Path, notebooks=None, *, timings: dict | None = None) -> list[str]:
    """Write the instructor copy into ``out`` (``notebooks/``, ``notes/``, ``solutions/``);
    return the problems found between sections and notes (printed, not fatal: a lecturer
    can still present)."""
    out = Path(out)
    paths = sorted(Path(p) for p in notebooks) if notebooks else \
        sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    all_timings = load_timings() if timings is None else timings
    problems = []
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for src in (ROOT / "notebooks").iterdir():   # index.json and any other file they read
        if src.is_file() and src.suffix != ".ipynb":
            shutil.copy2(src, out / "notebooks" / src.name)
    for p in paths:
        nb = present(json.loads(p.read_text(encoding="utf-8")), notebook=p.name)
        notes = load_notes(p.name)
        problems += notes_problems(nb, notes, notebook=p.name)
        _write(out / "notebooks" / p.name,
               dump(instructor_notebook(nb, notes, timings=all_timings.get(p.name))))
    # notebook 00 compares the running versions with requirements.txt beside notebooks/
    shutil.copy2(ROOT / "requirements.txt", out / "requirements.txt")
    for folder, pattern in (("notes", "*.md"), ("solutions", "*.py")):
        source = NOTES_DIR if folder == "notes" else ROOT / "solutions"
        (out / folder).mkdir(exist_ok=True)
        for f in source.glob(pattern):
            shutil.copy2(f, out / folder / f.name)
    return problems


# --- shipped results --------------------------------------------------------------------------

def ship(paths) -> None:
    """Run notebooks with ``NNLIB_SAVE_SHIPPED=1``: every ``shipped.compute_or_load`` call in them
    writes its computed result to data/results/ (a maintainer's command). The run is timed
    like ``--time`` (the shipped cells compute, as in CI)."""
    record_timings(paths, env={"NNLIB_SAVE_SHIPPED": "1"})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.present", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 if a notebook is not up to date")
    mode.add_argument("--instructor", type=Path, metavar="DIR",
                      help="build the instructor copy (notebooks + speaker notes) in DIR")
    mode.add_argument("--time", action="store_true",
                      help="run the notebooks and store their cell timings first")
    mode.add_argument("--ship", action="store_true",
                      help="run the notebooks with NNLIB_SAVE_SHIPPED=1 (regenerate "
                           "data/results/)")
    args = ap.parse_args(argv)
    paths = [p for p in args.notebooks if p.suffix == ".ipynb"]
    if args.instructor:
        problems = build_instructor(args.instructor, paths or None)
        for line in problems:
            print("notes:", line)
        print(f"instructor copy written to {args.instructor}/ (notebooks/, notes/, solutions/)")
        return 0
    if not paths:
        ap.error("name the notebooks, e.g. notebooks/*.ipynb")
    if args.ship:
        ship(paths)
        return 0
    if args.time:
        record_timings(paths)
    stale = []
    for p in paths:
        if present_file(p, write=not args.check):
            stale.append(p)
            print(f"{'not up to date' if args.check else 'updated'}: {p}")
    if args.check and stale:
        print("run: python -m tools.present " + " ".join(str(p) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
