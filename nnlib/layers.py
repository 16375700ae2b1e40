"""Layers with explicit forward and backward passes, on minibatches.

Each layer follows one contract, the same one PyTorch modules follow:

* ``forward(x)`` maps a batch ``x`` of shape ``(N, ...)`` to an output, keeping what
  ``backward`` needs in ``self.cache``;
* ``backward(dout)`` takes ∂L/∂out (same shape as the output), stores ∂L/∂p in each
  parameter's ``.grad`` and returns ∂L/∂x. It never changes ``dout``.
* ``parameters()`` lists the layer's :class:`Parameter` objects (``.data`` and ``.grad``).

The lecture's notation maps onto :class:`Dense` and an activation layer:
z = a_prev W + b (``Dense``), a = φ(z) (``Activation``); backward gives dW = a_prevᵀ dz,
db = Σ_n dz_n, da_prev = dz Wᵀ, and dz = da ⊙ φ'(z). (Rows are examples, so these are
the transposes of the column-vector formulas on the slides.)
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._checks import check_choice, check_positive_float, check_positive_int, check_rng
from .init import initialize


class Parameter:
    """A trainable array and its gradient (``data`` and ``grad`` have the same shape)."""

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = ""):
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class: no parameters, identity shape bookkeeping, train/eval flag."""

    training = True

    def forward(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def parameters(self) -> list[Parameter]:
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad[...] = 0

    def train(self, mode: bool = True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def num_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())


class Dense(Layer):
    """Fully-connected (affine) layer z = x W + b.

    x: (N, in_features) -> z: (N, out_features). W: (in_features, out_features), b: (out_features,).

    ``init`` names an initialiser from :mod:`nnlib.init` (``init_kwargs`` go to it);
    biases are zero unless ``bias_std > 0`` (Nielsen draws them from N(0, 1)).
    """

    def __init__(self, in_features: int, out_features: int, *, rng, init: str = "xavier_uniform",
                 bias_std: float = 0.0, dtype=np.float64, **init_kwargs):
        m = check_positive_int("in_features", in_features)
        n = check_positive_int("out_features", out_features)
        bias_std = check_positive_float("bias_std", bias_std, allow_zero=True)
        rng = check_rng("rng", rng)  # an int seed must also work for the random bias below
        self.in_features, self.out_features = m, n
        self.W = Parameter(initialize(init, m, n, rng, dtype=dtype, **init_kwargs), "W")
        b = np.zeros(n, dtype=dtype)
        if bias_std > 0:
            b = (bias_std * rng.standard_normal(n)).astype(dtype)
        self.b = Parameter(b, "b")
        self.cache = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}) for this Dense layer; "
                             f"got {x.shape}")
        self.cache = x
        return x @ self.W.data + self.b.data

    def backward(self, dout):
        x = self.cache
        if x is None:
            raise RuntimeError("backward called before forward")
        if dout.shape != (x.shape[0], self.out_features):
            raise ValueError(f"dout must have shape {(x.shape[0], self.out_features)}; "
                             f"got {dout.shape}")
        self.W.grad = x.T @ dout
        self.b.grad = dout.sum(axis=0)
        return dout @ self.W.data.T

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        return f"Dense({self.in_features}, {self.out_features})"


class Activation(Layer):
    """Element-wise activation a = φ(z) by name; backward gives dz = da ⊙ φ'(z).

    ``name`` is one of :data:`nnlib.activations.ACTIVATIONS`; ``a`` is the leaky-ReLU slope.
    Any input shape works: (N, ...) -> same shape.
    """

    def __init__(self, name: str, *, a: float = 0.01):
        check_choice("activation", name, act.ACTIVATIONS)
        self.name = name
        self.a = a
        self.cache = None

    def forward(self, z):
        self.cache = z
        if self.name == "sigmoid":
            out = act.sigmoid(z)
            self.cache = out  # σ' = out (1 − out): keep the output, not the input
            return out
        if self.name == "leaky_relu":
            return act.leaky_relu(z, self.a)
        return act.ACTIVATIONS[self.name][0](z)

    def backward(self, dout):
        if self.cache is None:
            raise RuntimeError("backward called before forward")
        if dout.shape != self.cache.shape:
            raise ValueError(f"dout must have shape {self.cache.shape}; got {dout.shape}")
        if self.name == "sigmoid":
            s = self.cache
            return dout * s * (1.0 - s)
        if self.name == "leaky_relu":
            return dout * act.leaky_relu_prime(self.cache, self.a)
        return dout * act.ACTIVATIONS[self.name][1](self.cache)

    def __repr__(self):
        return f"Activation({self.name!r})" if self.name != "leaky_relu" else \
            f"Activation('leaky_relu', a={self.a})"


def Sigmoid():
    return Activation("sigmoid")


def Tanh():
    return Activation("tanh")


def ReLU():
    return Activation("relu")


def LeakyReLU(a: float = 0.01):
    return Activation("leaky_relu", a=a)


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...), e.g. the lecture's 4×4 map to a 16-vector."""

    cache = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"x must be at least 2-D (N, ...); got shape {x.shape}")
        self.cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        if self.cache is None:
            raise RuntimeError("backward called before forward")
        return dout.reshape(self.cache)


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse.

    >>> net = Sequential(Dense(3, 2, rng=rng), Sigmoid(), Dense(2, 1, rng=rng))
    >>> out = net.forward(x)          # x: (N, 3) -> (N, 1)
    >>> dx = net.backward(dout)       # fills every parameter's .grad
    """

    def __init__(self, *layers: Layer):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be an nnlib Layer; got {type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self, mode: bool = True):
        self.training = bool(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"


def mlp(sizes, *, rng, activation: str = "sigmoid", output_activation: str | None = None,
        init: str = "xavier_uniform", bias_std: float = 0.0, dtype=np.float64,
        **init_kwargs) -> Sequential:
    """A multilayer perceptron with layer widths ``sizes``, e.g. ``[784, 30, 10]``.

    Hidden layers use ``activation``; the output layer uses ``output_activation``
    (``None`` for raw scores, e.g. before a softmax cross-entropy).
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output width; got {sizes}")
    for i, s in enumerate(sizes):
        check_positive_int(f"sizes[{i}]", s)
    check_choice("activation", activation, act.ACTIVATIONS)
    if output_activation is not None:
        check_choice("output_activation", output_activation, act.ACTIVATIONS)
    layers: list[Layer] = []
    for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(m, n, rng=rng, init=init, bias_std=bias_std, dtype=dtype,
                            **init_kwargs))
        last = i == len(sizes) - 2
        name = output_activation if last else activation
        if name is not None:
            layers.append(Activation(name))
    return Sequential(*layers)


class PReLU(Layer):
    """Parametric ReLU: x for x > 0, a_j·x otherwise, with a slope a_j learned per channel.

    x: (N, C) or (N, C, ...) -> same shape. ``slope``: Parameter of shape (num_parameters,),
    one per channel (``num_parameters=C``) or a single shared slope (``num_parameters=1``),
    initialised to ``init`` (0.25, as ``torch.nn.PReLU``). Backward: dx = dout ⊙ (1 or a_j),
    da_j = Σ dout ⊙ min(x, 0) over every position of channel j. At x = 0 the slope side is
    used, as in PyTorch.
    """

    def __init__(self, num_parameters: int = 1, *, init: float = 0.25, dtype=np.float64):
        self.num_parameters = check_positive_int("num_parameters", num_parameters)
        if isinstance(init, bool) or not isinstance(init, (int, float, np.integer, np.floating)) \
                or not np.isfinite(init):
            raise TypeError(f"init must be a finite real number; got {init!r}")
        self.slope = Parameter(np.full(self.num_parameters, float(init), dtype=dtype), "slope")
        self.cache = None

    def _broadcast(self, x):
        if x.ndim < 2:
            raise ValueError(f"x must have shape (N, C, ...); got {x.shape}")
        if self.num_parameters not in (1, x.shape[1]):
            raise ValueError(f"x must have {self.num_parameters} channels (dimension 1) for "
                             f"this PReLU; got shape {x.shape}")
        return self.slope.data.reshape((1, -1) + (1,) * (x.ndim - 2))

    def forward(self, x):
        x = np.asarray(x)
        a = self._broadcast(x)
        self.cache = x
        return np.where(x > 0, x, a * x)

    def backward(self, dout):
        x = self.cache
        if x is None:
            raise RuntimeError("backward called before forward")
        if dout.shape != x.shape:
            raise ValueError(f"dout must have shape {x.shape}; got {dout.shape}")
        a = self._broadcast(x)
        neg = x <= 0
        da = np.where(neg, dout * x, 0)
        axes = tuple(i for i in range(x.ndim) if i != 1 or self.num_parameters == 1)
        self.slope.grad = da.sum(axis=axes).reshape(self.num_parameters)
        return np.where(neg, a * dout, dout)

    def parameters(self):
        return [self.slope]

    def __repr__(self):
        return f"PReLU(num_parameters={self.num_parameters})"
