"""Pre-training a deep sigmoid network, greedily and layer by layer (notebook 08).

Before ReLU, good initialisation and batch norm, deep sigmoid networks were started from
weights that had already learnt something, one layer at a time:

* **greedy unsupervised** (:func:`pretrain_autoencoders`): layer ℓ is the encoder of an
  autoencoder x̂ = σ(σ(h W + b) W' + b') trained to reconstruct its input h, the codes of
  layer ℓ − 1 (the pixels for ℓ = 1); its codes become the next layer's input. The decoder
  has its own weights W', or, with ``tied=True``, W' = Wᵀ (:class:`TiedAutoencoder`).
* **discriminative** (:func:`pretrain_discriminative`): train a shallow network with SGD, then
  insert one more hidden layer under a fresh output layer and train again, until the network
  has all its layers.

Either way the resulting weights start the deep network (:func:`stack`), which is then
fine-tuned end to end with backprop. Deep belief nets did the unsupervised step with
restricted Boltzmann machines; autoencoders are the simpler variant shown here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_float_array, check_positive_float, check_positive_int, check_rng
from ..layers import Dense, Layer, Parameter, Sequential, Sigmoid
from ..models import mlp
from ..optim import SGD
from ..training import fit


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1/(1 + e^{−z}), without overflow


class TiedAutoencoder(Layer):
    """Autoencoder with tied weights: x: (N, m) -> x̂ = σ(σ(x W + b) Wᵀ + c): (N, m).

    ``W`` (m, n), ``b`` (n,) (the encoder, what the deep net keeps) and ``c`` (m,) (the
    decoder's bias). The decoder reuses Wᵀ, so dW collects both uses:
    dW = xᵀ dz_h + (dz_x)ᵀ h with dz_x = dout ⊙ x̂(1 − x̂), dz_h = (dz_x W) ⊙ h(1 − h).
    """

    def __init__(self, in_features: int, hidden: int, *, rng, init: str = "xavier_uniform",
                 dtype=np.float64):
        enc = Dense(in_features, hidden, rng=rng, init=init, dtype=dtype)
        self.W, self.b = enc.W, enc.b
        self.c = Parameter(np.zeros(in_features, dtype=dtype), "c")
        self.in_features, self.hidden = enc.in_features, enc.out_features

    def encode(self, x):
        """Codes h = σ(x W + b): (N, m) -> (N, n)."""
        return _sigmoid(np.asarray(x) @ self.W.data + self.b.data)

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}) for this autoencoder; "
                             f"got {x.shape}")
        h = self.encode(x)
        out = _sigmoid(h @ self.W.data.T + self.c.data)
        self.cache = (x, h, out)
        return out

    def backward(self, dout):
        x, h, out = self._cached()
        self._check_dout(dout, out.shape)
        dz_x = dout * out * (1.0 - out)
        dh = dz_x @ self.W.data
        dz_h = dh * h * (1.0 - h)
        self.W.grad += x.T @ dz_h + dz_x.T @ h
        self.b.grad += dz_h.sum(axis=0)
        self.c.grad += dz_x.sum(axis=0)
        return dz_h @ self.W.data.T

    def parameters(self):
        return [self.W, self.b, self.c]

    def encoder(self) -> Dense:
        """A Dense layer holding (copies of) the encoder's W and b."""
        dense = Dense(self.in_features, self.hidden, rng=0, dtype=self.W.data.dtype)
        dense.W.data[...] = self.W.data
        dense.b.data[...] = self.b.data
        return dense

    def __repr__(self):
        return f"TiedAutoencoder({self.in_features}, {self.hidden})"


def autoencoder(in_features: int, hidden: int, *, rng, tied: bool = False,
                init: str = "xavier_uniform", dtype=np.float64) -> Layer:
    """A one-hidden-layer sigmoid autoencoder m -> n -> m (untied: a plain 3-layer MLP)."""
    in_features = check_positive_int("in_features", in_features)
    hidden = check_positive_int("hidden", hidden)
    if not isinstance(tied, (bool, np.bool_)):
        raise TypeError(f"tied must be True or False; got {tied!r}")
    if tied:
        return TiedAutoencoder(in_features, hidden, rng=rng, init=init, dtype=dtype)
    return mlp([in_features, hidden, in_features], rng=rng, activation="sigmoid",
               output_activation="sigmoid", init=init, dtype=dtype)


def _encoder_of(ae) -> Dense:
    if isinstance(ae, TiedAutoencoder):
        return ae.encoder()
    return ae.layers[0]


@dataclass
class Pretrained:
    """What greedy pre-training produced: ``encoders`` (one Dense per hidden layer, bottom
    first) and, per layer, its reconstruction loss before and after training
    (``loss_before``, ``loss_after``) and the number of SGD ``steps`` it took."""

    encoders: list[Dense] = field(default_factory=list)
    loss_before: list[float] = field(default_factory=list)
    loss_after: list[float] = field(default_factory=list)
    steps: int = 0


def _reconstruction_loss(ae, H) -> float:
    out = ae.forward(H)
    return float(0.5 * np.sum((out - H) ** 2) / len(H))


def pretrain_autoencoders(X, hidden_sizes, *, rng, lr: float, epochs: int = 1,
                          batch_size: int = 32, tied: bool = False,
                          init: str = "xavier_uniform", progress: bool = False) -> Pretrained:
    """Greedy layer-wise pre-training: one autoencoder per entry of ``hidden_sizes``.

    X: (N, D) inputs in [0, 1]. Layer ℓ's autoencoder learns, by SGD on the quadratic
    reconstruction loss for ``epochs`` epochs, to reconstruct the codes of layer ℓ − 1; its
    encoder is kept, and its codes (computed once, after training) feed layer ℓ + 1.
    """
    X = as_float_array("X", X, ndim=2)
    sizes = [check_positive_int(f"hidden_sizes[{i}]", s) for i, s in enumerate(hidden_sizes)]
    if not sizes:
        raise ValueError("hidden_sizes must list at least one hidden width; got none")
    lr = check_positive_float("lr", lr)
    rng = check_rng("rng", rng)
    result = Pretrained()
    H = X
    layers = enumerate(sizes)
    if progress:
        from tqdm.auto import tqdm

        layers = tqdm(layers, total=len(sizes), desc="pre-training layers", unit="layer")
    for _, n in layers:
        ae = autoencoder(H.shape[1], n, rng=rng, tied=tied, init=init, dtype=X.dtype)
        result.loss_before.append(_reconstruction_loss(ae, H))
        history = fit(ae, H, H, optimizer=SGD(ae.parameters(), lr=lr), loss="quadratic",
                      epochs=epochs, batch_size=batch_size, rng=rng, progress=False)
        result.steps += len(history.step_loss)
        result.loss_after.append(_reconstruction_loss(ae, H))
        enc = _encoder_of(ae)
        result.encoders.append(enc)
        H = _sigmoid(H @ enc.W.data + enc.b.data).astype(X.dtype, copy=False)
    return result


def stack(encoders, num_outputs: int, *, rng, init: str = "xavier_uniform") -> Sequential:
    """The deep network [Dense, Sigmoid] per encoder, then a fresh Dense output layer
    (raw scores, for softmax cross-entropy)."""
    encoders = list(encoders)
    if not encoders:
        raise ValueError("encoders must hold at least one Dense layer; got none")
    layers: list[Layer] = []
    for i, enc in enumerate(encoders):
        if not isinstance(enc, Dense):
            raise TypeError(f"encoders[{i}] must be a Dense layer; got {type(enc).__name__}")
        if i and enc.in_features != encoders[i - 1].out_features:
            raise ValueError(f"encoders[{i}] takes {enc.in_features} inputs but the layer below "
                             f"gives {encoders[i - 1].out_features}")
        layers += [enc, Sigmoid()]
    out = Dense(encoders[-1].out_features, num_outputs, rng=rng, init=init,
                dtype=encoders[-1].W.data.dtype)
    return Sequential(*layers, out)


def pretrain_discriminative(X, y, sizes, *, rng, lr: float, epochs: int = 1,
                            batch_size: int = 32, init: str = "xavier_uniform",
                            progress: bool = False) -> tuple[Sequential, int]:
    """Discriminative pre-training: train [D, h1, C], then [D, h1, h2, C] with h1 kept and a
    fresh h2 and output layer, and so on up to ``sizes`` = [D, h1, ..., hL, C].

    Each stage is ``epochs`` epochs of plain SGD on softmax cross-entropy. Returns the final
    network (ready for fine-tuning) and the total number of SGD steps taken.
    """
    X = as_float_array("X", X, ndim=2)
    sizes = [check_positive_int(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
    if len(sizes) < 3:
        raise ValueError(f"sizes must have at least one hidden layer, [D, h1, ..., C]; got "
                         f"{sizes}")
    if sizes[0] != X.shape[1]:
        raise ValueError(f"sizes[0] must be the input width of X ({X.shape[1]}); got sizes "
                         f"{sizes}")
    lr = check_positive_float("lr", lr)
    rng = check_rng("rng", rng)
    kept: list[Dense] = []
    steps = 0
    stages = range(1, len(sizes) - 1)
    if progress:
        from tqdm.auto import tqdm

        stages = tqdm(stages, desc="adding layers", unit="layer")
    net = None
    for depth in stages:
        new = Dense(sizes[depth - 1], sizes[depth], rng=rng, init=init, dtype=X.dtype)
        net = stack(kept + [new], sizes[-1], rng=rng, init=init)
        history = fit(net, X, y, optimizer=SGD(net.parameters(), lr=lr), epochs=epochs,
                      batch_size=batch_size, rng=rng, progress=False)
        steps += len(history.step_loss)
        kept.append(new)
    return net, steps
