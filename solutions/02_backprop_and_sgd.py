"""Instructor solutions for notebook 02 (backpropagation and SGD); see solutions/README.md."""

from __future__ import annotations

from nnlib.activations import sigmoid


def backprop(Ws, bs, x, y):
    acts = [x]
    for W, b in zip(Ws, bs):
        acts.append(sigmoid(W @ acts[-1] + b))
    dz = acts[-1] - y
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for layer in range(len(Ws) - 1, -1, -1):
        dWs[layer], dbs[layer] = dz @ acts[layer].T, dz
        if layer:
            a = acts[layer]
            dz = (Ws[layer].T @ dz) * a * (1 - a)
    return dWs, dbs


def backprop_without_sigma_prime(Ws, bs, x, y):
    """The slip of the old exercise 1: the hidden errors forget the factor σ'(z)."""
    acts = [x]
    for W, b in zip(Ws, bs):
        acts.append(sigmoid(W @ acts[-1] + b))
    dz = acts[-1] - y
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for layer in range(len(Ws) - 1, -1, -1):
        dWs[layer], dbs[layer] = dz @ acts[layer].T, dz
        if layer:
            dz = Ws[layer].T @ dz
    return dWs, dbs


SOLUTIONS = {
    "q1": 10.0,               # sqrt(400 / 4)
    "q2": "c",                # quadratic: 0.999 · 0.999 · 0.001 ≈ 0.001; cross-entropy 0.999
    "q3": backprop,
    "q4": 5000 / 9999,        # ≈ 0.50
}

WRONG = {
    "q1": 100.0,              # the variance's factor, not the standard deviation's
    "q2": "a",
    "q3": backprop_without_sigma_prime,
    "q4": 1.0,
}

ANSWERS = {
    "q5": "η = 0.3: every step is ten times smaller, so the network learns more slowly per "
          "epoch; the curve is smoother and after 30 epochs still climbing, below the η = 3 "
          "run. η = 30: each step is so large that many sigmoid units are pushed into "
          "saturation (σ' ≈ 0) early; the quadratic cost's output error (a − y) σ'(z) then "
          "nearly vanishes for them, so learning stalls or the accuracy jumps around and ends "
          "lower than at η = 3 (Nielsen reports that much larger rates, η = 100, leave the "
          "network near chance). Too small a rate wastes steps; too large a rate overshoots "
          "and, with saturating units, freezes learning. Notebook 06 measures both regimes on "
          "simple costs. (Run it to see the numbers on your machine: they depend on the seed.)",
}
