"""The repository keeps its promises: one torch pin and dependency lists that agree, every
import-time dependency declared, notebooks clean and asserting their lesson, one list of
notebooks (notebooks/index.json) that README, notebook 00 and the files agree with, CI runs the
README's test command, and `make test` installs no system packages."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import notebooks as index_tool  # noqa: E402
from tools.strip_notebooks import strip  # noqa: E402

NOTEBOOKS = index_tool.course_notebooks()
INDEX = index_tool.load_index()


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
    assert "torch" in runtime, "requirements.txt is where torch is pinned"
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
    ids = [c.get("id") for c in nb["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), \
        f"{path.name}: every cell needs its own id (nbformat 4.5 warns, later errors): cells " \
        f"{[i for i, x in enumerate(ids) if not x or ids.count(x) > 1]}"


# ------------------------------------------------------------------ one torch pin

def test_the_torch_version_is_written_only_where_it_is_pinned():
    """requirements.txt pins torch; the two conda files repeat it (checked above); nothing else
    names the version, and the Makefile and README say where it lives."""
    version = _requirements("requirements.txt")["torch"]
    allowed = {"requirements.txt", "environment.yml", "binder/environment.yml"}
    candidates = [ROOT / n for n in ("README.md", "CONTRIBUTING.md", "Makefile", "pyproject.toml",
                                     "requirements-dev.txt", ".ci/run", "binder/postBuild",
                                     "binder/start")]
    candidates += [*NOTEBOOKS, *(ROOT / "nnlib").rglob("*.py"), *(ROOT / "tools").rglob("*.py"),
                   *(ROOT / "benchmarks").rglob("*.py")]
    pattern = re.compile(rf"torch\s*(==|\s)\s*{re.escape(version)}|['\"]{re.escape(version)}['\"]")
    named = [str(p.relative_to(ROOT)) for p in candidates
             if p.exists() and str(p.relative_to(ROOT)) not in allowed
             and pattern.search(p.read_text(encoding="utf-8"))]
    assert not named, f"torch {version} is written outside requirements.txt in {named}"
    for doc in ("Makefile", "README.md", "CONTRIBUTING.md"):
        text = (ROOT / doc).read_text()
        assert re.search(r"torch[^\n]*requirements\.txt|requirements\.txt[^\n]*torch", text), \
            f"{doc} should say that torch is pinned in requirements.txt"


# ------------------------------------------------- every import-time dependency is declared

def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def _declared() -> set[str]:
    """Distribution names in pyproject's dependencies and optional extras."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return {re.split(r"[<>=!~\[; ]", s.strip())[0].lower() for s in specs}


def test_every_third_party_import_of_nnlib_is_declared_in_pyproject():
    # import name -> distribution name, where they differ
    dist = {"IPython": "ipython"}
    used = set()
    for path in (ROOT / "nnlib").rglob("*.py"):
        used |= _top_level_imports(path)
    third_party = {n for n in used if n not in sys.stdlib_module_names and n != "nnlib"}
    missing = {dist.get(n, n).lower() for n in third_party} - _declared()
    assert not missing, f"nnlib imports {sorted(missing)} but pyproject.toml does not declare it"


def test_every_declared_dependency_is_pinned_in_the_requirements():
    pins = _requirements("requirements-dev.txt")
    unpinned = _declared() - set(pins)
    assert not unpinned, f"pyproject.toml declares {sorted(unpinned)}; pin them in requirements"


# -------------------------------------------------------------- one list of notebooks

def test_the_notebook_index_is_well_formed():
    numbers = [e["number"] for e in INDEX]
    assert numbers == sorted(set(numbers)), "notebooks/index.json: one entry per number, in order"
    for e in INDEX:
        assert set(e) == {"number", "stem", "title", "summary"}, e
        assert e["stem"].startswith(f"{e['number']:02d}_"), e["stem"]
        assert index_tool.COURSE_NOTEBOOK.fullmatch(e["stem"] + ".ipynb"), e["stem"]
        assert e["title"].strip() and e["summary"].strip(), e["stem"]


def test_every_notebook_is_in_the_index_with_its_title():
    by_stem = {e["stem"]: e for e in INDEX}
    for path in NOTEBOOKS:
        assert path.stem in by_stem, f"{path.name} is missing from notebooks/index.json"
        e = by_stem[path.stem]
        nb = json.loads(path.read_text())
        heading = "".join(nb["cells"][0]["source"]).splitlines()[0]
        assert heading == f"# {e['number']:02d} · {e['title']}", \
            f"{path.name} opens with {heading!r}; notebooks/index.json gives {e['title']!r}"


def test_readme_table_is_generated_from_the_index():
    assert index_tool.update_readme(write=False), \
        "README.md's notebook table is out of date: run `python -m tools.notebooks --write`"
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme


def test_notebook_00_reads_the_index_instead_of_repeating_it():
    nb = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert '"index.json"' in text
    repeated = [e["stem"] for e in INDEX if e["number"] > 1 and e["stem"] in text]
    assert not repeated, f"notebook 00 names {repeated}: read them from index.json instead"


def test_the_index_tolerates_copies_and_lists_only_what_exists(tmp_path):
    entries = [{"number": 0, "stem": "00_a", "title": "A", "summary": "first"},
               {"number": 1, "stem": "01_b", "title": "B", "summary": "second"}]
    for name in ("00_a.ipynb", "00_a-Copy1.ipynb", "Untitled.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in index_tool.course_notebooks(tmp_path)] == ["00_a.ipynb"]
    present, to_come = index_tool.split(entries, tmp_path)
    assert present == entries[:1] and to_come == entries[1:]
    table = index_tool.readme_table(entries, tmp_path)
    assert "(notebooks/00_a.ipynb) | first |" in table and "Still to come: 01 b." in table
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{index_tool.BEGIN}\nold\n{index_tool.END}\nrest\n")
    assert not index_tool.update_readme(write=True, readme=readme, entries=entries,
                                        folder=tmp_path)
    assert index_tool.update_readme(write=False, readme=readme, entries=entries, folder=tmp_path)
    assert readme.read_text().startswith("intro\n") and readme.read_text().endswith("rest\n")


# ------------------------------------------------------------------- tooling

def test_strip_notebooks_removes_outputs_and_widget_state(tmp_path):
    path = tmp_path / "x.ipynb"
    cell = {"cell_type": "code", "execution_count": 3, "metadata": {"execution": {}},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}],
            "source": ["print('hi')"]}
    path.write_text(json.dumps({"cells": [cell], "metadata": {"widgets": {"state": {}}},
                                "nbformat": 4, "nbformat_minor": 5}))
    assert strip(path) is True
    nb = json.loads(path.read_text())
    assert nb["cells"][0]["outputs"] == [] and nb["cells"][0]["execution_count"] is None
    assert "widgets" not in nb["metadata"] and "execution" not in nb["cells"][0]["metadata"]
    assert strip(path) is False


def _make_rules() -> dict[str, str]:
    """target -> its rule line and recipe, from the Makefile."""
    rules, current = {}, None
    for line in (ROOT / "Makefile").read_text().splitlines():
        m = re.match(r"^([\w.-]+):(?!=)", line)
        if m:
            current = m.group(1)
            rules[current] = line
        elif current and line.startswith("\t"):
            rules[current] += "\n" + line
        elif not line.strip().startswith("#"):
            current = None
    return rules


def test_make_test_installs_no_system_packages_and_ci_installs_chromium():
    rules = _make_rules()
    seen, todo = set(), ["test"]
    while todo:                                      # `test` and everything it depends on
        target = todo.pop()
        if target in seen or target not in rules:
            continue
        seen.add(target)
        rule = rules[target]
        assert "apt-get" not in rule and "sudo" not in rule, f"make {target} installs packages"
        todo += rule.splitlines()[0].split(":", 1)[1].split()
    assert "setup" in seen
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install" in ci and "chromium" in ci and "/usr/bin/chromium" in ci
    make_test = re.search(r"^make test\b", ci, re.M)
    assert make_test and ci.index("apt-get install") < make_test.start()


def test_lint_covers_notebooks_and_tools():
    lint = _make_rules()["lint"]
    for folder in ("nnlib", "tests", "benchmarks", "tools", "notebooks", "solutions"):
        assert folder in lint, f"make lint does not check {folder}/"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert not re.search(r"exclude\s*=\s*\[[^\]]*notebooks", pyproject), \
        "ruff must not exclude notebooks/"


def test_pre_commit_runs_ruff_and_strips_notebooks_without_network():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in config and "http" not in config
    assert "ruff check" in config and "python -m tools.strip_notebooks" in config
