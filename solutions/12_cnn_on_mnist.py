"""Instructor solutions for notebook 12 (a CNN on MNIST); see solutions/README.md."""

from __future__ import annotations

import numpy as np


def confusion(y_true, y_pred, num_classes):
    c = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(c, (y_true, y_pred), 1)
    return c


def confusion_transposed(y_true, y_pred, num_classes):
    """A common slip: rows indexed by the prediction."""
    return confusion(y_true, y_pred, num_classes).T


SOLUTIONS = {
    "q1": 4640,          # (3 · 3 · 16 + 1) · 32
    "q2": "lower",       # measured 98.29 % with plain SGD against 99.29 % (seed 0, CPU)
    "q3": confusion,
    "q4": 61_706,        # 156 + 2 416 + 48 120 + 10 164 + 850
}

WRONG = {
    "q1": 4608,          # forgot the biases
    "q2": "higher",
    "q3": confusion_transposed,
    "q4": 61_470,        # forgot the biases
}

ANSWERS = {
    "q5": "Usually a little, if at all, in 4 epochs: the test accuracy moves by about a tenth "
          "of a point, within the run-to-run spread of one seed. MNIST digits are already "
          "centred by their centre of mass, so shifted digits are rare in the test set, and "
          "the network's pooling already tolerates small shifts; augmentation mainly fights "
          "over-fitting, and a 72 k-weight network trained for 4 epochs on 60 000 images "
          "barely over-fits (training and test accuracy stay close). Random shifts also make "
          "each epoch harder, so their benefit shows with more epochs or fewer training "
          "images (notebook 13 measures the gain on a small training set).",
    "q6": "Networks of a few thousand weights reach 98 % on 6 000 images in 2 epochs, e.g. one "
          "conv layer with 4-8 masks, max pooling, and no hidden fully-connected layer (the "
          "FC layer is where the weights are). What one gives up is width of the fully "
          "connected part and depth; what must stay is a convolution with pooling (shared "
          "masks and some tolerance to shifts) and a learning rate that suits the optimiser. "
          "Students report their table; the point is that the search is trial and error.",
}
