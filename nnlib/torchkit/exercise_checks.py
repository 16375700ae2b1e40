"""Checkers for the exercises of the torch notebooks (14, 15): ``checker(fn, rng) -> (ok, why)``.

They live in the torch room because they build torch models; ``nnlib.exercises.nb14``/``nb15``
import them only when a check runs. A checker tests the student's function on fresh random
inputs against the library and says what is wrong, never the expected values.
"""

from __future__ import annotations

import numpy as np
import torch

from . import attacks, transfer


def _check_args(fn, rng, how: str) -> None:
    if not callable(fn):
        raise TypeError(f"fn must be your function {how}; got {type(fn).__name__} {fn!r:.40}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(0)); got "
                        f"{type(rng).__name__} {rng!r:.40}")


def check_fgsm(fn, rng):
    """fn(model, x, y, eps) -> attacked images, compared with nnlib.torchkit.attacks.fgsm."""
    _check_args(fn, rng, "fn(model, x, y, eps)")
    for trial in range(3):
        shape = (1, 6 + trial, 7)
        n_in = shape[1] * shape[2]
        torch.manual_seed(int(rng.integers(1 << 31)))
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(n_in, 12), torch.nn.Tanh(),
                                  torch.nn.Linear(12, 4))
        model = attacks.PixelModel(net).eval()
        x = torch.from_numpy(rng.uniform(0, 1, size=(5, *shape)).astype("float32"))
        x[0, 0, 0] = 0.0  # pixels at the edges of the range: the result must stay in [0, 1]
        x[1, 0, 0] = 1.0
        y = torch.from_numpy(rng.integers(0, 4, size=5))
        eps = float(rng.uniform(0.05, 0.3))
        got = fn(model, x.clone(), y.clone(), eps)
        if not isinstance(got, torch.Tensor):
            return False, f"my_fgsm returned a {type(got).__name__}; return a torch tensor"
        if tuple(got.shape) != tuple(x.shape):
            return False, f"the output has shape {tuple(got.shape)}; it should be {tuple(x.shape)}"
        got = got.detach()
        if float(got.min()) < 0 or float(got.max()) > 1:
            return False, "some pixels left [0, 1]: clip the attacked images"
        expected = attacks.fgsm(model, x, y, eps)
        moved = (got - x).abs()
        if float(moved.max()) > eps + 1e-5:
            return False, f"a pixel moved by more than ε = {eps:.3f}: use ε times the SIGN"
        if not torch.allclose(got, expected, atol=1e-5):
            wrong_way = float(((got - x) * (expected - x) < 0).float().mean())
            if wrong_way > 0.5:
                return False, "most pixels moved the wrong way: FGSM climbs the loss (x + ε·sign)"
            return False, "some pixels differ from FGSM: take the gradient of the loss at x " \
                          "with respect to x, for the true labels y"
    return True, "your FGSM matches the library on fresh random models and images"


def check_freeze(fn, rng):
    """fn(model, depth) -> None: freeze the first depth weight layers of a transfer_cnn."""
    _check_args(fn, rng, "fn(model, depth)")
    names = ["conv1", "conv2", "fc1", "out"]
    for depth in rng.permutation(4):
        depth = int(depth)
        torch.manual_seed(int(rng.integers(1 << 31)))
        model = transfer.transfer_cnn()
        before = {k: v.clone() for k, v in model.state_dict().items()}
        fn(model, depth)
        for i, name in enumerate(names):
            flags = {p.requires_grad for p in getattr(model, name).parameters()}
            if flags != {i >= depth}:
                state = "trainable" if i < depth else "frozen"
                return False, (f"with depth = {depth}, layer {name} is left {state}: the first "
                               f"depth weight layers (weights and biases) must be frozen and "
                               f"the rest trainable")
        for k, v in model.state_dict().items():
            if not torch.equal(v, before[k]):
                return False, f"with depth = {depth} the values of {k} changed: freezing only " \
                              "marks parameters, it does not change them"
    return True, "the right layers are frozen for every depth 0-3"
