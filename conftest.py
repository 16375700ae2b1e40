"""Repository-wide pytest hooks for the notebook runs (nbval): per-notebook time and peak kernel
memory in the test summary, a failure when a notebook's kernel needs more memory than a
Binder session has, and a failure when a cell prints a Python warning (a student sees it in red
under the cell: a library change, such as matplotlib's, must not leave one there).

It lives at the repository root because the notebooks are collected from ``notebooks/``, where
``tests/conftest.py`` does not apply.
"""

from __future__ import annotations

import os

import pytest

#: A Binder session has 1-2 GB; a notebook whose kernel peaks above this fails.
KERNEL_MEMORY_LIMIT_MB = float(os.environ.get("NNLIB_KERNEL_MEMORY_LIMIT_MB", 1536))

_NOTEBOOK_SECONDS: dict[str, float] = {}
_NOTEBOOK_PEAK_MB: dict[str, float] = {}


def _is_notebook(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0].endswith(".ipynb")


def _kernel_peak_mb(item) -> float | None:
    """VmHWM (peak resident memory) of the nbval kernel process running ``item``'s notebook."""
    kernel = getattr(item.parent, "kernel", None)
    try:
        pid = kernel.km.provisioner.process.pid
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (AttributeError, OSError, ValueError):
        return None  # not Linux, or the kernel is gone: nothing to measure
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    peak = None
    last_cell = nextitem is None or nextitem.parent is not item.parent
    if _is_notebook(item.nodeid) and last_cell:
        peak = _kernel_peak_mb(item)  # before nbval's own teardown stops the kernel
        if peak is not None:
            item.user_properties.append(("kernel_peak_mb", peak))
    result = yield
    if peak is not None and peak > KERNEL_MEMORY_LIMIT_MB:
        raise AssertionError(f"{item.nodeid.split('::')[0]}: the kernel's peak memory was "
                             f"{peak:.0f} MB, above the {KERNEL_MEMORY_LIMIT_MB:.0f} MB a Binder "
                             f"session can give")
    return result


def _printed_warnings(item) -> list[str]:
    """The Python warnings (``...Warning: ...`` lines on stderr) in a cell's outputs."""
    found = []
    for out in getattr(item, "test_outputs", None) or ():
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            found += [line.strip() for line in out.get("text", "").splitlines()
                      if "Warning: " in line]
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    if _is_notebook(item.nodeid):
        printed = _printed_warnings(item)
        if printed:
            raise AssertionError(f"{item.nodeid}: the cell printed a warning a student would "
                                 f"see: " + " | ".join(printed))
    return result


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if not _is_notebook(report.nodeid):
        return
    _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration
    for key, value in getattr(report, "user_properties", ()):
        if key == "kernel_peak_mb":
            _NOTEBOOK_PEAK_MB[path] = value


def pytest_terminal_summary(terminalreporter):
    if not _NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebooks: nbval time (all cells) and peak kernel memory")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items(), key=lambda kv: -kv[1]):
        peak = _NOTEBOOK_PEAK_MB.get(path)
        memory = f"{peak:7.0f} MB" if peak is not None else "      n/a"
        terminalreporter.write_line(f"{seconds:8.1f} s {memory}  {path}")
