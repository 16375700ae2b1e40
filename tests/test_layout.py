"""The house holds: imports run downward only, and ``import nnlib`` stays light.

Tiers (see CONTRIBUTING.md): building blocks (``nnlib/*.py``, NumPy only) import nothing above
them; ``lessons`` imports blocks only; ``plotting`` is matplotlib and never imports widgets or
torch; ``widgets`` wire controls to the tiers below; only ``nnlib/torchkit`` imports torch.
Imports are read with ``ast`` from the source, including imports inside functions (a lazy import
of a forbidden tier is still a dependency on it).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nnlib"
STDLIB = set(sys.stdlib_module_names)
HEAVY = ("torch", "matplotlib", "ipywidgets", "numba")

# the tiers above the building blocks, as dotted prefixes
UPPER = ("nnlib.lessons", "nnlib.plotting", "nnlib.widgets", "nnlib.exercises", "nnlib.torchkit")
# third-party packages a building block may import (besides the standard library)
BLOCK_THIRD_PARTY = ("numpy", "tqdm")


@dataclass(frozen=True)
class Import:
    module: str   # the module that imports (dotted)
    target: str   # what it imports (dotted, absolute)
    line: int

    def __str__(self):
        path = self.module.replace(".", "/")
        return f"{path}.py:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[Import]:
    """Every import in ``path`` (module level and inside functions), made absolute."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module
            # `from . import conv` / `from .. import widgets` name submodules: keep both forms
            found.append(Import(name, target, node.lineno))
            found += [Import(name, f"{target}.{alias.name}", node.lineno)
                      for alias in node.names if alias.name != "*"]
    return found


def within(target: str, prefixes) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def modules(where: Path, *, recursive: bool = True) -> list[Path]:
    return sorted(where.rglob("*.py") if recursive else where.glob("*.py"))


# the one module that imports Numba: the compiled loops, loaded by nnlib._compiled only when a
# compiled epoch runs (the engine is NumPy without it); held to that by its own test below
KERNELS = PACKAGE / "_compiled_kernels.py"
BLOCKS = [p for p in modules(PACKAGE, recursive=False)   # with the plumbing beside them
          if p != KERNELS]                               # (_checks, shipped, _compiled)
LESSONS = modules(PACKAGE / "lessons")
PLOTTING = modules(PACKAGE / "plotting")
EVERYTHING = modules(PACKAGE)


def violations(paths, forbidden) -> list[str]:
    """One line per offending import statement (the first forbidden name it brings in)."""
    seen, out = set(), []
    for p in paths:
        for i in imports_of(p):
            if within(i.target, forbidden) and (i.module, i.line) not in seen:
                seen.add((i.module, i.line))
                out.append(str(i))
    return out


# ------------------------------------------------------------------- the checker itself works

def test_the_import_reader_sees_relative_lazy_and_from_imports(tmp_path, monkeypatch):
    pkg = tmp_path / "nnlib"
    pkg.mkdir()
    src = ("from . import widgets\nfrom .lessons.gradient_flow import chain\n"
           "def f():\n    import torch.nn as nn\n    from ..x import y\n")
    (pkg / "block.py").write_text(src)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    targets = {i.target for i in imports_of(pkg / "block.py")}
    assert {"nnlib.widgets", "nnlib.lessons.gradient_flow", "torch.nn"} <= targets
    assert violations([pkg / "block.py"], ("nnlib.widgets",)) == \
        ["nnlib/block.py:1 imports nnlib.widgets"]
    assert within("torch.nn", ("torch",)) and not within("torchvision", ("torch",))


def test_the_tiers_exist_where_the_test_looks():
    names = {p.stem for p in BLOCKS}
    assert {"layers", "optim", "training", "conv", "_checks"} <= names
    assert LESSONS and PLOTTING and (PACKAGE / "torchkit").is_dir()


# ------------------------------------------------------------------------------- the rules

def test_building_blocks_import_only_numpy_the_stdlib_and_other_blocks():
    bad = []
    for path in BLOCKS:
        for i in imports_of(path):
            top = i.target.split(".")[0]
            if top == "nnlib":
                if within(i.target, UPPER):
                    bad.append(f"{i} (a building block must not import a higher tier)")
            elif top not in STDLIB and top not in BLOCK_THIRD_PARTY:
                bad.append(f"{i} (building blocks are NumPy only)")
    assert not bad, "\n".join(bad)


def test_numba_is_imported_by_the_compiled_kernels_only_and_they_by_compiled_only():
    """The kernels import NumPy, Numba and the standard library; nothing but
    ``nnlib._compiled`` imports them, and it only inside a function (when first used)."""
    bad = [f"{i} (the kernels are NumPy and Numba only)" for i in imports_of(KERNELS)
           if i.target.split(".")[0] not in STDLIB | {"numpy", "numba"}]
    for path in EVERYTHING:
        if path == KERNELS:
            continue
        for i in imports_of(path):
            if within(i.target, ("numba",)):
                bad.append(f"{i} (only nnlib/_compiled_kernels.py may import numba)")
            if within(i.target, ("nnlib._compiled_kernels",)) and i.module != "nnlib._compiled":
                bad.append(f"{i} (only nnlib._compiled may import the kernels)")
    tree = ast.parse((PACKAGE / "_compiled.py").read_text(encoding="utf-8"))
    top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    if any("_compiled_kernels" in ast.unparse(n) for n in top_level):
        bad.append("nnlib/_compiled.py imports the kernels at module level (load them lazily)")
    assert not bad, "\n".join(bad)


def test_lessons_import_building_blocks_only():
    forbidden = ("nnlib.plotting", "nnlib.widgets", "nnlib.torchkit", "nnlib.exercises") + HEAVY
    bad = violations(LESSONS, forbidden)
    assert not bad, "\n".join(bad)


def test_plotting_never_imports_widgets_or_torch():
    forbidden = ("nnlib.widgets", "nnlib.torchkit", "torch", "ipywidgets")
    bad = violations(PLOTTING, forbidden)
    assert not bad, "\n".join(bad)


def test_only_the_torch_room_imports_torch():
    outside = [p for p in EVERYTHING if "torchkit" not in p.relative_to(PACKAGE).parts]
    bad = violations(outside, ("torch",))
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------ what importing costs

_PROBE = """
import importlib, json, sys
heavy = {heavy!r}
report = {{}}
for name in {names!r}:
    importlib.import_module(name)
    loaded = sorted(h for h in heavy if h in sys.modules)
    report[name] = loaded
    if loaded:
        break          # later modules would be blamed for this one's imports
print(json.dumps(report))
"""


def _probe(names: list[str]) -> dict[str, list[str]]:
    code = _PROBE.format(heavy=HEAVY, names=names)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_import_nnlib_loads_no_heavy_package():
    report = _probe(["nnlib"])
    assert report == {"nnlib": []}, f"`import nnlib` loads {report['nnlib']}"


def test_building_blocks_and_lessons_load_no_heavy_package():
    names = [module_name(p) for p in BLOCKS + LESSONS]
    report = _probe(names)
    heavy = {name: loaded for name, loaded in report.items() if loaded}
    assert not heavy, f"importing these (in a fresh interpreter) loads {heavy}"
    assert list(report) == names


# ---------------------------------------------------------------- what gets installed

def test_the_installed_package_is_nnlib_without_tools():
    from setuptools import find_packages

    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    find = config["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(where=ROOT, include=find.get("include", ("*",)),
                             exclude=find.get("exclude", ()))
    assert "nnlib" in packages and "nnlib.torchkit" in packages
    assert all(p == "nnlib" or p.startswith("nnlib.") for p in packages), packages
    assert not any(p.split(".")[0] in ("tools", "tests", "benchmarks") for p in packages)
    assert not (PACKAGE / "tools").exists() and not (PACKAGE / "strip_notebooks.py").exists()
    assert (ROOT / "tools" / "strip_notebooks.py").exists()


@pytest.mark.parametrize("path", [p for p in (ROOT / "tests").iterdir()
                                  if p.is_dir() and not p.name.startswith((".", "__"))],
                         ids=lambda p: p.name)
def test_tests_mirror_the_package(path):
    assert (PACKAGE / path.name).is_dir(), f"tests/{path.name}/ has no nnlib/{path.name}/"


@pytest.mark.parametrize("wing", ["lessons", "torchkit"])
def test_a_wing_docstring_names_every_module_of_the_wing(wing):
    """The wing's overview cannot drift: a new module must be added to the list."""
    doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text("utf-8")))
    missing = [p.stem for p in sorted((PACKAGE / wing).glob("[!_]*.py"))
               if f"``{p.stem}``" not in doc]
    assert not missing, f"nnlib/{wing}/__init__.py does not name {missing}"


def test_no_notebook_imports_a_private_module():
    """Notebooks use the public library: nothing from ``nnlib._*`` (``fit`` sets the BLAS
    threads itself, so no notebook needs ``nnlib._blas``)."""
    import re

    found = []
    pattern = re.compile(r"^\s*(?:from\s+(nnlib[\w.]*)\s+import\s+([\w, ()]+)"
                         r"|import\s+(nnlib[\w.]*))", re.M)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for m in pattern.finditer("".join(cell["source"])):
                module = m.group(1) or m.group(3)
                names = [n.strip(" ()").split(" as ")[0] for n in (m.group(2) or "").split(",")]
                if any(part.startswith("_") for part in module.split(".") + names if part):
                    found.append(f"{path.name}: {m.group(0).strip()}")
    assert not found, "\n".join(found)


def _import_graph() -> dict[str, set[str]]:
    """module -> the nnlib modules it imports (lazy imports included), each import resolved to
    the most specific module that exists (``from . import conv`` names ``nnlib.conv``)."""
    names = {module_name(p): p for p in EVERYTHING}
    graph = {}
    for name, path in names.items():
        targets = set()
        for i in imports_of(path):
            t = i.target
            while t and t not in names:
                t = t.rpartition(".")[0]
            if t and t != name:
                targets.add(t)
        graph[name] = targets
    return graph


def _cycles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (each holds an import circle)."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while not group or group[-1] != v:
                group.append(stack.pop())
                on.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_the_cycle_finder_finds_a_lazy_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_in_the_package():
    """Imports run one way: no module imports (even lazily, inside a function) one that
    imports it back, directly or through others."""
    assert _cycles(_import_graph()) == []
