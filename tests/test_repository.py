"""The repository keeps its promises: dependency lists agree, notebooks are clean and assert
their lesson, the README lists every notebook, and CI runs the README's test command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _requirements(name: str) -> dict[str, str]:
    """package -> version pinned with == in a requirements file (following -r includes)."""
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            pins.update(_requirements(line[3:].strip()))
            continue
        pkg, sep, version = line.partition("==")
        assert sep, f"{name}: {line!r} is not pinned with =="
        pins[pkg.strip().lower()] = version.strip()
    return pins


def _conda_env(path: Path) -> tuple[dict[str, str], list[str], str]:
    """(pip pins, pip options, python version) from an environment.yml, read line by line."""
    pins, options, python, in_pip = {}, [], "", False
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        item = line.strip()
        if item.startswith("- python="):
            python = item.split("=", 1)[1]
        if item == "- pip:":
            in_pip = True
            continue
        if in_pip:
            if not item.startswith("- "):
                in_pip = False
                continue
            entry = item[2:].strip()
            if entry.startswith("-"):
                options.append(entry)
                continue
            pkg, sep, version = entry.partition("==")
            assert sep, f"{path.name}: {entry!r} is not pinned with =="
            pins[pkg.strip().lower()] = version.strip()
    return pins, options, python


def test_binder_conda_and_pip_dependency_lists_agree():
    runtime = _requirements("requirements.txt")
    everything = _requirements("requirements-dev.txt")
    binder, binder_opts, binder_py = _conda_env(ROOT / "binder" / "environment.yml")
    conda, conda_opts, conda_py = _conda_env(ROOT / "environment.yml")
    assert binder == runtime, "binder/environment.yml and requirements.txt differ"
    assert conda == everything, "environment.yml and requirements(-dev).txt differ"
    assert binder_py == conda_py != ""
    for pins in (runtime, everything, binder, conda):
        assert pins["torch"] == "2.13.0"
    cpu_index = "--extra-index-url https://download.pytorch.org/whl/cpu"
    assert cpu_index in binder_opts and cpu_index in conda_opts


def test_binder_installs_nnlib_and_nothing_at_root_is_needed():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install" in post and "-e ." in post
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lab" in readme and "make test" in readme
    assert re.search(r"^make test\b", ci, re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean_and_asserts_its_lesson(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        f"{path.name} has stored outputs: run `make clean-notebooks`"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} stores widget state"
    sources = ["".join(c["source"]) for c in code]
    assert any(re.search(r"^\s*assert\b", s, re.M) for s in sources), \
        f"{path.name} has no assert cell"
    assert nb["cells"][0]["cell_type"] == "markdown" and \
        "".join(nb["cells"][0]["source"]).lstrip().startswith("# "), \
        f"{path.name} must open with a title cell"


def test_notebooks_are_numbered_in_lecture_order_and_listed_in_readme():
    readme = (ROOT / "README.md").read_text()
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == sorted(set(numbers)), "two notebooks share a number"
    for p in NOTEBOOKS:
        assert p.name in readme, f"README's notebook table misses {p.name}"
