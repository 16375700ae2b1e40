"""2-D loss surfaces to race optimisers on, and runs of the real optimisers on them (notebook 06).

A :class:`Surface` is a cost f(x, y) with its exact gradient, both vectorised over points of
shape ``(..., 2)``, plus what a plot needs (extent, minimum, a starting point):

* :class:`Quadratic`: f = ½ (λ_min u² + λ_max v²) in coordinates (u, v) turned by ``angle``;
  λ_min = 1 and λ_max = κ, so the condition number κ sets how narrow the ravine is;
* :class:`Rosenbrock`: the curved banana valley (a − x)² + b (y − x²)²;
* :class:`Saddle`: ½x² − ½y² + ¼y⁴, a saddle at the origin between minima at (0, ±1);
* :class:`Plateau`: 1 − exp(−(x² + c y²)/2), almost flat far out, a narrow valley in the middle.

:func:`trajectory` drives a real :mod:`nnlib.optim` optimiser on a 2-vector :class:`Parameter`;
:func:`race` does it for several optimisers with shared hyper-parameters; :func:`follow`
iterates a rule written as a plain function (a lecture formula, another library's optimiser),
for comparison; :func:`divergence_threshold` measures the learning rate at which a run stops
converging. What theory predicts for the quadratic is in :mod:`nnlib.lessons.optimiser_theory`.
No update rule lives here: every step is ``optimizer.step()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_real,
)
from ..layers import Parameter
from ..optim import DEFAULTS, OPTIMIZERS, Optimizer, make_optimizer

__all__ = ["Surface", "Quadratic", "Rosenbrock", "Saddle", "Plateau", "SURFACES", "make_surface",
           "Trajectory", "trajectory", "follow", "race", "hyperparameters",
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
        self.angle = self._p_angle = check_real("angle", angle)
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


def _check_surface(surface) -> None:
    if not isinstance(surface, Surface):
        raise TypeError(f"surface must be a Surface (e.g. make_surface('quadratic')); got "
                        f"{type(surface).__name__} {surface!r:.40}")


def hyperparameters(name: str, *, lr: float, momentum: float = 0.9,
                    betas=(0.9, 0.999)) -> dict:
    """The race's shared settings translated for optimiser ``name``.

    Every rule gets ``lr``; "momentum" and "nesterov" get ``momentum``; "adam" and "nadam"
    get ``betas``. The rest keep :data:`nnlib.optim.DEFAULTS` (RMSprop's α = 0.99).
    """
    check_choice("name", name, OPTIMIZERS)
    lr = check_positive_float("lr", lr)
    hyper = {**DEFAULTS[name], "lr": lr}
    if name in ("momentum", "nesterov"):
        hyper["momentum"] = momentum
        if name == "nesterov" and momentum == 0:  # its step is then plain gradient descent,
            hyper["nesterov"] = False             # which SGD (like torch) refuses to call Nesterov
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
    _check_surface(surface)
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
    if not callable(update):
        raise TypeError(f"update must be a function update(x, g) -> next point; got "
                        f"{type(update).__name__} {update!r:.40}")
    _check_surface(surface)
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
