"""Batch normalisation, named and behaving as ``torch.nn.BatchNorm1d`` / ``BatchNorm2d``.

For each feature (channel) the lecture's transform is

    BN(x) = β + γ · (x − E[x]) / √(Var[x] + ε)

with γ (scale) and β (shift) learned, and ε a small constant that keeps the division finite
when a feature is constant in the batch.

* In training mode E[x] and Var[x] are the mean and the biased variance over the batch (and,
  for ``BatchNorm2d``, over every position of the channel). Each call also updates the running
  statistics ``running_mean ← (1 − m)·running_mean + m·mean`` and
  ``running_var ← (1 − m)·running_var + m·var_unbiased`` (m = ``momentum``; PyTorch uses the
  unbiased variance, n/(n − 1) times the biased one, for the running estimate).
* In evaluation mode (``.eval()``) the running statistics replace the batch ones, so a
  prediction does not depend on which other examples share the batch.

Backward, with x̂ = (x − μ)/σ, σ = √(var + ε) and n values per feature (training mode):

    dβ = Σ dout,   dγ = Σ dout ⊙ x̂,   dx = γ/(n σ) · (n·dout − dβ − x̂ ⊙ dγ)

(in evaluation mode μ and σ are constants and dx = γ/σ · dout). As for every nnlib layer,
``backward`` ADDS dγ and dβ into ``gamma.grad`` and ``beta.grad`` and returns dx.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_float_dtype, check_positive_float, check_positive_int
from .layers import Layer, Parameter


class _BatchNorm(Layer):
    """Shared maths; subclasses fix the input's number of dimensions and the feature axis."""

    _ndim = 2
    _layout = "(N, F)"
    _count = "num_features"  # the name of the first argument, for error messages
    _unit = "features"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 dtype=np.float64):
        self.num_features = check_positive_int(self._count, num_features)
        self.eps = check_positive_float("eps", eps)
        momentum = check_positive_float("momentum", momentum)
        if momentum > 1:
            raise ValueError(f"momentum must lie in (0, 1]; got {momentum}")
        self.momentum = momentum
        dtype = check_float_dtype("dtype", dtype)
        self.gamma = Parameter(np.ones(self.num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(self.num_features, dtype=dtype), "beta")
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)
        self.num_batches_tracked = 0
        self.cache = None

    # -- shape bookkeeping ---------------------------------------------------------------
    def _check_input(self, x):
        x = as_float_array("x", x, finite=False)  # NaN propagates visibly; no extra pass
        if x.ndim != self._ndim:
            raise ValueError(f"x must be {self._ndim}-D {self._layout} for "
                             f"{type(self).__name__}; got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"x must have {self.num_features} {self._unit} (dimension 1) for "
                             f"this {type(self).__name__}; got shape {x.shape}")
        return x

    def _axes(self, x):
        return (0,) if x.ndim == 2 else (0,) + tuple(range(2, x.ndim))

    def _shape(self, x):
        return (1, self.num_features) + (1,) * (x.ndim - 2)

    def parameters(self):
        return [self.gamma, self.beta]

    # -- forward / backward --------------------------------------------------------------
    def forward(self, x):
        """x: (N, F) or (N, C, H, W) -> same shape, normalised per feature (channel)."""
        x = self._check_input(x)
        axes, shape = self._axes(x), self._shape(x)
        n = x.size // self.num_features
        gamma = self.gamma.data.reshape(shape)
        beta = self.beta.data.reshape(shape)
        if self.training:
            if n < 2:
                raise ValueError(
                    f"a training batch needs more than one value per feature to estimate a "
                    f"variance; got x of shape {x.shape}. Use a larger batch, or call .eval() "
                    "to normalise with the running statistics")
            mean = x.mean(axis=axes)
            xc = x - mean.reshape(shape)
            var = np.einsum("ij,ij->j", xc, xc) / n if x.ndim == 2 else \
                np.square(xc).mean(axis=axes)
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += (m * n / (n - 1)) * var
            self.num_batches_tracked += 1
        else:
            xc = x - self.running_mean.reshape(shape)
            var = self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = xc
        xhat *= inv_std.reshape(shape)  # xc is a fresh array: normalise in place
        self.cache = (xhat, inv_std, self.training)
        out = xhat * gamma
        out += beta  # in place: NumPy's `a * b + c` on large arrays is several times slower
        return out

    def backward(self, dout):
        """dout: same shape as the forward output. Adds dγ, dβ into .grad; returns dx."""
        if self.cache is None:
            raise RuntimeError("backward called before forward")
        xhat, inv_std, training = self.cache
        dout = np.asarray(dout)
        if dout.shape != xhat.shape:
            raise ValueError(f"dout must have shape {xhat.shape}; got {dout.shape}")
        axes, shape = self._axes(xhat), self._shape(xhat)
        if xhat.ndim == 2:
            dbeta = dout.sum(axis=0)
            dgamma = np.einsum("ij,ij->j", dout, xhat)
        else:
            dbeta = dout.sum(axis=axes)
            dgamma = (dout * xhat).sum(axis=axes)
        scale = self.gamma.data * inv_std
        if training:
            n = xhat.size // self.num_features
            dx = xhat * (-dgamma / n).reshape(shape)
            dx += dout
            dx -= (dbeta / n).reshape(shape)
            dx *= scale.reshape(shape)
        else:
            dx = dout * scale.reshape(shape)
        self.gamma.grad += dgamma
        self.beta.grad += dbeta
        return dx

    def __repr__(self):
        return (f"{type(self).__name__}({self.num_features}, eps={self.eps}, "
                f"momentum={self.momentum})")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of each of ``num_features`` columns of x: (N, F) -> (N, F).

    ``gamma``, ``beta``: Parameters of shape (F,) (initialised to 1 and 0);
    ``running_mean``, ``running_var``: arrays of shape (F,) (initialised to 0 and 1).
    """

    _ndim = 2
    _layout = "(N, F)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of each channel of x: (N, C, H, W) -> (N, C, H, W).

    Statistics are taken over the batch and every spatial position of a channel
    (N·H·W values); ``gamma``, ``beta``, ``running_mean``, ``running_var`` have shape (C,).
    """

    _ndim = 4
    _layout = "(N, C, H, W)"
    _count = "num_channels"
    _unit = "channels"

    def __init__(self, num_channels: int, eps: float = 1e-5, momentum: float = 0.1,
                 dtype=np.float64):
        super().__init__(num_channels, eps=eps, momentum=momentum, dtype=dtype)

    @property
    def num_channels(self) -> int:
        return self.num_features
