"""Start a notebook over: put ``notebooks/NN_*.ipynb`` back as the course ships it.

Usage::

    make reset NB=06                        # or: python -m tools.reset_notebook 06
    python -m tools.reset_notebook --snapshot   # `make lab` runs this before JupyterLab starts

JupyterLab saves a student's edits and outputs into ``notebooks/`` itself. ``reset`` first moves
that version to ``backups/NN_name-YYYYmmdd-HHMMSS.ipynb`` (nothing is ever deleted), then writes
the original back. The original comes from

1. git, when the course is a git clone and git is installed: the committed version (``HEAD``);
2. otherwise ``.originals/``: the copy ``make lab`` keeps of every notebook the first time it
   sees it still unrun (no outputs, no execution counts), e.g. the first ``make lab`` after
   unpacking a handout zip. A kept copy is never overwritten.

NB is the notebook's number (``06`` or ``6``), its name (``06_optimisers``) or its file name; a
value that names no notebook is refused with the list of those that exist. Close the notebook's
tab first (File > Close and Shut Down Notebook), so JupyterLab does not save over the original
again, then open it afresh. Uses the standard library only (it runs before ``.venv`` exists).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATTERN = "[0-9][0-9]_*.ipynb"


class ResetError(ValueError):
    """A reset that cannot be done; the message says why and what is allowed."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _git_paths(root: Path) -> dict[str, str]:
    """``{file name: path relative to the git top level}`` of the notebooks committed at HEAD."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return {}
    top_dir = Path(top.stdout.decode().strip()).resolve()
    try:
        rel = (root / "notebooks").resolve().relative_to(top_dir).as_posix()
    except ValueError:
        return {}
    listing = _git(root, "ls-tree", "--name-only", "HEAD", f"{rel}/")
    if listing is None or listing.returncode != 0:
        return {}
    out = {}
    for line in listing.stdout.decode().splitlines():
        name = line.rsplit("/", 1)[-1]
        if Path(name).match(PATTERN):
            out[name] = line
    return out


def _git_original(root: Path, name: str) -> bytes | None:
    path = _git_paths(root).get(name)
    if path is None:
        return None
    shown = _git(root, "show", f"HEAD:{path}")
    return shown.stdout if shown is not None and shown.returncode == 0 else None


def known(root: Path = ROOT) -> list[str]:
    """File names of the notebooks that exist, are committed, or have a kept original."""
    names = {p.name for p in (root / "notebooks").glob(PATTERN)}
    names |= {p.name for p in (root / ".originals").glob(PATTERN)}
    names |= set(_git_paths(root))
    return sorted(names)


def resolve(nb: str, root: Path = ROOT) -> str:
    """The file name ``nb`` stands for (``"06"``, ``"6"``, ``"06_optimisers"`` ...)."""
    names = known(root)
    allowed = ", ".join(f"{n[:2]} ({n[:-6]})" for n in names) or "none found"
    value = (nb or "").strip()
    if not value:
        raise ResetError(f"say which notebook to start over, e.g. `make reset NB=06`; "
                         f"allowed: {allowed}")
    stem = Path(value).name.removesuffix(".ipynb")
    if re.fullmatch(r"\d{1,2}", stem):
        matches = [n for n in names if n[:2] == f"{int(stem):02d}"]
    else:
        matches = [n for n in names if n[:-6] == stem]
    if len(matches) != 1:
        raise ResetError(f"NB={nb!r} names no notebook here; allowed: {allowed}")
    return matches[0]


def _is_unrun(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if "widgets" in nb.get("metadata", {}):
        return False
    return all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.get("cells", []) if c.get("cell_type") == "code")


def snapshot(root: Path = ROOT) -> list[str]:
    """Keep in ``.originals/`` a copy of every unrun notebook not kept yet; return their names."""
    kept_dir = root / ".originals"
    kept = []
    for path in sorted((root / "notebooks").glob(PATTERN)):
        target = kept_dir / path.name
        if target.exists() or not _is_unrun(path):
            continue
        kept_dir.mkdir(exist_ok=True)
        shutil.copyfile(path, target)
        kept.append(path.name)
    return kept


def reset(nb: str, root: Path = ROOT, *, now: float | None = None) -> tuple[Path, Path | None]:
    """Restore notebook ``nb``; return ``(restored path, backup path or None)``."""
    name = resolve(nb, root)
    original = _git_original(root, name)
    source = "git (HEAD)"
    if original is None:
        kept = root / ".originals" / name
        if not kept.exists():
            raise ResetError(f"no original of {name} found: this folder is not a git clone and "
                             f"`make lab` kept no copy in .originals/; download the course "
                             f"again and copy notebooks/{name} from it")
        original = kept.read_bytes()
        source = ".originals/"
    target = root / "notebooks" / name
    backup = None
    if target.exists():
        if target.read_bytes() == original:
            print(f"notebooks/{name} is already as the course ships it ({source})")
            return target, None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
        backup = root / "backups" / f"{name[:-6]}-{stamp}.ipynb"
        backup.parent.mkdir(exist_ok=True)
        n = 1
        while backup.exists():
            n += 1
            backup = backup.with_name(f"{name[:-6]}-{stamp}-{n}.ipynb")
        shutil.copyfile(target, backup)
    tmp = target.with_name(f".{name}.reset-tmp")
    tmp.write_bytes(original)
    tmp.replace(target)  # one rename: never a half-written notebook
    print(f"notebooks/{name} is back as the course ships it (from {source})"
          + (f"; your version is in {backup.relative_to(root)}" if backup else ""))
    return target, backup


def main(argv: list[str]) -> int:
    args = list(argv)
    root = ROOT
    if len(args) >= 2 and args[0] == "--root":
        root, args = Path(args[1]).resolve(), args[2:]
    try:
        if args == ["--snapshot"]:
            snapshot(root)
            return 0
        if len(args) > 1:
            raise ResetError(f"one notebook at a time; got {' '.join(args)}")
        reset(args[0] if args else "", root)
    except ResetError as e:
        print(f"reset: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
