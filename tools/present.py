"""Prepare every notebook for presenting live: slides, collapsed plumbing, speaker notes.

Usage (from the repository root)::

    python -m tools.present notebooks/*.ipynb          # add/refresh the presentation metadata
    python -m tools.present --check notebooks/*.ipynb  # exit 1 if a notebook is not up to date
    python -m tools.present --time notebooks/*.ipynb   # run the notebooks, store cell timings

What it writes (idempotent: running it twice changes nothing the second time):

* ``slideshow.slide_type`` on every cell, which JupyterLab, RISE and nbconvert all read: the
  title and every ``##`` section start a ``slide``, a ``###`` heading a ``subslide``, an
  ``assert`` cell is a ``fragment`` (the proof appears after the demonstration), everything else
  ``-`` (stays on the current slide). The exercises are a ``##`` section, so a slide too.
* ``jupyter.source_hidden`` on the setup cell and on pure-plumbing cells (only imports,
  ``%magic`` lines and the rng/device set-up): their code is collapsed, their outputs stay.
* one speaker-notes cell (``slide_type: notes``, marked ``metadata.nnlib.generated``) after the
  title and after each ``##`` heading: what the section shows (its figures, labs and the
  scenario presets of each lab, its asserts) and how long its long cells take, read from
  ``tools/cell_timings.json``. Notes from an earlier run are replaced, never duplicated.

``--time`` executes the notebooks with nbclient (one at a time, ``OPENBLAS_NUM_THREADS=1``) and
records for each code cell its wall time and the kernel's CPU time, keyed by the cell's source,
together with the machine they were measured on. CPU time is what a quiet machine's wall time
would be for a one-thread cell; wall time on a shared machine can be several times longer.
A cell whose source changed since the last timing run is said to be "not yet timed".
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ROOT / "tools" / "cell_timings.json"
#: a cell this long (seconds, CPU or wall, whichever is larger) is named in the speaker notes
LONG_CELL_S = 2.0
#: metadata key that marks the cells this script generated
MARK = "nnlib"


# --- timing -----------------------------------------------------------------------------------

def source_key(source) -> str:
    """A short stable key for a cell's source (what the timings are looked up by)."""
    text = "".join(source) if isinstance(source, list) else str(source)
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:16]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` and its finished children (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # fields[0] is the state (field 3); utime, stime, cutime, cstime are fields 14-17
    return sum(int(x) for x in fields[11:15]) / ticks


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
        state.update(t=time.perf_counter(), cpu=_cpu_seconds(pid()) if pid() else None)

    def done(cell, cell_index, execute_reply=None, **_):
        wall = time.perf_counter() - state["t"]
        cpu_now = _cpu_seconds(pid()) if pid() else None
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
        out.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    return data


# --- slides, hidden plumbing, speaker notes ---------------------------------------------------

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)")
_LAB_CALL = re.compile(r"\b(\w+_lab)\(")
_FIGURE = re.compile(r"plt\.subplots|plt\.figure|plt\.show\(|\bplot_\w+\(|\.imshow\(")
#: names a plumbing cell may assign (besides imports)
_PLUMBING_NAMES = {"rng", "device", "dev"}
_PLUMBING_CALLS = {"set_default_dtype", "manual_seed", "set_printoptions", "filterwarnings",
                   "presenter", "seed"}


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


def slide_type(cell, index: int) -> str:
    """The slide type this script gives a (non-notes) cell."""
    h = heading(cell)
    if index == 0 or (h and h[0] <= 2):
        return "slide"
    if h and h[0] == 3:
        return "subslide"
    if is_assert_cell(cell):
        return "fragment"
    return "-"


def is_generated_notes(cell) -> bool:
    return cell.get("metadata", {}).get(MARK, {}).get("generated") == "speaker-notes"


def _lab_presets(name: str) -> list[str]:
    """The scenario names of lab ``name`` (e.g. ``gradient_lab``), if its module has PRESETS."""
    import importlib
    import pkgutil

    import nnlib.widgets as widgets_pkg

    for info in pkgutil.iter_modules(widgets_pkg.__path__):
        if info.name.startswith("_"):
            continue
        try:
            mod = importlib.import_module(f"nnlib.widgets.{info.name}")
        except Exception:  # noqa: BLE001 - a lab in progress must not stop the notes
            continue
        if hasattr(mod, name):
            return list(getattr(mod, "PRESETS", {}))
    return []


def _fmt_s(seconds: float) -> str:
    if seconds < 0.1:
        return "under 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def _cell_seconds(timing: dict | None) -> float | None:
    """The cell's duration on a quiet machine: its kernel CPU time (wall time if unknown)."""
    if not timing:
        return None
    cpu = timing.get("cpu_s")
    return float(cpu if cpu is not None else timing["wall_s"])


def key_message(cells: list, limit: int = 220) -> str:
    """The first sentence of the section's prose (after its heading): the point to make."""
    for c in cells:
        if c.get("cell_type") != "markdown" or is_generated_notes(c):
            continue
        text = _text(c).strip()
        if heading(c):
            text = text.split("\n", 1)[1].strip() if "\n" in text else ""
        text = re.sub(r"\s+", " ", text)
        if not text or text.startswith(("#", "|", "```", "$$")):
            continue
        m = re.search(r"(.+?[.!?])(\s|$)", text)
        sentence = m.group(1) if m else text
        return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"
    return ""


def section_notes(title: str, cells: list, timings: dict | None, *, notebook: str,
                  exercises: bool, opening: bool = False) -> str:
    """The speaker notes of one section (markdown)."""
    code = [c for c in cells if c.get("cell_type") == "code"]
    labs = []
    for c in code:
        for name in _LAB_CALL.findall(_text(c)):
            if name not in labs:
                labs.append(name)
    figures = sum(bool(_FIGURE.search(_text(c))) for c in code)
    asserts = sum(len(re.findall(r"^\s*assert\b", _text(c), re.M)) for c in code)
    shipped = [m for c in code for m in re.findall(r"shipped\(\s*[\"']([\w.-]+)", _text(c))]
    lines = [f"**Speaker notes: {title}**", ""]
    message = key_message(cells)
    if message:
        lines.append(f"- Point: {message}")
    show = []
    if opening:
        show.append("the objectives; the setup cell is collapsed (plumbing): run all cells "
                    "before the lecture, or this slide's cells first")
    for lab in labs:
        presets = _lab_presets(lab)
        tip = (f" (scenario menu: {'; '.join(presets)})" if presets else "")
        show.append(f"the `{lab}` lab live: move its main control and read the plot{tip}")
    if figures:
        show.append(f"{figures} figure{'s' if figures > 1 else ''}: say what to look for "
                    f"before running the cell")
    if asserts:
        fragments = sum(is_assert_cell(c) for c in code)
        show.append(f"{asserts} assert{'s' if asserts > 1 else ''} that pin the claim" +
                    (f" ({fragments} assert cell{'s appear' if fragments > 1 else ' appears'} as "
                     f"fragments, after the demonstration)" if fragments else ""))
    checks = sorted(set(re.findall(r"\bex\.(q\d+)\.check\(", "".join(_text(c) for c in code))),
                    key=lambda q: int(q[1:]))
    if exercises or checks:
        where = ROOT / "solutions" / f"{Path(notebook).stem}.py"
        answers = (f"instructor answers in `solutions/{where.name}`" if where.exists()
                   or exercises else "")
        show.append(("exercises " + ", ".join(checks) if checks else "the exercises") +
                    ": let students answer (predict first) before running; each check says "
                    "right or wrong without giving the answer" + (f"; {answers}" if answers
                                                                  else ""))
    if not show:
        show.append("the idea in the text (and its equation, if any), then the cell outputs")
    lines.append("- Show: " + "; ".join(show) + ".")
    cells_t = timings.get("cells", {}) if timings else {}
    known = [(c, cells_t.get(source_key(c["source"]))) for c in code]
    known = [(c, _cell_seconds(t), t) for c, t in known]
    measured = [s for _, s, _ in known if s is not None]
    untimed = sum(s is None for _, s, _ in known)
    n_code = f"{len(code)} code cell{'s' if len(code) > 1 else ''}"
    if code:
        if measured:
            m = timings.get("machine", {})
            where = (f"CPU time of the kernel, measured {m.get('date', '?')} on "
                     f"{m.get('cpus', '?')}-core {m.get('host', '?')}, load "
                     f"{m.get('load_1min', '?')}")
            t_sum = sum(measured)
            total = (f"- Time: the section's {n_code} run{'s' if len(code) == 1 else ''} in "
                     f"{'about ' if t_sum >= 0.1 else ''}{_fmt_s(t_sum)} ({where})")
            total += f"; {untimed} not yet timed." if untimed else "."
            lines.append(total)
        else:
            lines.append(f"- Time: its {n_code} {'is' if len(code) == 1 else 'are'} not yet timed "
                         f"(`python -m tools.present --time notebooks/{notebook}`).")
        for c, s, t in known:
            if s is not None and s >= LONG_CELL_S:
                first = _text(c).strip().split("\n", 1)[0][:60]
                lines.append(f"- Long cell ({_fmt_s(s)} CPU, {_fmt_s(t['wall_s'])} wall on "
                             f"the shared machine): `{first}`. Start it, then talk through "
                             f"the idea while it runs.")
    if shipped:
        lines.append("- Short on time? Start JupyterLab with `NNLIB_USE_SHIPPED=1` "
                     f"(`make present` does): {', '.join(shipped)} then load in a second "
                     "instead of training.")
    return "\n".join(lines)


def _notes_cell(text: str, key: str) -> dict:
    return {"cell_type": "markdown", "id": f"notes-{key}",
            "metadata": {MARK: {"generated": "speaker-notes"},
                         "slideshow": {"slide_type": "notes"}},
            "source": _lines(text)}


def present(nb: dict, *, notebook: str, timings: dict | None = None) -> dict:
    """Return ``nb`` with slide types, hidden plumbing and fresh speaker notes (in place)."""
    cells = [c for c in nb["cells"] if not is_generated_notes(c)]
    first_code = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"), None)
    for i, c in enumerate(cells):
        meta = c.setdefault("metadata", {})
        meta["slideshow"] = {"slide_type": slide_type(c, i)}
        if c.get("cell_type") == "code" and (i == first_code or is_plumbing(c)):
            meta.setdefault("jupyter", {})["source_hidden"] = True
    # sections: the title (cell 0) and every heading of level <= 2
    starts = [i for i, c in enumerate(cells) if i == 0 or ((h := heading(c)) and h[0] <= 2)]
    out = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(cells)
        section = cells[start:end]
        h = heading(cells[start])
        title = h[1] if h else Path(notebook).stem
        exercises = "exercise" in title.lower()
        # the title slide's notes come after its objectives cell, if there is one
        anchor = 1
        if start == 0 and len(section) > 1 and section[1].get("cell_type") == "markdown" \
                and not heading(section[1]):
            anchor = 2
        key = source_key(f"{notebook}:{title}:{n}")[:12]
        out.extend(section[:anchor])
        out.append(_notes_cell(section_notes(title, section, timings, notebook=notebook,
                                             exercises=exercises, opening=start == 0), key))
        out.extend(section[anchor:])
    nb["cells"] = out
    return nb


def dump(nb: dict) -> str:
    """The notebook as ``tools.notebook.write_notebook`` writes it."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def present_file(path: Path, *, timings: dict | None = None, write: bool = True) -> bool:
    """Apply :func:`present` to the notebook at ``path``; return True if it changed."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = json.loads(before)
    all_timings = load_timings() if timings is None else timings
    after = dump(present(nb, notebook=path.name, timings=all_timings.get(path.name)))
    if write and after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


# --- shipped results --------------------------------------------------------------------------

def ship(paths) -> None:
    """Run notebooks with ``NNLIB_SAVE_SHIPPED=1``: every ``results.shipped`` call in them
    writes its computed result to data/results/ (a maintainer's command). The run is timed
    like ``--time`` (the shipped cells compute, as in CI)."""
    record_timings(paths, env={"NNLIB_SAVE_SHIPPED": "1"})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.present", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 if a notebook is not up to date")
    mode.add_argument("--time", action="store_true",
                      help="run the notebooks and store their cell timings first")
    mode.add_argument("--ship", action="store_true",
                      help="run the notebooks with NNLIB_SAVE_SHIPPED=1 (regenerate "
                           "data/results/)")
    args = ap.parse_args(argv)
    paths = [p for p in args.notebooks if p.suffix == ".ipynb"]
    if args.ship:
        ship(paths)
        return 0
    if args.time:
        record_timings(paths)
    timings = load_timings()
    stale = []
    for p in paths:
        if present_file(p, timings=timings, write=not args.check):
            stale.append(p)
            print(f"{'not up to date' if args.check else 'updated'}: {p}")
    if args.check and stale:
        print("run: python -m tools.present " + " ".join(str(p) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
