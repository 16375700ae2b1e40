"""The exercise mechanism: checks judge without revealing, solutions pass, wrong answers fail,
and no notebook is committed with a check already called on its answer."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlib import exercises as E

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_FILES = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load_solution(path):
    spec = importlib.util.spec_from_file_location(f"solution_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exercise_module(path):
    return importlib.import_module(f"nnlib.exercises.nb{path.name[:2]}")


# ------------------------------------------------------------------------- the mechanism
def test_numeric_exercise_accepts_within_a_step_and_never_stores_the_value():
    q = E.NumericExercise("q", digest=E.digest(0.25, step=0.01), step=0.01, hints=("a", "b"))
    assert q.judge(0.25) and q.judge(0.2549) and q.judge(0.2401) and q.judge(np.float32(0.25))
    assert not q.judge(0.27) and not q.judge(-0.25) and not q.judge(25)
    assert "0.25" not in repr(vars(q))
    assert q.judge(None).status == "not attempted" and q.judge(...).status == "not attempted"
    assert not q.judge("0.25") and not q.judge(float("nan")) and not q.judge(True)


def test_integer_answers_can_be_exact():
    q = E.NumericExercise("P", digest=E.digest(2, step=1), step=1, neighbours=0)
    assert q.judge(2) and not q.judge(1) and not q.judge(3)


def test_incorrect_message_never_contains_the_answer(capsys):
    for true, wrong in [(0.125, 0.5), (3.0, 7.0), (1e-3, 5e-3)]:
        q = E.NumericExercise("q", digest=E.digest(true, step=true / 10), step=true / 10,
                              hints=("think about it",))
        result = q.check(wrong)
        out = capsys.readouterr().out
        assert not result and out.startswith("✘")
        without_tolerance = re.sub(r"\(within about ±[^)]*\)", "", out)
        assert "±" in out and "within about" not in without_tolerance
        numbers = {float(t) for t in re.findall(r"(?<![\d.])\d+(?:\.\d+)?", without_tolerance)}
        assert true not in numbers, out


def test_hints_are_graded_and_the_last_repeats(capsys):
    q = E.ChoiceExercise("c", digest=E.digest("b"), choices="abc", hints=("nudge", "more"))
    for _ in range(3):
        assert q.hint() is None   # printed once, not returned to be shown again
    out = capsys.readouterr().out
    assert "hint 1/2: nudge" in out and out.count("hint 2/2: more") == 2


def test_choice_ignores_case_and_rejects_unknown_options():
    q = E.ChoiceExercise("c", digest=E.digest("b"), choices=("a", "b", "c"))
    assert q.judge(" B ") and not q.judge("a")
    assert "not one of" in q.judge("z").message and not q.judge(2)


def test_code_exercise_reports_failures_without_the_expected_values():
    def checker(fn, rng):
        x = rng.normal(size=(3, 4))
        return E.compare_arrays("output", fn(x), 2 * x)

    q = E.CodeExercise("f", checker=checker)
    assert q.judge(lambda x: 2 * x)
    wrong = q.judge(lambda x: 3 * x)
    assert not wrong and "too large by a factor of about 1.5, every entry" in wrong.message
    wrong = q.judge(lambda x: 2 * x + (x == x.max()))
    assert not wrong and "wrong values: 1 of its 12 entries are off" in wrong.message
    assert "shape" in q.judge(lambda x: x.T).message
    assert "ZeroDivisionError" in q.judge(lambda x: 1 / 0).message

    def starter(x):
        raise NotImplementedError

    assert q.judge(starter).status == "not attempted"
    assert not q.judge(42)


def test_check_prints_one_line_and_returns_the_result(capsys):
    q = E.NumericExercise("q1", digest=E.digest(1.5, step=0.1), step=0.1)
    result = q.check(1.5)
    assert result and result.correct
    assert capsys.readouterr().out.strip().startswith("✔ q1: correct")
    assert E.OpenQuestion("o").check().status == "open"


def test_bad_exercise_definitions_raise():
    with pytest.raises(ValueError, match="step"):
        E.NumericExercise("q", digest="0" * 64, step=0)
    with pytest.raises(ValueError, match="digest"):
        E.NumericExercise("q", digest="abc", step=1)
    with pytest.raises(TypeError, match="checker"):
        E.CodeExercise("q", checker=3)
    with pytest.raises(ValueError, match="value"):
        E.digest(float("inf"), step=1)


def test_digest_command_line():
    out = subprocess.run([sys.executable, "-m", "nnlib.exercises", "0.25", "--step", "0.01"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [E.digest(0.25, step=0.01), E.size_digest(0.25)]


# ------------------------------------------------------------------ every notebook's exercises
@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.stem)
def test_every_solution_passes_and_every_wrong_answer_fails(path):
    solutions = _load_solution(path)
    exercises = E.exercises_of(_exercise_module(path))
    assert exercises, f"nnlib.exercises.nb{path.name[:2]} defines no exercises"
    answers = getattr(solutions, "ANSWERS", {})
    for name, ex in exercises.items():
        if isinstance(ex, E.OpenQuestion):
            assert answers.get(name, "").strip(), f"{path.name}: open question {name} has no answer"
            continue
        assert name in solutions.SOLUTIONS, f"{path.name}: no solution for {name}"
        assert name in solutions.WRONG, f"{path.name}: no wrong answer for {name}"
        rng = np.random.default_rng(0)
        right = ex.judge(solutions.SOLUTIONS[name], **({"rng": rng} if ex.kind == "code" else {}))
        assert right, f"{path.name}: the solution of {name} fails its check: {right.message}"
        wrong = ex.judge(solutions.WRONG[name])
        assert not wrong and wrong.status == "incorrect", f"{path.name}: wrong {name} passes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_exercises_exist_and_no_check_is_committed_with_an_answer(path):
    """Every notebook has checked exercises; each checked variable starts as a starter value
    (None, ..., or a function raising NotImplementedError), never the answer."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    tree = ast.parse("\n".join("".join(c["source"]) for c in cells
                               if not "".join(c["source"]).lstrip().startswith(("%", "!"))))
    assigned, functions, checked = {}, {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.FunctionDef):
            functions[node.name] = node
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "check" and node.args):
            checked.append(node.args[0])
    assert checked, f"{path.name} has no checked exercise"
    for arg in checked:
        if isinstance(arg, ast.Constant):
            assert arg.value is None or arg.value is Ellipsis, \
                f"{path.name}: a check is called on a literal answer"
            continue
        assert isinstance(arg, ast.Name), f"{path.name}: check a variable the student sets"
        if arg.id in functions:
            body = ast.dump(functions[arg.id])
            assert "NotImplementedError" in body, \
                f"{path.name}: function {arg.id} must start as a stub raising NotImplementedError"
            continue
        values = assigned.get(arg.id, [])
        assert values, f"{path.name}: {arg.id} is checked but never set"
        for value in values:
            assert isinstance(value, ast.Constant) and value.value in (None, Ellipsis), \
                f"{path.name}: {arg.id} is committed with a value; start it as None"


def test_the_mechanism_lives_in_core_and_the_package_only_re_exports_it():
    import inspect

    from nnlib.exercises import core

    for name in E.__all__:
        assert getattr(E, name) is getattr(core, name), name
    assert not [n for n, v in vars(E).items()
                if (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == E.__name__]
