"""Several sigmoid MLPs (seeds, architectures) trained side by side by minibatch SGD.

Notebook 02 repeats the classic MNIST experiment (sigmoid units, quadratic cost, η = 3.0,
minibatches of K = 10, 30 epochs) for three seeds of each of three architectures. One run is
150 000 SGD steps on ten digits each, and with matrices that small the time goes to the
overhead of each NumPy call, not to arithmetic. Where Numba is installed, each net's epoch is
one compiled loop (:mod:`nnlib._compiled`, the loop ``training.fit`` uses for these networks too)
and the nets take turns on all cores, one epoch at a time, the least advanced first: nine runs on
two cores keep both busy to the end. Without it, the weights of the nets of one architecture
are stacked along a leading axis, so that every product is one batched NumPy product for all
of them at once.

Each net s computes exactly what ``training.fit(nets[s], X, y,
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
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np

from .. import _compiled
from .._blas import blas_threads
from .._checks import check_callable, check_positive_float, check_positive_int
from .._fused import with_ones
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


def _examples(x_name, X, y_name, y, ends):
    """X (N, inputs) and y (N,) integer labels in [0, outputs) as arrays, else a ValueError
    naming the one that does not fit."""
    X, y = np.asarray(X), np.asarray(y)
    inputs, outputs = ends
    if X.ndim != 2 or X.shape[1] != inputs:
        raise ValueError(f"{x_name} must have shape (N, {inputs}); got {X.shape}")
    if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{y_name} must hold one integer label per row of {x_name}, shape "
                         f"({len(X)},); got {y.dtype} {y.shape}")
    if y.size and not 0 <= y.min() <= y.max() < outputs:
        raise ValueError(f"{y_name} must hold class labels in [0, {outputs - 1}] (the output "
                         f"width); got values from {y.min()} to {y.max()}")
    return X, y


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
    """Train every net of ``nets`` ([Dense, Sigmoid] pairs, one dtype, the same input and output
    widths; the hidden layers may differ) in place, by plain minibatch SGD on the quadratic cost;
    returns one :class:`nnlib.training.History` per net.

    X: (N, D) inputs; y: (N,) integer labels (one-hot targets) with N a multiple of
    ``batch_size``. ``rngs[s]`` draws net s's permutation each epoch, as ``fit`` would.
    After every epoch each net is evaluated on ``X_val``/``y_val`` (when given) and
    ``on_epoch(s, history)`` is called in lockstep order: epoch 1 of nets 0, 1, ..., then epoch 2,
    and so on (each call as soon as that epoch and all before it in this order are done). A
    History's ``seconds`` is, per epoch, the time its net's epoch took: with the compiled loop,
    on one core beside the other nets, its validation included; without it, the batched epoch of
    all nets of its architecture divided by their number. Its ``engine`` is ``"lockstep"``.
    """
    nets, rngs = list(nets), list(rngs)
    if not nets or len(nets) != len(rngs):
        raise ValueError(f"nets and rngs must be non-empty and of the same length; got "
                         f"{len(nets)} nets and {len(rngs)} rngs")
    plans = [_sigmoid_plan(net, i) for i, net in enumerate(nets)]
    shapes = [tuple(d.W.data.shape for d in plan) for plan in plans]
    ends = [(s[0][0], s[-1][1]) for s in shapes]
    if any(e != ends[0] for e in ends):
        raise ValueError(f"nets must share the input and output widths; got (inputs, outputs) "
                         f"{ends}")
    dtypes = [plan[0].W.data.dtype for plan in plans]
    if any(d != dtypes[0] for d in dtypes):
        raise ValueError(f"nets must share one dtype; got {[str(d) for d in dtypes]}")
    for i, rng in enumerate(rngs):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rngs[{i}] must be a numpy.random.Generator; got "
                            f"{type(rng).__name__}")
    dtype = dtypes[0]
    X, y = _examples("X", X, "y", y, ends[0])
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
    if X_val is not None:  # checked before any training, not after the first epoch
        X_val, y_val = _examples("X_val", X_val, "y_val", y_val, ends[0])
    S, n = len(nets), len(X)

    # inputs that are 0 in every example get a zero gradient forever: leave them out
    active = np.flatnonzero(np.any(X != 0, axis=0))
    X1 = with_ones(X, dtype, active)
    Y = np.eye(ends[0][1], dtype=dtype)[y]
    labels = np.asarray(y, np.intp)
    # the nets of one architecture, stacked: W[l] (S_g, n_l, n_{l-1} + 1) = [Dense.Wᵀ | b]
    groups = {}
    for s, shape in enumerate(shapes):
        groups.setdefault(shape, []).append(s)
    stacks = {shape: [np.ascontiguousarray(np.stack([np.hstack([
        (plans[s][l].W.data[active] if l == 0 else plans[s][l].W.data).T,
        plans[s][l].b.data[:, None]]) for s in members]), dtype=dtype)
        for l in range(len(shape))] for shape, members in groups.items()}
    weights = [None] * S  # net s's weights: views into its architecture's stack
    for shape, members in groups.items():
        for i, s in enumerate(members):
            weights[s] = tuple(w[i] for w in stacks[shape])
    histories = [History(engine="lockstep") for _ in nets]

    def write_back(s):
        for l, (dense, w) in enumerate(zip(plans[s], weights[s])):
            if l == 0:
                dense.W.data[active] = w[:, :-1].T
            else:
                dense.W.data[...] = w[:, :-1].T
            dense.b.data[...] = w[:, -1]

    compiled = _compiled.available()
    if X_val is not None and compiled:  # all columns: the first layer's weights on inputs
        X_val1 = with_ones(X_val, dtype)  # left out of X1 still count here
        Y_val = np.eye(ends[0][1], dtype=dtype)[y_val]

    def validate(s):
        if X_val is None:
            return None
        if compiled:  # in the compiled loop's own forward pass, on this thread's core
            first = plans[s][0]
            W = (np.hstack([first.W.data.T, first.b.data[:, None]]),) + weights[s][1:]
            return _compiled.sigmoid_quadratic_evaluate(W, X_val1, Y_val, y_val)
        with blas_threads(1):  # one BLAS thread: the other core trains another net
            return evaluate(nets[s], X_val, y_val, "quadratic")

    def record(s, epoch, total, val, seconds):
        h = histories[s]
        h.epoch.append(epoch)
        h.train_loss.append(float(total / n))
        h.seconds.append(seconds)
        if val is not None:
            h.val_epoch.append(epoch)
            h.val_loss.append(val[0])
            h.val_accuracy.append(val[1])
        if on_epoch is not None:
            on_epoch(s, h)

    with np.errstate(over="ignore", under="ignore"):
        if compiled:
            _compiled_epochs(S, epochs, rngs, n, X1, Y, labels, lr, K, weights, write_back,
                             validate, record)
        else:
            for epoch in range(1, epochs + 1):
                orders = [rng.permutation(n) for rng in rngs]  # as fit draws them
                done = {}
                for members in groups.values():
                    totals = np.zeros(len(members))
                    t0 = time.perf_counter()
                    _numpy_epoch(stacks[shapes[members[0]]], np.stack([orders[s] for s in members]),
                                 X1, Y, totals, lr, K, chunk_steps)
                    share = (time.perf_counter() - t0) / len(members)
                    for s, total in zip(members, totals):
                        write_back(s)
                        done[s] = (total, validate(s), share)
                for s in range(S):
                    record(s, epoch, *done[s])
    return histories


def _compiled_epochs(S, epochs, rngs, n, X1, Y, labels, lr, K, weights, write_back, validate,
                     record):
    """Every net's epochs, one compiled epoch (and its validation) per task on a pool of one
    thread per core; the least advanced net goes next, and results are recorded in lockstep
    order (epoch by epoch, net by net) as soon as they can be."""

    def task(s, order):
        t0 = time.perf_counter()
        step_losses, _, _ = _compiled.sigmoid_quadratic_epoch(weights[s], X1, Y, labels, order,
                                                              lr, K)
        write_back(s)
        val = validate(s)
        return float(step_losses.sum()) * K, val, time.perf_counter() - t0

    workers = max(1, min(S, os.cpu_count() or 1))
    done = [0] * S  # epochs finished, per net
    results, running, waiting = {}, {}, list(range(S))
    queue = [(epoch, s) for epoch in range(1, epochs + 1) for s in range(S)]
    reported = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while waiting or running:
            while waiting and len(running) < workers:
                s = min(waiting, key=lambda s: (done[s], s))
                waiting.remove(s)
                running[pool.submit(task, s, rngs[s].permutation(n))] = s
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                s = running.pop(future)
                done[s] += 1
                results[done[s], s] = future.result()
                if done[s] < epochs:
                    waiting.append(s)
            while reported < len(queue) and queue[reported] in results:
                epoch, s = queue[reported]
                record(s, epoch, *results.pop(queue[reported]))
                reported += 1


def _numpy_epoch(W, orders, X1, Y, totals, lr, K, chunk_steps):
    """One epoch of every net of one architecture at once: their weights ``W`` stacked along a
    leading axis, each product one batched NumPy product; ``orders[s]`` is net s's permutation
    and ``totals[s]`` gains its summed loss."""
    S, L = len(orders), len(W)
    sizes = [w.shape[1] for w in W]
    dtype = W[0].dtype
    a = [np.ones((S, m + (l < L - 1), K), dtype) for l, m in enumerate(sizes)]  # + a row of 1s
    d = [np.empty((S, m, K), dtype) for m in sizes]
    tmp = [np.empty((S, m, K), dtype) for m in sizes]
    dW = [np.empty_like(w) for w in W]
    one, c = np.ones((), dtype), np.asarray(lr / K, dtype)
    steps = orders.shape[1] // K
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
