"""Training and evaluation as plain functions, with progress bars and a history for live plots.

``train_one_epoch`` runs one pass over the training tensors in a fresh random order, as an
:class:`EpochPlan` says (optimiser, schedule, batch size, ...), showing a tqdm bar with the
running loss, accuracy and images per second; ``evaluate`` measures loss and accuracy without
building a graph (``torch.inference_mode``); ``fit`` strings them together with an optimiser
named as in :mod:`nnlib.optim` (built by :func:`nnlib.torchkit.optimizers.make_optimizer`) and a
one-cycle learning-rate schedule, and records a :class:`History`, with the same field names as
the NumPy loop's :class:`nnlib.training.History`.

On the CPU, convolutions run fastest with the channels-last memory layout, so models and batches
are converted to it there; running totals stay on the device and are read only every
``log_every`` batches, so a GPU is never stalled by a ``.item()`` per batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from .. import training as _training
from .._checks import (
    as_sequence,
    check_choice,
    check_fraction,
    check_not_a_class,
    check_positive_int,
)
from ..callbacks import overrides
from . import optimizers
from ._checks import check_device, check_module, check_tensor
from .data import MNISTTensors, batch_indices, num_batches, random_shift
from .device import _one_thread_each, configure_cpu_threads, seed_everything

#: The peak learning rate of this course's fast CNN recipe (one-cycle schedule, batch 128,
#: label smoothing 0.1) for each optimiser of :data:`nnlib.torchkit.optimizers.OPTIMIZERS`: a
#: rate that trains the course's CNNs in an epoch or two, where :func:`fit` and the trainer lab
#: start. A property of the recipe, not of the optimiser (its defaults are nnlib.optim.DEFAULTS).
#: adagrad and nadam were measured on the trainer lab's first network (one epoch of 6 000
#: images, seed 0): adagrad 3e-3/1e-2/3e-2/1e-1 reached 82/91/93/76 % test accuracy, nadam
#: 2e-3/5e-3/1e-2/2e-2 90/94/92/92 % (adam at 1e-2: 94 %); fast_cnn, 150 batches: adagrad
#: 3e-2 97.8 %, nadam 5e-3 97.9 % (adam 1e-2: 98.1 %)
RECIPE_PEAK_LR = {"sgd": 0.1, "momentum": 0.1, "nesterov": 0.1, "adagrad": 3e-2,
                  "rmsprop": 2e-3, "adam": 1e-2, "nadam": 5e-3}
#: images per forward pass in evaluate/predict: 500 keeps a small CNN's feature maps in the CPU's
#: cache (2 000 did not): the 10 000 MNIST test images through fast_cnn cost 0.30 s of CPU
#: instead of 0.57 s, with the same results (issue 23)
EVAL_BATCH = 500
SCHEDULES = ("onecycle", "constant", "step")


@dataclass
class History(_training.History):
    """What happened during training, appended as it happens (for live plots).

    The fields of :class:`nnlib.training.History` (one vocabulary for both loops): per epoch
    ``epoch``, ``train_loss`` and ``train_accuracy`` (means over the epoch's batches),
    ``seconds`` (training time, evaluation excluded); ``val_epoch``, ``val_loss`` and
    ``val_accuracy`` for each epoch measured on the held-out split (``data.x_test`` in
    :func:`fit`); every ``log_every`` batches ``step_epoch`` (fractional epoch) and ``step_loss``
    (running mean since the previous entry). The torch loop adds ``step_accuracy`` (running
    accuracy, per log entry) and ``images_per_second`` (per epoch).
    """

    step_accuracy: list[float] = field(default_factory=list)
    images_per_second: list[float] = field(default_factory=list)


@dataclass
class EpochResult:
    """Mean loss and accuracy (fraction) of one pass, its seconds and throughput."""

    loss: float
    accuracy: float
    seconds: float
    images: int

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class EpochPlan:
    """How :func:`train_one_epoch` trains, the same for every epoch of a run; checked when made.

    ``optimizer``: a ``torch.optim`` optimiser (see :func:`nnlib.torchkit.optimizers.
    make_optimizer`); ``scheduler.step()`` runs after every batch (per-step schedules such as
    one-cycle; ``None``: none). Minibatches of ``batch_size`` in an order drawn from
    ``generator``. ``label_smoothing`` ε in [0, 1) trains on targets 1 - ε + ε/K for the true
    class and ε/K for the others; the reported loss is always the plain cross-entropy,
    comparable with :func:`evaluate`. ``shift`` > 0 moves each image by a random -shift..shift
    pixels (augmentation). ``progress``: a tqdm bar. Every ``log_every`` batches the running
    loss and accuracy go to the bar and to ``history`` (if given), then ``callback(history)``
    runs (e.g. to update a live plot). ``max_batches`` ends each epoch early (quick demos).
    """

    optimizer: torch.optim.Optimizer
    scheduler: object = None
    batch_size: int = 128
    label_smoothing: float = 0.0
    shift: int = 0
    generator: torch.Generator | None = None
    progress: bool = True
    log_every: int = 25
    history: History | None = None
    callback: object = None
    max_batches: int | None = None

    def __post_init__(self):
        if not (callable(getattr(self.optimizer, "zero_grad", None))
                and callable(getattr(self.optimizer, "step", None))):
            raise TypeError(f"optimizer must be a torch.optim optimiser (see "
                            f"nnlib.torchkit.optimizers.make_optimizer); got "
                            f"{type(self.optimizer).__name__} {self.optimizer!r:.40}")
        self.batch_size = check_positive_int("batch_size", self.batch_size)
        self.label_smoothing = check_fraction("label_smoothing", self.label_smoothing)
        self.log_every = check_positive_int("log_every", self.log_every)
        if self.max_batches is not None:
            self.max_batches = check_positive_int("max_batches", self.max_batches)

    def batches(self, n: int) -> int:
        """Minibatches in an epoch over ``n`` examples (``max_batches`` caps them)."""
        count = num_batches(n, self.batch_size)
        return count if self.max_batches is None else min(count, self.max_batches)


def _prepare(model: nn.Module, x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def use_channels_last(device) -> bool:
    """Channels-last is faster for CPU convolutions (oneDNN); elsewhere keep the default."""
    return check_device("device", device).type == "cpu"


def to_training_layout(model: nn.Module) -> nn.Module:
    """``model`` (in place) in the memory layout that trains fastest on its device: on the CPU
    its convolution weights channels-last, so that every convolution, and the max-pooling after
    it, works channels-last (torch's CPU max-pooling is ~5x slower on the default layout:
    0.37 vs 2.1 ms for 64 maps of 8x24x24, one thread). Returns the model."""
    check_module("model", model)
    if use_channels_last(_device_of(model)):
        model.to(memory_format=torch.channels_last)
    return model


def _device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def train_one_epoch(model: nn.Module, x: torch.Tensor, y: torch.Tensor, plan: EpochPlan, *,
                    epoch: int = 1, desc: str = "train") -> EpochResult:
    """One pass of minibatch training over ``x`` ``(N, 1, H, W)``, ``y`` ``(N,)`` in random order,
    as ``plan`` says (an :class:`EpochPlan`: optimiser, schedule, batch size, ...).

    ``epoch`` (counted from 1) places the log entries in ``plan.history``; ``desc`` labels the
    progress bar. Returns an :class:`EpochResult`.
    """
    check_module("model", model)
    check_tensor("x", x, what="a torch.Tensor (N, 1, H, W)")
    check_tensor("y", y, what="a torch.Tensor (N,) of class labels")
    if not isinstance(plan, EpochPlan):
        raise TypeError(f"plan must be an EpochPlan (e.g. EpochPlan(optimizer, batch_size=64)); "
                        f"got {type(plan).__name__} {plan!r:.40}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}")
    epoch = check_positive_int("epoch", epoch)
    batch_size, history = plan.batch_size, plan.history
    device = _device_of(model)
    cl = use_channels_last(device)
    n_batches = plan.batches(len(x))
    model.train()
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    seen = since_loss = since_correct = since_seen = 0
    bar = tqdm(total=n_batches * batch_size if plan.max_batches else len(x), desc=desc,
               unit="img", unit_scale=True, disable=not plan.progress, leave=True,
               mininterval=0.25)
    start = time.perf_counter()
    for i, idx in enumerate(batch_indices(len(x), batch_size, generator=plan.generator,
                                          device=x.device)):
        if i >= n_batches:
            break
        xb, yb = x[idx], y[idx]
        if plan.shift:
            xb = random_shift(xb, plan.shift, generator=plan.generator)
        xb = _prepare(model, xb, cl).to(device, non_blocking=True)
        yb = yb.to(device, non_blocking=True)
        nll, logits = _train_step(model, plan, xb, yb)
        with torch.no_grad():
            loss_sum += nll.detach() * len(yb)
            correct += (logits.argmax(1) == yb).sum()
        seen += len(yb)
        bar.update(len(yb))
        if (i + 1) % plan.log_every == 0 or i + 1 == n_batches:
            total_loss, total_correct = float(loss_sum), int(correct)
            n = seen - since_seen
            run_loss = (total_loss - since_loss) / n
            run_acc = (total_correct - since_correct) / n
            since_loss, since_correct, since_seen = total_loss, total_correct, seen
            elapsed = time.perf_counter() - start
            bar.set_postfix(loss=f"{run_loss:.3f}", acc=f"{100 * run_acc:.1f}%",
                            img_s=f"{seen / elapsed:,.0f}", refresh=False)
            if history is not None:
                history.step_epoch.append(epoch - 1 + (i + 1) / n_batches)
                history.step_loss.append(run_loss)
                history.step_accuracy.append(run_acc)
                if plan.callback is not None:
                    plan.callback(history)
    seconds = time.perf_counter() - start
    bar.close()
    return EpochResult(float(loss_sum) / max(seen, 1), int(correct) / max(seen, 1), seconds, seen)


def _train_step(model: nn.Module, plan: EpochPlan, xb: torch.Tensor, yb: torch.Tensor):
    """One optimiser (and scheduler) step on a batch; returns (plain cross-entropy, logits)."""
    logits = model(xb)
    log_p = F.log_softmax(logits, dim=1)
    nll = F.nll_loss(log_p, yb)  # the plain cross-entropy, what we report
    eps = plan.label_smoothing
    loss = nll if not eps else (1 - eps) * nll - eps * log_p.mean()
    plan.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    plan.optimizer.step()
    if plan.scheduler is not None:
        plan.scheduler.step()
    return nll, logits


def predict(model: nn.Module, x: torch.Tensor, *, batch_size: int = EVAL_BATCH) -> torch.Tensor:
    """Logits ``(N, classes)`` for ``x`` ``(N, 1, H, W)``, in eval mode, as a CPU tensor."""
    batch_size = check_positive_int("batch_size", batch_size)
    check_module("model", model)
    check_tensor("x", x, what="a torch.Tensor (N, 1, H, W)")
    device = _device_of(model)
    cl = use_channels_last(device)
    was_training = model.training
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(x), batch_size):
            xb = _prepare(model, x[start:start + batch_size], cl).to(device)
            out.append(model(xb).float().to("cpu"))
    model.train(was_training)
    return torch.cat(out) if out else torch.zeros(0, 0)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, batch_size: int = EVAL_BATCH,
             progress: bool = False, desc: str = "test") -> EpochResult:
    """Mean cross-entropy and accuracy of ``model`` on ``x`` ``(N, 1, H, W)``, ``y`` ``(N,)``."""
    batch_size = check_positive_int("batch_size", batch_size)
    check_module("model", model)
    check_tensor("x", x, what="a torch.Tensor (N, 1, H, W)")
    check_tensor("y", y, what="a torch.Tensor (N,) of class labels")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}")
    device = _device_of(model)
    cl = use_channels_last(device)
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    start = time.perf_counter()
    with torch.inference_mode():
        bar = tqdm(total=len(x), desc=desc, unit="img", unit_scale=True,
                   disable=not progress, leave=False)
        for s in range(0, len(x), batch_size):
            xb = _prepare(model, x[s:s + batch_size], cl).to(device)
            yb = y[s:s + batch_size].to(device)
            logits = model(xb)
            loss_sum += float(F.cross_entropy(logits, yb, reduction="sum"))
            correct += int((logits.argmax(1) == yb).sum())
            bar.update(len(yb))
        bar.close()
    model.train(was_training)
    seconds = time.perf_counter() - start
    return EpochResult(loss_sum / max(len(x), 1), correct / max(len(x), 1), seconds, len(x))


def make_scheduler(name: str, optimizer, *, total_steps: int, steps_per_epoch: int):
    """A per-batch learning-rate schedule: ``onecycle`` (warm up 25 %, anneal), ``step``
    (x0.7 per epoch) or ``constant`` (``None``)."""
    check_choice("schedule", name, SCHEDULES)
    if name == "constant":
        return None
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=steps_per_epoch, gamma=0.7)
    lr = optimizer.param_groups[0]["lr"]
    defaults = optimizer.defaults
    cycle = "betas" in defaults or bool(defaults.get("momentum", 0))
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total_steps,
                                               cycle_momentum=cycle)


def fit(model: nn.Module, data: MNISTTensors, *, epochs: int = 2, batch_size: int = 128,
        lr: float = RECIPE_PEAK_LR["adam"], optimizer: str = "adam", betas=None,
        schedule: str = "onecycle", label_smoothing: float = 0.1, weight_decay: float = 0.0,
        shift: int = 0, seed: int | None = 0, threads: int | None = None, progress: bool = True,
        evaluate_every_epoch: bool = True, log_every: int = 25, callback=None,
        epoch_callback=None, max_batches: int | None = None, callbacks=()) -> History:
    """Train ``model`` (moved to ``data.device``) for ``epochs`` passes; return its History.

    Defaults are the fast recipe of this course: Adam, one-cycle schedule peaking at ``lr``
    (:data:`RECIPE_PEAK_LR`), batch 128, label smoothing 0.1. ``optimizer``: a name of
    :data:`nnlib.torchkit.optimizers.OPTIMIZERS` (those of :mod:`nnlib.optim`), built with
    ``lr``, ``weight_decay`` and, when given, ``betas`` (Adam, NAdam); every other
    hyper-parameter has its :data:`nnlib.optim.DEFAULTS` value (Adam: β = (0.9, 0.999)).
    ``seed`` seeds torch and the batch order (``None``: leave the generators alone). On the CPU
    the thread count is set to ``threads`` (default: the physical cores).
    ``callback(history)`` runs every ``log_every`` batches and ``epoch_callback(history)``
    after each epoch's test evaluation (:class:`EpochPlan` holds the per-epoch settings).

    ``callbacks``: the same :class:`nnlib.callbacks.Callback` objects the NumPy ``fit`` takes,
    called with a :class:`nnlib.training.Run` (``net`` is the model, ``evaluate(X, y)`` takes
    NumPy arrays) at ``on_fit_start``, ``on_epoch_end`` (after the test evaluation) and
    ``on_fit_end``; ``run.stop = True`` ends training after the epoch. Per-batch hooks
    (``on_batch_end``) are not called here, so a callback that has one is refused.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    check_module("model", model)
    check_choice("optimizer", optimizer, optimizers.OPTIMIZERS)
    callbacks = _checked_callbacks(callbacks)
    if not isinstance(data, MNISTTensors):
        raise TypeError(f"data must be an MNISTTensors (from load_mnist_tensors); got "
                        f"{type(data).__name__} {data!r:.40}")
    device = data.device
    if device.type == "cpu":
        configure_cpu_threads(threads)
    generator = torch.Generator()
    if seed is not None:
        generator = seed_everything(seed)
    else:
        generator.seed()
    to_training_layout(model.to(device))
    opt = optimizers.make_optimizer(optimizer, model.parameters(), lr=lr,
                                    weight_decay=weight_decay,
                                    **({} if betas is None else {"betas": betas}))
    history = History()
    plan = EpochPlan(opt, batch_size=batch_size, label_smoothing=label_smoothing, shift=shift,
                     generator=generator, progress=progress, log_every=log_every,
                     history=history, callback=callback, max_batches=max_batches)
    steps = plan.batches(len(data.x_train))
    plan.scheduler = make_scheduler(schedule, opt, total_steps=steps * epochs,
                                    steps_per_epoch=steps)
    run = _training.Run(net=model, optimizer=opt, history=history, epochs=epochs,
                        evaluate=lambda X, y: _evaluate_arrays(model, data, X, y))
    _call(callbacks, "on_fit_start", run)
    for epoch in range(1, epochs + 1):
        run.epoch = epoch
        result = train_one_epoch(model, data.x_train, data.y_train, plan, epoch=epoch,
                                 desc=f"epoch {epoch}/{epochs}")
        history.epoch.append(epoch)
        history.train_loss.append(result.loss)
        history.train_accuracy.append(result.accuracy)
        history.seconds.append(result.seconds)
        history.images_per_second.append(result.images_per_second)
        if evaluate_every_epoch or epoch == epochs:
            test = evaluate(model, data.x_test, data.y_test)
            history.val_epoch.append(epoch)
            history.val_loss.append(test.loss)
            history.val_accuracy.append(test.accuracy)
            if epoch_callback is not None:
                epoch_callback(history)
        _call(callbacks, "on_epoch_end", run)
        if run.stop:
            break
    history.stopped_early = run.stop
    _call(callbacks, "on_fit_end", run)
    return history


def fit_side_by_side(runs, data: MNISTTensors, **common) -> list[History]:
    """``fit(model, data, threads=1, progress=False, **common, **overrides)`` for every
    ``(model, overrides)`` of ``runs``; returns their histories in that order.

    On the CPU the runs train side by side, one thread each, as many at once as there are
    cores: two small networks on minibatches of 64 each keep one core busy, where one network on
    two threads does not. Each history is exactly what ``fit`` gives alone (its batch order and
    shifts come from a generator of its own), but its ``seconds`` are measured beside the
    others. Build the models first (torch's global seed is shared by the threads). A model with
    dropout, which draws from that shared generator, makes the runs train one after another,
    as they do off the CPU.
    """
    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__iter__"):
        raise TypeError(f"runs must be a list of (model, overrides) pairs; got "
                        f"{type(runs).__name__} {runs!r:.40}")
    runs = list(runs)
    for i, run in enumerate(runs):
        if not (isinstance(run, tuple) and len(run) == 2 and isinstance(run[1], dict)):
            raise TypeError(f"runs[{i}] must be a (model, dict of fit arguments) pair, e.g. "
                            f"(model, {{'shift': 2}}); got {type(run).__name__} {run!r:.60}")
        check_module(f"runs[{i}][0]", run[0])
        if "threads" in run[1]:
            raise ValueError(f"runs[{i}] must not set threads: each run trains on one")
    if "threads" in common:
        raise ValueError("threads is not an argument here: each run trains on one thread")
    if not isinstance(data, MNISTTensors):
        raise TypeError(f"data must be an MNISTTensors (from load_mnist_tensors); got "
                        f"{type(data).__name__} {data!r:.40}")
    common.setdefault("progress", False)

    def one(run):
        model, overrides = run
        return fit(model, data, threads=1, **{**common, **overrides})

    dropout = any(isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0
                  for model, _ in runs for m in model.modules())
    return _one_thread_each(one, runs, on_cpu=data.device.type == "cpu", parallel=not dropout)


def _checked_callbacks(callbacks) -> tuple:
    """``callbacks`` as a tuple of epoch-level Callback objects (see :func:`fit`)."""
    callbacks = as_sequence("callbacks", callbacks, "callbacks", "[EvaluateEvery(X, y)]")
    for i, cb in enumerate(callbacks):
        check_not_a_class(f"callbacks[{i}]", cb, "EvaluateEvery(X, y)")
        if not any(hasattr(cb, hook) for hook in _EPOCH_HOOKS + ("on_batch_end",)):
            raise TypeError(f"callbacks[{i}] must be a callback (an nnlib.callbacks.Callback); "
                            f"got {type(cb).__name__} {cb!r:.60}")
        if overrides(cb, "on_batch_end") or "on_batch_end" in getattr(cb, "__dict__", {}):
            raise ValueError(f"callbacks[{i}] ({type(cb).__name__}) has on_batch_end, which the "
                             f"torch loop does not call (it calls {', '.join(_EPOCH_HOOKS)}); "
                             f"use it with nnlib.training.fit")
    return callbacks


_EPOCH_HOOKS = ("on_fit_start", "on_epoch_end", "on_fit_end")


def _call(callbacks, hook: str, run) -> None:
    for cb in callbacks:
        if hasattr(cb, hook):
            getattr(cb, hook)(run)


def _evaluate_arrays(model, data, X, y) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` on NumPy images X (N, 1, H, W) and labels y (N,)."""
    x = torch.as_tensor(X, dtype=data.x_test.dtype, device=data.device)
    result = evaluate(model, x, torch.as_tensor(y, dtype=torch.long, device=data.device))
    return float(result.loss), float(result.accuracy)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def training_throughput(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, device=None,
                        batch_size: int = 128, steps: int = 20, warmup: int = 3) -> float:
    """Training images per second of ``model`` on ``device`` (forward, backward, Adam step).

    Uses batches from ``x`` ``(N, 1, H, W)``/``y``, after ``warmup`` untimed steps; waits for
    the device to finish before reading the clock (GPUs run asynchronously). The model's
    weights change: pass a fresh copy.
    """
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    device = torch.device(device) if device is not None else x.device
    cl = use_channels_last(device)
    model = model.to(device)
    if cl:
        model = model.to(memory_format=torch.channels_last)
    model.train()
    opt = optimizers.make_optimizer("adam", model.parameters(), lr=1e-3)
    n = len(x)
    batches = [(_prepare(model, x[(i * batch_size) % n:][:batch_size], cl).to(device),
                y[(i * batch_size) % n:][:batch_size].to(device)) for i in range(steps + warmup)]
    for i, (xb, yb) in enumerate(batches):
        if i == warmup:
            _synchronize(device)
            start = time.perf_counter()
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    _synchronize(device)
    seconds = time.perf_counter() - start
    return sum(len(yb) for _, yb in batches[warmup:]) / seconds
