"""Starting a notebook over: ``make reset NB=06`` (tools/reset_notebook.py), issue 19 item 6.

A student's edited copy is moved to backups/ and the original comes back, from git when the
course is a clone and from the copy ``make lab`` keeps in .originals/ when it is not (a handout
zip); values that name no notebook are refused with the list of those allowed. Every test works
on a copy in a temporary folder, never on the repository's notebooks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import reset_notebook as rn  # noqa: E402

NAME = "06_optimisers.ipynb"
HAVE_GIT = shutil.which("git") is not None


def _course(tmp_path: Path) -> Path:
    """A course folder with two real notebooks, as shipped (no git)."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for name in (NAME, "10_convolution_layers.ipynb"):
        shutil.copyfile(ROOT / "notebooks" / name, root / "notebooks" / name)
    return root


def _student_edits(path: Path) -> bytes:
    """What JupyterLab saves after a student worked: a changed cell, outputs, counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["source"] = "print('my experiment')\n"
    code[0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "my experiment\n"}]
    code[0]["execution_count"] = 7
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path.read_bytes()


def test_reset_restores_the_kept_original_and_backs_up_the_students_copy(tmp_path):
    root = _course(tmp_path)
    original = (root / "notebooks" / NAME).read_bytes()
    assert rn.snapshot(root) == [NAME, "10_convolution_layers.ipynb"]
    mine = _student_edits(root / "notebooks" / NAME)
    assert mine != original

    restored, backup = rn.reset("06", root, now=0)

    assert restored.read_bytes() == original
    assert backup is not None and backup.parent == root / "backups"
    assert backup.read_bytes() == mine                       # nothing of the student's is lost
    assert (root / "notebooks" / "10_convolution_layers.ipynb").exists()
    again, second = rn.reset("6", root, now=0)               # already as shipped: no new backup
    assert again.read_bytes() == original and second is None


def test_a_kept_original_is_never_overwritten_and_run_notebooks_are_not_kept(tmp_path):
    root = _course(tmp_path)
    original = (root / "notebooks" / NAME).read_bytes()
    rn.snapshot(root)
    _student_edits(root / "notebooks" / NAME)
    assert rn.snapshot(root) == []                           # the next `make lab`
    assert (root / ".originals" / NAME).read_bytes() == original
    other = _course(tmp_path / "second")
    _student_edits(other / "notebooks" / NAME)               # opened and run before any snapshot
    assert rn.snapshot(other) == ["10_convolution_layers.ipynb"]


def test_a_deleted_notebook_comes_back(tmp_path):
    root = _course(tmp_path)
    original = (root / "notebooks" / NAME).read_bytes()
    rn.snapshot(root)
    (root / "notebooks" / NAME).unlink()
    restored, backup = rn.reset("06_optimisers", root)
    assert restored.read_bytes() == original and backup is None


@pytest.mark.skipif(not HAVE_GIT, reason="git is not installed")
def test_in_a_git_clone_the_committed_version_comes_back_without_a_kept_copy(tmp_path):
    root = _course(tmp_path)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "notebooks"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "course"], check=True)
    original = (root / "notebooks" / NAME).read_bytes()
    mine = _student_edits(root / "notebooks" / NAME)
    assert not (root / ".originals").exists()

    assert rn.main(["--root", str(root), "notebooks/06_optimisers.ipynb"]) == 0

    assert (root / "notebooks" / NAME).read_bytes() == original
    assert [p.read_bytes() for p in (root / "backups").iterdir()] == [mine]


def test_without_git_or_a_kept_copy_it_says_where_to_get_the_original(tmp_path):
    root = _course(tmp_path)
    _student_edits(root / "notebooks" / NAME)
    with pytest.raises(rn.ResetError, match="no original of 06_optimisers.ipynb"):
        rn.reset("06", root)


@pytest.mark.parametrize("bad", ["", "99", "6x", "optimisers", "06 10"])
def test_values_that_name_no_notebook_are_refused_with_the_allowed_list(tmp_path, bad, capsys):
    root = _course(tmp_path)
    before = (root / "notebooks" / NAME).read_bytes()
    assert rn.main(["--root", str(root), *bad.split()]) == 2
    err = capsys.readouterr().err
    assert "06 (06_optimisers)" in err or "one notebook at a time" in err
    if bad.split() != ["06", "10"]:
        assert "10 (10_convolution_layers)" in err
    assert (root / "notebooks" / NAME).read_bytes() == before
    assert not (root / "backups").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_reset_refuses_a_bad_value_and_lists_every_notebook():
    """The documented command itself, on the real repository, with a value it must refuse
    (so nothing is touched)."""
    out = subprocess.run(["make", "-s", "reset", "NB=99"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode != 0
    assert "NB='99' names no notebook here" in out.stderr
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"{path.name[:2]} ({path.stem})" in out.stderr
