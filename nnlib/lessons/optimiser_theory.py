"""What theory predicts for gradient descent and heavy-ball momentum on a quadratic (notebook 06).

For f = ½ xᵀHx with Hessian eigenvalues λ_min ≤ λ_max and κ = λ_max/λ_min: gradient descent
multiplies each eigen-component of the error by 1 − ηλ, so it converges iff η < 2/λ_max; the
best fixed η = 2/(λ_min + λ_max) contracts the error by (κ − 1)/(κ + 1) per step; heavy-ball
momentum with Polyak's η and μ by (√κ − 1)/(√κ + 1). :func:`measured_rate` reads the same
quantity off a run (the gaps of a :class:`nnlib.lessons.optimiser_surfaces.Trajectory`), and
:func:`rate_curve` draws a prediction over a measured loss curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_float_array, check_fraction, check_positive_float, check_positive_int
from .optimiser_surfaces import Quadratic

__all__ = ["QuadraticTheory", "quadratic_theory", "gd_rate", "heavy_ball_rate", "rate_curve",
           "measured_rate"]


@dataclass(frozen=True)
class QuadraticTheory:
    """What the lecture predicts for f = ½ xᵀHx with eigenvalues λ_min ≤ λ_max, κ = λ_max/λ_min."""

    lam_min: float
    lam_max: float

    def __post_init__(self):
        object.__setattr__(self, "lam_min", check_positive_float("lam_min", self.lam_min))
        object.__setattr__(self, "lam_max", check_positive_float("lam_max", self.lam_max))
        if self.lam_max < self.lam_min:
            raise ValueError(f"lam_max must be >= lam_min ({self.lam_min}); got {self.lam_max}")

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
    eta = check_positive_float("eta", eta)
    lam = as_float_array("eigenvalues", eigenvalues)
    return float(np.max(np.abs(1.0 - eta * lam)))


def heavy_ball_rate(eta: float, momentum: float, eigenvalues) -> float:
    """Asymptotic error contraction per step of heavy-ball momentum on a quadratic.

    With b ← μ b + g, x ← x − η b (``nnlib.optim.SGD(momentum=μ)``), each eigen-component obeys
    x_{k+1} = (1 + μ − ηλ) x_k − μ x_{k−1}; the rate is the largest root modulus of
    z² − (1 + μ − ηλ) z + μ = 0 over the eigenvalues λ.
    """
    eta = check_positive_float("eta", eta)
    momentum = check_fraction("momentum", momentum)
    lam = as_float_array("eigenvalues", eigenvalues)
    a = 1.0 + momentum - eta * lam
    disc = np.sqrt((a * a - 4.0 * momentum).astype(complex))
    roots = np.abs(np.stack([(a + disc) / 2, (a - disc) / 2]))
    return float(np.max(roots))


def rate_curve(gap0: float, rate: float, steps: int) -> np.ndarray:
    """gap0 · rate^{2k} for k = 0 … steps: the gap f − f* of a run whose error shrinks by
    ``rate`` per step (the theory line over a measured loss curve). Computed in logarithms and
    clipped to [1e-300, 1e300], so a rate ≥ 1 (divergence) or 0 stays finite."""
    gap0 = check_positive_float("gap0", gap0, allow_zero=True)
    rate = check_positive_float("rate", rate, allow_zero=True)
    k = np.arange(check_positive_int("steps", steps, minimum=0) + 1)
    with np.errstate(divide="ignore"):
        log_gap = np.log10(gap0) + 2 * k * np.log10(max(float(rate), 1e-300))
    return 10.0 ** np.clip(log_gap, -300, 300)


def measured_rate(gaps, first: int, last: int) -> float:
    """The mean error contraction per step between steps ``first`` and ``last`` of a run on a
    quadratic: (gap_last / gap_first)^(1 / (2 (last − first))) (the gap is quadratic in the
    error, hence the square root)."""
    gaps = as_float_array("gaps", gaps, ndim=1, finite=False)
    if not 0 <= first < last < gaps.size:
        raise ValueError(f"first and last must satisfy 0 <= first < last < {gaps.size}; "
                         f"got {first} and {last}")
    return float((gaps[last] / gaps[first]) ** (1.0 / (2 * (last - first))))
