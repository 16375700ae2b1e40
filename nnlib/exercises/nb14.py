"""Exercises of notebook 14 (transfer learning).

``from nnlib.exercises import nb14 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/14_transfer_learning.py``, not here.
"""

from __future__ import annotations

from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion

q2 = NumericExercise(
    "q2", digest="0775b50eea690247d02f4d976ea706fcd9dc9d19045eac4d429bc4d5fc02c487",
    size="6db5281e1d03a960fbae777494a36261456f7af6b36eb451b782653dee3dece0",
    step=1, neighbours=0,
    prompt="With freeze_depth=3 only the output layer FC 64 -> 5 learns: how many weights and "
           "biases does training change?",
    hints=("A fully-connected layer from m inputs to n outputs has one weight per pair.",
           "Count the input-output pairs of the output layer, then add its biases (one per "
           "output)."))


def _check_freeze(fn, rng):
    """fn(model, depth) -> None: freeze the first depth weight layers of a transfer_cnn."""
    from ..torchkit.exercise_checks import check_freeze

    return check_freeze(fn, rng)


q3 = CodeExercise(
    "q3", checker=_check_freeze,
    prompt="Write my_freeze(model, depth): requires_grad = False for the weights and biases of "
           "the first depth of conv1, conv2, fc1, out; True for the others.",
    hints=("Walk over the four layers in their order; a layer's position decides whether it "
           "learns.",
           "Get each layer from the model by its name (`getattr`) and set requires_grad on every "
           "one of its parameters, weights and biases alike."))

q1 = ChoiceExercise(
    "q1", digest="2b729da566302319e4fff12f353a03d24dbcc3353053a27a67e9eb33ddf4eb20",
    choices=("scratch", "frozen", "finetune"),
    prompt="Predict first: with k = 10, which reaches 80 % test accuracy in the fewest epochs?",
    hints=("Which one starts from useful features and may still adapt them?",
           "The frozen network can only re-weight features tuned for 0-4."))

q4 = OpenQuestion(
    "q4", prompt="Why can frozen features lose to a network trained from scratch on the same few "
                 "labels, although they were learned from thousands of images?")
