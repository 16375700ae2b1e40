"""Instructor solutions of notebook 14 (read by tests/test_exercises.py)."""


def my_freeze(model, depth):
    for i, name in enumerate(["conv1", "conv2", "fc1", "out"]):
        for p in getattr(model, name).parameters():
            p.requires_grad_(i >= depth)


def freeze_weights_only(model, depth):  # forgets the biases
    for i, name in enumerate(["conv1", "conv2", "fc1", "out"]):
        getattr(model, name).weight.requires_grad_(i >= depth)


SOLUTIONS = {
    "q2": 325,          # 64 · 5 + 5
    "q3": my_freeze,
    "q1": "finetune",   # measured: about 4-7 epochs, scratch 6-12, frozen never
}

WRONG = {
    "q2": 320,
    "q3": freeze_weights_only,
    "q1": "frozen",
}

ANSWERS = {
    "q4": "The frozen layers compute features that were trained only to separate the digits "
          "0-4. Whatever distinguishes a 7 from a 9 but never helped with 0-4 may have been "
          "discarded on the way (by the ReLUs, the pooling and the 64-unit bottleneck), and a "
          "new output layer can only re-weight what is left: no number of target labels brings "
          "it back. A network trained from scratch is free to learn exactly the features the "
          "new task needs; with enough labels (here already 10 per class) that freedom is worth "
          "more than the head start. Fine-tuning, or freezing only the general early layers "
          "(strokes, curves), keeps the head start without the bottleneck.",
}
