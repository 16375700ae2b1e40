"""One way to check an exercise: say right or wrong, hint, and never show the answer.

Each notebook has a module here, ``nnlib.exercises.nbNN``, holding its exercises::

    from nnlib.exercises import nb06 as ex
    answer = None          # your answer here
    ex.q1.check(answer)    # one ✔/✘ line, and a CheckResult that is truthy when correct
    ex.q1.hint()           # a nudge; call again for a stronger hint

Four kinds:

* :class:`NumericExercise` compares a number with a *digest* of the answer (a salted SHA-256 of
  the answer quantised to multiples of ``step``), so the expected value is not stored anywhere a
  student can read it. An answer within about one ``step`` of the true value is accepted
  (``neighbours=0`` makes it exact to the bin, for integer answers).
* :class:`ChoiceExercise` compares a choice (case and surrounding spaces ignored) with a digest.
* :class:`CodeExercise` runs a *checker* on the student's function with fresh random inputs; the
  checker compares it with the library (itself tested against PyTorch) or with finite
  differences and explains what failed, never what the expected numbers are.
* :class:`OpenQuestion` has no automatic check: its instructor answer lives in ``solutions/``.

A starter value (``None``, ``...``, or a function that raises ``NotImplementedError``) is
reported as "not attempted yet" instead of wrong. Instructors' solutions live outside the
package, in the repository's ``solutions/`` folder; the tests check that every solution passes
its check and that a wrong answer fails it. Make a digest with :func:`digest` or
``python -m nnlib.exercises 0.25 --step 0.01``.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["CheckResult", "ChoiceExercise", "CodeExercise", "Exercise", "NumericExercise",
           "OpenQuestion", "digest", "exercises_of"]

_SALT = "nnlib-exercises-v1"
CORRECT, INCORRECT, NOT_ATTEMPTED, OPEN = "correct", "incorrect", "not attempted", "open"
_MARK = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "…", OPEN: "✎"}


def _hash(text: str) -> str:
    return hashlib.sha256(f"{_SALT}:{text}".encode()).hexdigest()


def _bin(value: float, step: float) -> int:
    return int(math.floor(value / step + 0.5))


def digest(value, step: float | None = None) -> str:
    """The digest an exercise stores instead of its answer.

    ``digest(0.25, step=0.01)`` for a number (quantised to the nearest multiple of ``step``);
    ``digest("b")`` for a choice (lower-cased, surrounding spaces removed).
    """
    if step is None:
        if not isinstance(value, str):
            raise TypeError(f"value must be a str when no step is given (a choice); got "
                            f"{type(value).__name__}; pass step=... for a number")
        return _hash("choice:" + value.strip().lower())
    step = _check_step(step)
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"value must be a finite real number; got {value!r}")
    return _hash(f"number:{step!r}:{_bin(float(value), step)}")


def _check_step(step) -> float:
    if not _is_real(step) or not (float(step) > 0) or not math.isfinite(float(step)):
        raise ValueError(f"step must be a finite number > 0; got {step!r}")
    return float(step)


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_starter(answer) -> bool:
    return answer is None or answer is Ellipsis


class CheckResult:
    """The outcome of one check: ``status`` (correct, incorrect, not attempted, open) and a
    ``message``. Truthy only when correct. Shown once as a ✔/✘ line."""

    def __init__(self, name: str, status: str, message: str = ""):
        self.name, self.status, self.message = name, status, message
        self._shown = False

    def __bool__(self) -> bool:
        return self.status == CORRECT

    @property
    def correct(self) -> bool:
        return bool(self)

    def line(self) -> str:
        text = {CORRECT: "correct", INCORRECT: "not yet", NOT_ATTEMPTED: "not attempted yet",
                OPEN: "open question"}[self.status]
        tail = f" — {self.message}" if self.message else ""
        return f"{_MARK[self.status]} {self.name}: {text}{tail}"

    def __repr__(self) -> str:
        return self.line()

    def show(self) -> CheckResult:
        print(self.line())
        self._shown = True
        return self

    def _ipython_display_(self):
        # ``check`` already printed the line; a bare ``result`` in a later cell shows it again
        if self._shown:
            self._shown = False
            return
        print(self.line())


class Exercise:
    """Base class: a name, graded hints and the check that subclasses implement in ``_judge``."""

    kind = "exercise"

    def __init__(self, name: str, *, hints: Sequence[str] = (), prompt: str = ""):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty str; got {name!r}")
        self.name = name
        self.hints = tuple(str(h) for h in hints)
        self.prompt = prompt
        self._hints_given = 0

    def hint(self) -> str:
        """Print the next hint (the last one repeats) and return it."""
        if not self.hints:
            text = "no hint for this one: reread the section above it"
        else:
            text = self.hints[min(self._hints_given, len(self.hints) - 1)]
            self._hints_given += 1
            if len(self.hints) > 1:
                text = f"hint {min(self._hints_given, len(self.hints))}/{len(self.hints)}: {text}"
        print(f"💡 {self.name}: {text}")
        return text

    def judge(self, answer, **kwargs) -> CheckResult:
        """The verdict on ``answer`` without printing (for tests)."""
        if _is_starter(answer):
            return CheckResult(self.name, NOT_ATTEMPTED,
                               "replace the starter value with your answer, then run the check")
        return self._judge(answer, **kwargs)

    def check(self, answer, **kwargs) -> CheckResult:
        """Judge ``answer``, print one ✔/✘ line and return the :class:`CheckResult`."""
        result = self.judge(answer, **kwargs)
        if result.status == INCORRECT and self.hints and "hint()" not in result.message:
            sep = "; " if result.message else ""
            result.message += f"{sep}`{self.name}.hint()` gives a nudge"
        return result.show()

    def _judge(self, answer, **kwargs) -> CheckResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class NumericExercise(Exercise):
    """A numeric answer, judged against a digest to within about one ``step``.

    ``digest``: from :func:`digest` (the value itself lives in ``solutions/``). ``neighbours``:
    how many bins either side are accepted (1: within about ±step; 0: the nearest multiple of
    step must match, for integer answers use step=1, neighbours=0).
    """

    kind = "numeric"

    def __init__(self, name: str, *, digest: str, step: float, neighbours: int = 1,
                 hints: Sequence[str] = (), prompt: str = ""):
        super().__init__(name, hints=hints, prompt=prompt)
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError(f"digest must be a 64-character hex string from "
                             f"nnlib.exercises.digest; got {digest!r}")
        self.digest = digest
        self.step = _check_step(step)
        if isinstance(neighbours, bool) or not isinstance(neighbours, int) or neighbours < 0:
            raise ValueError(f"neighbours must be an int >= 0; got {neighbours!r}")
        self.neighbours = neighbours

    @property
    def tolerance(self) -> str:
        if self.neighbours == 0:
            return f"rounded to the nearest multiple of {self.step:g}"
        return f"within about ±{self.neighbours * self.step:g}"

    def _judge(self, answer, **kwargs) -> CheckResult:
        if isinstance(answer, np.ndarray) and answer.size == 1:
            answer = answer.item()
        if not _is_real(answer):
            return CheckResult(self.name, INCORRECT,
                               f"expected one number; got {type(answer).__name__}")
        x = float(answer)
        if not math.isfinite(x):
            return CheckResult(self.name, INCORRECT, f"expected a finite number; got {x}")
        q = _bin(x, self.step)
        for k in range(q - self.neighbours, q + self.neighbours + 1):
            if _hash(f"number:{self.step!r}:{k}") == self.digest:
                return CheckResult(self.name, CORRECT, f"({self.tolerance})")
        return CheckResult(self.name, INCORRECT, f"that is not it ({self.tolerance})")


class ChoiceExercise(Exercise):
    """One choice among ``choices``, judged against a digest (case and spaces ignored)."""

    kind = "choice"

    def __init__(self, name: str, *, digest: str, choices: Sequence[str],
                 hints: Sequence[str] = (), prompt: str = ""):
        super().__init__(name, hints=hints, prompt=prompt)
        self.digest = digest
        self.choices = tuple(str(c).strip().lower() for c in choices)
        if len(self.choices) < 2:
            raise ValueError(f"choices must list at least two options; got {choices!r}")

    def _judge(self, answer, **kwargs) -> CheckResult:
        if not isinstance(answer, str):
            return CheckResult(self.name, INCORRECT, f"answer with one of {list(self.choices)} "
                                                     f"(a str); got {type(answer).__name__}")
        choice = answer.strip().lower()
        if choice not in self.choices:
            return CheckResult(self.name, INCORRECT,
                               f"{answer!r} is not one of {list(self.choices)}")
        if _hash("choice:" + choice) == self.digest:
            return CheckResult(self.name, CORRECT)
        return CheckResult(self.name, INCORRECT, f"{answer!r} is not it")


class CodeExercise(Exercise):
    """Code the student writes, judged by ``checker(fn, rng) -> (ok, reason)`` on fresh random
    inputs. ``reason`` says what failed (shape, a property, which input), never the expected
    numbers. ``check(fn, rng=None)``: a fresh unseeded generator unless one is given."""

    kind = "code"

    def __init__(self, name: str, *, checker: Callable, hints: Sequence[str] = (),
                 prompt: str = ""):
        super().__init__(name, hints=hints, prompt=prompt)
        if not callable(checker):
            raise TypeError(f"checker must be callable(fn, rng) -> (ok, reason); got "
                            f"{type(checker).__name__}")
        self.checker = checker

    def _judge(self, answer, rng=None, **kwargs) -> CheckResult:
        if not callable(answer):
            return CheckResult(self.name, INCORRECT,
                               f"expected a function; got {type(answer).__name__}")
        rng = np.random.default_rng() if rng is None else rng
        try:
            with np.errstate(all="ignore"):
                ok, reason = self.checker(answer, rng)
        except NotImplementedError:
            return CheckResult(self.name, NOT_ATTEMPTED,
                               "your function still raises NotImplementedError")
        except Exception as e:  # the student's code failed: say how, not what was expected
            return CheckResult(self.name, INCORRECT,
                               f"your function raised {type(e).__name__}: {e}")
        return CheckResult(self.name, CORRECT if ok else INCORRECT, reason)


class OpenQuestion(Exercise):
    """A question to think about or discuss; no automatic check (answer in ``solutions/``)."""

    kind = "open"

    def judge(self, answer=None, **kwargs) -> CheckResult:
        return CheckResult(self.name, OPEN, "no automatic check: discuss it, your instructor "
                                            "has an answer")

    def check(self, answer=None, **kwargs) -> CheckResult:
        return self.judge(answer).show()


def exercises_of(module) -> dict[str, Exercise]:
    """The exercises a ``nnlib.exercises.nbNN`` module defines, by name, in definition order."""
    return {value.name: value for value in vars(module).values() if isinstance(value, Exercise)}


# ---------------------------------------------------------------- helpers for code checkers
def compare_arrays(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-9):
    """(ok, reason) for a checker: shape first, then closeness, without printing ``expected``."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return False, f"{name} has shape {got.shape}; it should have shape {expected.shape}"
    if not np.all(np.isfinite(got)):
        return False, f"{name} contains NaN or inf"
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - expected) / (atol + rtol * np.abs(expected))))
        return False, (f"{name} has the right shape but wrong values (off by {worst:.3g}× the "
                       f"tolerance at its worst entry)")
    return True, ""
