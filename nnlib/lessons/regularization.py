"""Notebook 13's experiments: an MLP trained on a small slice of MNIST, with or without help.

:func:`small_mnist` gives a fixed random slice of the training set (all ten classes in
proportion) and test images as flat float32 vectors. :func:`build_mlp` makes the network
(optionally with :class:`nnlib.regularization.Dropout` on the input and after each hidden
layer). :func:`train_regularized` trains it with plain SGD in one :func:`nnlib.training.fit`
call, with L1/L2 penalties, dropout and augmentation (fit's ``transform``: a fresh random shift
and rotation of every training image at each epoch, :func:`nnlib.augment.random_transform`)
switched on or off, and returns a :class:`RegularizedRun` with per-epoch training and test
curves. The regularisation lab (:mod:`nnlib.widgets.regularization`) and the notebook call
the same function.

:func:`thinned_average` measures dropout's "average of many thinned networks": the mean of the
class probabilities of K networks with random masks, next to the one pass with all units on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import augment, data
from .. import regularization as reg
from .._checks import (
    as_float_array,
    check_dropout,
    check_positive_float,
    check_positive_int,
    check_rng,
)
from ..callbacks import Callback, EvaluateEvery
from ..layers import Sequential
from ..losses import softmax
from ..models import mlp
from ..optim import SGD
from ..training import fit

#: augmentation used when ``augment=True``: whole-pixel shifts and small rotations
AUGMENT = {"max_shift": 2, "max_rotation": 10.0}


def small_mnist(n_train: int = 1000, *, n_test: int = 10000, seed: int = 0):
    """(X, y, X_test, y_test): ``n_train`` training digits drawn once with ``seed`` and the
    first ``n_test`` test digits, as float32 (N, 784) vectors in [0, 1] and int labels."""
    n_train = check_positive_int("n_train", n_train)
    n_test = check_positive_int("n_test", n_test)
    seed = check_positive_int("seed", seed, minimum=0)
    X, y = data.mnist_vectors("train")
    if n_train > len(X):
        raise ValueError(f"n_train must be at most {len(X)}; got {n_train}")
    idx = np.sort(np.random.default_rng(seed).permutation(len(X))[:n_train])
    Xt, yt = data.mnist_vectors("test")
    return X[idx], y[idx], Xt[:n_test], yt[:n_test]


def build_mlp(hidden=(300,), *, rng, dropout: float = 0.0, input_dropout: float = 0.0,
              inputs: int = 784, classes: int = 10, dtype=np.float32) -> Sequential:
    """(N, inputs) -> (N, classes) logits: [Dropout(input_dropout)] -> (Dense -> ReLU ->
    [Dropout(dropout)]) per hidden width -> Dense. Dropout layers only where the rate is > 0."""
    rng = check_rng("rng", rng)
    widths = [check_positive_int("hidden", h) for h in np.atleast_1d(hidden).tolist()]
    check_dropout("dropout", dropout)
    check_dropout("input_dropout", input_dropout)
    return mlp([inputs, *widths, classes], rng=rng, activation="relu", dtype=dtype,
               dropout=dropout, input_dropout=input_dropout)


@dataclass
class RegularizedRun:
    """Per-epoch curves of one training run (lists of equal length) and the trained net.

    ``train_*`` are measured on the (unaugmented) training images and ``val_*`` on the
    held-out (test) images, both in evaluation mode, at the epochs listed in ``epoch``.
    ``seen_loss``/``seen_accuracy`` (one entry per epoch) are what training itself saw: the
    mean minibatch loss (penalties included) and accuracy in training mode, with dropout on
    and on the augmented images (``History.train_loss``/``train_accuracy`` of
    :func:`nnlib.training.fit`).
    """

    config: dict
    net: Sequential
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seen_loss: list[float] = field(default_factory=list)
    seen_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def label(self) -> str:
        c = self.config
        return run_label(c["n_train"], l1=c["l1"], l2=c["l2"], dropout=c["dropout"],
                         augment=c["augment"])


def run_label(n_train: int, *, l1=0.0, l2=0.0, dropout=0.0, augment=False) -> str:
    """A short name for a setting, e.g. ``"1000 img, L2 0.001, drop 0.5"``."""
    n_train = check_positive_int("n_train", n_train)
    for name, value in (("l1", l1), ("l2", l2), ("dropout", dropout)):
        check_positive_float(name, value, allow_zero=True)
    parts = [f"{n_train} img"]
    if l1:
        parts.append(f"L1 {l1:g}")
    if l2:
        parts.append(f"L2 {l2:g}")
    if dropout:
        parts.append(f"drop {dropout:g}")
    if augment:
        parts.append("aug")
    return ", ".join(parts) if len(parts) > 1 else parts[0] + ", plain"


def augmented(X, *, rng, image_shape=(28, 28), **transform):
    """A randomly transformed copy of flat images X (N, H·W) (``transform`` as in
    :func:`nnlib.augment.random_transform`; default :data:`AUGMENT`), same shape and dtype."""
    kw = transform or AUGMENT
    X = as_float_array("X", X, ndim=2)
    if X.shape[1] != int(np.prod(image_shape)):
        raise ValueError(f"X must hold flat images of {tuple(image_shape)} = "
                         f"{int(np.prod(image_shape))} pixels per row; got shape {X.shape}")
    images = X.reshape((len(X),) + tuple(image_shape))
    return augment.random_transform(images, rng=rng, **kw).reshape(len(X), -1)


def train_regularized(X, y, X_test, y_test, *, hidden=(300,), l1: float = 0.0, l2: float = 0.0,
                      dropout: float = 0.0, input_dropout: float = 0.0, augment: bool = False,
                      epochs: int = 30, batch_size: int = 32, lr: float = 0.1, seed: int = 0,
                      test_every: int = 1, on_epoch=None, progress: bool = False
                      ) -> RegularizedRun:
    """Train an MLP on (X, y) by minibatch SGD and measure it on (X_test, y_test) as it goes.

    X: (N, 784), y: (N,) labels. ``l1``/``l2``: λ of :class:`~nnlib.regularization.L1` /
    :class:`~nnlib.regularization.L2` on the weights (0: off). ``dropout`` after each hidden
    layer, ``input_dropout`` on the pixels. ``augment``: each epoch trains on a fresh random
    shift (±2 px) and rotation (±10°) of every image. The test set is measured every
    ``test_every`` epochs and after the last; ``on_epoch(run)`` is called after each
    measurement (live plots); ``progress`` shows a tqdm bar over epochs. Same ``seed``, same
    initial weights and minibatch order, whatever is switched on.
    """
    epochs = check_positive_int("epochs", epochs)
    test_every = check_positive_int("test_every", test_every)
    l1 = check_positive_float("l1", l1, allow_zero=True)
    l2 = check_positive_float("l2", l2, allow_zero=True)
    rng = np.random.default_rng(seed)
    net = build_mlp(hidden, rng=rng, dropout=dropout, input_dropout=input_dropout)
    aug_rng = np.random.default_rng([seed, 1])
    optimizer = SGD(net.parameters(), lr=lr)
    penalties = [p for p in (reg.L1(l1) if l1 else None, reg.L2(l2) if l2 else None) if p]
    config = dict(n_train=len(X), hidden=tuple(np.atleast_1d(hidden).tolist()), l1=l1, l2=l2,
                  dropout=float(dropout), input_dropout=float(input_dropout),
                  augment=bool(augment), epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    run = RegularizedRun(config=config, net=net)
    on_train, on_test = EvaluateEvery(X, y, every=test_every), \
        EvaluateEvery(X_test, y_test, every=test_every)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="epochs", unit="epoch")
    start = time.perf_counter()
    try:
        fit(net, X, y, optimizer=optimizer, epochs=epochs, batch_size=batch_size, rng=rng,
            penalties=penalties, progress=False,
            transform=(lambda X_: augmented(X_, rng=aug_rng)) if augment else None,
            callbacks=[on_train, on_test, _Curves(run, on_train, on_test, on_epoch, bar)])
    finally:
        if bar is not None:
            bar.close()
    run.seconds = time.perf_counter() - start
    return run


class _Curves(Callback):
    """Copies each epoch's figures into a :class:`RegularizedRun` as ``fit`` goes: what training
    saw (``History``), and the training-set (``on_train``) and test-set (``on_test``)
    measurements when they were taken; then ``on_epoch(run)`` and the progress bar."""

    def __init__(self, run, on_train, on_test, on_epoch, bar):
        self.run, self.on_train, self.on_test = run, on_train, on_test
        self.on_epoch, self.bar = on_epoch, bar

    def on_epoch_end(self, fit_run):
        run, history = self.run, fit_run.history
        run.seen_loss.append(history.train_loss[-1])
        run.seen_accuracy.append(history.train_accuracy[-1])
        if self.on_test.epoch and self.on_test.epoch[-1] == fit_run.epoch:
            # training-set figures measured like the test ones: eval mode, unaugmented images
            run.epoch.append(fit_run.epoch)
            run.train_loss.append(self.on_train.loss[-1])
            run.train_accuracy.append(self.on_train.accuracy[-1])
            run.val_loss.append(self.on_test.loss[-1])
            run.val_accuracy.append(self.on_test.accuracy[-1])
            if self.bar is not None:
                self.bar.set_postfix(test_acc=f"{run.val_accuracy[-1]:.3f}", refresh=False)
            if self.on_epoch is not None:
                self.on_epoch(run)
        if self.bar is not None:
            self.bar.update(1)


def thinned_average(net, X, *, samples: int = 50) -> dict:
    """Dropout as an average of thinned networks, measured on inputs X (N, D).

    Runs ``samples`` training-mode passes (each a network with a different random subset of
    units), averages their softmax probabilities, and compares with one evaluation-mode pass
    (all units on, no rescaling needed thanks to inverted dropout). Returns a dict of (N, C)
    arrays ``single`` (one thinned pass), ``average`` (the mean over samples), ``full`` (the
    evaluation pass), and ``running_agreement`` (samples,): the fraction of rows where the
    average of the first k thinned networks picks the same class as the full network.
    """
    samples = check_positive_int("samples", samples)
    was_training = net.training
    try:
        net.eval()
        full = softmax(net.forward(X))
        net.train()
        total = np.zeros_like(full)
        agreement = np.empty(samples)
        single = None
        for k in range(samples):
            p = softmax(net.forward(X))
            single = p if single is None else single
            total += p
            agreement[k] = np.mean(total.argmax(1) == full.argmax(1))
    finally:
        net.train(was_training)
    return {"single": single, "average": total / samples, "full": full,
            "running_agreement": agreement}
