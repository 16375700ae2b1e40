"""Explaining away, computed exactly by enumerating every joint state.

The lecture's car: the engine fails (X = 1) because of a dead battery (Y = 1) or a blocked
fuel pump (Z = 1). The belief net Y → X ← Z says

    P(y, z, x) = P(y) · P(z) · P(x | y, z),

so Y and Z are independent a priori. Observing the common effect X couples them: among the
worlds where the engine failed, learning that the pump is blocked leaves less need for a dead
battery, and P(Y | X, Z) < P(Y | X). Every probability here is a ratio of sums over the
2 × 2 × 2 table of the joint, nothing is sampled, so the lesson's asserts are exact.

:func:`belief_net_posterior` does the same for a small sigmoid belief net (hidden causes h
with logistic priors, visible children v with P(v_j = 1 | h) = σ(b_j + Σ_i h_i W_ij)): its
posterior over h given v does not factorise across hidden units that share a child, which is
what makes inference, and so learning, in deep belief nets hard, and what greedy layer-wise
training side-stepped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .._checks import as_float_array, check_fraction

_VARS = ("battery", "pump", "fails")  # Y, Z, X: the axes of the joint table


def _probability(name: str, value) -> float:
    return check_fraction(name, value, closed=True, what="a probability")


@dataclass(frozen=True)
class CarModel:
    """The belief net battery (Y) → fails (X) ← pump (Z).

    ``p_battery`` = P(Y = 1), ``p_pump`` = P(Z = 1); ``p_fail[y][z]`` = P(X = 1 | Y = y, Z = z),
    a 2 × 2 table (row: battery dead?, column: pump blocked?).
    """

    p_battery: float = 0.1
    p_pump: float = 0.05
    p_fail: tuple = ((0.01, 0.95), (0.95, 0.99))

    def __post_init__(self):
        object.__setattr__(self, "p_battery", _probability("p_battery", self.p_battery))
        object.__setattr__(self, "p_pump", _probability("p_pump", self.p_pump))
        table = as_float_array("p_fail", self.p_fail, ndim=2)
        if table.shape != (2, 2):
            raise ValueError(f"p_fail must be a 2 x 2 table P(X=1 | Y=y, Z=z); got shape "
                             f"{table.shape}")
        for (y, z), p in np.ndenumerate(table):
            _probability(f"p_fail[{y}][{z}]", p)
        object.__setattr__(self, "p_fail", tuple(tuple(float(p) for p in row) for row in table))

    def joint(self) -> np.ndarray:
        """P(Y = y, Z = z, X = x) as a (2, 2, 2) array indexed [y, z, x]; it sums to 1."""
        py = np.array([1 - self.p_battery, self.p_battery])
        pz = np.array([1 - self.p_pump, self.p_pump])
        fail = np.array(self.p_fail)
        px = np.stack([1 - fail, fail], axis=-1)  # [y, z, x]
        return py[:, None, None] * pz[None, :, None] * px


def probability(model: CarModel, event: dict, given: dict | None = None) -> float:
    """P(event | given) by enumeration, e.g.
    ``probability(m, {"battery": 1}, {"fails": 1, "pump": 1})`` = P(Y=1 | X=1, Z=1).

    Keys are ``"battery"``, ``"pump"``, ``"fails"``; values 0 or 1. Raises ValueError when the
    condition has probability zero (the conditional is undefined).
    """
    if not isinstance(model, CarModel):
        raise TypeError(f"model must be a CarModel; got {type(model).__name__}")
    given = {} if given is None else dict(given)
    joint = model.joint()

    def mass(assignment: dict) -> float:
        index = []
        for name in _VARS:
            value = assignment.get(name)
            if value is None:
                index.append(slice(None))
            else:
                index.append(int(value))
        return float(joint[tuple(index)].sum())

    for name, value in list(event.items()) + list(given.items()):
        if name not in _VARS:
            raise ValueError(f"event and given may only name the variables "
                             f"{', '.join(_VARS)}; got unknown variable {name!r}")
        if isinstance(value, bool) or value not in (0, 1):
            raise ValueError(f"{name} must be 0 or 1; got {value!r}")
    for name in set(event) & set(given):
        if event[name] != given[name]:
            return 0.0
    denominator = mass(given)
    if denominator == 0.0:
        raise ValueError(f"the condition {given} has probability 0 under this model, so "
                         "P(event | condition) is undefined")
    return mass({**given, **event}) / denominator


@dataclass(frozen=True)
class ExplainingAway:
    """The probabilities of the lesson, all for a dead battery (Y = 1).

    ``prior`` P(Y); ``given_pump`` P(Y | Z = 1) (equal to the prior: independence);
    ``given_fail`` P(Y | X); ``given_fail_and_pump`` P(Y | X, Z);
    ``given_fail_no_pump`` P(Y | X, ¬Z); ``posterior_joint`` P(Y, Z | X) as a 2 × 2 array and
    ``coupling`` = P(Y=1, Z=1 | X) − P(Y=1 | X) P(Z=1 | X) (negative: explaining away).
    A conditional whose condition has probability 0 (e.g. the engine can never fail) is NaN.
    """

    prior: float
    given_pump: float
    given_fail: float
    given_fail_and_pump: float
    given_fail_no_pump: float
    posterior_joint: np.ndarray
    coupling: float

    @property
    def explains_away(self) -> bool:
        """Whether learning Z (after X) lowers the belief in Y: P(Y | X, Z) < P(Y | X)."""
        return bool(self.given_fail_and_pump < self.given_fail)  # False when undefined


def _or_nan(model, event, given) -> float:
    try:
        return probability(model, event, given)
    except ValueError:  # the condition never happens
        return float("nan")


def explaining_away(model: CarModel) -> ExplainingAway:
    """Every probability the lesson needs, by enumeration of ``model``'s joint table
    (NaN where the condition has probability 0)."""
    if not isinstance(model, CarModel):
        raise TypeError(f"model must be a CarModel; got {type(model).__name__}")
    p = _or_nan
    j = model.joint()[:, :, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        posterior = j / j.sum()
    return ExplainingAway(
        prior=p(model, {"battery": 1}, {}),
        given_pump=p(model, {"battery": 1}, {"pump": 1}),
        given_fail=p(model, {"battery": 1}, {"fails": 1}),
        given_fail_and_pump=p(model, {"battery": 1}, {"fails": 1, "pump": 1}),
        given_fail_no_pump=p(model, {"battery": 1}, {"fails": 1, "pump": 0}),
        posterior_joint=posterior,
        coupling=float(posterior[1, 1] - posterior[1, :].sum() * posterior[:, 1].sum()),
    )


# ------------------------------------------------------------------ a small sigmoid belief net

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def belief_net_posterior(W, b_visible, b_hidden, v) -> tuple[np.ndarray, np.ndarray]:
    """Exact posterior over the hidden units of a two-layer sigmoid belief net.

    W: (H, V) weights from hidden causes to visible children; b_visible: (V,);
    b_hidden: (H,) prior logits, P(h_i = 1) = σ(b_hidden_i), independent a priori;
    v: (V,) observed 0/1 values. Returns (states, posterior): states (2^H, H) every 0/1
    configuration of h, posterior (2^H,) P(h | v), by enumeration (keep H ≤ ~16).
    """
    W = as_float_array("W", W, ndim=2)
    H, V = W.shape
    if H > 16:
        raise ValueError(f"W must have at most 16 hidden rows for exact enumeration; got {H}")
    b_visible = as_float_array("b_visible", b_visible, ndim=1)
    b_hidden = as_float_array("b_hidden", b_hidden, ndim=1)
    v = as_float_array("v", v, ndim=1)
    if b_visible.shape != (V,) or v.shape != (V,):
        raise ValueError(f"b_visible and v must have shape ({V},) to match W {W.shape}; got "
                         f"{b_visible.shape} and {v.shape}")
    if b_hidden.shape != (H,):
        raise ValueError(f"b_hidden must have shape ({H},) to match W {W.shape}; got "
                         f"{b_hidden.shape}")
    if not np.all((v == 0) | (v == 1)):
        raise ValueError("v must hold 0/1 observations")
    states = np.array(list(itertools.product((0.0, 1.0), repeat=H)))
    prior = np.prod(np.where(states == 1, _sigmoid(b_hidden), _sigmoid(-b_hidden)), axis=1)
    p_on = _sigmoid(states @ W + b_visible)  # (2^H, V)
    likelihood = np.prod(np.where(v == 1, p_on, 1 - p_on), axis=1)
    joint = prior * likelihood
    return states, joint / joint.sum()


def hidden_marginals(states: np.ndarray, posterior: np.ndarray) -> np.ndarray:
    """P(h_i = 1 | v) for each hidden unit, from :func:`belief_net_posterior`'s output."""
    states = as_float_array("states", states, ndim=2)
    posterior = as_float_array("posterior", posterior, ndim=1)
    if posterior.shape != (len(states),):
        raise ValueError(f"posterior must hold one probability per state ({len(states)}); got "
                         f"shape {posterior.shape}")
    return posterior @ states


def factorisation_gap(states: np.ndarray, posterior: np.ndarray) -> float:
    """Largest |P(h | v) − Π_i P(h_i | v)| over the states: 0 exactly when the posterior
    factorises into independent hidden units (as it does in an RBM, not in a belief net)."""
    m = hidden_marginals(states, posterior)
    states, posterior = np.asarray(states, dtype=float), np.asarray(posterior, dtype=float)
    product = np.prod(np.where(states == 1, m, 1 - m), axis=1)
    return float(np.max(np.abs(posterior - product)))
