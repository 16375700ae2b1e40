"""Exercises that teach: the hint a message names works as printed, prints once, nudges without
giving the answer away, runs with the notebook's own imports; messages say what is wrong in a
student's words; predict-first questions come before what reveals them, in reading order."""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import inspect
import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnlib import exercises as E

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_FILES = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load_solution(path):
    spec = importlib.util.spec_from_file_location(f"solution_teach_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _module(number: str):
    return importlib.import_module(f"nnlib.exercises.nb{number}")


def _notebook(number: str):
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(number)]
    return json.loads(path.read_text())


def _code_cells(nb):
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code"]


def _python(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


# ---------------------------------------------------------------- the hint call, printed once
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_imports_its_exercises_under_the_name_messages_use(path):
    number = path.name[:2]
    setup = "\n".join(src for _, src in _code_cells(json.loads(path.read_text())))
    assert f"from nnlib.exercises import nb{number} as {E.ALIAS}\n" in setup + "\n", \
        f"{path.name} must import its exercises as `{E.ALIAS}`: messages say `{E.ALIAS}.qN.hint()`"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.stem)
def test_the_hint_call_a_wrong_answer_names_runs_as_printed_and_prints_once(path, capsys):
    solutions = _load_solution(path)
    module = _module(path.name[:2])
    for name, ex in E.exercises_of(module).items():
        if ex.kind == "open" or not ex.hints:
            continue
        ex._hints_given = 0
        ex.check(solutions.WRONG[name], **({"rng": np.random.default_rng(1)}
                                           if ex.kind == "code" else {}))
        line = capsys.readouterr().out
        calls = re.findall(r"`([^`]*hint\(\))`", line)
        assert calls == [f"{E.ALIAS}.{name}.hint()"], line
        # run it exactly as printed, in a namespace that holds only what the notebook imported
        value = eval(calls[0], {E.ALIAS: module})   # noqa: S307 - our own message
        out = capsys.readouterr().out
        assert value is None, "hint() must not return the text too (a notebook would show it twice)"
        assert out.count("💡") == 1 and out.strip().endswith(ex.hints[0]), out
        ex._hints_given = 0


def test_hints_are_graded_print_once_and_the_last_repeats(capsys):
    q = E.ChoiceExercise("c", digest=E.digest("b"), choices="abc", hints=("nudge", "more"))
    assert q.hint() is None
    q.hint()
    q.hint()
    out = capsys.readouterr().out.splitlines()
    assert out == ["💡 c: hint 1/2: nudge", "💡 c: hint 2/2: more", "💡 c: hint 2/2: more"]


# ------------------------------------------------------- hints never give the answer away
_NUMBER = re.compile(r"(?<![\w.^])[−-]?\d+(?:[ \u2009\u202f,_]\d{3})*(?:\.\d+)?(?![\w^])")


def _numbers(text: str):
    for match in _NUMBER.finditer(text):
        if re.match(r"0\d", match.group()):
            continue   # 'notebook 04' is a name, not a number
        token = re.sub(r"[ \u2009\u202f,_]", "", match.group()).replace("−", "-")
        yield token, float(token)


def _significant(token: str) -> int:
    return len(token.lstrip("-").replace(".", "").lstrip("0"))


def _number_leaks(ex, value, text):
    """Numbers in ``text`` that the check would accept, or that write the answer to two or more
    significant digits (``0.13`` for 0.1307)."""
    leaks = []
    for token, number in _numbers(text):
        decimals = len(token.split(".")[1]) if "." in token else 0
        if ex.judge(number):
            leaks.append(token)
        elif _significant(token) >= 2 and round(float(value), decimals) == number:
            leaks.append(token)
    return leaks


def _normalise_code(text: str) -> str:
    for a, b in (("−", "-"), ("·", "*"), ("'", '"'), ("←", "=")):
        text = text.replace(a, b)
    return re.sub(r"\s+", "", text).lower()


def _solution_lines(solutions, name):
    """The normalised code lines of the instructor's function for exercise ``name``."""
    fn = solutions.SOLUTIONS[name]
    source = textwrap.dedent(inspect.getsource(fn))
    body = ast.parse(source).body[0].body
    lines = []
    for node in body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue   # the docstring
        for line in ast.get_source_segment(source, node).splitlines():
            line = _normalise_code(line)
            if len(line) >= 12 and not line.startswith(("for", "if", "def")):
                lines.append(line)
    return lines


def _choice_leaks(ex, chosen, text):
    chosen = chosen.strip().lower()
    low = text.lower()
    if len(chosen) == 1:
        patterns = [rf"\({chosen}\)", rf"\boption {chosen}\b", rf"\banswer {chosen}\b",
                    rf"[\"']{chosen}[\"']"]
        return [p for p in patterns if re.search(p, low)]

    def said(option):
        if re.fullmatch(r"[a-z]+", option):
            # an ordinary word ('same', 'lower') counts when it ends a clause or is quoted,
            # not in 'the same 40 epochs'
            pattern = rf"(?<!\w){option}(?=\s*(?:[.,;:!?)]|$))|[\"']{option}[\"']"
        else:
            pattern = rf"(?<!\w){re.escape(option)}(?!\w)"
        return re.search(pattern, low) is not None

    others = [c for c in ex.choices if c != chosen]
    if said(chosen) and not all(said(c) for c in others):
        return [chosen]
    return []


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.stem)
def test_no_hint_contains_the_answer(path):
    solutions = _load_solution(path)
    for name, ex in E.exercises_of(_module(path.name[:2])).items():
        if ex.kind == "open":
            continue
        answer = solutions.SOLUTIONS[name]
        for i, text in enumerate(ex.hints, start=1):
            where = f"{path.name} {name} hint {i}: {text!r}"
            if ex.kind == "numeric":
                assert not _number_leaks(ex, answer, text), f"{where} holds the answer"
            elif ex.kind == "choice":
                assert not _choice_leaks(ex, answer, text), f"{where} names the chosen option"
            else:
                flat = _normalise_code(text)
                for line in _solution_lines(solutions, name):
                    assert line not in flat, f"{where} holds the solution's line {line!r}"


def test_the_leak_detectors_catch_leaks():
    q = E.NumericExercise("q", digest=E.digest(0.1307, step=0.001), step=0.001)
    assert _number_leaks(q, 0.1307, "about 0.131, a small number") == ["0.131"]
    assert _number_leaks(q, 0.1307, "roughly 0.13") == ["0.13"]
    assert not _number_leaks(q, 0.1307, "divide by 255 first")
    n = E.NumericExercise("n", digest=E.digest(3_211_264, step=1), step=1, neighbours=0)
    assert _number_leaks(n, 3_211_264, "that is 3 211 264 multiplications") == ["3211264"]
    c = E.ChoiceExercise("c", digest=E.digest("lower"), choices=("higher", "same", "lower"))
    assert _choice_leaks(c, "lower", "so it ends lower") and not _choice_leaks(
        c, "lower", "is it higher, same, or lower?")
    assert _choice_leaks(c, "same", "it stays the 'same'") and not _choice_leaks(
        c, "same", "trained for the same 40 epochs")
    t = E.ChoiceExercise("t", digest=E.digest("l1"), choices=("l1", "l2", "about the same"))
    assert _choice_leaks(t, "l1", "The L1 penalty wins") and not _choice_leaks(
        t, "l1", "L1, L2 or about the same?")
    s = E.ChoiceExercise("s", digest=E.digest("b"), choices="abc")
    assert _choice_leaks(s, "b", "so (b) it is") and not _choice_leaks(s, "b", "a bigger b")
    sol = _load_solution(ROOT / "solutions" / "13_overfitting_dropout_augmentation.py")
    assert any(line in _normalise_code("Return x * keep / (1 − p).")
               for line in _solution_lines(sol, _name_of(sol, "dropout_forward")))


def _name_of(solutions, function_name):
    return next(k for k, v in solutions.SOLUTIONS.items()
                if getattr(v, "__name__", None) == function_name)


# ----------------------------------------------- a hint's code runs with the notebook's imports
def _fragments(text: str):
    return re.findall(r"`([^`]+)`", text)


def _bound_names(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
            names |= {a.arg for a in node.args.args} if isinstance(node, ast.FunctionDef) else set()
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _imports(tree) -> dict[str, tuple[str, str | None]]:
    """alias -> (module, attribute or None) for the notebook's import statements."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found[a.asname or a.name.split(".")[0]] = (a.name if a.asname else
                                                           a.name.split(".")[0], None)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                found[a.asname or a.name] = (node.module, a.name)
    return found


def _resolve(imports, dotted: list[str]):
    module, attr = imports[dotted[0]]
    obj = importlib.import_module(module)
    if attr is not None:
        obj = getattr(obj, attr, None)
        if obj is None:
            obj = importlib.import_module(f"{module}.{attr}")
    for part in dotted[1:]:
        if not hasattr(obj, part):
            return ".".join(dotted)
        obj = getattr(obj, part)
    return None


def _parse_fragment(fragment: str):
    for mode in ("eval", "exec"):
        try:
            return ast.parse(fragment, mode=mode)
        except SyntaxError:
            continue
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_hint_code_parses_and_runs_with_the_notebook_imports(path):
    number = path.name[:2]
    cells = _code_cells(json.loads(path.read_text()))
    for name, ex in E.exercises_of(_module(number)).items():
        checks = [i for i, (_, src) in enumerate(cells) if f"{E.ALIAS}.{name}.check(" in src]
        assert checks, f"{path.name}: {name} is never checked"
        before = ast.parse("\n".join(_python(src) for _, src in cells[:checks[0] + 1]))
        known, imports = _bound_names(before), _imports(before)
        for text in ex.hints:
            outside = re.sub(r"`[^`]*`", "", text)
            loose = re.findall(r"\b[A-Za-z_]\w*\.[A-Za-z_]\w*\(", outside)
            assert not loose, f"{path.name} {name}: put code in backticks: {loose} in {text!r}"
            for fragment in _fragments(text):
                tree = _parse_fragment(fragment)
                assert tree is not None, f"{path.name} {name}: `{fragment}` is not Python"
                own = _bound_names(tree)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                        assert (node.id in known or node.id in own
                                or hasattr(builtins, node.id)), \
                            f"{path.name} {name}: `{fragment}` uses {node.id}, which the " \
                            f"notebook does not define before the exercise"
                for node in ast.walk(tree):
                    chain = []
                    while isinstance(node, ast.Attribute):
                        chain.insert(0, node.attr)
                        node = node.value
                    if chain and isinstance(node, ast.Name) and node.id in imports:
                        missing = _resolve(imports, [node.id, *chain])
                        assert missing is None, f"{path.name} {name}: `{fragment}`: {missing} " \
                                                f"does not exist"


def test_fragment_check_catches_an_unimported_name():
    tree = ast.parse("import torch\nfrom nnlib import conv\n")
    known = _bound_names(tree)
    frag = _parse_fragment("F.cross_entropy(model(x), y)")
    used = {n.id for n in ast.walk(frag) if isinstance(n, ast.Name)}
    assert "F" in used and "F" not in known
    assert _resolve(_imports(tree), ["conv", "cross_correlate2d"]) is None
    assert _resolve(_imports(tree), ["conv", "no_such_function"]) == "conv.no_such_function"


# ------------------------------------------------------------ messages in a student's words
_INTERNAL = re.compile(r"tolerance at|× the|\btol\b|rtol|atol|allclose", re.I)


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.stem)
def test_wrong_answers_hear_what_is_wrong_in_plain_words(path):
    solutions = _load_solution(path)
    for name, ex in E.exercises_of(_module(path.name[:2])).items():
        if ex.kind == "open":
            continue
        for seed in range(3):
            result = ex.judge(solutions.WRONG[name],
                              **({"rng": np.random.default_rng(seed)} if ex.kind == "code"
                                 else {}))
            assert not result and result.message, f"{path.name} {name}"
            assert not _INTERNAL.search(result.message), f"{path.name} {name}: {result.message}"
            if ex.kind == "numeric":
                assert re.search(r"too large|too small|sign is wrong", result.message), \
                    f"{path.name} {name}: {result.message}"


def test_numeric_messages_say_which_way_and_roughly_how_far():
    def ex(value, step, **kw):
        return E.NumericExercise("q", digest=E.digest(value, step=step), step=step,
                                 size=E.size_digest(value), **kw)

    q = ex(0.1307, 0.001)
    assert re.match(r"too large by a factor of about 2[56]0 ", q.judge(33.3).message)
    assert re.match(r"too small by a factor of about (9\.\d|1[01]) ", q.judge(0.0131).message)
    assert q.judge(-0.13).message.startswith("the sign is wrong")
    assert q.judge(0.1400).message.startswith("close, but too large by about 7 %")
    assert q.judge(0.120).message.startswith("close, but too small by about 8 %")
    assert "0.13" not in q.judge(0.14).message
    std = ex(10.0, 0.5)
    assert re.match(r"too large by a factor of about (9\.\d|1[01]) ", std.judge(100.0).message)
    near = ex(0.9998, 1e-5)
    assert near.judge(0.9999).message.startswith("very close, but a little too large")
    zero = ex(0, 1, neighbours=0)
    assert zero.judge(2).message.startswith("too large")
    assert ex(-3.0, 0.1).judge(-6.0).message.startswith("too small")
    old = E.NumericExercise("q", digest=E.digest(2.0, step=0.1), step=0.1)
    assert old.judge(3.0).message.startswith("that is not it")


def test_array_messages_name_the_shape_sign_factor_and_worst_entry():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(3, 4))
    cases = {
        "shape": (e.T, "has shape (4, 3); it should have shape (3, 4)"),
        "sign": (-e, "wrong sign"),
        "factor": (2 * e, "too large by a factor of about 2.0, every entry by the same factor"),
        "small": (0.95 * e, "too small by about 5 %, every entry"),
        "entry": (np.where(np.arange(12).reshape(3, 4) == 5, 4 * e, e),
                  "1 of its 12 entries are off; the worst, at index (1, 1), is too "),
        "zero": (np.where(e > 0, e, 0), "entries are off; the worst, at index"),
    }
    for label, (got, words) in cases.items():
        ok, why = E.compare_arrays("dx", got, e, rtol=1e-9, atol=1e-12)
        assert not ok and words in why, (label, why)
        assert not _INTERNAL.search(why), why
        for value in e.ravel():
            assert f"{value:.3g}" not in why


# ------------------------------------ predict first: the question before what reveals its answer
def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_are_numbered_in_reading_order(path):
    nb = json.loads(path.read_text())
    seen = []
    for _, src in _code_cells(nb):
        for n in re.findall(rf"\b{E.ALIAS}\.q(\d+)\.", src):
            if int(n) not in seen:
                seen.append(int(n))
    assert seen == sorted(seen), f"{path.name}: exercises appear in the order {seen}"
    assert seen == list(range(1, len(seen) + 1)), f"{path.name}: numbers {seen} skip one"
    names = list(E.exercises_of(_module(path.name[:2])))
    assert names == [f"q{n}" for n in seen], \
        f"{path.name}: nb{path.name[:2]} defines {names}, the notebook checks {seen}"


def _reveal_violations(nb, exercises):
    """Cells tagged ``reveals:qN`` that come before qN's check (or name no exercise)."""
    bad = []
    for i, cell in enumerate(nb["cells"]):
        for tag in _tags(cell):
            if not tag.startswith("reveals:"):
                continue
            name = tag.split(":", 1)[1]
            if name not in exercises:
                bad.append(f"cell {i}: {tag} names no exercise")
                continue
            checks = [j for j, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
                      and f"{E.ALIAS}.{name}.check(" in "".join(c["source"])]
            if not checks or checks[0] > i:
                bad.append(f"cell {i} reveals {name}'s answer before its check "
                           f"(cell {checks[0] if checks else None})")
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_predict_first_questions_come_before_the_cells_that_reveal_them(path):
    """A cell that prints, plots or asserts the answer of exercise qN is tagged ``reveals:qN``;
    the check of qN (and the question above it) must come before every such cell."""
    nb = json.loads(path.read_text())
    assert not _reveal_violations(nb, E.exercises_of(_module(path.name[:2]))), path.name


def test_the_order_check_catches_a_reveal_before_its_question():
    cell = {"cell_type": "code", "metadata": {"tags": ["reveals:q1"]}, "source": ["print(r)"]}
    check = {"cell_type": "code", "metadata": {}, "source": ["ex.q1.check(answer)"]}
    exercises = {"q1": None}
    assert _reveal_violations({"cells": [cell, check]}, exercises)
    assert not _reveal_violations({"cells": [check, cell]}, exercises)


REVEALED = {  # predict-first exercises whose answer a later cell shows: they must be tagged
    "00": ["q1"], "01": ["q2"], "02": ["q1", "q2"], "03": ["q1"], "04": ["q1", "q3"],
    "05": ["q1", "q3"], "06": ["q1", "q2"], "07": ["q1"], "08": ["q1"], "09": ["q1", "q2", "q3"],
    "11": ["q1", "q2"], "12": ["q1", "q2"], "13": ["q1", "q2"], "14": ["q1"], "15": ["q1"],
}


@pytest.mark.parametrize("number,names", sorted(REVEALED.items()))
def test_the_known_revealing_cells_are_tagged(number, names):
    nb = _notebook(number)
    tags = {t for c in nb["cells"] for t in _tags(c)}
    for name in names:
        assert f"reveals:{name}" in tags, f"notebook {number}: tag the cells that show {name}"
