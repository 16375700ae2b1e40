"""2-D loss surfaces to race optimisers on, and the theory of the quadratic (notebook 06).

A :class:`Surface` is a cost f(x, y) with its exact gradient, both vectorised over points of
shape ``(..., 2)``, plus what a plot needs (extent, minimum, a starting point):

* :class:`Quadratic`: f = ½ (λ_min u² + λ_max v²) in coordinates (u, v) turned by ``angle``;
  λ_min = 1 and λ_max = κ, so the condition number κ sets how narrow the ravine is;
* :class:`Rosenbrock`: the curved banana valley (a − x)² + b (y − x²)²;
* :class:`Saddle`: ½x² − ½y² + ¼y⁴, a saddle at the origin between minima at (0, ±1);
* :class:`Plateau`: 1 − exp(−(x² + c y²)/2), almost flat far out, a narrow valley in the middle.

:func:`trajectory` drives a real :mod:`nnlib.optim` optimiser on a 2-vector :class:`Parameter`;
:func:`race` does it for several optimisers with shared hyper-parameters. For the quadratic,
:func:`quadratic_theory`, :func:`gd_rate` and :func:`heavy_ball_rate` give what the lecture
predicts: gradient descent converges iff η < 2/λ_max, the best fixed η = 2/(λ_min + λ_max)
contracts the error by (κ − 1)/(κ + 1) per step, and heavy-ball momentum with Polyak's η and μ
by (√κ − 1)/(√κ + 1). No update rule lives here: every step is ``optimizer.step()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_float_array, check_choice, check_positive_float, check_positive_int
from ..layers import Parameter
from ..optim import DEFAULTS, OPTIMIZERS, Optimizer, make_optimizer

__all__ = ["Surface", "Quadratic", "Rosenbrock", "Saddle", "Plateau", "SURFACES", "make_surface",
           "Trajectory", "trajectory", "follow", "race", "rate_curve", "hyperparameters",
           "QuadraticTheory", "quadratic_theory", "gd_rate", "heavy_ball_rate", "measured_rate",
           "divergence_threshold"]

#: A run counts as diverged when a coordinate passes this size (or stops being finite) ...
BLOW_UP = 1e12
#: ... or when it ends with a gap f − f* this many times larger than where it started.
DIVERGED_FACTOR = 10.0


# --- surfaces ---------------------------------------------------------------------------------

class Surface:
    """A 2-D cost with its exact gradient. Subclasses define ``_f(x, y)`` and ``_g(x, y)``.

    ``_f`` and ``_g`` are written once with operations that work on floats and on arrays alike:
    ``value``/``grad`` apply them to points of shape (..., 2), :func:`trajectory` to the two
    coordinates of its current point (no array overhead in the inner loop).

    Attributes: ``name``, ``extent`` (x_min, x_max, y_min, y_max) for plots, ``minimum`` (a
    minimiser (x*, y*)), ``f_min`` = f(x*, y*), ``start`` (a starting point that shows the
    surface's difficulty).
    """

    name = "surface"
    extent = (-1.0, 1.0, -1.0, 1.0)
    minimum = (0.0, 0.0)
    f_min = 0.0
    start = (0.5, 0.5)

    def _f(self, x, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _g(self, x, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def value(self, xy):
        """xy: (..., 2) -> f: (...)."""
        xy = np.asarray(xy, dtype=np.float64)
        return self._f(xy[..., 0], xy[..., 1])

    def grad(self, xy):
        """xy: (..., 2) -> ∇f: (..., 2)."""
        xy = np.asarray(xy, dtype=np.float64)
        gx, gy = self._g(xy[..., 0], xy[..., 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1)

    def gap(self, xy):
        """xy: (..., 2) -> f − f*: (...), the distance to the optimum in loss."""
        return self.value(xy) - self.f_min

    def grid(self, n: int = 160):
        """X, Y, Z (each (n, n)) over ``extent``, for contour plots."""
        x0, x1, y0, y1 = self.extent
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, self._f(X, Y)

    def key(self) -> tuple:
        """Identifies the surface and its parameters (for caching plots)."""
        return (self.name, *(v for k, v in sorted(vars(self).items()) if k.startswith("_p_")))

    def __repr__(self):
        args = ", ".join(f"{k[3:]}={v!r}" for k, v in vars(self).items() if k.startswith("_p_"))
        return f"{type(self).__name__}({args})"


class Quadratic(Surface):
    """f = ½ (λ_min u² + λ_max v²) with λ_min = 1, λ_max = κ; (u, v) = (x, y) turned by ``angle``°.

    The Hessian H = R diag(1, κ) Rᵀ is constant; the minimum is 0 at the origin. With
    angle = 0 the ravine runs along x, the axis of the smallest curvature. ``axes`` = R (its
    columns are the eigenvectors for 1 and κ); ``start`` is R·(−4.5, 1.5), the same point
    relative to the ravine whatever the angle.
    """

    name = "quadratic"
    extent = (-5.0, 5.0, -2.5, 2.5)
    start = (-4.5, 1.5)

    def __init__(self, kappa: float = 50.0, angle: float = 0.0):
        self.kappa = self._p_kappa = check_positive_float("kappa", kappa)
        if self.kappa < 1:
            raise ValueError(f"kappa must be a condition number >= 1; got {kappa}")
        self.angle = self._p_angle = float(angle)
        a = np.deg2rad(self.angle)
        R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        self.axes = R
        self.hessian = R @ np.diag([1.0, self.kappa]) @ R.T
        self.start = tuple(float(c) for c in R @ np.array([-4.5, 1.5]))
        self.lam_min, self.lam_max = 1.0, self.kappa
        self._h = tuple(float(h) for h in self.hessian.ravel())

    def _f(self, x, y):
        hxx, hxy, _, hyy = self._h
        return 0.5 * (hxx * x * x + 2 * hxy * x * y + hyy * y * y)

    def _g(self, x, y):
        hxx, hxy, _, hyy = self._h
        return hxx * x + hxy * y, hxy * x + hyy * y


class Rosenbrock(Surface):
    """f = (a − x)² + b (y − x²)²: a curved valley; minimum 0 at (a, a²)."""

    name = "rosenbrock"
    extent = (-2.0, 2.0, -1.0, 3.0)
    start = (-1.5, 2.5)

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = self._p_a = float(a)
        self.b = self._p_b = check_positive_float("b", b)
        self.minimum = (self.a, self.a ** 2)

    def _f(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _g(self, x, y):
        r = y - x * x
        return -2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r


class Saddle(Surface):
    """f = ½x² − ½y² + ¼y⁴: a saddle point at the origin, minima −¼ at (0, ±1).

    Started close to the ridge y = 0 the gradient along y is tiny, so a run lingers near the
    saddle before it falls off to one side.
    """

    name = "saddle"
    extent = (-2.5, 2.5, -1.8, 1.8)
    minimum = (0.0, 1.0)
    f_min = -0.25
    start = (-2.0, 1e-3)

    def _f(self, x, y):
        y2 = y * y
        return 0.5 * x * x - 0.5 * y2 + 0.25 * y2 * y2

    def _g(self, x, y):
        return x, y * y * y - y


class Plateau(Surface):
    """f = 1 − exp(−(x² + c y²)/2): a plateau at height 1 that drops into a valley at the origin.

    Far from the origin the gradient is exponentially small (at (−4, 0.5) about 1e-3), so a step
    proportional to it crawls; near the origin the valley has curvatures 1 and c.
    """

    name = "plateau"
    extent = (-5.0, 5.0, -2.5, 2.5)
    start = (-4.0, 0.5)

    def __init__(self, c: float = 10.0):
        self.c = self._p_c = check_positive_float("c", c)

    def _f(self, x, y):
        return 1.0 - np.exp(-0.5 * (x * x + self.c * y * y))

    def _g(self, x, y):
        e = np.exp(-0.5 * (x * x + self.c * y * y))
        return x * e, self.c * y * e


#: Surface classes by name.
SURFACES: dict[str, type[Surface]] = {
    "quadratic": Quadratic, "rosenbrock": Rosenbrock, "saddle": Saddle, "plateau": Plateau,
}


def make_surface(name: str, **params) -> Surface:
    """``make_surface("quadratic", kappa=100)``."""
    check_choice("surface", name, SURFACES)
    return SURFACES[name](**params)


# --- running an optimiser on a surface --------------------------------------------------------

@dataclass
class Trajectory:
    """One optimiser's run. ``points``: (n + 1, 2) iterates x_0 … x_n (n ≤ the steps asked for:
    a run that blows up stops early); ``gaps``: (n + 1,) f(x_k) − f*; ``diverged``: it blew up
    or ended more than ``DIVERGED_FACTOR`` times further from f* than it started."""

    name: str
    points: np.ndarray
    gaps: np.ndarray
    diverged: bool
    steps: int
    hyper: dict = field(default_factory=dict)

    def steps_to(self, tol: float) -> int | None:
        """The first step k with f(x_k) − f* ≤ tol, or None if the run never gets there."""
        hit = np.flatnonzero(self.gaps <= tol)
        return int(hit[0]) if hit.size else None


def hyperparameters(name: str, *, lr: float, momentum: float = 0.9,
                    betas=(0.9, 0.999)) -> dict:
    """The race's shared settings translated for optimiser ``name``.

    Every rule gets ``lr``; "momentum" and "nesterov" get ``momentum``; "adam" and "nadam"
    get ``betas``. The rest keep :data:`nnlib.optim.DEFAULTS` (RMSprop's α = 0.99).
    """
    check_choice("name", name, OPTIMIZERS)
    hyper = {**DEFAULTS[name], "lr": lr}
    if name in ("momentum", "nesterov"):
        hyper["momentum"] = momentum
    if name in ("adam", "nadam"):
        hyper["betas"] = tuple(betas)
    return hyper


def trajectory(optimizer, surface: Surface, start, steps: int, **hyper) -> Trajectory:
    """Run ``steps`` optimiser steps on ``surface`` from ``start`` and record every iterate.

    ``optimizer``: a name from :data:`nnlib.optim.OPTIMIZERS` (built by ``make_optimizer`` with
    ``hyper`` as overrides) or a callable ``params -> Optimizer``. Each step sets the
    parameter's ``.grad`` to the exact gradient ∇f(x_k) and calls ``optimizer.step()``.
    """
    steps = check_positive_int("steps", steps)
    start = as_float_array("start", start, ndim=1)
    if start.shape != (2,):
        raise ValueError(f"start must be a point (x, y); got shape {start.shape}")
    p = Parameter(start.astype(np.float64).copy(), "xy")
    if isinstance(optimizer, str):
        check_choice("optimizer", optimizer, OPTIMIZERS)
        opt, name = make_optimizer(optimizer, [p], **hyper), optimizer
    elif callable(optimizer):
        opt, name = optimizer([p]), getattr(optimizer, "__name__", type(optimizer).__name__)
        if not isinstance(opt, Optimizer):
            raise TypeError(f"optimizer(params) must return an nnlib.optim.Optimizer; got "
                            f"{type(opt).__name__}")
    else:
        raise TypeError(f"optimizer must be a name from {sorted(OPTIMIZERS)} or a callable "
                        f"params -> Optimizer; got {optimizer!r}")
    points = np.empty((steps + 1, 2))
    points[0] = p.data
    n, blew_up = steps, False
    g, data, grad = surface._g, p.data, p.grad
    x, y = start.tolist()
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            grad[0], grad[1] = g(x, y)
            opt.step()
            x, y = data.tolist()
            if not (abs(x) < BLOW_UP and abs(y) < BLOW_UP):  # also catches NaN
                n, blew_up = k - 1, True
                break
            points[k] = x, y
        points = points[:n + 1]
        gaps = surface.gap(points)
    diverged = blew_up or bool(gaps[-1] > DIVERGED_FACTOR * max(gaps[0], 1e-12))
    return Trajectory(name, points, gaps, diverged, steps, dict(opt.defaults))


def follow(update, surface: Surface, start, steps: int) -> np.ndarray:
    """Iterate x_{k+1} = update(x_k, ∇f(x_k)) for an update rule written as a plain function
    (a lecture formula, or another library's optimiser); returns the points (steps + 1, 2).

    ``update(x, g)`` gets copies of the point and its gradient (float64 arrays of shape (2,))
    and returns the next point.
    """
    steps = check_positive_int("steps", steps)
    x = as_float_array("start", start, ndim=1).astype(np.float64)
    if x.shape != (2,):
        raise ValueError(f"start must be a point (x, y); got shape {x.shape}")
    points = np.empty((steps + 1, 2))
    points[0] = x
    for k in range(1, steps + 1):
        x = np.asarray(update(x.copy(), surface.grad(x)), dtype=np.float64)
        points[k] = x
    return points


def race(surface: Surface, start, steps: int, names, *, lr: float, momentum: float = 0.9,
         betas=(0.9, 0.999)) -> dict[str, Trajectory]:
    """:func:`trajectory` for each optimiser in ``names`` with the shared settings of
    :func:`hyperparameters`. Returns {name: Trajectory}."""
    return {name: trajectory(name, surface, start, steps,
                             **hyperparameters(name, lr=lr, momentum=momentum, betas=betas))
            for name in names}


# --- theory for the quadratic -----------------------------------------------------------------

@dataclass(frozen=True)
class QuadraticTheory:
    """What the lecture predicts for f = ½ xᵀHx with eigenvalues λ_min ≤ λ_max, κ = λ_max/λ_min."""

    lam_min: float
    lam_max: float

    @property
    def kappa(self) -> float:
        return self.lam_max / self.lam_min

    @property
    def eta_max(self) -> float:
        """Gradient descent converges iff 0 < η < 2/λ_max."""
        return 2.0 / self.lam_max

    @property
    def eta_best(self) -> float:
        """The fixed η that minimises max_i |1 − ηλ_i|: 2/(λ_min + λ_max)."""
        return 2.0 / (self.lam_min + self.lam_max)

    @property
    def gd_best_rate(self) -> float:
        """Error contraction per step of GD at ``eta_best``: (κ − 1)/(κ + 1)."""
        return (self.kappa - 1) / (self.kappa + 1)

    @property
    def polyak_eta(self) -> float:
        """Polyak's heavy-ball step 4/(√λ_max + √λ_min)²."""
        return 4.0 / (np.sqrt(self.lam_max) + np.sqrt(self.lam_min)) ** 2

    @property
    def polyak_momentum(self) -> float:
        """Polyak's momentum ((√κ − 1)/(√κ + 1))²."""
        return self.polyak_rate ** 2

    @property
    def polyak_rate(self) -> float:
        """Error contraction per step of heavy ball with Polyak's η and μ: (√κ − 1)/(√κ + 1)."""
        s = np.sqrt(self.kappa)
        return (s - 1) / (s + 1)


def quadratic_theory(surface: Quadratic) -> QuadraticTheory:
    """The theory for a :class:`Quadratic` (its Hessian's eigenvalues are 1 and κ)."""
    if not isinstance(surface, Quadratic):
        raise TypeError(f"surface must be a Quadratic; got {type(surface).__name__}")
    return QuadraticTheory(surface.lam_min, surface.lam_max)


def gd_rate(eta: float, eigenvalues) -> float:
    """Asymptotic error contraction per step of gradient descent, max_i |1 − η λ_i|.

    x_{k+1} = (I − ηH) x_k, so each eigen-component is multiplied by 1 − ηλ_i per step; the
    run converges iff the result is < 1. (The gap f − f* contracts by its square.)
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return float(np.max(np.abs(1.0 - eta * lam)))


def heavy_ball_rate(eta: float, momentum: float, eigenvalues) -> float:
    """Asymptotic error contraction per step of heavy-ball momentum on a quadratic.

    With b ← μ b + g, x ← x − η b (``nnlib.optim.SGD(momentum=μ)``), each eigen-component obeys
    x_{k+1} = (1 + μ − ηλ) x_k − μ x_{k−1}; the rate is the largest root modulus of
    z² − (1 + μ − ηλ) z + μ = 0 over the eigenvalues λ.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    a = 1.0 + momentum - eta * lam
    disc = np.sqrt((a * a - 4.0 * momentum).astype(complex))
    roots = np.abs(np.stack([(a + disc) / 2, (a - disc) / 2]))
    return float(np.max(roots))


def rate_curve(gap0: float, rate: float, steps: int) -> np.ndarray:
    """gap0 · rate^{2k} for k = 0 … steps: the gap f − f* of a run whose error shrinks by
    ``rate`` per step (the theory line over a measured loss curve). Computed in logarithms and
    clipped to [1e-300, 1e300], so a rate ≥ 1 (divergence) or 0 stays finite."""
    k = np.arange(int(steps) + 1)
    with np.errstate(divide="ignore"):
        log_gap = np.log10(gap0) + 2 * k * np.log10(max(float(rate), 1e-300))
    return 10.0 ** np.clip(log_gap, -300, 300)


def measured_rate(gaps, first: int, last: int) -> float:
    """The mean error contraction per step between steps ``first`` and ``last`` of a run on a
    quadratic: (gap_last / gap_first)^(1 / (2 (last − first))) (the gap is quadratic in the
    error, hence the square root)."""
    gaps = np.asarray(gaps, dtype=np.float64)
    if not 0 <= first < last < gaps.size:
        raise ValueError(f"first and last must satisfy 0 <= first < last < {gaps.size}; "
                         f"got {first} and {last}")
    return float((gaps[last] / gaps[first]) ** (1.0 / (2 * (last - first))))


def divergence_threshold(surface: Surface, start, *, optimizer: str = "sgd", steps: int = 200,
                         lo: float, hi: float, rel_tol: float = 1e-3, **hyper) -> float:
    """Measure the smallest learning rate whose run ends further from f* than it started.

    Bisects η on a log scale between ``lo`` (must converge) and ``hi`` (must not) until
    hi/lo < 1 + rel_tol. For gradient descent on a quadratic the answer is 2/λ_max.
    """
    lo, hi = check_positive_float("lo", lo), check_positive_float("hi", hi)

    def grows(eta):
        t = trajectory(optimizer, surface, start, steps, **{**hyper, "lr": eta})
        return t.diverged or t.gaps[-1] > t.gaps[0]

    if grows(lo) or not grows(hi):
        raise ValueError(f"lo={lo} must shrink the gap and hi={hi} must not; widen the bracket")
    while hi / lo > 1 + rel_tol:
        mid = np.sqrt(lo * hi)
        lo, hi = (lo, mid) if grows(mid) else (mid, hi)
    return float(np.sqrt(lo * hi))
