"""The exercise mechanism behind every notebook's checks (see :mod:`nnlib.exercises`).

Digests (:func:`digest`, :func:`size_digest`), the four kinds of exercise
(:class:`NumericExercise`, :class:`ChoiceExercise`, :class:`CodeExercise`,
:class:`OpenQuestion`) on one base :class:`Exercise`, the :class:`CheckResult` a check returns,
and :func:`compare_arrays` for code checkers. The notebooks' modules ``nbNN`` import these
names from the package, ``from . import NumericExercise, ...``.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["CheckResult", "ChoiceExercise", "CodeExercise", "Exercise", "NumericExercise",
           "OpenQuestion", "digest", "exercises_of", "size_digest"]

_SALT = "nnlib-exercises-v1"
CORRECT, INCORRECT, NOT_ATTEMPTED, OPEN = "correct", "incorrect", "not attempted", "open"
_MARK = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "…", OPEN: "✎"}
ALIAS = "ex"          # the name every notebook gives its exercise module
_SIZE_BINS = 20       # size digests: bins per factor of 10 (each about 12 % wide)
_SIZE_RANGE = 400     # exponents from 10^-20 to 10^20
_FINE_SEARCH = 100_000  # at most this many bins searched to place a near miss


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


def _size_key(value: float) -> str:
    if value == 0:
        return "size:0"
    sign = "+" if value > 0 else "-"
    exponent = int(math.floor(math.log10(abs(value)) * _SIZE_BINS + 0.5))
    return f"size:{sign}:{max(-_SIZE_RANGE, min(_SIZE_RANGE, exponent))}"


def size_digest(value) -> str:
    """The digest of a number's sign and rough size (to about 12 %), stored beside
    :func:`digest` so that a wrong answer can be called too large or too small."""
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"value must be a finite real number; got {value!r}")
    return _hash(_size_key(float(value)))


def _rough_value(size: str) -> float | None:
    """The true value to within about 12 % (sign included), from its size digest."""
    if _hash("size:0") == size:
        return 0.0
    for exponent in range(-_SIZE_RANGE, _SIZE_RANGE + 1):
        for sign in (1.0, -1.0):
            if _hash(f"size:{'+' if sign > 0 else '-'}:{exponent}") == size:
                return sign * 10.0 ** (exponent / _SIZE_BINS)
    return None


def _factor(r: float) -> str:
    return f"{r:.1f}" if r < 10 else f"{float(f'{r:.2g}'):g}"


def _by_how_much(ratio: float) -> str:
    """'too large by about 5 %' or 'too small by a factor of about 3.2', for got/expected > 0."""
    side = "too large" if ratio > 1 else "too small"
    if ratio >= 1.5 or ratio <= 1 / 1.5:
        return f"{side} by a factor of about {_factor(max(ratio, 1 / ratio))}"
    off = abs(ratio - 1) if ratio > 1 else abs(1 / ratio - 1)
    return f"{side} by about {float(f'{100 * off:.1g}'):g} %"


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

    @property
    def call(self) -> str:
        """How a student calls this exercise's hint in its notebook."""
        return f"{ALIAS}.{self.name}.hint()"

    def hint(self) -> None:
        """Print the next hint, once (the last one repeats). Returns nothing, so a bare
        ``ex.q1.hint()`` at the end of a cell shows the hint once, not again as a value."""
        if not self.hints:
            text = "no hint for this one: reread the section above it"
        else:
            text = self.hints[min(self._hints_given, len(self.hints) - 1)]
            self._hints_given += 1
            if len(self.hints) > 1:
                text = f"hint {min(self._hints_given, len(self.hints))}/{len(self.hints)}: {text}"
        print(f"💡 {self.name}: {text}")

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
            result.message += f"{sep}`{self.call}` gives a nudge"
        return result.show()

    def _judge(self, answer, **kwargs) -> CheckResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class NumericExercise(Exercise):
    """A numeric answer, judged against a digest to within about one ``step``.

    ``digest``: from :func:`digest` (the value itself lives in ``solutions/``). ``size``: from
    :func:`size_digest`, so that a wrong answer hears whether it is too large or too small and
    by roughly how much. ``neighbours``: how many bins either side are accepted (1: within
    about ±step; 0: the nearest multiple of step must match, for integer answers use step=1,
    neighbours=0).
    """

    kind = "numeric"

    def __init__(self, name: str, *, digest: str, step: float, size: str | None = None,
                 neighbours: int = 1, hints: Sequence[str] = (), prompt: str = ""):
        super().__init__(name, hints=hints, prompt=prompt)
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError(f"digest must be a 64-character hex string from "
                             f"nnlib.exercises.digest; got {digest!r}")
        if size is not None and (not isinstance(size, str) or len(size) != 64):
            raise ValueError(f"size must be a 64-character hex string from "
                             f"nnlib.exercises.size_digest, or None; got {size!r}")
        self.digest = digest
        self.size = size
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
            if self._is_bin(k):
                return CheckResult(self.name, CORRECT, f"({self.tolerance})")
        return CheckResult(self.name, INCORRECT, f"{self._how_far(x, q)} ({self.tolerance})")

    def _is_bin(self, k: int) -> bool:
        return _hash(f"number:{self.step!r}:{k}") == self.digest

    def _how_far(self, x: float, q: int) -> str:
        """A wrong answer in words: wrong sign, or too large / too small and roughly by how
        much; never the value itself."""
        rough = _rough_value(self.size) if self.size else None
        if rough is None:
            return "that is not it"
        if rough == 0.0:
            return "too large" if x > 0 else "too small"
        if x == 0.0:
            return "too large" if rough < 0 else "too small"
        if (x > 0) != (rough > 0):
            return "the sign is wrong"
        ratio = abs(x) / abs(rough)
        larger = "too large" if x > rough else "too small"
        if ratio >= 1.5 or ratio <= 1 / 1.5:
            return _by_how_much(ratio) if x > 0 else _by_how_much(1 / ratio)
        # near miss: find the true bin close by to say which side it is on, and how close
        reach = min(_FINE_SEARCH, int(0.6 * abs(x) / self.step) + self.neighbours + 2)
        for d in range(self.neighbours + 1, reach + 1):
            for k in (q - d, q + d):
                if self._is_bin(k):
                    side = "too large" if k < q else "too small"
                    off = abs(x - k * self.step) / max(abs(k * self.step), self.step)
                    return (f"close, but {side} by about {float(f'{100 * off:.1g}'):g} %"
                            if off >= 0.01 else f"very close, but a little {side}: work with "
                            f"more digits or round later")
        return f"{larger}, but close in size"


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
    """The exercises a ``nnlib.exercises.nbNN`` module defines, by name, in the order of their
    numbers (q1, q2, ..., the order a student meets them in the notebook)."""
    found = [value for value in vars(module).values() if isinstance(value, Exercise)]
    return {e.name: e for e in sorted(found, key=lambda e: (len(e.name), e.name))}


# ---------------------------------------------------------------- helpers for code checkers
def compare_arrays(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-9):
    """(ok, reason) for a checker: shape first, then closeness, without printing ``expected``.

    The reason says what is off in a student's words: the shape; the sign; a whole result too
    large or too small by a common factor; or how many entries are off and, for the worst one,
    where it is and whether it is too large or too small, and by roughly how much.
    """
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return False, f"{name} has shape {got.shape}; it should have shape {expected.shape}"
    if not np.all(np.isfinite(got)):
        return False, f"{name} contains NaN or inf"
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if np.all(close):
        return True, ""
    got, expected = got.astype(float), expected.astype(float)
    bad = int(np.size(close) - np.count_nonzero(close))
    if np.allclose(got, -expected, rtol=rtol, atol=atol):
        return False, f"{name} has the wrong sign (every entry is the negative of the right one)"
    flat_e = expected.ravel()
    nonzero = np.abs(flat_e) > atol
    if np.count_nonzero(nonzero) > 1:
        ratios = got.ravel()[nonzero] / flat_e[nonzero]
        r = float(np.median(ratios))
        if r > 0 and abs(r - 1) > 0.01 and np.allclose(got, r * expected, rtol=1e3 * rtol,
                                                        atol=atol):
            return False, (f"{name} is {_by_how_much(r)}, every entry by the same factor: "
                           f"is a constant factor missing or extra?")
    score = np.abs(got - expected) / (atol + rtol * np.abs(expected))
    worst = np.unravel_index(int(np.argmax(score)), got.shape)
    g, e = float(got[worst]), float(expected[worst])
    where = f", at index {tuple(int(i) for i in worst)}," if got.ndim else ""
    count = f"{bad} of its {got.size} entries are off; the worst{where}" if got.size > 1 else "it"
    if abs(e) <= atol:
        detail = f"should be zero but is {g:.2g}"
    elif np.sign(g) != np.sign(e):
        detail = "has the wrong sign"
    else:
        detail = f"is {_by_how_much(abs(g) / abs(e))}"
    return False, f"{name} has the right shape but wrong values: {count} {detail}"
