"""Write a clean notebook (no outputs, no widget state) from a list of cells.

Used by contributors to (re)generate a notebook from a script::

    from tools.notebook import md, code, write_notebook
    write_notebook("notebooks/01_x.ipynb", [md("# Title"), code("import nnlib")],
                   overwrite=True)  # replacing the notebook that is there
"""

from __future__ import annotations

import json
from pathlib import Path

from nnlib._io import atomic_write

KERNEL = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}


def _source(text: str) -> list[str]:
    text = text.strip("\n")
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def md(text: str) -> dict:
    """A markdown cell."""
    return {"cell_type": "markdown", "metadata": {}, "source": _source(text)}


def code(text: str, *, tags: list[str] | None = None) -> dict:
    """A code cell with no outputs; ``tags`` e.g. ``["nbval-skip"]`` (use sparingly)."""
    meta = {"tags": tags} if tags else {}
    return {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [],
            "source": _source(text)}


def write_notebook(path, cells: list[dict], *, overwrite: bool = False) -> Path:
    """Write ``cells`` as an nbformat-4 notebook at ``path``, ready to present (slide types,
    collapsed setup cell and speaker notes from ``tools/present.py``).

    The file appears whole (temporary file, then rename). An existing notebook is replaced
    only with ``overwrite=True`` (regenerating it on purpose); otherwise ``FileExistsError``.
    """
    from .present import load_timings, present

    nb = {"cells": cells, "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5}
    for i, cell in enumerate(nb["cells"]):
        cell.setdefault("id", f"cell-{i:03d}")
    path = Path(path)
    if path.exists() and not overwrite:  # before the work, not only at the rename
        raise FileExistsError(f"{path} already exists; nothing was written. To regenerate it, "
                              f"pass overwrite=True")
    present(nb, notebook=path.name, timings=load_timings().get(path.name))
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    atomic_write(path, text, overwrite=overwrite, how="overwrite=True")
    return path
