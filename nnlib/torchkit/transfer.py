"""Transfer learning on MNIST: pre-train on digits 0-4, then learn 5-9 from a few labels.

A network trained on a related task with plenty of labels has learned features (strokes, curves,
corners) that also help on a new task with few labels. Three ways to train on the new task:

* ``"scratch"``  - a freshly initialised network, trained on the few labels only;
* ``"frozen"``   - the pre-trained network with its first ``freeze_depth`` weight layers fixed
  (the feature extractor) and a new output layer; only the unfrozen layers learn;
* ``"finetune"`` - the pre-trained network with a new output layer; every layer learns.

The pre-trained network travels as a checkpoint (:mod:`nnlib.torchkit.checkpoint`, loaded with
``weights_only=True``), as one would download one. What this module leaves out: learning-rate
schedules per layer, gradual unfreezing, and networks pre-trained on other data sets.
"""

from __future__ import annotations

import copy
import os
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .._checks import check_choice, check_positive_float, check_positive_int, check_rng
from . import checkpoint, models, train
from .device import _one_thread_each, cpu_threads, seed_everything
from .optimizers import make_optimizer

MODES = ("scratch", "frozen", "finetune")
SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)
#: the CNN of this lesson: fast_cnn's layout, narrower, 5 outputs (``models.build_model`` name)
ARCH = "cnn"
ARCH_KWARGS = {"filters": (8, 16), "kernel_size": (5, 3), "hidden": 64, "crop": 2,
               "padding": "valid", "num_classes": len(TARGET_DIGITS)}


def transfer_cnn(**overrides) -> nn.Sequential:
    """The lesson's CNN ``(N, 1, 28, 28)`` -> ``(N, 5)``: crop 2, conv 5x5 (8), pool, ReLU,
    conv 3x3 (16), pool, ReLU, FC 64, ReLU, FC 5 (about 18 k weights)."""
    return models.build_model(ARCH, **{**ARCH_KWARGS, **overrides})


def weight_layers(model: nn.Sequential) -> list[str]:
    """Names of the layers that hold weights, input to output (``conv1, conv2, fc1, out``)."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be an nn.Sequential with named layers; got "
                        f"{type(model).__name__}")
    return [name for name, layer in model.named_children()
            if any(True for _ in layer.parameters(recurse=False))]


def digit_task(x: torch.Tensor, y: torch.Tensor, digits) -> tuple[torch.Tensor, torch.Tensor]:
    """The images of ``digits`` only, labelled by position: digit ``digits[i]`` -> class ``i``.

    x ``(N, 1, H, W)``, y ``(N,)`` -> ``(M, 1, H, W)``, ``(M,)`` with labels ``0..len(digits)-1``.
    """
    digits = [int(d) for d in digits]
    if not digits or len(set(digits)) != len(digits) or min(digits) < 0 or max(digits) > 9:
        raise ValueError(f"digits must be distinct digits 0..9; got {digits!r}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}")
    lookup = torch.full((10,), -1, dtype=torch.long, device=y.device)
    lookup[digits] = torch.arange(len(digits), device=y.device)
    new = lookup[y.long()]
    keep = new >= 0
    return x[keep], new[keep]


def k_per_class(y, k: int, *, rng) -> np.ndarray:
    """Indices of ``k`` examples of every class in ``y`` ``(N,)``, drawn without replacement.

    Returns a sorted int64 array of length ``k * classes``. Raises if a class has fewer than k.
    """
    k = check_positive_int("k", k)
    rng = check_rng("rng", rng)
    y = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    picked = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) < k:
            raise ValueError(f"k must be at most the size of the smallest class; got k={k} but "
                             f"class {c} has {len(members)} examples")
        picked.append(rng.choice(members, size=k, replace=False))
    return np.sort(np.concatenate(picked)).astype(np.int64)


def freeze(model: nn.Sequential, depth: int) -> list[str]:
    """Fix the weights of the first ``depth`` weight layers (``requires_grad = False``).

    depth 0 freezes nothing; ``len(weight_layers(model))`` would freeze everything and is
    refused (nothing would learn). Returns the names of the frozen layers.
    """
    names = weight_layers(model)
    depth = check_positive_int("freeze_depth", depth, minimum=0)
    if depth >= len(names):
        raise ValueError(f"freeze_depth must be 0..{len(names) - 1} (the output layer always "
                         f"learns) for layers {names}; got {depth}")
    layers = dict(model.named_children())
    for i, name in enumerate(names):
        for p in layers[name].parameters():
            p.requires_grad_(i >= depth)
    return names[:depth]


def pretrain(x: torch.Tensor, y: torch.Tensor, *, epochs: int = 2, lr: float = 3e-3,
             batch_size: int = 64, seed: int = 0, progress: bool = True) -> nn.Sequential:
    """Train :func:`transfer_cnn` on the source task (x ``(N, 1, 28, 28)``, y ``(N,)`` in 0..4).

    Adam at ``lr`` with torch's default betas, constant rate, ``epochs`` passes. Returns the
    model in eval mode on ``x``'s device.
    """
    epochs = check_positive_int("epochs", epochs)
    generator = seed_everything(seed)
    model = train.to_training_layout(transfer_cnn().to(x.device))
    opt = make_optimizer("adam", model.parameters(), lr=check_positive_float("lr", lr))
    # one CPU thread: a network this small on minibatches of 64 gains nothing from a second
    with cpu_threads(1) if x.device.type == "cpu" else nullcontext():
        plan = train.EpochPlan(opt, batch_size=batch_size, generator=generator,
                               progress=progress)
        for epoch in range(1, epochs + 1):
            train.train_one_epoch(model, x, y, plan, epoch=epoch,
                                  desc=f"pre-train {epoch}/{epochs}")
    return model.eval()


def save_pretrained(path, model: nn.Module, *, meta: dict | None = None,
                    overwrite: bool = False):
    """Write the pre-trained network as a checkpoint that rebuilds itself; returns the path.
    An existing file is replaced only with ``overwrite=True``."""
    return checkpoint.save_checkpoint(path, model, arch=ARCH, arch_kwargs=ARCH_KWARGS, meta=meta,
                                      overwrite=overwrite)


def load_pretrained(path: str | os.PathLike, *, map_location="cpu") -> tuple[nn.Sequential, dict]:
    """Read a checkpoint from :func:`save_pretrained` (``weights_only=True``): (model, meta)."""
    return checkpoint.load_checkpoint(path, map_location=map_location)


def transfer_model(mode: str, pretrained: nn.Sequential | None = None, *,
                   freeze_depth: int | None = None, seed: int = 0) -> nn.Sequential:
    """A network for the target task, ready to train.

    mode: ``"scratch"`` (fresh weights; ``pretrained`` is ignored), ``"frozen"`` (a copy of
    ``pretrained`` with a new output layer and its first ``freeze_depth`` weight layers fixed;
    default: all but the output layer) or ``"finetune"`` (a copy with a new output layer, all
    layers learn; ``freeze_depth`` must be None or 0). ``seed`` fixes the new weights.
    """
    check_choice("mode", mode, MODES)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer; got {type(seed).__name__} {seed!r:.40}")
    torch.manual_seed(seed)
    fresh = transfer_cnn()
    if mode == "scratch":
        return fresh
    if pretrained is None:
        raise ValueError(f"mode {mode!r} needs the pre-trained network; got pretrained=None")
    model = copy.deepcopy(pretrained).cpu()
    if not isinstance(model, nn.Sequential) or not hasattr(model, "out"):
        raise TypeError("pretrained must be an nn.Sequential with an 'out' layer, as built by "
                        "transfer_cnn")
    model.out = fresh.out  # a new head: the target classes are different digits
    for p in model.parameters():
        p.requires_grad_(True)
    n = len(weight_layers(model))
    if mode == "frozen":
        freeze(model, n - 1 if freeze_depth is None else freeze_depth)
    elif freeze_depth:
        raise ValueError(f"freeze_depth must be None or 0 for mode 'finetune'; got {freeze_depth}")
    return model.to(next(pretrained.parameters()).device)


@dataclass
class FewLabelRun:
    """One training run on the target task: test accuracy (fraction) after each epoch."""

    mode: str
    k: int
    epochs: list[int] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    @property
    def final_accuracy(self) -> float:
        return self.test_accuracy[-1]

    def epochs_to(self, target: float) -> float:
        """First epoch whose test accuracy is >= target (``inf`` if never)."""
        for e, a in zip(self.epochs, self.test_accuracy):
            if a >= target:
                return e
        return float("inf")


def average_runs(runs) -> FewLabelRun:
    """The mean test-accuracy curve of several :class:`FewLabelRun` of one mode (same epochs),
    e.g. over several draws of the k labelled images."""
    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__iter__"):
        raise TypeError(f"runs must be a list of FewLabelRun; got {type(runs).__name__}")
    runs = list(runs)
    if not all(isinstance(r, FewLabelRun) for r in runs):
        raise TypeError(f"runs must be a list of FewLabelRun; got "
                        f"{[type(r).__name__ for r in runs]}")
    if not runs:
        raise ValueError("runs must hold at least one FewLabelRun; got none")
    epochs = runs[0].epochs
    if any(r.epochs != epochs or r.mode != runs[0].mode for r in runs):
        raise ValueError("runs must share one mode and the same evaluated epochs; got modes "
                         f"{sorted({r.mode for r in runs})}")
    mean = np.mean([r.test_accuracy for r in runs], axis=0)
    return FewLabelRun(runs[0].mode, runs[0].k, list(epochs), [float(a) for a in mean])


def train_few(model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor,
              y_test: torch.Tensor, *, epochs: int = 30, lr: float = 3e-3,
              batch_size: int = 25, seed: int = 0, eval_every: int = 1, mode: str = "",
              k: int = 0) -> FewLabelRun:
    """Train ``model`` on the few labelled images ``x``, ``y`` and record test accuracy.

    Adam (torch defaults, rate ``lr``) on the parameters that require gradients, minibatches of
    ``min(batch_size, N)``, ``epochs`` passes; evaluation on ``x_test``/``y_test`` after every
    ``eval_every``-th epoch and after the last.
    """
    epochs = check_positive_int("epochs", epochs)
    eval_every = check_positive_int("eval_every", eval_every)
    generator = torch.Generator().manual_seed(seed)
    train.to_training_layout(model)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer("adam", params, lr=check_positive_float("lr", lr))
    bs = min(check_positive_int("batch_size", batch_size), len(x))
    plan = train.EpochPlan(opt, batch_size=bs, generator=generator, progress=False)
    run = FewLabelRun(mode, k)
    on_cpu = next(model.parameters()).device.type == "cpu"
    for epoch in range(1, epochs + 1):
        # one CPU thread for the few-image minibatches: a second one only adds synchronisation
        with cpu_threads(1) if on_cpu else nullcontext():
            train.train_one_epoch(model, x, y, plan, epoch=epoch)
        if epoch % eval_every and epoch != epochs:
            continue
        run.epochs.append(epoch)
        run.test_accuracy.append(train.evaluate(model, x_test, y_test).accuracy)
    model.eval()
    return run


def few_label_runs(pretrained: nn.Sequential, x: torch.Tensor, y: torch.Tensor,
                   x_test: torch.Tensor, y_test: torch.Tensor, *, k: int, seed: int = 0,
                   modes=MODES, freeze_depth: int | None = None, epochs: int = 30,
                   lr: float = 3e-3, eval_every: int = 1) -> dict[str, FewLabelRun]:
    """Draw ``k`` labelled images per class of the target task (``x``, ``y`` in 0..4) with
    ``seed`` and train one network per mode on them; the same images for every mode. On the
    CPU the modes train side by side, one per core (see :func:`few_label_curve`).

    Returns ``{mode: FewLabelRun}``.
    """
    return few_label_curve(pretrained, x, y, x_test, y_test, ks=(k,), seed=seed, modes=modes,
                           freeze_depth=freeze_depth, epochs=epochs, lr=lr,
                           eval_every=eval_every)[k]


def few_label_curve(pretrained: nn.Sequential, x: torch.Tensor, y: torch.Tensor,
                    x_test: torch.Tensor, y_test: torch.Tensor, *, ks, seed: int = 0,
                    modes=MODES, freeze_depth: int | None = None, epochs: int = 30,
                    lr: float = 3e-3, eval_every=1) -> dict[int, dict[str, FewLabelRun]]:
    """:func:`few_label_runs` for every k of ``ks``: ``{k: {mode: FewLabelRun}}``, each run
    exactly what ``few_label_runs(..., k=k)`` gives. ``eval_every``: one number for every k, or
    ``{k: every}`` (a k left out is measured after its last epoch only).

    On the CPU the runs share one pool of threads, one per core, the longest first; each run
    trains (and is measured) on one torch thread, as it would alone, so the results do not
    depend on the pool. Each network is built (from torch's seeded generator) before any of
    them trains.
    """
    if isinstance(ks, (str, bytes)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"ks must be a list of labels per class, e.g. [1, 10, 100]; got "
                        f"{type(ks).__name__} {ks!r:.40}")
    ks = [check_positive_int("k", k) for k in ks]
    if not ks:
        raise ValueError("ks must hold at least one k; got none")
    if isinstance(modes, str) or not hasattr(modes, "__iter__"):
        raise TypeError(f"modes must be a list of modes out of {MODES}; got "
                        f"{type(modes).__name__} {modes!r:.40}")
    modes = [check_choice("mode", m, MODES) for m in modes]
    if isinstance(eval_every, dict):
        every = {k: check_positive_int(f"eval_every[{k}]", eval_every.get(k, epochs))
                 for k in ks}
    else:
        every = dict.fromkeys(ks, check_positive_int("eval_every", eval_every))
    jobs = []  # (k, mode, model, images, labels), built here: torch's seed is global
    for k in ks:
        idx = torch.from_numpy(k_per_class(y, k, rng=np.random.default_rng(seed))).to(y.device)
        xs, ys = x[idx], y[idx]
        for mode in modes:
            model = transfer_model(mode, pretrained, seed=seed + 1,
                                   freeze_depth=freeze_depth if mode == "frozen" else None)
            jobs.append((k, mode, model, xs, ys))

    def run(job):
        k, mode, model, xs, ys = job
        return train_few(model, xs, ys, x_test, y_test, epochs=epochs, lr=lr, seed=seed,
                         eval_every=every[k], mode=mode, k=k)

    jobs.sort(key=lambda job: -job[0])  # the longest first (stable: modes keep their order)
    results = _one_thread_each(run, jobs, on_cpu=x.device.type == "cpu")
    curve = {k: {} for k in ks}
    for (k, mode, *_), result in zip(jobs, results):
        curve[k][mode] = result
    return curve
