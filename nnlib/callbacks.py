"""Callbacks: what a training run does besides the loop, as small objects ``fit`` calls.

``fit(..., callbacks=[...])`` (:func:`nnlib.training.fit`) calls four hooks of each callback,
each with the run's state (:class:`nnlib.training.Run`): ``on_fit_start``, ``on_batch_end``
(after backward and the penalties, before the optimiser's step: the gradients are there to
read), ``on_epoch_end`` and ``on_fit_end``. A callback overrides only the hooks it needs;
``fit`` knows nothing else about it. Setting ``run.stop = True`` ends training.

* :class:`GradientNorms` watches every Dense layer's gradients (notebooks 04 and 05) and stops
  a run at divergence;
* :class:`EvaluateEvery` measures the net on a data set every few epochs (eval mode).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_float_array, check_positive_int
from .layers import Dense


class Callback:
    """Base class for ``fit`` callbacks; override any of the hooks (each receives the run).

    The run carries ``net``, ``optimizer``, ``history``, ``epoch`` (1-based), ``step`` (number
    of optimiser steps already taken), ``loss`` (the current minibatch's loss as a float,
    penalties included), ``output`` (the minibatch's network output), ``stop`` and
    ``evaluate(X, y) -> (mean loss, accuracy)`` (the net measured in eval mode with the run's
    loss). Setting ``run.stop = True`` in ``on_batch_end`` skips that minibatch's update and
    ends training; in ``on_epoch_end`` it ends training after the epoch.
    """

    def on_fit_start(self, run):
        pass

    def on_batch_end(self, run):
        pass

    def on_epoch_end(self, run):
        pass

    def on_fit_end(self, run):
        pass


def overrides(cb, hook: str) -> bool:
    """Whether callback ``cb`` really does something at ``hook`` (not the base class's no-op)."""
    method = getattr(type(cb), hook, None)
    return method is not None and method is not getattr(Callback, hook)


class GradientNorms(Callback):
    """Watch every Dense layer while training (notebooks 04 and 05).

    Per step: the loss (``losses``), and per Dense layer ‖∂L/∂W_ℓ‖ (``grad_norms``) and
    ‖∂L/∂b_ℓ‖ = ‖δ_ℓ‖ (``bias_grad_norms``, Nielsen's "speed of learning"), read after
    backward and penalties, before the optimiser step. At the end, ``relative_change``: how far
    each layer's weights moved, ‖W_end − W_start‖ / ‖W_start‖. At the first non-finite loss it
    stops the run before that step's update and records the step's index in ``diverged_at``
    (= the number of finite steps recorded), instead of filling the record with NaN.
    """

    def __init__(self):
        self.losses: list[float] = []
        self.grad_norms: list[np.ndarray] = []
        self.bias_grad_norms: list[np.ndarray] = []
        self.relative_change: np.ndarray | None = None
        self.diverged_at: int | None = None
        self._dense: list[Dense] = []
        self._start: list[np.ndarray] = []

    def on_fit_start(self, run):
        self._dense = [m for m in run.net.modules() if isinstance(m, Dense)]
        if not self._dense:
            raise ValueError("GradientNorms needs a net with at least one Dense layer; got none")
        self._start = [d.W.data.copy() for d in self._dense]

    def on_batch_end(self, run):
        if not math.isfinite(run.loss):
            self.diverged_at = run.step
            run.stop = True
            return
        self.losses.append(run.loss)
        self.grad_norms.append(np.array([np.linalg.norm(d.W.grad) for d in self._dense]))
        self.bias_grad_norms.append(np.array([np.linalg.norm(d.b.grad) for d in self._dense]))

    def on_fit_end(self, run):
        with np.errstate(all="ignore"):
            self.relative_change = np.array([np.linalg.norm(d.W.data - w0) / np.linalg.norm(w0)
                                             for d, w0 in zip(self._dense, self._start)])

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def mean_grad_norms(self) -> np.ndarray:
        """Mean over steps of ‖∂L/∂W_ℓ‖ per Dense layer."""
        return np.mean(self.grad_norms, axis=0)

    @property
    def learning_speed(self) -> np.ndarray:
        """Mean over steps of ‖∂L/∂b_ℓ‖ = ‖δ_ℓ‖ per Dense layer (Nielsen's speed of learning)."""
        return np.mean(self.bias_grad_norms, axis=0)


class EvaluateEvery(Callback):
    """Measure the net on (X, y) every ``every`` epochs and after the last one.

    X: (N, ...) inputs, y: (N,) labels or (N, C) targets. Records ``epoch``, ``loss`` and
    ``accuracy`` (lists of equal length), measured in eval mode through ``run.evaluate`` (the
    loss ``fit`` trains with); the net's mode is restored. The last epoch is the one the run
    ends on, also when it ends early.
    """

    def __init__(self, X, y, *, every: int = 1):
        self.X = as_float_array("X", X)
        self.y = np.asarray(y)
        if self.y.ndim == 0 or len(self.y) != len(self.X):
            raise ValueError(f"X and y must hold the same number of examples; got X of shape "
                             f"{self.X.shape} and y of shape {self.y.shape}")
        self.every = check_positive_int("every", every)
        self.epoch: list[int] = []
        self.loss: list[float] = []
        self.accuracy: list[float] = []

    def _measure(self, run):
        if self.epoch and self.epoch[-1] == run.epoch:
            return
        loss, acc = run.evaluate(self.X, self.y)
        self.epoch.append(run.epoch)
        self.loss.append(loss)
        self.accuracy.append(acc)

    def on_epoch_end(self, run):
        if run.epoch % self.every == 0 or run.stop or run.epoch == getattr(run, "epochs", None):
            self._measure(run)

    def on_fit_end(self, run):
        if run.epoch and run.history.epoch:
            self._measure(run)
