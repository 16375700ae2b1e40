"""Layers with explicit forward and backward passes, on minibatches.

Each layer follows one contract, the same one PyTorch modules follow:

* ``forward(x)`` maps a batch ``x`` of shape ``(N, ...)`` to an output, keeping what
  ``backward`` needs in ``self.cache``;
* ``backward(dout)`` takes ∂L/∂out (same shape as the output), **adds** ∂L/∂p into each
  parameter's ``.grad`` and returns ∂L/∂x. It never changes ``dout``. Because gradients
  accumulate (as in PyTorch), whoever reads ``.grad`` after a backward zeroes it first:
  ``net.zero_grad()`` or ``optimizer.zero_grad()``. A Parameter used by two layers (weight
  sharing, an unrolled RNN) then receives the sum of both contributions, which is exactly
  ∂L/∂p. Calling ``backward`` before ``forward`` raises one RuntimeError naming the layer.
* ``parameters()`` lists the layer's :class:`Parameter` objects (``.data`` and ``.grad``),
  each once; :func:`count_parameters` counts their entries.
* ``train()``/``eval()`` set ``training`` (dropout and batch norm behave differently).

The lecture's notation maps onto :class:`Dense` and an activation layer:
z = a_prev W + b (``Dense``), a = φ(z) (``Sigmoid``, ``ReLU``, ...); backward gives
dW = a_prevᵀ dz, db = Σ_n dz_n, da_prev = dz Wᵀ, and dz = da ⊙ φ'(z). (Rows are examples,
so these are the transposes of the column-vector formulas on the slides; our Dense stores W
as (in_features, out_features), the transpose of ``torch.nn.Linear.weight``.)
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._checks import (
    as_numeric_array,
    check_choice,
    check_float_dtype,
    check_positive_float,
    check_positive_int,
    check_real,
    check_rng,
)
from .init import INITIALIZERS, initialize


class Parameter:
    """A trainable array and its gradient (``data`` and ``grad`` have the same shape)."""

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = ""):
        if not isinstance(data, np.ndarray) or not np.issubdtype(data.dtype, np.floating):
            raise TypeError(f"data must be a floating-point NumPy array (the weights); got "
                            f"{type(data).__name__} {getattr(data, 'dtype', '')}".rstrip())
        if not isinstance(name, str):
            raise TypeError(f"name must be a string; got {type(name).__name__} {name!r:.60}")
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


def _unique(params) -> list[Parameter]:
    """``params`` with repeats (shared parameters) removed, first occurrence kept."""
    seen, out = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def count_parameters(net) -> int:
    """Number of trainable entries in ``net.parameters()`` (a shared Parameter counts once)."""
    if not hasattr(net, "parameters"):
        raise TypeError(f"net must be an nnlib Layer; got {type(net).__name__}")
    return int(sum(p.data.size for p in _unique(net.parameters())))


class Layer:
    """Base class: no parameters, train/eval flag, the one backward-before-forward check."""

    training = True
    cache = None

    def forward(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward_params(self, dout) -> None:
        """Only the parameter gradients of :meth:`backward` (added into each ``.grad``), not
        the gradient for the layer's input: all a network's first layer needs when nothing
        flows further back. Layers whose input gradient costs real work (Dense, Conv2d) skip
        it; this default runs :meth:`backward` and drops the result."""
        self.backward(dout)

    def __call__(self, x):
        return self.forward(x)

    def _cached(self):
        """What forward kept for backward; RuntimeError if forward has not run yet."""
        if self.cache is None:
            raise RuntimeError(f"backward called before forward on {self!r}")
        return self.cache

    @staticmethod
    def _check_dout(dout, shape):
        if np.shape(dout) != tuple(shape):
            raise ValueError(f"dout must have shape {tuple(shape)}; got {np.shape(dout)}")

    def parameters(self) -> list[Parameter]:
        return []

    def children(self) -> list[Layer]:
        """The layers directly inside this one, in forward order (none for a leaf layer).

        A container (``Sequential``, ``Residual``, any layer built from others) overrides
        this; :meth:`modules` and everything that walks a network rely on it."""
        return []

    def modules(self) -> list[Layer]:
        """This layer and every layer inside it, pre-order (a container before its contents,
        in forward order), each once, as ``torch.nn.Module.modules()``.

        >>> [type(m).__name__ for m in Sequential(Dense(2, 2, rng=0), Residual(ReLU())).modules()]
        ['Sequential', 'Dense', 'Residual', 'ReLU']
        """
        seen, out, todo = set(), [], [self]
        while todo:
            layer = todo.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            todo.extend(reversed(layer.children()))
        return out

    def zero_grad(self):
        for p in self.parameters():
            p.grad[...] = 0

    def train(self, mode: bool = True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def num_parameters(self) -> int:
        """Same as :func:`count_parameters` (``count_parameters(self)``)."""
        return count_parameters(self)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully-connected (affine) layer z = x W + b.

    x: (N, in_features) -> z: (N, out_features). W: (in_features, out_features), b: (out_features,).

    ``init`` names an initialiser from :mod:`nnlib.init` (``init_kwargs`` go to it), used
    with fan_in = in_features and fan_out = out_features (W is stored transposed relative to
    torch's Linear, so the fans are passed explicitly); biases are zero unless
    ``bias_std > 0`` (Nielsen draws them from N(0, 1)).
    """

    def __init__(self, in_features: int, out_features: int, *, rng, init: str = "xavier_uniform",
                 bias_std: float = 0.0, dtype=np.float64, **init_kwargs):
        m = check_positive_int("in_features", in_features)
        n = check_positive_int("out_features", out_features)
        bias_std = check_positive_float("bias_std", bias_std, allow_zero=True)
        check_choice("init", init, INITIALIZERS)
        rng = check_rng("rng", rng)  # an int seed must also work for the random bias below
        dtype = check_float_dtype("dtype", dtype)
        self.in_features, self.out_features = m, n
        self.W = Parameter(initialize(init, (m, n), rng, fans=(m, n), dtype=dtype,
                                      **init_kwargs), "W")
        b = np.zeros(n, dtype=dtype)
        if bias_std > 0:
            b = (bias_std * rng.standard_normal(n)).astype(dtype)
        self.b = Parameter(b, "b")

    def forward(self, x):
        x = as_numeric_array("x", x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}) for this Dense layer; "
                             f"got {x.shape}")
        self.cache = x
        return x @ self.W.data + self.b.data

    def backward(self, dout):
        self.backward_params(dout)
        return dout @ self.W.data.T

    def backward_params(self, dout):
        x = self._cached()
        self._check_dout(dout, (x.shape[0], self.out_features))
        self.W.grad += x.T @ dout
        self.b.grad += dout.sum(axis=0)

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        return f"Dense({self.in_features}, {self.out_features})"


# ------------------------------------------------------------------------------ activations

class Activation(Layer):
    """Base of the element-wise activation layers a = φ(z): (N, ...) -> same shape.

    Each subclass writes its own forward and backward (dz = da ⊙ φ'(z)) and names its entry
    ``name`` in :data:`nnlib.activations.ACTIVATIONS`. ``a`` is the negative-side slope
    (0 except for the leaky family).
    """

    name = ""
    a = 0.0


class Sigmoid(Activation):
    """a = σ(z); backward dz = da ⊙ a(1 − a), from the kept output."""

    name = "sigmoid"

    def forward(self, z):
        self.cache = out = act.sigmoid(z)
        return out

    def backward(self, dout):
        s = self._cached()
        self._check_dout(dout, s.shape)
        return dout * s * (1.0 - s)


class Tanh(Activation):
    """a = tanh(z); backward dz = da ⊙ (1 − a²)."""

    name = "tanh"

    def forward(self, z):
        self.cache = out = act.tanh(z)
        return out

    def backward(self, dout):
        t = self._cached()
        self._check_dout(dout, t.shape)
        return dout * (1.0 - t * t)


class ReLU(Activation):
    """a = max(z, 0); backward dz = da ⊙ [z > 0] (0 at the kink, as PyTorch)."""

    name = "relu"

    def forward(self, z):
        self.cache = z = np.asarray(z)
        return act.relu(z)

    def backward(self, dout):
        z = self._cached()
        self._check_dout(dout, z.shape)
        return dout * act.relu_prime(z)


class LeakyReLU(Activation):
    """a = z for z ≥ 0, ``negative_slope``·z otherwise (fixed slope; torch's default 0.01)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = check_real("negative_slope", negative_slope)

    @property
    def a(self):
        return self.negative_slope

    def forward(self, z):
        self.cache = z = np.asarray(z)
        return act.leaky_relu(z, self.negative_slope)

    def backward(self, dout):
        z = self._cached()
        self._check_dout(dout, z.shape)
        return dout * act.leaky_relu_prime(z, self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Heaviside(Activation):
    """Threshold unit a = [z ≥ 0] (notebook 01); its gradient is 0 wherever it exists."""

    name = "heaviside"

    def forward(self, z):
        self.cache = z = np.asarray(z)
        return act.heaviside(z)

    def backward(self, dout):
        z = self._cached()
        self._check_dout(dout, z.shape)
        return dout * act.heaviside_prime(z)


class Identity(Activation):
    """a = z; backward passes dout through unchanged (returns it, never modifies it)."""

    name = "identity"

    def forward(self, z):
        z = np.asarray(z)
        self.cache = z.shape
        return z

    def backward(self, dout):
        self._check_dout(dout, self._cached())
        return dout


class PReLU(Activation):
    """Parametric ReLU: x for x > 0, a_j·x otherwise, with a slope a_j learned per channel.

    x: (N, C) or (N, C, ...) -> same shape. ``slope``: Parameter of shape (num_parameters,),
    one per channel (``num_parameters=C``) or a single shared slope (``num_parameters=1``),
    initialised to ``init`` (0.25, as ``torch.nn.PReLU``); the count is kept as ``channels``.
    Backward: dx = dout ⊙ (1 or a_j), da_j = Σ dout ⊙ min(x, 0) over every position of
    channel j. At x = 0 the slope side is used, as in PyTorch.
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, *, init: float = 0.25, dtype=np.float64):
        self.channels = check_positive_int("num_parameters", num_parameters)
        init = check_real("init", init)
        dtype = check_float_dtype("dtype", dtype)
        self.slope = Parameter(np.full(self.channels, init, dtype=dtype), "slope")

    @property
    def a(self):
        return self.slope.data

    def _broadcast(self, x):
        if x.ndim < 2:
            raise ValueError(f"x must have shape (N, C, ...); got {x.shape}")
        if self.channels not in (1, x.shape[1]):
            raise ValueError(f"x must have {self.channels} channels (dimension 1) for "
                             f"this PReLU; got shape {x.shape}")
        return self.slope.data.reshape((1, -1) + (1,) * (x.ndim - 2))

    def forward(self, x):
        x = as_numeric_array("x", x)
        a = self._broadcast(x)
        self.cache = x
        return np.where(x > 0, x, a * x)

    def backward(self, dout):
        x = self._cached()
        self._check_dout(dout, x.shape)
        a = self._broadcast(x)
        neg = x <= 0
        da = np.where(neg, dout * x, 0)
        axes = tuple(i for i in range(x.ndim) if i != 1 or self.channels == 1)
        self.slope.grad += da.sum(axis=axes).reshape(self.channels)
        return np.where(neg, a * dout, dout)

    def parameters(self):
        return [self.slope]

    def __repr__(self):
        return f"PReLU(num_parameters={self.channels})"


#: registry name -> layer class (one per entry of :data:`nnlib.activations.ACTIVATIONS`)
ACTIVATION_LAYERS = {cls.name: cls for cls in (Heaviside, Sigmoid, Tanh, ReLU, LeakyReLU, PReLU,
                                              Identity)}


def activation_layer(name: str, **kwargs) -> Activation:
    """The activation layer registered as ``name`` (see :data:`nnlib.activations.ACTIVATIONS`).

    ``kwargs`` go to its class: ``negative_slope`` for ``leaky_relu``; ``num_parameters``,
    ``init`` and ``dtype`` for ``prelu``.

    >>> activation_layer("leaky_relu", negative_slope=0.2)
    LeakyReLU(negative_slope=0.2)
    """
    check_choice("activation", name, act.ACTIVATIONS)  # lists the registry
    return ACTIVATION_LAYERS[name](**kwargs)


# ----------------------------------------------------------------------------- containers

class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...), e.g. the lecture's 4×4 map to a 16-vector."""

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"x must be at least 2-D (N, ...); got shape {x.shape}")
        self.cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        shape = self._cached()
        return dout.reshape(shape)


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse.

    >>> net = Sequential(Dense(3, 2, rng=rng), Sigmoid(), Dense(2, 1, rng=rng))
    >>> out = net.forward(x)          # x: (N, 3) -> (N, 1)
    >>> dx = net.backward(dout)       # adds into every parameter's .grad
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

    def layer_outputs(self, x) -> list:
        """The output of each of ``self.layers`` for the batch x, in order: a forward pass that
        keeps every intermediate array (the last is ``forward(x)``; backward may follow)."""
        outputs = []
        for layer in self.layers:
            x = layer.forward(x)
            outputs.append(x)
        return outputs

    def backward(self, dout, *, input_grad: bool = True):
        """Backpropagate ``dout`` through the layers in reverse, adding into every parameter's
        ``.grad``; returns the gradient for the network's input.

        ``input_grad=False`` (training on fixed inputs, as ``training.fit`` does): that gradient
        is not computed and None is returned. The layers before the first with parameters are
        skipped and that one computes only its parameters' gradients (:meth:`Layer.
        backward_params`): for an MNIST MLP, a third of the work of a step. The parameter
        gradients are exactly those of a full backward. (PyTorch skips the same work for an
        input that does not require a gradient.)"""
        if input_grad:
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
            return dout
        first = next((i for i, layer in enumerate(self.layers) if layer.parameters()), None)
        if first is None:
            return None
        for layer in reversed(self.layers[first + 1:]):
            dout = layer.backward(dout)
        self.layers[first].backward_params(dout)
        return None

    def backward_params(self, dout):
        self.backward(dout, input_grad=False)

    def parameters(self):
        return _unique(p for layer in self.layers for p in layer.parameters())

    def children(self):
        return list(self.layers)

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
        inner = ",\n  ".join(repr(layer).replace("\n", "\n  ") for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"


class Residual(Layer):
    """A skip connection around ``block``: out = x + block(x).

    x: (N, ...) -> same shape (``block`` must keep the shape). Backward:
    dx = dout + block.backward(dout): the gradient reaches x both directly and through the block.
    """

    def __init__(self, block: Layer):
        if not isinstance(block, Layer):
            raise TypeError(f"block must be an nnlib Layer; got {type(block).__name__}")
        self.block = block

    def forward(self, x):
        x = np.asarray(x)
        h = self.block.forward(x)
        if h.shape != x.shape:
            raise ValueError(f"Residual needs a block that keeps the shape; {self.block!r} maps "
                             f"{x.shape} to {h.shape}")
        self.cache = x.shape
        return x + h

    def backward(self, dout):
        self._check_dout(dout, self._cached())
        return dout + self.block.backward(dout)

    def parameters(self):
        return _unique(self.block.parameters())

    def children(self):
        return [self.block]

    def train(self, mode: bool = True):
        self.training = bool(mode)
        self.block.train(mode)
        return self

    def __repr__(self):
        return f"Residual({self.block!r})"
