"""Build the handout: what a lecturer gives students, without solutions or instructor notes.

Usage (from the repository root)::

    make handout                       # = python -m tools.handout
    make handout FORCE=1               # = python -m tools.handout --force

It writes ``dist/handout/nnlib-course/`` (a folder) and ``dist/handout/nnlib-course.zip`` (the
same files, one top-level folder ``nnlib-course/``). Students unpack it and run the README's two
commands, ``make lab`` and ``make test``.

What goes in: the files of the working tree that git tracks or would track (a copy without git:
every file), under ``INCLUDE``: the course notebooks, ``nnlib``, the data, the tests and tools,
and the set-up files (README, Makefile, requirements, environment.yml, binder/, pyproject.toml,
LICENSE, jupyter-config/). What stays out: ``solutions/`` (the instructor's answers and the
instructor notes in ``solutions/notes/``), CI and contributor files, copies of notebooks, and
every test file that refers to ``solutions/`` or contains a line of a solution (such a test
cannot run without them, or would give the answers away). Notebook cells of type "notes"
(speaker notes) are dropped. The build then scans every file it wrote for the distinctive lines
of ``solutions/`` (see ``distinctive_lines``) and fails, writing nothing, if one is there.

Writing is atomic: the folder is built beside its final place and renamed into it, the zip goes
through ``nnlib._io.atomic_path``. A handout folder carries ``HANDOUT.json`` (what made it, from
which commit, every file's SHA-256); an existing ``dist/handout/nnlib-course`` or zip without it
was not made here and is not overwritten unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from nnlib._io import atomic_path
from tools.notebooks import COURSE_NOTEBOOK

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "handout"
NAME = "nnlib-course"
MARKER = "HANDOUT.json"

#: top-level files and folders a student needs
INCLUDE = ("README.md", "LICENSE", "Makefile", "requirements.txt", "requirements-dev.txt",
           "environment.yml", "pyproject.toml", "conftest.py", ".gitignore", "binder",
           "jupyter-config", "notebooks", "nnlib", "data", "tests", "tools", "benchmarks")
#: never in a handout, whatever INCLUDE says
EXCLUDE = ("solutions",)
SOLUTIONS = "solutions"
#: a solution line shorter than this, or that merely imports, defines, loops or comments, is not
#: distinctive (starter code and the library share such lines with the solutions)
MIN_LINE = 24
_BOILERPLATE = re.compile(r"^(import |from |def |class |for |while |@|#|\"\"\"|'''|return [\w.]+$)")


def _tracked(root: Path) -> list[str]:
    """The repository's files (relative, posix): from git when ``root`` is a checkout, the
    tracked ones and the new ones git does not ignore (what the working tree holds now)."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True,
                             capture_output=True).stdout.decode("utf-8")
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
    if not files:  # not a git checkout: every file, minus the usual build products
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "dist",
                ".ipynb_checkpoints"}
        files = [p.relative_to(root).as_posix() for p in root.rglob("*")
                 if p.is_file() and not skip & set(p.relative_to(root).parts)]
    return sorted(f for f in files if (root / f).is_file())


def _text(path: Path) -> str | None:
    """A file's text (a notebook: its cells' sources), or None for a binary file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix == ".ipynb":
        try:
            return "\n".join("".join(c.get("source", "")) for c in json.loads(text)["cells"])
        except (ValueError, KeyError, TypeError):
            return text
    return text


def distinctive_lines(root: Path = ROOT) -> dict[str, str]:
    """``{line: source file}``: the lines of ``solutions/`` that identify solution text.

    From ``solutions/*.py``: every stripped line of at least ``MIN_LINE`` characters that is not
    an import, a signature, a loop header, a comment or a docstring quote, and that the library
    (``nnlib/``, which students get and which the checks compare against) does not itself
    contain. From ``solutions/notes/`` (and any other text file there): every line of at least
    40 characters that is not a heading (a section's title is the notebook's, not a note)."""
    files = _tracked(root)
    library = set()
    for f in files:
        if f.startswith("nnlib/") and f.endswith(".py"):
            library |= {line.strip() for line in (root / f).read_text(encoding="utf-8")
                        .splitlines()}
    found: dict[str, str] = {}
    solution_files = sorted({*(f for f in files if f.startswith(SOLUTIONS + "/")),
                             *(p.relative_to(root).as_posix()
                               for p in (root / SOLUTIONS).rglob("*") if p.is_file()
                               and "__pycache__" not in p.parts)})
    for f in solution_files:
        text = _text(root / f)
        if text is None:
            continue
        for line in text.splitlines():
            line = line.strip()
            if f.endswith(".py"):
                if len(line) >= MIN_LINE and not _BOILERPLATE.match(line) \
                        and line not in library:
                    found.setdefault(line, f)
            elif len(line) >= 40 and not line.startswith("#"):
                found.setdefault(line, f)
    return found


def select(root: Path = ROOT, distinctive: dict[str, str] | None = None
           ) -> tuple[list[str], dict[str, str]]:
    """``(files, left_out)``: the files of the handout, and ``{file: why}`` for every file of an
    included folder that stays out."""
    distinctive = distinctive_lines(root) if distinctive is None else distinctive
    files, left_out = [], {}
    for f in _tracked(root):
        top = f.split("/", 1)[0]
        if top in EXCLUDE or top not in INCLUDE:
            continue
        if f.startswith("notebooks/") and f.endswith(".ipynb") \
                and not COURSE_NOTEBOOK.fullmatch(f.split("/", 1)[1]):
            left_out[f] = "not a course notebook (a copy or a scratch notebook)"
            continue
        if f.startswith("tests/"):
            text = _text(root / f) or ""
            if re.search(r"\bsolutions\b", text):
                left_out[f] = "refers to solutions/, which the handout has not"
                continue
            if any(line.strip() in distinctive for line in text.splitlines()):
                left_out[f] = "contains a line of a solution"
                continue
        files.append(f)
    return files, left_out


def _is_notes_cell(cell: dict) -> bool:
    meta = cell.get("metadata", {})
    return (meta.get("slideshow", {}).get("slide_type") == "notes"
            or meta.get("nnlib", {}).get("generated") == "speaker-notes")


def _copy(root: Path, f: str, dest: Path) -> list[str]:
    """Copy ``f`` to ``dest / f`` (mtime kept); a notebook loses its notes cells. Returns the
    ids of the cells dropped."""
    target = dest / f
    target.parent.mkdir(parents=True, exist_ok=True)
    if f.endswith(".ipynb"):
        nb = json.loads((root / f).read_text(encoding="utf-8"))
        dropped = [c.get("id", "?") for c in nb["cells"] if _is_notes_cell(c)]
        if dropped:
            nb["cells"] = [c for c in nb["cells"] if not _is_notes_cell(c)]
            target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                              encoding="utf-8")
            shutil.copystat(root / f, target)
            return dropped
    shutil.copy2(root / f, target)
    return []


def scan(folder: Path, distinctive: dict[str, str]) -> list[str]:
    """Every ``file: line`` in ``folder`` that is a distinctive solution line or names a
    solutions/ file, and every notebook notes cell."""
    hits = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        text = _text(p)
        if text is None:
            continue
        for line in text.splitlines():
            if line.strip() in distinctive:
                hits.append(f"{rel}: {line.strip()[:80]} (from {distinctive[line.strip()]})")
        if p.suffix == ".ipynb":
            cells = json.loads(p.read_text(encoding="utf-8"))["cells"]
            hits += [f"{rel}: a speaker-notes cell" for c in cells if _is_notes_cell(c)]
    return hits


def _commit(root: Path) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def _ours(path: Path) -> bool:
    """Whether ``path`` (the handout folder or its zip) carries this tool's ``HANDOUT.json``."""
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                text = z.read(f"{NAME}/{MARKER}").decode("utf-8")
        else:
            text = (path / MARKER).read_text(encoding="utf-8")
        return json.loads(text).get("made_by") == "tools.handout"
    except (OSError, ValueError, KeyError, AttributeError, zipfile.BadZipFile):
        return False


def build(*, root: Path = ROOT, out: Path = DIST, force: bool = False) -> dict:
    """Build ``out/nnlib-course/`` and ``out/nnlib-course.zip`` from ``root``; return the
    manifest. Raises ``FileExistsError`` (nothing written) if either exists and was not made
    here, unless ``force``; ``RuntimeError`` (nothing written) if solution text got in."""
    root, out = Path(root).resolve(), Path(out).resolve()
    folder, archive = out / NAME, out / f"{NAME}.zip"
    if not force:
        for path in (folder, archive):
            if path.exists() and not _ours(path):
                raise FileExistsError(
                    f"{path} exists and was not made by `make handout` (it has no {MARKER}); "
                    f"nothing was written. Move it away, or replace it with "
                    f"`make handout FORCE=1`")
    distinctive = distinctive_lines(root)
    files, left_out = select(root, distinctive)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".{NAME}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        dropped = {}
        for f in files:
            ids = _copy(root, f, staging)
            if ids:
                dropped[f] = ids
        hits = scan(staging, distinctive)
        if hits:
            raise RuntimeError("solution text or instructor notes would be handed out; nothing "
                               "was written:\n  " + "\n  ".join(hits[:20]))
        manifest = {
            "made_by": "tools.handout", "commit": _commit(root),
            "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "left_out": {"solutions/": "the instructor's answers and notes",
                         **dict(sorted(left_out.items()))},
            "notes_cells_dropped": dropped,
            "files": {f: hashlib.sha256((staging / f).read_bytes()).hexdigest()
                      for f in files},
        }
        (staging / MARKER).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
        with atomic_path(archive, overwrite=True) as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
                for f in [*files, MARKER]:
                    z.write(staging / f, f"{NAME}/{f}")
            tmp.chmod(0o644)  # a file to hand out, not a private temporary one
        if folder.exists():
            old = out / f".{NAME}.old-{os.getpid()}"
            folder.rename(old)
            staging.rename(folder)
            shutil.rmtree(old)
        else:
            staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return manifest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.handout",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true",
                        help="replace dist/handout/nnlib-course even if it was not made here")
    parser.add_argument("--out", type=Path, default=DIST, help="folder to write into")
    args = parser.parse_args(argv)
    try:
        manifest = build(out=args.out, force=args.force)
    except (FileExistsError, RuntimeError) as e:
        print(f"make handout: {e}", file=sys.stderr)
        return 1
    out = args.out.resolve()
    print(f"handout: {out / NAME}/ and {out / NAME}.zip ({len(manifest['files'])} files)")
    print("left out: " + "; ".join(f"{k} ({v})" for k, v in manifest["left_out"].items()))
    if manifest["notes_cells_dropped"]:
        print("speaker-notes cells dropped from: "
              + ", ".join(sorted(manifest["notes_cells_dropped"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
