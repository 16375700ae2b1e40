"""Several seeds of one sigmoid MLP trained side by side, in lockstep, by minibatch SGD.

Notebook 02 repeats the classic MNIST experiment (sigmoid units, quadratic cost, η = 3.0,
minibatches of K = 10, 30 epochs) for three seeds of each of three architectures. One run is
150 000 SGD steps on ten digits each, and with matrices that small the time goes to the
overhead of each NumPy call, not to arithmetic. Where Numba is installed, each seed's epoch is
one compiled loop (:mod:`nnlib._compiled`, the loop ``training.fit`` uses for these networks too)
and the seeds run on separate cores. Without it, the seeds' weights are stacked along a leading
axis, so that every product is one batched NumPy product for all seeds at once.

Each seed s computes exactly what ``training.fit(nets[s], X, y,
optimizer=optim.SGD(nets[s].parameters(), lr=lr), loss="quadratic", epochs=epochs,
batch_size=batch_size, rng=rngs[s], X_val=X_val, y_val=y_val)`` computes: the same permutation
of the examples per epoch drawn from ``rngs[s]``, the same steps, the same validation after every
epoch. ``tests/lessons/test_lockstep.py`` pins the two to each other. The weights are written in
the lecture's column notation z[ℓ] = W[ℓ] a[ℓ−1] + b[ℓ], with the bias as one more column of W
on a constant input of 1.

What it leaves out: any layer other than Dense followed by Sigmoid, any loss other than the
quadratic cost, any optimiser other than plain SGD, and a last minibatch smaller than the others.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _compiled
from .._blas import blas_threads
from .._checks import check_callable, check_positive_float, check_positive_int
from ..layers import Dense, Sequential
from ..training import History, evaluate


def _sigmoid_plan(net, index: int) -> list[Dense]:
    """The Dense layers of ``net`` when it is [Dense, Sigmoid] * L, else a ValueError."""
    layers = getattr(net, "layers", None)
    if not isinstance(net, Sequential) or not layers or len(layers) % 2:
        raise ValueError(f"nets[{index}] must be a Sequential of [Dense, Sigmoid] pairs (e.g. "
                         f"models.mlp(..., activation='sigmoid', output_activation='sigmoid')); "
                         f"got {type(net).__name__}")
    dense = layers[0::2]
    for layer, act in zip(dense, layers[1::2]):
        if not isinstance(layer, Dense) or type(act).__name__ != "Sigmoid":
            raise ValueError(f"nets[{index}] must alternate Dense and Sigmoid layers; got "
                             f"{type(layer).__name__} followed by {type(act).__name__}")
    return list(dense)


def _sigmoid_(z, one):
    """z ← σ(z) in place."""
    np.negative(z, out=z)
    np.exp(z, out=z)  # may overflow to inf for z << 0: 1/(1 + inf) = 0 is the right limit
    np.add(z, one, out=z)
    np.reciprocal(z, out=z)


def _times_sigmoid_prime_(d, a, tmp, one):
    """d ← d ⊙ σ'(z), with σ'(z) = a (1 − a) written through the output a = σ(z)."""
    np.subtract(one, a, out=tmp)
    np.multiply(d, tmp, out=d)
    np.multiply(d, a, out=d)


def train_in_lockstep(nets, rngs, X, y, *, lr: float, epochs: int, batch_size: int,
                      X_val=None, y_val=None, on_epoch=None, chunk_steps: int = 100):
    """Train every net of ``nets`` (same architecture, [Dense, Sigmoid] pairs) in place, by plain
    minibatch SGD on the quadratic cost; returns one :class:`nnlib.training.History` per net.

    X: (N, D) inputs; y: (N,) integer labels (one-hot targets) with N a multiple of
    ``batch_size``. ``rngs[s]`` draws seed s's permutation each epoch, as ``fit`` would.
    After every epoch each net is evaluated on ``X_val``/``y_val`` (when given) and
    ``on_epoch(s, history)`` is called for each s. A History's ``seconds`` is the epoch's time
    divided by the number of nets (each net's share; with the compiled loop the validation, which
    runs beside the other seeds' epochs, is included); its ``engine`` is ``"lockstep"``.
    """
    nets, rngs = list(nets), list(rngs)
    if not nets or len(nets) != len(rngs):
        raise ValueError(f"nets and rngs must be non-empty and of the same length; got "
                         f"{len(nets)} nets and {len(rngs)} rngs")
    plans = [_sigmoid_plan(net, i) for i, net in enumerate(nets)]
    shapes = [[d.W.data.shape for d in plan] for plan in plans]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"nets must share one architecture; got weight shapes {shapes}")
    for i, rng in enumerate(rngs):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rngs[{i}] must be a numpy.random.Generator; got "
                            f"{type(rng).__name__}")
    dtype = plans[0][0].W.data.dtype
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != shapes[0][0][0]:
        raise ValueError(f"X must have shape (N, {shapes[0][0][0]}); got {X.shape}")
    if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold one integer label per row of X, shape ({len(X)},); got "
                         f"{y.dtype} {y.shape}")
    K = check_positive_int("batch_size", batch_size)
    if len(X) % K:
        raise ValueError(f"batch_size must divide len(X) = {len(X)} (every step a full "
                         f"minibatch); got {batch_size}")
    epochs = check_positive_int("epochs", epochs)
    lr = check_positive_float("lr", lr)
    chunk_steps = check_positive_int("chunk_steps", chunk_steps)
    if on_epoch is not None:
        check_callable("on_epoch", on_epoch, "a function on_epoch(s, history) or None")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together; got only one of them")
    S, n, L = len(nets), len(X), len(plans[0])
    n_out = shapes[0][-1][1]

    # inputs that are 0 in every example get a zero gradient forever: leave them out
    active = np.flatnonzero(np.any(X != 0, axis=0))
    X1 = np.empty((n, len(active) + 1), dtype)
    X1[:, :-1] = X[:, active]
    X1[:, -1] = 1
    Y = np.eye(n_out, dtype=dtype)[y]
    # W[l]: (S, n_l, n_{l-1} + 1) = [Dense.Wᵀ | b] for every seed
    W = [np.ascontiguousarray(np.stack([np.hstack([(p[l].W.data[active] if l == 0 else
                                                     p[l].W.data).T, p[l].b.data[:, None]])
                                        for p in plans]), dtype=dtype) for l in range(L)]
    sizes = [w.shape[1] for w in W]
    a = [np.ones((S, m + (l < L - 1), K), dtype) for l, m in enumerate(sizes)]  # + a row of 1s
    d = [np.empty((S, m, K), dtype) for m in sizes]
    tmp = [np.empty((S, m, K), dtype) for m in sizes]
    dW = [np.empty_like(w) for w in W]
    one, c = np.ones((), dtype), np.asarray(lr / K, dtype)
    histories = [History(engine="lockstep") for _ in nets]

    def write_back(s):
        for l, dense in enumerate(plans[s]):
            if l == 0:
                dense.W.data[active] = W[0][s, :, :-1].T
            else:
                dense.W.data[...] = W[l][s, :, :-1].T
            dense.b.data[...] = W[l][s, :, -1]

    def validate(s):  # one BLAS thread: the other core trains (or validates) another seed
        if X_val is None:
            return None
        with blas_threads(1):
            return evaluate(nets[s], X_val, y_val, "quadratic")

    steps = n // K
    compiled = _compiled.available()
    labels = np.asarray(y, np.intp)
    seeds = [tuple(w[s] for w in W) for s in range(S)]  # seed s's weights: views into W
    pool = ThreadPoolExecutor(max_workers=max(1, min(S, os.cpu_count() or 1)))

    def compiled_epoch(s, order):  # the epoch, then the validation, of seed s
        step_losses, _, _ = _compiled.sigmoid_quadratic_epoch(seeds[s], X1, Y, labels, order,
                                                              lr, K)
        write_back(s)
        return float(step_losses.sum()) * K, validate(s)

    def numpy_epoch(orders, totals):  # all seeds at once, as one stack of weights
        for first in range(0, steps, chunk_steps):
            last = min(first + chunk_steps, steps)
            idx = orders[:, first * K:last * K]
            xs = X1[idx].transpose(0, 2, 1)           # (S, D + 1, steps·K)
            ys = Y[idx].transpose(0, 2, 1)            # (S, n_out, steps·K)
            for j in range(last - first):
                cols = slice(j * K, (j + 1) * K)
                xb = xs[:, :, cols]
                a_prev = xb
                for l in range(L):
                    z = a[l][:, :sizes[l]]
                    np.matmul(W[l], a_prev, out=z)
                    _sigmoid_(z, one)
                    a_prev = a[l]
                out = a[L - 1]
                np.subtract(out, ys[:, :, cols], out=d[L - 1])
                totals += 0.5 * np.einsum("sij,sij->s", d[L - 1], d[L - 1])
                _times_sigmoid_prime_(d[L - 1], out, tmp[L - 1], one)
                np.multiply(d[L - 1], c, out=d[L - 1])   # lr/K folded in once
                for l in range(L - 1, -1, -1):
                    a_in = a[l - 1] if l > 0 else xb
                    if l > 0:
                        m = sizes[l - 1]
                        np.matmul(W[l][:, :, :m].transpose(0, 2, 1), d[l], out=d[l - 1])
                        _times_sigmoid_prime_(d[l - 1], a_in[:, :m], tmp[l - 1], one)
                    np.matmul(d[l], a_in.transpose(0, 2, 1), out=dW[l])
                    np.subtract(W[l], dW[l], out=W[l])

    with pool, np.errstate(over="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            orders = np.stack([rng.permutation(n) for rng in rngs])  # (S, N), as fit draws them
            totals = np.zeros(S)
            t0 = time.perf_counter()
            if compiled:  # each seed's epoch is one compiled loop; seeds on separate cores
                totals[:], vals = zip(*pool.map(compiled_epoch, range(S), orders))
                share = (time.perf_counter() - t0) / S  # its validation included
            else:
                numpy_epoch(orders, totals)
                share = (time.perf_counter() - t0) / S
                for s in range(S):
                    write_back(s)
                vals = [validate(s) for s in range(S)]
            for s, h in enumerate(histories):
                h.epoch.append(epoch)
                h.train_loss.append(float(totals[s] / n))
                h.seconds.append(share)
                if X_val is not None:
                    val_loss, val_acc = vals[s]
                    h.val_epoch.append(epoch)
                    h.val_loss.append(val_loss)
                    h.val_accuracy.append(val_acc)
                if on_epoch is not None:
                    on_epoch(s, h)
    return histories
