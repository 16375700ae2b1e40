"""Optimisers with state, named and parameterised like their ``torch.optim`` namesakes.

``opt = Adam(net.parameters(), lr=1e-3)``; each training step is ``opt.zero_grad()``,
``net.backward(...)`` (which adds ∂L/∂p into every ``p.grad``), then ``opt.step()``, which
updates each ``p.data`` in place. Notation in the docstrings: g = ∂L/∂p (plus λp when
``weight_decay`` = λ > 0), η = ``lr``, t = the step number counted from 1.

The base class :class:`Optimizer` keeps one state dictionary per parameter (``opt.state[p]``)
and a step counter (``opt.step_count``); a rule only implements ``_update(p, grad, state)``,
written to read like its formula. Every rule matches ``torch.optim`` (float64, default
arguments of torch 2.x: ``maximize=False``, no decoupled weight decay) to rounding error;
``tests/test_optim.py`` checks that over hundreds of steps.

:data:`OPTIMIZERS` maps lower-case names (``"sgd"``, ``"momentum"``, ``"nesterov"``,
``"adagrad"``, ``"rmsprop"``, ``"adam"``, ``"nadam"``) to classes and :data:`DEFAULTS` gives each
name its hyper-parameters; :func:`make_optimizer` builds one by name.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import (
    check_betas,
    check_bool,
    check_choice,
    check_fraction,
    check_positive_float,
)

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "NAdam",
           "OPTIMIZERS", "DEFAULTS", "make_optimizer"]


# --- the base class ---------------------------------------------------------------------------

class Optimizer:
    """Base class: a list of parameters, per-parameter state and a step counter.

    ``params``: an iterable of :class:`nnlib.layers.Parameter` (anything with array attributes
    ``.data`` and ``.grad`` of one shape). ``defaults``: the hyper-parameters, stored in
    ``self.defaults`` and as attributes (``opt.lr``), so they can be changed between steps.
    ``state[p]`` is a dict a rule fills on its first step (buffers, running averages).
    """

    def __init__(self, params, defaults: dict):
        if isinstance(params, np.ndarray) or not hasattr(params, "__iter__"):
            raise TypeError("params must be an iterable of Parameters (e.g. net.parameters()); "
                            f"got {type(params).__name__}")
        self.params = list(params)
        if not self.params:
            raise ValueError("params must contain at least one Parameter; got an empty list")
        for i, p in enumerate(self.params):
            if not (isinstance(getattr(p, "data", None), np.ndarray)
                    and isinstance(getattr(p, "grad", None), np.ndarray)):
                raise TypeError(f"params[{i}] must be a Parameter with array attributes .data "
                                f"and .grad; got {type(p).__name__}")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("params contains the same Parameter more than once")
        if not isinstance(defaults, dict):
            raise TypeError(f"defaults must be a dict of hyper-parameters (e.g. {{'lr': 0.1}}); "
                            f"got {type(defaults).__name__} {defaults!r:.60}")
        self.defaults = dict(defaults)
        for name, value in self.defaults.items():
            setattr(self, name, value)
        self.state: dict = {p: {} for p in self.params}
        self.step_count = 0

    def zero_grad(self):
        """Set every ``p.grad`` to zero in place (backward passes add into it)."""
        for p in self.params:
            p.grad[...] = 0

    def step(self):
        """One update of every parameter from its current ``.grad``; ``step_count`` += 1."""
        self.step_count += 1
        for p in self.params:
            self._update(p, p.grad, self.state[p])

    def _update(self, p, grad, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def _decayed(self, p, grad):
        """g + λ·p (L2 weight decay folded into the gradient, as torch does); never edits grad."""
        return grad + self.weight_decay * p.data if self.weight_decay else grad

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({len(self.params)} parameters, {args})"


# --- the rules --------------------------------------------------------------------------------

class SGD(Optimizer):
    """Gradient descent: plain, heavy-ball momentum or Nesterov momentum (``torch.optim.SGD``).

    plain (momentum = 0):  p ← p − η g
    momentum μ > 0:        b ← μ b + (1 − dampening) g   (b = g on the first step)
                           p ← p − η b
    nesterov=True:         p ← p − η (g + μ b)            (look ahead along the velocity)

    Raises ValueError for lr ≤ 0, momentum < 0, weight_decay < 0, dampening outside [0, 1],
    or nesterov without momentum or with dampening (as torch).
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0):
        lr = check_positive_float("lr", lr)
        momentum = check_positive_float("momentum", momentum, allow_zero=True)
        dampening = check_fraction("dampening", dampening, closed=True)
        nesterov = check_bool("nesterov", nesterov)
        weight_decay = check_positive_float("weight_decay", weight_decay, allow_zero=True)
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0; "
                             f"got momentum={momentum}, dampening={dampening}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay))

    def _update(self, p, grad, state):
        g = self._decayed(p, grad)
        mu = self.momentum
        if mu:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.copy()
            else:
                b = state["momentum_buffer"]
                b *= mu
                b += (1 - self.dampening) * g
            b = state["momentum_buffer"]
            g = g + mu * b if self.nesterov else b
        p.data -= self.lr * g


class Adagrad(Optimizer):
    """AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    s ← s + g²                         (s starts at initial_accumulator_value)
    η_t = η / (1 + (t − 1)·lr_decay)
    p ← p − η_t g / (√s + eps)

    Coordinates with large past gradients slow down; the sum never forgets, so every step
    size shrinks over time.
    """

    def __init__(self, params, lr, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, dict(
            lr=check_positive_float("lr", lr),
            lr_decay=check_positive_float("lr_decay", lr_decay, allow_zero=True),
            weight_decay=check_positive_float("weight_decay", weight_decay, allow_zero=True),
            initial_accumulator_value=check_positive_float(
                "initial_accumulator_value", initial_accumulator_value, allow_zero=True),
            eps=check_positive_float("eps", eps)))

    def _update(self, p, grad, state):
        g = self._decayed(p, grad)
        if "sum" not in state:
            state["sum"] = np.full_like(p.data, self.initial_accumulator_value)
        s = state["sum"]
        s += g * g
        lr_t = self.lr / (1 + (self.step_count - 1) * self.lr_decay)
        p.data -= lr_t * g / (np.sqrt(s) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: divide by the root of an exponential moving average of squared gradients.

    v ← α v + (1 − α) g²
    centered=True:  ḡ ← α ḡ + (1 − α) g,  v̂ = v − ḡ²  (a variance instead of a raw second moment)
    d = √v̂ + eps   (v̂ = v when not centered)
    momentum μ = 0:  p ← p − η g / d
    momentum μ > 0:  b ← μ b + g / d,  p ← p − η b

    Unlike AdaGrad the average forgets (time scale 1/(1 − α) steps), so steps do not die out.
    """

    def __init__(self, params, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, dict(
            lr=check_positive_float("lr", lr),
            alpha=check_fraction("alpha", alpha),
            eps=check_positive_float("eps", eps),
            weight_decay=check_positive_float("weight_decay", weight_decay, allow_zero=True),
            momentum=check_positive_float("momentum", momentum, allow_zero=True),
            centered=check_bool("centered", centered)))

    def _update(self, p, grad, state):
        g = self._decayed(p, grad)
        a = self.alpha
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(p.data)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p.data)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(p.data)
        v = state["square_avg"]
        v *= a
        v += (1 - a) * g * g
        if self.centered:
            gbar = state["grad_avg"]
            gbar += (1 - a) * (g - gbar)
            d = np.sqrt(v - gbar * gbar) + self.eps
        else:
            d = np.sqrt(v) + self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += g / d
            p.data -= self.lr * b
        else:
            p.data -= self.lr * g / d


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop's scaling, both bias-corrected.

    m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
    m̂ = m / (1 − β1^t)             v̂ = v / (1 − β2^t)       (amsgrad: v̂ uses max over time of v)
    p ← p − η m̂ / (√v̂ + eps)

    The bias corrections undo the zero start of m and v, so the first step has size ≈ η.
    """

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params, dict(
            lr=check_positive_float("lr", lr),
            betas=check_betas("betas", betas),
            eps=check_positive_float("eps", eps),
            weight_decay=check_positive_float("weight_decay", weight_decay, allow_zero=True),
            amsgrad=check_bool("amsgrad", amsgrad)))

    def _update(self, p, grad, state):
        g = self._decayed(p, grad)
        b1, b2 = self.betas
        t = self.step_count
        if "exp_avg" not in state:
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)
        v *= b2
        v += (1 - b2) * g * g
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denom = np.sqrt(v) / math.sqrt(1 - b2**t) + self.eps
        p.data -= self.lr / (1 - b1**t) * m / denom


class NAdam(Optimizer):
    """NAdam (Adam with Nesterov momentum), following torch's momentum-decay schedule.

    μ_t = β1 (1 − ½·0.96^{t·ψ})   (ψ = momentum_decay; with the defaults μ_1 ≈ 0.45, μ_1000 ≈ 0.52,
                                    and μ_t nears β1 = 0.9 only after tens of thousands of steps)
    Π_t = μ_1 μ_2 ⋯ μ_t
    m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²        v̂ = v / (1 − β2^t)
    p ← p − η (1 − μ_t)/(1 − Π_t) · g / (√v̂ + eps) − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m / (√v̂ + eps)

    This is torch's ``NAdam`` (Dozat 2016 with the schedule of his paper). The textbook Nadam
    uses a constant μ = β1 (ψ = 0 would give μ = β1/2 here, not β1), so its first steps
    carry roughly twice as much momentum as torch's; expect different early trajectories.
    """

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=0.004):
        super().__init__(params, dict(
            lr=check_positive_float("lr", lr),
            betas=check_betas("betas", betas),
            eps=check_positive_float("eps", eps),
            weight_decay=check_positive_float("weight_decay", weight_decay, allow_zero=True),
            momentum_decay=check_positive_float("momentum_decay", momentum_decay,
                                                allow_zero=True)))

    def mu(self, t):
        """Effective momentum μ_t = β1 (1 − ½·0.96^{t·ψ}) of step t (1, 2, ..., or an array)."""
        return self.betas[0] * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def _update(self, p, grad, state):
        g = self._decayed(p, grad)
        b1, b2 = self.betas
        t = self.step_count
        if "exp_avg" not in state:
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            state["mu_product"] = 1.0
        mu_t, mu_next = self.mu(t), self.mu(t + 1)
        state["mu_product"] *= mu_t
        prod = state["mu_product"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)
        v *= b2
        v += (1 - b2) * g * g
        denom = np.sqrt(v / (1 - b2**t)) + self.eps
        p.data -= self.lr * (1 - mu_t) / (1 - prod) * g / denom
        p.data -= self.lr * mu_next / (1 - prod * mu_next) * m / denom


# --- registry ---------------------------------------------------------------------------------

#: Optimiser class by lower-case name ("momentum" and "nesterov" are SGD with those settings).
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": SGD, "nesterov": SGD,
    "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "nadam": NAdam,
}

#: Default hyper-parameters by name: torch's defaults plus a learning rate that works on
#: small MLPs (torch's own default where it has one).
DEFAULTS: dict[str, dict] = {
    "sgd": dict(lr=0.1),
    "momentum": dict(lr=0.01, momentum=0.9),
    "nesterov": dict(lr=0.01, momentum=0.9, nesterov=True),
    "adagrad": dict(lr=0.01),
    "rmsprop": dict(lr=0.001),
    "adam": dict(lr=0.001),
    "nadam": dict(lr=0.002),
}


def make_optimizer(name: str, params, **overrides) -> Optimizer:
    """``OPTIMIZERS[name](params, **{**DEFAULTS[name], **overrides})``.

    ``make_optimizer("momentum", net.parameters(), lr=0.05)`` is
    ``SGD(net.parameters(), lr=0.05, momentum=0.9)``.
    """
    check_choice("name", name, OPTIMIZERS)
    return OPTIMIZERS[name](params, **{**DEFAULTS[name], **overrides})
