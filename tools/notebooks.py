"""The course's list of notebooks, kept in one place: ``notebooks/index.json``.

Each entry has ``number``, ``stem`` (the file name without ``.ipynb``), ``title`` (the notebook's
``# NN · title`` heading) and a one-line ``summary``. An entry whose file does not exist yet is
"still to come". README.md's notebook table is generated from it, notebook 00 reads it at run
time (with the standard library only), and tests/test_repository.py checks that all of them and
the files agree. ``course_notebooks`` lists the files, ``notebooks_with`` those with a code cell
that matches (how the tests find the notebooks with labs or figures).

Usage (from the repository root)::

    python -m tools.notebooks --write   # regenerate README.md's notebook table
    python -m tools.notebooks --check   # exit 1 if README.md's table is out of date
    nice -n 5 python -m tools.notebooks --time [NN ...]   # measure Run All, one at a time

Run-All times: ``--time`` executes each notebook (or only those numbered) with nbclient, one at
a time, as a student's "Restart Kernel and Run All" would (kernel start included,
``OPENBLAS_NUM_THREADS=1``, the real training, not the shipped results), and stores in
``tools/notebook_times.json`` its wall seconds, the kernel's CPU seconds, and the machine with its
load average before and after. That file is the one source of the times in README's table and in
each notebook's opening cell (``run_all_text``); tests/test_student_edition.py checks both.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from nnlib._io import atomic_write

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
INDEX = NOTEBOOKS / "index.json"
README = ROOT / "README.md"
TIMES = ROOT / "tools" / "notebook_times.json"
#: how a notebook's opening cell (right after its title) starts; it says what the notebook assumes
#: and how long Run All takes
INTRO_MARK = "**Before you start.**"
#: the Run-All time inside that cell, kept equal to ``run_all_text`` by ``--write``
RUN_ALL = re.compile(r"(\*\*Run All\*\* takes )(about [0-9.]+ (?:s|min)|not measured yet)")
#: the line each exercise carries in its markdown: its kind and about how long it takes
LABEL = "*Kind: {kind} · about {minutes} min*"
LABEL_RE = re.compile(r"\*Kind: (predict|code|explore|discuss) · about (\d+) min\*")
#: the heading of each notebook's last section
READING_HEADING = "## Further reading"
BEGIN, END = "<!-- notebook-table -->", "<!-- /notebook-table -->"
#: a course notebook's file name; a student's copy (``01_x-Copy1.ipynb``) does not match
COURSE_NOTEBOOK = re.compile(r"\d\d_[a-z0-9_]+\.ipynb")


def load_index(path: Path = INDEX) -> list[dict]:
    """The entries of ``notebooks/index.json``, in file order."""
    return json.loads(path.read_text(encoding="utf-8"))["notebooks"]


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks present in ``folder`` (copies and other files ignored), sorted."""
    return sorted(p for p in folder.glob("*.ipynb") if COURSE_NOTEBOOK.fullmatch(p.name))


def code_sources(path: Path) -> list[str]:
    """The source of each code cell of the notebook at ``path``, in order."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def notebooks_with(match: Callable[[str], object], folder: Path = NOTEBOOKS) -> list[str]:
    """File names of the course notebooks in ``folder`` with a code cell whose source ``match``
    accepts (e.g. a compiled pattern's ``search``), sorted."""
    return [p.name for p in course_notebooks(folder) if any(map(match, code_sources(p)))]


def split(entries: list[dict], folder: Path = NOTEBOOKS) -> tuple[list[dict], list[dict]]:
    """``(present, to_come)``: entries whose notebook exists in ``folder``, and the others."""
    present = [e for e in entries if (folder / f"{e['stem']}.ipynb").exists()]
    return present, [e for e in entries if e not in present]


def readme_table(entries: list[dict], folder: Path = NOTEBOOKS,
                 times: dict | None = None) -> str:
    """The README section between the markers: a table of the notebooks that exist and a line
    naming those still to come."""
    present, to_come = split(entries, folder)
    times = load_times() if times is None else times
    rows = ["| notebook | what it teaches | Run All |", "|---|---|---|"]
    rows += [f"| [`{e['stem']}`](notebooks/{e['stem']}.ipynb) | {e['summary']} | "
             f"{run_all_text(run_all_seconds(e['stem'], times))} |" for e in present]
    text = "\n".join(rows) + "\n"
    measured = [times["notebooks"][e["stem"]] for e in present if e["stem"] in times["notebooks"]]
    if measured:
        loads = [x for m in measured for x in (m["load_before"], m["load_after"]) if x is not None]
        dates = sorted(m["date"] for m in measured)
        walls = [m["wall_s"] / m["cpu_s"] for m in measured if m.get("cpu_s")]
        command = "`nice -n 5 python -m tools.notebooks --time`".replace(" ", "\x01")
        text += "\n" + textwrap.fill(
            f"Run All: the wall-clock time of Kernel → Restart Kernel and Run All Cells on a "
            f"quiet 2-core machine (where the machine was busy when measured, the kernel's CPU "
            f"time instead); a GPU is quicker for 12-15. Measured "
            f"notebook by notebook with {command} on a 2-core machine "
            f"({times['machine'].get('processor', '?')}, Python "
            f"{times['machine'].get('python', '?')}, {dates[0][:10]}, 1-minute load "
            f"{min(loads):g}-{max(loads):g}), where the wall-clock time was "
            f"{min(walls):.1f}-{max(walls):.1f}× the CPU time; stored in "
            f"`tools/notebook_times.json`.", width=100).replace("\x01", " ") + "\n"
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
        atomic_write(readme, new, overwrite=True)
    return new == text


def intro_cell(nb: dict) -> dict | None:
    """The notebook's opening "Before you start" cell, or None."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith(INTRO_MARK):
            return cell
    return None


def update_intros(*, write: bool, folder: Path = NOTEBOOKS, times: dict | None = None
                  ) -> list[str]:
    """The notebooks whose opening cell states another Run-All time than the measured one;
    with ``write``, correct them in place (each notebook read and written back in one go)."""
    times = load_times() if times is None else times
    stale = []
    for path in course_notebooks(folder):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = intro_cell(nb)
        if cell is None:
            continue  # tests/test_student_edition.py says which notebook lacks one
        old = "".join(cell["source"])
        stated = run_all_text(run_all_seconds(path.stem, times))
        new = RUN_ALL.sub(lambda m, t=stated: m.group(1) + t, old)
        if new == old:
            continue
        stale.append(path.name)
        if write:
            cell["source"] = new.splitlines(keepends=True)
            atomic_write(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                         overwrite=True)
    return stale


# --- Run-All times ----------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` and its finished children (Linux; None
    elsewhere). Also ``tools.present``'s per-cell timings."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is the state (field 3); utime, stime, cutime, cstime are fields 14-17
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return None


def time_run_all(path: Path, *, timeout: int = 1800) -> dict:
    """Run every cell of ``path`` in a fresh kernel (working directory: its folder) and return
    ``{"wall_s", "cpu_s", "load_before", "load_after", "date"}``."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    cpu: dict = {}

    def last_cell_done(cell, cell_index, **_):
        try:
            cpu["s"] = cpu_seconds(client.km.provisioner.process.pid)
        except AttributeError:
            pass

    client.on_cell_executed = last_cell_done
    env_before = dict(os.environ)
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    for name in ("NNLIB_USE_SHIPPED", "NNLIB_PRESENTER", "MPLBACKEND"):
        os.environ.pop(name, None)  # time what a student runs: the real training
    load_before, date = _load(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t0 = time.perf_counter()
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    wall = time.perf_counter() - t0
    return {"wall_s": round(wall, 1), "cpu_s": None if cpu.get("s") is None else round(cpu["s"], 1),
            "load_before": load_before, "load_after": _load(), "date": date}


def load_times(path: Path = TIMES) -> dict:
    """``{"machine": {...}, "note": str, "notebooks": {stem: {...}}}`` or an empty skeleton."""
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"machine": {}, "note": "", "notebooks": {}}


def _write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically (a reader never sees half a file)."""
    atomic_write(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                 overwrite=True)


def record_times(numbers: list[int] | None = None, *, out: Path = TIMES) -> dict:
    """Time the notebooks (all, or those whose number is in ``numbers``), one at a time, and
    merge each result into ``out`` as soon as it is measured."""
    data = load_times(out)
    data["machine"] = {"host": platform.node(), "cpus": os.cpu_count(),
                       "processor": platform.processor() or platform.machine(),
                       "python": platform.python_version()}
    for entry in load_index():
        if numbers and entry["number"] not in numbers:
            continue
        path = NOTEBOOKS / f"{entry['stem']}.ipynb"
        if not path.exists():
            continue
        print(f"timing {path.name} ...", flush=True)
        result = time_run_all(path)
        print(f"  {result['wall_s']} s wall, {result['cpu_s']} s CPU, load "
              f"{result['load_before']} -> {result['load_after']}", flush=True)
        data["notebooks"][entry["stem"]] = result
        _write_json(out, data)
    return data


def run_all_seconds(stem: str, times: dict | None = None) -> float | None:
    """Notebook ``stem``'s Run-All time in seconds as a student on a quiet 2-core laptop waits
    for it: the wall-clock time when it was measured on a quiet machine (1-minute load below
    the number of cores before it started), else the kernel's CPU time (the wall time of a busy
    machine is inflated by whatever else runs; the CPU time of single-threaded NumPy code is
    not), or the wall time when the CPU time is unknown; None if not measured."""
    times = load_times() if times is None else times
    entry = times["notebooks"].get(stem)
    if entry is None:
        return None
    cpus = times.get("machine", {}).get("cpus") or 1
    load = entry.get("load_before")
    if entry.get("cpu_s") is None or (load is not None and load < cpus):
        return entry["wall_s"]
    return entry["cpu_s"]


def run_all_text(seconds: float | None) -> str:
    """A student's reading of a Run-All time: rounded up to 5 s, or to the half minute above
    two minutes; "not measured yet" when there is none."""
    if seconds is None:
        return "not measured yet"
    if seconds <= 120:
        return f"about {max(5, 5 * -(-int(seconds) // 5))} s"
    half_minutes = -(-int(seconds) // 30)
    return f"about {half_minutes / 2:g} min"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--time"]:
        try:
            numbers = [int(a) for a in argv[1:]]
        except ValueError:
            print(f"--time takes notebook numbers (e.g. 3 12), got {argv[1:]!r}")
            return 2
        record_times(numbers or None)
        return 0
    if argv not in (["--write"], ["--check"]):
        print(__doc__)
        return 2
    write = argv == ["--write"]
    ok = update_readme(write=write)
    stale = update_intros(write=write)
    if not write and (not ok or stale):
        print("out of date (run `python -m tools.notebooks --write`): "
              + ", ".join((["README.md's notebook table"] if not ok else [])
                          + [f"the Run-All time in {name}" for name in stale]))
        return 1
    print("README.md's notebook table is up to date" if ok else "README.md's table rewritten")
    if stale:
        print("Run-All time rewritten in " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
