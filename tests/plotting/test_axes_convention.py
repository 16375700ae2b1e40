"""The plotting tier's one convention for axes: data first, the axes keyword-only (``ax=`` for
one, ``axes=`` for several, never the first or a positional argument), and a new figure, when
none is given, made in one place (``nnlib.plotting._grid.axes_or_new``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import nnlib.plotting
from nnlib.plotting._grid import axes_or_new

AXES_NAMES = ("ax", "axes")


def out_of_place(signature: inspect.Signature) -> list[str]:
    """The parameters of ``signature`` named ax/axes that a caller could pass by position."""
    return [name for name, p in signature.parameters.items()
            if name in AXES_NAMES and p.kind is not inspect.Parameter.KEYWORD_ONLY]


def plotting_callables() -> dict[str, inspect.Signature]:
    """``module.name`` -> signature of every public function, class (its constructor) and
    public method defined in the public modules of nnlib.plotting."""
    found = {}
    for info in pkgutil.iter_modules(nnlib.plotting.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"nnlib.plotting.{info.name}")
        for attr, value in vars(module).items():
            if attr.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            name = f"{module.__name__}.{attr}"
            if inspect.isfunction(value):
                found[name] = inspect.signature(value)
            elif inspect.isclass(value):
                found[name] = inspect.signature(value)
                for meth, fn in vars(value).items():
                    if not meth.startswith("_") and inspect.isfunction(fn):
                        found[f"{name}.{meth}"] = inspect.signature(fn)
    return found


def test_the_check_flags_axes_a_caller_can_pass_by_position():
    def first(ax, x): ...
    def second(x, ax=None): ...
    def several(x, axes=None, *, y=1): ...
    def keyword(x, *, ax=None): ...
    def required_keyword(*, axes, x=1): ...

    assert out_of_place(inspect.signature(first)) == ["ax"]
    assert out_of_place(inspect.signature(second)) == ["ax"]
    assert out_of_place(inspect.signature(several)) == ["axes"]
    assert out_of_place(inspect.signature(keyword)) == []
    assert out_of_place(inspect.signature(required_keyword)) == []


def test_every_plotting_callable_takes_its_axes_by_keyword():
    found = plotting_callables()
    with_axes = {name for name, sig in found.items()
                 if any(p in sig.parameters for p in AXES_NAMES)}
    assert len(with_axes) >= 40, sorted(with_axes)  # the walk reaches the whole tier
    offenders = {name: out_of_place(sig) for name, sig in found.items() if out_of_place(sig)}
    assert not offenders, ("pass the axes as a keyword-only ax=None (axes=None for several), "
                           f"after the data: {offenders}")


def test_new_figures_are_made_in_one_place():
    folder = Path(nnlib.plotting.__file__).parent
    makers = {path.name for path in folder.glob("*.py")
              if "subplots(" in path.read_text(encoding="utf-8")}
    assert makers == {"_grid.py"}, "use _grid.axes_or_new(ax, figsize=...) to make a figure"


def test_axes_or_new_keeps_the_given_axes_or_makes_a_figure():
    try:
        _, given = plt.subplots()
        assert axes_or_new(given, figsize=(3, 2)) is given
        made = axes_or_new(None, figsize=(3, 2), layout="constrained")
        assert made is not given
        assert tuple(made.figure.get_size_inches()) == pytest.approx((3, 2))
        assert made.figure.get_layout_engine() is not None
        pair = axes_or_new(None, ncols=2, figsize=(6, 2))
        assert len(pair) == 2 and pair[0].figure is pair[1].figure
    finally:
        plt.close("all")
