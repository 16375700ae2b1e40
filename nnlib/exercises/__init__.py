"""One way to check an exercise: say right or wrong, hint, and never show the answer.

Each notebook has a module here, ``nnlib.exercises.nbNN``, holding its exercises::

    from nnlib.exercises import nb06 as ex
    answer = None          # your answer here
    ex.q1.check(answer)    # one ✔/✘ line, and a CheckResult that is truthy when correct
    ex.q1.hint()           # a nudge; call again for a stronger hint (the last never gives the
                           # answer away: it points the way)

Four kinds:

* :class:`NumericExercise` compares a number with a *digest* of the answer (a salted SHA-256 of
  the answer quantised to multiples of ``step``), so the expected value is not stored anywhere a
  student can read it. An answer within about one ``step`` of the true value is accepted
  (``neighbours=0`` makes it exact to the bin, for integer answers). A second digest of the
  answer's sign and rough size (``size=``, from :func:`size_digest`) lets a wrong answer be told
  whether it is too large or too small, and by roughly how much.
* :class:`ChoiceExercise` compares a choice (case and surrounding spaces ignored) with a digest.
* :class:`CodeExercise` runs a *checker* on the student's function with fresh random inputs; the
  checker compares it with the library (itself tested against PyTorch) or with finite
  differences and explains what failed, never what the expected numbers are.
* :class:`OpenQuestion` has no automatic check: its instructor answer lives in ``solutions/``.

A starter value (``None``, ``...``, or a function that raises ``NotImplementedError``) is
reported as "not attempted yet" instead of wrong. Instructors' solutions live outside the
package, in the repository's ``solutions/`` folder; the tests check that every solution passes
its check and that a wrong answer fails it. Make the digests with :func:`digest` and
:func:`size_digest`, or ``python -m nnlib.exercises 0.25 --step 0.01``.

Every notebook imports its module as ``ex``, so a message names the hint as ``ex.q1.hint()``:
exactly what the student types (:data:`ALIAS`).

The mechanism lives in :mod:`nnlib.exercises.core`; its names are importable from here.
"""

from __future__ import annotations

from .core import (
    ALIAS,
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    OPEN,
    CheckResult,
    ChoiceExercise,
    CodeExercise,
    Exercise,
    NumericExercise,
    OpenQuestion,
    compare_arrays,
    digest,
    exercises_of,
    size_digest,
)

__all__ = ["ALIAS", "CORRECT", "INCORRECT", "NOT_ATTEMPTED", "OPEN", "CheckResult",
           "ChoiceExercise", "CodeExercise", "Exercise", "NumericExercise", "OpenQuestion",
           "compare_arrays", "digest", "exercises_of", "size_digest"]
