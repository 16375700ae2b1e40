"""Exercises of notebook 08 (pre-training and explaining away). Answers live in
``solutions/08_pretraining_and_explaining_away.py``.

The code exercise compares the student's posterior with
:func:`nnlib.lessons.explaining_away.probability` (tested against a brute-force sum and Bayes'
rule by hand in ``tests/lessons/test_explaining_away.py``) on fresh random car models.
"""

from __future__ import annotations

from ..lessons.explaining_away import CarModel, probability
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion

q1 = ChoiceExercise(
    "q1", digest="b26130d5f1ab7074944149793531562f9af2a33aa2ffc0173567cbc995f5d111",
    choices=("more", "equally", "less"),
    prompt="Predict: the engine failed and the pump is blocked. Compared with knowing only that "
           "the engine failed, is a dead battery more, equally or less likely?",
    hints=("Does the failure still need another explanation once you know the pump is blocked?",
           "A blocked pump alone makes the failure almost certain."))

q2 = NumericExercise(
    "q2", digest="3d2212d9cbba6f8740cf30289f5f2d0bf32eb40ff7e0b5a2d0f1beb24e318e6d",
    size="31ad10bc9808cf2d1a364092c18d87993ed7f8abb5912420974933e13cb46735", step=0.005,
    prompt="In the notebook's car model, P(Z = 1 | X = 1): the pump is blocked, given that the "
           "engine failed?",
    hints=("P(Z=1 | X=1) = P(Z=1, X=1) / P(X=1): sum the joint table over the battery.",
           "`car.joint()` is indexed [battery, pump, fails]: add up the entries with the pump "
           "blocked and the engine failed, then divide by the sum of all entries with the engine "
           "failed."))


def _posterior_checker(fn, rng):
    for trial in range(5):
        table = rng.uniform(0.02, 0.98, size=(2, 2))
        model = CarModel(p_battery=float(rng.uniform(0.02, 0.9)),
                         p_pump=float(rng.uniform(0.02, 0.9)), p_fail=table)
        for pump in (0, 1):
            got = fn(model.p_battery, model.p_pump, [list(row) for row in model.p_fail], pump)
            try:
                got = float(got)
            except (TypeError, ValueError):
                return False, f"return one number (a probability); got {type(got).__name__}"
            if not 0.0 <= got <= 1.0:
                return False, f"model {trial + 1}, pump={pump}: {got:.4g} is not a probability"
            ref = probability(model, {"battery": 1}, {"fails": 1, "pump": pump})
            if abs(got - ref) > 1e-9:
                return False, (f"model {trial + 1}, pump={pump}: wrong value (did you sum over "
                               "every unobserved variable and divide by P(X=1, Z=pump)?)")
    return True, "matches exact enumeration on 5 random models, both pump states"


q3 = CodeExercise(
    "q3", checker=_posterior_checker,
    prompt="Write posterior_battery(p_battery, p_pump, p_fail, pump) = P(Y=1 | X=1, Z=pump).",
    hints=("Only the battery is unobserved: P(Y=1 | X=1, Z=z) = P(1, z, 1) / Σ_y P(y, z, 1).",
           "The car model's joint factorises: battery and pump are independent, and the failure "
           "depends on both through `p_fail`. Write P(y, pump, fails) for y = 0 and for y = 1, "
           "then normalise."))

q4 = OpenQuestion(
    "q4", prompt="Why might pre-trained weights be a better starting point for backprop than "
                 "small random weights in a deep sigmoid network?")
