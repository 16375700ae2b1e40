"""`make handout` (tools/handout.py) gives students the course without the instructor's
solutions and notes, and the README's two commands work inside it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import handout  # noqa: E402

#: the virtual environment running the tests (`make VENV=...` reuses it; nothing is installed)
VENV = Path(sys.prefix) if (Path(sys.prefix) / "pyvenv.cfg").exists() else None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "handout"
    manifest = handout.build(out=out)
    return out / handout.NAME, out / f"{handout.NAME}.zip", manifest


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# ------------------------------------------------------------------------ what is in it

def test_the_handout_has_the_course_and_no_solutions_or_notes(built):
    folder, archive, manifest = built
    files = files_under(folder)
    for needed in ("README.md", "Makefile", "requirements.txt", "requirements-dev.txt",
                   "environment.yml", "pyproject.toml", "LICENSE", "binder/environment.yml",
                   "jupyter-config/jupyter_server_config.json", "nnlib/__init__.py",
                   "data/mnist/README.md", "notebooks/index.json", "conftest.py",
                   "tools/notebooks.py", handout.MARKER):
        assert needed in files, f"the handout lacks {needed}"
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks and all(f"notebooks/{n}" in files for n in notebooks)
    assert not any(f.split("/")[0] == "solutions" for f in files)
    # every line that identifies a solution or an instructor note, looked for in every file
    distinctive = handout.distinctive_lines(ROOT)
    assert len(distinctive) > 100, "solutions/ should yield many distinctive lines"
    for f in files:
        text = handout._text(folder / f)
        if text is None:
            continue
        leaked = {line.strip() for line in text.splitlines()} & distinctive.keys()
        assert not leaked, f"{f} contains solution text: {sorted(leaked)[:3]}"
        if f.endswith(".ipynb"):
            cells = json.loads((folder / f).read_text(encoding="utf-8"))["cells"]
            assert not any(handout._is_notes_cell(c) for c in cells), f"{f} has speaker notes"
    # the zip holds exactly the folder's files, under one top-level folder
    with zipfile.ZipFile(archive) as z:
        names = sorted(n.split("/", 1)[1] for n in z.namelist())
        assert all(n.startswith(f"{handout.NAME}/") for n in z.namelist())
    assert names == files
    assert set(manifest["files"]) | {handout.MARKER} == set(files)


def test_tests_that_need_or_contain_solutions_stay_out(built):
    folder, _, manifest = built
    for f, why in manifest["left_out"].items():
        assert not (folder / f).exists(), f"{f} was to be left out ({why})"
    for p in (folder / "tests").rglob("*.py"):
        assert "solutions" not in p.read_text(encoding="utf-8"), \
            f"{p.relative_to(folder)} refers to solutions/, which the handout has not"
    assert "tests/test_exercises.py" in manifest["left_out"]


def test_the_scan_catches_a_planted_solution_line_and_note(tmp_path):
    """The checks above can fail: a solution line or a note that gets in stops the build."""
    root = tmp_path / "repo"
    (root / "solutions" / "notes").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "tests").mkdir()
    secret = "delta[ell] = delta[ell + 1] * w[ell + 1] * s * (1 - s)"
    note = "Ask the room which way the gradient goes before you run the cell, then point at it."
    (root / "solutions" / "04_x.py").write_text(f"def f():\n    {secret}\n")
    (root / "solutions" / "notes" / "04_x.md").write_text(f"## 1 · A section\n\n{note}\n")
    (root / "README.md").write_text("course\n")
    (root / "tests" / "test_x.py").write_text(f"def test():\n    {secret}\n")
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "## 1 · A section"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "notebooks" / "04_x.ipynb").write_text(json.dumps(nb))
    distinctive = handout.distinctive_lines(root)
    assert secret in distinctive and note in distinctive
    assert "## 1 · A section" not in distinctive
    files, left_out = handout.select(root, distinctive)
    assert "tests/test_x.py" in left_out and "solutions/04_x.py" not in files
    handout.build(root=root, out=tmp_path / "ok")  # clean: builds
    for leak in (secret, note):
        nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": leak})
        (root / "notebooks" / "04_x.ipynb").write_text(json.dumps(nb))
        with pytest.raises(RuntimeError, match="would be handed out"):
            handout.build(root=root, out=tmp_path / "leak")
        assert not (tmp_path / "leak" / handout.NAME).exists()
        nb["cells"].pop()
    nb["cells"].append({"cell_type": "markdown", "metadata": {"slideshow": {"slide_type":
                                                                             "notes"}},
                        "source": "Speaker notes: say this."})
    (root / "notebooks" / "04_x.ipynb").write_text(json.dumps(nb))
    manifest = handout.build(root=root, out=tmp_path / "notes")
    assert manifest["notes_cells_dropped"] == {"notebooks/04_x.ipynb": ["?"]}
    cells = json.loads((tmp_path / "notes" / handout.NAME / "notebooks" / "04_x.ipynb")
                       .read_text())["cells"]
    assert len(cells) == 1


def test_it_never_replaces_what_it_did_not_make(tmp_path):
    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    (root / "README.md").write_text("course\n")
    out = tmp_path / "out"
    mine = out / handout.NAME / "my_notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("a lecturer's own file")
    with pytest.raises(FileExistsError, match="FORCE=1"):
        handout.build(root=root, out=out)
    assert mine.read_text() == "a lecturer's own file"
    handout.build(root=root, out=out, force=True)
    assert not mine.exists() and (out / handout.NAME / "README.md").exists()
    (root / "README.md").write_text("course, second edition\n")
    handout.build(root=root, out=out)  # its own handout: rebuilt without asking
    assert (out / handout.NAME / "README.md").read_text() == "course, second edition\n"
    with zipfile.ZipFile(out / f"{handout.NAME}.zip") as z:
        assert z.read(f"{handout.NAME}/README.md") == b"course, second edition\n"
    (out / handout.NAME / handout.MARKER).unlink()  # no longer recognisably ours
    with pytest.raises(FileExistsError):
        handout.build(root=root, out=out)
    assert not list(out.glob(".*building*")), "a refused build leaves no temporary folder"


# ------------------------------------------------------------ the README's two commands

def _make(folder: Path, *args: str) -> str:
    stamp = VENV / ".installed"
    out = subprocess.run(["make", "-n", "-o", str(stamp), f"VENV={VENV}", *args], cwd=folder,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(folder: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(folder), OPENBLAS_NUM_THREADS="1",
               OMP_WAIT_POLICY="PASSIVE")
    for name in ("NNLIB_USE_SHIPPED", "NNLIB_PRESENTER", "JUPYTER_CONFIG_PATH"):
        env.pop(name, None)
    return env


needs_make = pytest.mark.skipif(shutil.which("make") is None or VENV is None,
                                reason="needs `make` and a virtual environment")


@needs_make
@pytest.mark.slow
def test_make_lab_and_make_test_in_the_handout(built, tmp_path):
    folder, _, _ = built
    lab, test = _make(folder, "lab"), _make(folder, "test")
    assert "jupyter lab" in lab and "--ServerApp.root_dir=notebooks" in lab
    assert "pytest" in test and "tests notebooks" in test

    # `make lab`, for real, with this environment: JupyterLab answers and serves the handout
    port, token = _free_port(), os.urandom(12).hex()
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"open_browser": False}}))
    (folder / "notebooks" / "handout-sentinel.txt").write_text("here")
    env = dict(_env(folder), JUPYTER_PORT=str(port), JUPYTER_TOKEN=token,
               JUPYTER_CONFIG_PATH=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(["make", "-o", str(VENV / ".installed"), f"VENV={VENV}", "lab"],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        listing, deadline = None, time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents/",
                                             headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(req, timeout=5) as r:
                    listing = json.loads(r.read())
                break
            except OSError:
                time.sleep(1)
        names = {item["name"] for item in (listing or {}).get("content", [])}
        assert listing is not None, \
            f"JupyterLab did not answer: {(tmp_path / 'lab.log').read_text()[-2000:]}"
        assert {"handout-sentinel.txt", "00_start_here.ipynb"} <= names, names
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
        log.close()
        (folder / "notebooks" / "handout-sentinel.txt").unlink()


@needs_make
@pytest.mark.slow
def test_pytest_in_the_handout_collects_without_solutions_and_runs(built):
    folder, _, _ = built
    env = _env(folder)
    where = subprocess.run([sys.executable, "-c", "import nnlib; print(nnlib.__file__)"],
                           cwd=folder / "notebooks", env=env, capture_output=True, text=True)
    assert Path(where.stdout.strip()).resolve().is_relative_to(folder.resolve()), where
    collect = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                              "-p", "no:xdist", "-p", "no:cacheprovider", "tests"],
                             cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stdout[-3000:] + collect.stderr[-2000:]
    assert "error" not in collect.stdout.lower().split("collected")[-1][:200]
    # what `make test` runs, on one quick notebook and one unit-test file
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p",
                          "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
                          "tests/test_activations.py", "notebooks/00_start_here.ipynb"],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
