"""Universal approximation in one dimension: a one-hidden-layer network fitted in one shot.

The network is Φ(x) = Σ_j v_j φ(w_j x − b_j) + c: N hidden units, then a linear output. We fix
the hidden layer and solve only for the output layer (v, c), which is a linear least-squares
problem: with the hidden activations as the columns of a matrix H (one row per sample, plus a
column of ones for c), v and c minimise ‖H [v; c] − y‖². That takes milliseconds, so a widget
can refit on every slider move, and it is enough to see the theorem at work:

* for a continuous non-polynomial φ (sigmoid, tanh, ReLU, even Heaviside) the error on a
  continuous target falls as units are added (the universal approximation theorem says it can
  be made as small as we like);
* for a polynomial φ of degree r, e.g. φ(t) = t², every unit is a polynomial of degree ≤ r in x,
  so Φ is one too, and the error can never drop below that of the best such polynomial.

The hidden units are *placed*, not learned: unit j switches (its argument w_j x − b_j crosses 0)
at a centre c_j = b_j / w_j, and the centres are spread evenly over the interval (or drawn at
random with ``placement="random"``). The slope |w_j| is ``steepness`` divided by the spacing
of the centres, so neighbouring units overlap about as much whatever their number.
What this leaves out: training the hidden layer by gradient descent (notebook 02 onwards).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import activations as act
from .._checks import as_float_array, check_choice, check_positive_float, check_positive_int

# φ by name: a few from the library's registry plus a polynomial one for the counter-example
APPROX_ACTIVATIONS = {name: act.ACTIVATIONS[name].phi
                      for name in ("sigmoid", "tanh", "relu", "heaviside")}
APPROX_ACTIVATIONS["square"] = np.square  # φ(t) = t², a polynomial of degree 2

# a few continuous, non-polynomial targets on [-1, 1]
TARGETS = {
    "wave": lambda x: np.sin(3 * np.pi * x) * np.exp(-x) / 2,
    "bump": lambda x: np.exp(-12 * x**2) - 0.3 * x,
    "abs": lambda x: np.abs(x) - 0.5,
    "sine": lambda x: np.sin(2 * np.pi * x),
}


def target_function(name: str):
    """The target ``f`` called ``name`` (see :data:`TARGETS`): array (M,) -> (M,)."""
    check_choice("target", name, TARGETS)
    return TARGETS[name]


@dataclass
class ShallowFit:
    """A fitted Φ(x) = Σ_j v_j φ(w_j x − b_j) + c.

    w, b, v: (n_units,); c: float; ``activation`` names φ in :data:`APPROX_ACTIVATIONS`.
    """

    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: float
    activation: str

    @property
    def n_units(self) -> int:
        return len(self.w)

    def hidden(self, x) -> np.ndarray:
        """x: (M,) -> hidden activations φ(w_j x − b_j): (M, n_units)."""
        x = as_float_array("x", x, ndim=1)
        return APPROX_ACTIVATIONS[self.activation](np.outer(x, self.w) - self.b)

    def __call__(self, x) -> np.ndarray:
        """x: (M,) -> Φ(x): (M,)."""
        return self.hidden(x) @ self.v + self.c

    def contributions(self, x) -> np.ndarray:
        """x: (M,) -> each unit's term v_j φ(w_j x − b_j): (M, n_units)."""
        return self.hidden(x) * self.v


def place_units(n_units: int, *, interval=(-1.0, 1.0), steepness: float = 2.0,
                placement: str = "even", rng=None):
    """Hidden weights and thresholds (w, b), each (n_units,), with centres across ``interval``.

    Unit j switches at c_j = b_j / w_j. ``placement="even"`` puts the centres at the midpoints
    of n equal cells; ``"random"`` draws them uniformly (needs ``rng``). Slopes alternate in
    sign so that the units point both ways.
    """
    n = check_positive_int("n_units", n_units)
    lo, hi = _interval(interval)
    steepness = check_positive_float("steepness", steepness)
    check_choice("placement", placement, ("even", "random"))
    if placement == "even":
        centres = lo + (np.arange(n) + 0.5) * (hi - lo) / n
    else:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator for placement='random'; "
                            f"got {rng!r}")
        centres = np.sort(rng.uniform(lo, hi, size=n))
    slope = steepness * n / (hi - lo)
    w = slope * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    return w, w * centres


def fit_output_layer(h, y, *, ridge: float = 1e-10):
    """Least-squares output layer for hidden activations h: (M, N) and targets y: (M,).

    Returns (v, c): v (N,) and the output bias c minimising ‖h v + c − y‖² + λ‖v‖², with
    λ = ``ridge`` × the mean squared (centred) hidden activation × M. The tiny ridge only keeps
    the solution bounded when units are (nearly) redundant; solved by the normal equations,
    (HᵀH + λI) v = Hᵀy, which for a few hundred units takes about a millisecond.
    """
    h = as_float_array("h", h, ndim=2)
    y = as_float_array("y", y, ndim=1)
    if h.shape[0] != y.shape[0]:
        raise ValueError(f"y must have one value per row of h ({h.shape[0]}); got {y.shape[0]}")
    ridge = check_positive_float("ridge", ridge, allow_zero=True)
    # centre so that the bias c separates out
    h_mean, y_mean = h.mean(axis=0), y.mean()
    hc = h - h_mean
    gram = hc.T @ hc
    lam = ridge * max(float(np.trace(gram)) / gram.shape[0], np.finfo(float).tiny)
    gram[np.diag_indices_from(gram)] += lam
    rhs = hc.T @ (y - y_mean)
    try:
        v = np.linalg.solve(gram, rhs)
    except np.linalg.LinAlgError:  # exactly singular (ridge=0 with redundant units)
        v = np.linalg.lstsq(hc, y - y_mean, rcond=None)[0]
    return v, float(y_mean - h_mean @ v)


def fit_shallow(f, n_units: int, *, activation: str = "sigmoid", interval=(-1.0, 1.0),
                n_samples: int = 400, steepness: float = 2.0, placement: str = "even",
                rng=None) -> ShallowFit:
    """Fit Φ with ``n_units`` placed hidden units to the function ``f`` on ``interval``.

    ``f``: array (M,) -> (M,). Samples ``n_samples`` evenly spaced points; solves the output
    layer by least squares. Returns a :class:`ShallowFit`.
    """
    check_choice("activation", activation, APPROX_ACTIVATIONS)
    if not callable(f):
        raise TypeError(f"f must be a function of x; got {type(f).__name__}")
    lo, hi = _interval(interval)
    x = np.linspace(lo, hi, check_positive_int("n_samples", n_samples, minimum=2))
    w, b = place_units(n_units, interval=(lo, hi), steepness=steepness, placement=placement,
                       rng=rng)
    fit = ShallowFit(w, b, np.zeros(len(w)), 0.0, activation)
    fit.v, fit.c = fit_output_layer(fit.hidden(x), as_float_array("f(x)", f(x), ndim=1))
    return fit


def approximation_error(fit, f, *, interval=(-1.0, 1.0), n_points: int = 2001) -> float:
    """Uniform (sup-norm) error max |Φ(x) − f(x)| on a fine grid of ``interval``.

    The grid is finer than the fitting samples, so it also sees errors between them.
    """
    for name, fn in (("fit", fit), ("f", f)):
        if not callable(fn):
            raise TypeError(f"{name} must be a function of x (a ShallowFit or target); got "
                            f"{type(fn).__name__} {fn!r:.40}")
    lo, hi = _interval(interval)
    x = np.linspace(lo, hi, check_positive_int("n_points", n_points, minimum=2))
    return float(np.max(np.abs(fit(x) - f(x))))


def error_curve(f, units, **fit_kwargs) -> np.ndarray:
    """Sup-norm error of :func:`fit_shallow` for each number of units in ``units``: (K,)."""
    interval = fit_kwargs.get("interval", (-1.0, 1.0))
    return np.array([approximation_error(fit_shallow(f, n, **fit_kwargs), f, interval=interval)
                     for n in units])


def best_polynomial_error(f, degree: int, *, interval=(-1.0, 1.0), n_samples: int = 400,
                          n_points: int = 2001) -> float:
    """Sup-norm error of the least-squares polynomial of ``degree`` fitted like the network.

    Same samples and same error grid as :func:`fit_shallow` + :func:`approximation_error`, so
    it is the floor that a network with a degree-``degree`` polynomial activation reaches.
    """
    lo, hi = _interval(interval)
    degree = check_positive_int("degree", degree, minimum=0)
    x = np.linspace(lo, hi, check_positive_int("n_samples", n_samples, minimum=2))
    coef = np.polynomial.polynomial.polyfit(x, f(x), degree)
    grid = np.linspace(lo, hi, n_points)
    return float(np.max(np.abs(np.polynomial.polynomial.polyval(grid, coef) - f(grid))))


def _interval(interval):
    try:
        lo, hi = (float(t) for t in interval)
    except (TypeError, ValueError):
        raise TypeError(f"interval must be a pair (lo, hi) of numbers; got {interval!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"interval must be finite with lo < hi; got {interval!r}")
    return lo, hi
