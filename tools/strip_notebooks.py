"""Strip outputs, execution counts and widget state from notebooks before committing.

Usage: ``python -m tools.strip_notebooks notebooks/*.ipynb``

Each notebook named on the command line is rewritten in place (that is what was asked), through
a temporary file and a rename, so an interrupted run never leaves half a notebook.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nnlib._io import atomic_write


def strip(path: Path) -> bool:
    """Clean one notebook in place; return True if it changed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    before = json.dumps(nb, sort_keys=True)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    nb.get("metadata", {}).pop("widgets", None)
    after = json.dumps(nb, sort_keys=True)
    if before != after:  # whole or not at all: an interrupted strip keeps the notebook
        atomic_write(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n", overwrite=True)
    return before != after


def main(argv: list[str]) -> int:
    changed = [p for p in argv if strip(Path(p))]
    for p in changed:
        print(f"stripped {p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
