"""Every lab is built one way: ``<topic>_lab(...)`` returns a ``<Topic>Lab`` container (an
ipywidgets Box) that exposes ``.controls``, a dict of name -> widget."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

w = pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import nnlib.optim  # noqa: E402
import nnlib.widgets  # noqa: E402

MODULES = sorted(m.name for m in pkgutil.iter_modules(nnlib.widgets.__path__)
                 if not m.name.startswith("_"))


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


def _public(module) -> dict:
    return {k: v for k, v in vars(module).items()
            if not k.startswith("_") and getattr(v, "__module__", None) == module.__name__}


def _builds_a_lab(module) -> bool:
    """A lab module builds a container: a public Box subclass, a builder named like one, or a
    function returning a Box/Lab. Support modules (e.g. presenter mode's CSS) are not labs."""
    for k, v in _public(module).items():
        if inspect.isclass(v) and issubclass(v, w.Box):
            return True
        if inspect.isfunction(v):
            returns = inspect.signature(v).return_annotation
            name = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
            if k.endswith(("_lab", "_stepper")) or name.endswith(("Lab", "Box")):
                return True
    return False


def test_the_known_labs_are_recognised_as_labs():
    labs = [n for n in MODULES if _builds_a_lab(importlib.import_module(f"nnlib.widgets.{n}"))]
    assert {"chain", "gradient_lab", "cross_correlation", "conv_geometry",
            "universal_approximation"} <= set(labs)


@pytest.mark.parametrize("name", MODULES)
def test_lab_module_has_one_builder_returning_its_container(name):
    module = importlib.import_module(f"nnlib.widgets.{name}")
    if not _builds_a_lab(module):
        pytest.skip(f"nnlib.widgets.{name} is a support module, not a lab")
    local = _public(module)
    builders = {k: f for k, f in local.items() if inspect.isfunction(f) and k.endswith("_lab")}
    labs = {k: c for k, c in local.items() if inspect.isclass(c) and k.endswith("Lab")}
    assert len(builders) == 1, f"nnlib.widgets.{name} should define one <topic>_lab(); " \
                               f"found {sorted(builders)}"
    assert len(labs) == 1, f"nnlib.widgets.{name} should define one <Topic>Lab; " \
                           f"found {sorted(labs)}"
    (builder_name, builder), (class_name, cls) = next(iter(builders.items())), \
        next(iter(labs.items()))
    topic = builder_name[:-len("_lab")]
    assert _squash(class_name) == _squash(topic) + "lab", \
        f"{builder_name}() should build a {topic.title().replace('_', '')}Lab; got {class_name}"
    assert issubclass(cls, w.Box), f"{class_name} must be an ipywidgets Box (VBox/HBox) subclass"
    returns = inspect.signature(builder).return_annotation
    assert returns in (cls, class_name), \
        f"{builder_name}() must be annotated to return {class_name}; got {returns!r}"
    # no old-style builders or aliases beside the one lab function
    others = [k for k, f in local.items() if inspect.isfunction(f) and f is not builder
              and (k.endswith(("_widget", "_stepper")) or k == topic)]
    assert not others, f"nnlib.widgets.{name} keeps old builders {others}"


def test_every_lab_function_is_documented_in_the_package():
    doc = nnlib.widgets.__doc__ or ""
    assert "<topic>_lab" in doc and "<Topic>Lab" in doc and ".controls" in doc


OPTIMISER_NAMES = set(nnlib.optim.OPTIMIZERS)  # the course's names, in both tiers


@pytest.mark.parametrize("name", MODULES)
def test_no_lab_keeps_its_own_optimiser_choices_or_defaults(name):
    """Optimiser names and default hyper-parameters live next to the registries
    (nnlib.optim.OPTIMIZERS/DEFAULTS, nnlib.torchkit.optimizers.OPTIMIZERS, and the CNN
    recipe's peak rates nnlib.torchkit.train.RECIPE_PEAK_LR): a lab keeps no per-optimiser
    table of its own, and offers no hand-written list of optimisers. (Which of the registry's
    optimisers start selected is the lab's own choice.)"""
    import ast
    from pathlib import Path

    path = Path(nnlib.widgets.__file__).parent / f"{name}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def named(items):
        return {k.value for k in items if isinstance(k, ast.Constant)
                and isinstance(k.value, str)} & OPTIMISER_NAMES

    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            names = named(node.keys)
            assert len(names) < 2, (f"nnlib/widgets/{name}.py:{node.lineno} keeps a table for "
                                    f"optimisers {sorted(names)}: use the registry's defaults")
        if isinstance(node, ast.keyword) and node.arg == "options" and \
                isinstance(node.value, (ast.List, ast.Tuple, ast.Set)):
            names = named(node.value.elts)
            assert len(names) < 2, (f"nnlib/widgets/{name}.py:{node.value.lineno} offers "
                                    f"optimisers {sorted(names)}: take them from the registry")


def _slider_calls_without_a_choice(path) -> list[str]:
    """Slider constructions in ``path`` that leave ``continuous_update`` at ipywidgets' default
    (True: a drag sends every intermediate value, each a full recompute and redraw)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # dicts of slider settings passed as **name, e.g. slider = dict(continuous_update=False)
    settings = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "") == "dict"
                and any(k.arg == "continuous_update" for k in node.value.keywords)
                for t in node.targets if isinstance(t, ast.Name)}
    missing = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if not name.endswith("Slider"):
            continue
        if not any(k.arg == "continuous_update" or (k.arg is None and getattr(k.value, "id", "")
                                                     in settings) for k in node.keywords):
            missing.append(f"{path.name}:{node.lineno} {name}")
    return missing


def test_every_lab_slider_chooses_when_it_updates():
    """A drag updates on release (``continuous_update=False``) unless the lab says otherwise
    (09's step and 10's geometry sliders follow the drag on purpose): each change of a lab
    recomputes and redraws, and during a drag those would queue up behind each other."""
    folder = Path(nnlib.widgets.__file__).parent
    missing = [m for p in sorted(folder.glob("*.py")) for m in _slider_calls_without_a_choice(p)]
    assert not missing, f"sliders without continuous_update: {missing}"
