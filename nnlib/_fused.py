"""A fused minibatch-SGD engine for plain multilayer perceptrons (Dense + activation layers).

``nnlib.training.fit`` uses it automatically where it is exact (plain SGD, no penalty, no
per-step callback, no dropout or batch norm): the arithmetic is exactly that
of ``Sequential.forward``/``backward`` plus plain :class:`nnlib.optim.SGD`, but written in the
lecture's column notation z[ℓ] = W[ℓ] a[ℓ−1] + b[ℓ] with every intermediate array allocated
once and reused, so that one SGD step on a minibatch of 10 MNIST digits costs a few dozen
microseconds instead of a few hundred. ``tests/test_training.py`` pins it to the layer-by-layer
path: both give the same weights after the same steps.

Per step it costs two products with the first layer's weights (forward and update, ~70 % of
the arithmetic) and about twenty small array operations; an epoch computes the steps' losses
and predictions once per chunk of 100 steps, from their outputs kept side by side.
(Calling OpenBLAS's ``?gemm`` through ``ctypes`` to add the update into W in one product was
measured too: a ctypes call costs more than the pass over W it saves.)

Sigmoid networks with the quadratic cost (Nielsen's, notebook 02) run their epochs through
:mod:`nnlib._compiled` instead, one compiled loop per epoch, when Numba is installed.

What it leaves out: any layer other than Dense and element-wise activations, and losses other
than the quadratic cost and softmax cross-entropy. ``fit`` falls back to the layer path
for those.
"""

from __future__ import annotations

import numbers
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _compiled
from .callbacks import overrides
from .layers import Dense, LeakyReLU, ReLU, Sequential, Sigmoid, Tanh
from .normalization import BatchNorm1d, BatchNorm2d
from .optim import SGD
from .regularization import Dropout

#: the activation layers the engine computes, by exact type (a subclass may differ)
_ACTIVATIONS = {Sigmoid: "sigmoid", Tanh: "tanh", ReLU: "relu", LeakyReLU: "leaky_relu"}
# layers whose forward differs between training and evaluation: the engine cannot run them
_MODE_DEPENDENT = (Dropout, BatchNorm1d, BatchNorm2d)


def _activation(layer):
    """(name, negative slope) of an element-wise activation layer the engine supports, or None
    (the slope is ``layer.a``: ``negative_slope`` for LeakyReLU, 0 for the others)."""
    name = _ACTIVATIONS.get(type(layer))
    return None if name is None else (name, float(layer.a))


def learning_rate(optimizer):
    """The optimiser's learning rate (``lr``, else ``defaults["lr"]``), or None."""
    lr = getattr(optimizer, "lr", None)
    if lr is None:
        lr = getattr(optimizer, "defaults", {}).get("lr")
    return lr


def engine_for(net, X, optimizer, loss: str, *, penalties=(), callbacks=()):
    """The fused plan (see :func:`plan`) when the engine computes exactly what the layer path
    of ``fit`` would, else None: exactly :class:`nnlib.optim.SGD` without momentum, weight
    decay, nesterov or maximize, over exactly the net's parameters of one dtype; no penalty;
    no callback with an ``on_batch_end``; no Dropout or batch norm anywhere in the net; 2-D
    inputs X; a net and loss :func:`plan` supports."""
    if type(optimizer) is not SGD or penalties or X.ndim != 2:
        return None
    if (optimizer.momentum or optimizer.weight_decay or optimizer.nesterov
            or getattr(optimizer, "maximize", False)
            or not isinstance(learning_rate(optimizer), numbers.Real)):
        return None
    if any(overrides(cb, "on_batch_end") or "on_batch_end" in getattr(cb, "__dict__", {})
           for cb in callbacks):
        return None
    if any(isinstance(layer, _MODE_DEPENDENT) for layer in net.modules()):
        return None
    params = net.parameters()
    if {id(p) for p in optimizer.params} != {id(p) for p in params}:
        return None
    if len({p.data.dtype for p in params}) != 1:
        return None
    return plan(net, loss)


def plan(net, loss: str):
    """The fused plan for ``net`` — a list of (Dense, activation name or None, leaky slope) —
    or None when the engine cannot run it.

    Every Dense must be followed by a supported activation, except the last, which may have
    none when the loss is softmax cross-entropy (the softmax is part of the loss).
    """
    if not isinstance(net, Sequential) or loss not in ("quadratic", "softmax_cross_entropy"):
        return None
    layers, steps = net.layers, []
    for i in range(0, len(layers), 2):
        dense = layers[i]
        if not isinstance(dense, Dense):
            return None
        if i + 1 == len(layers):  # only the last Dense may come without an activation
            steps.append((dense, None, 0.0))
            continue
        act = _activation(layers[i + 1])
        if act is None:
            return None
        steps.append((dense, *act))
    out_act = steps[-1][1]
    if (loss == "softmax_cross_entropy") != (out_act is None):
        return None  # softmax CE on raw scores only; quadratic on an activated output only
    return steps


def _activate(z, name, slope, one):
    """Apply the activation to z in place (``one`` is 1 in z's dtype, as a 0-d array)."""
    if name == "sigmoid":
        np.negative(z, out=z)
        np.exp(z, out=z)  # may overflow to inf for z << 0: 1/(1+inf) = 0 is the right limit
        np.add(z, one, out=z)
        np.reciprocal(z, out=z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "relu":
        np.maximum(z, 0, out=z)
    elif name == "leaky_relu":
        np.multiply(z, np.where(z >= 0, one, slope), out=z)


def _times_derivative(d, a, name, slope, tmp, one):
    """d ← d ⊙ φ'(z), written in terms of the activation's output a = φ(z)."""
    if name == "sigmoid":  # φ' = a(1 − a)
        np.subtract(one, a, out=tmp)
        np.multiply(d, tmp, out=d)
        np.multiply(d, a, out=d)
    elif name == "tanh":  # φ' = 1 − a²
        np.multiply(a, a, out=tmp)
        np.subtract(one, tmp, out=tmp)
        np.multiply(d, tmp, out=d)
    elif name == "relu":  # φ' = [a > 0]
        np.multiply(d, a > 0, out=d)
    elif name == "leaky_relu":  # φ' = 1 or slope (a > 0 exactly when z > 0)
        np.multiply(d, np.where(a > 0, one, slope), out=d)


class FusedMLP:
    """Column-layout copy of an MLP's weights with preallocated buffers for batch size K.

    The bias rides along as one more weight on a constant input of 1:
    ``W[l]`` is (n_l, n_{l−1} + 1) = [Dense.Wᵀ | b], and every layer's input carries a last
    row of ones, so z = W a covers W a + b and dW = dz aᵀ covers db = Σ_n dz as well.
    Call :meth:`epoch` for each epoch and :meth:`write_back` to copy the weights back.

    ``active_inputs`` (indices of input features) drops the others from the first layer: an
    input that is 0 in every training example contributes nothing to z and receives a zero
    gradient at every step, so its weights never change (MNIST has 67 such border pixels).
    """

    def __init__(self, steps, batch_size: int, dtype, active_inputs=None):
        self.steps = steps
        self.dtype = np.dtype(dtype)
        first = steps[0][0].W.data
        self.active = np.arange(first.shape[0]) if active_inputs is None else active_inputs
        weights = [first[self.active]] + [d.W.data for d, _, _ in steps[1:]]
        self.W = [np.ascontiguousarray(np.hstack([Wl.T, d.b.data.reshape(-1, 1)]),
                                       dtype=self.dtype)
                  for Wl, (d, _, _) in zip(weights, steps)]
        self.acts = [(name, self.dtype.type(slope)) for _, name, slope in steps]
        self.one = np.ones((), self.dtype)
        self.K = batch_size
        self._alloc(batch_size)
        self.last_output = None  # the last epoch's last minibatch output (k, n_L)

    def _alloc(self, k):
        sizes = [W.shape[0] for W in self.W]
        last = len(sizes) - 1
        # activations with a row of ones appended (the bias input of the next layer)
        self.a = [np.ones((n + (l < last), k), self.dtype) for l, n in enumerate(sizes)]
        self.d = [np.empty((n, k), self.dtype) for n in sizes]  # dz per layer
        self.tmp = [np.empty((n, k), self.dtype) for n in sizes]
        self.dW = [np.empty_like(W) for W in self.W]
        self.k = k
        # views used at every step, made once: z[l] = a[l] without its ones row, W[l]ᵀ
        # without the bias column (it does not feed back), the activations without ones
        self.z = [a[:W.shape[0]] for a, W in zip(self.a, self.W)]
        self.WT = [W[:, :-1].T for W in self.W]
        self.a_core = [a[:-1] for a in self.a]

    def step(self, xb, yb, c, loss, *, keep_output: bool = False, out=None,
             want_loss: bool = True):
        """One SGD step on the minibatch xb (k, n_0 + 1), with its ones column, and yb (k, n_L).

        c = lr / k as a 0-d array of the weights' dtype. Returns the minibatch's summed loss
        (before the step), so that an epoch can report its mean, or None with
        ``want_loss=False`` (then :meth:`epoch` computes it for many steps at once from the
        outputs). ``out``: an (n_L, k) array to hold the network's output — the softmax
        probabilities under softmax cross-entropy — instead of the engine's own buffer.
        ``keep_output``: keep a copy of the network's output (k, n_L) — the logits under
        softmax cross-entropy — in ``self.last_output``, as the layer engine shows it to
        callbacks.
        """
        W, a, d, tmp, one, acts = self.W, self.a, self.d, self.tmp, self.one, self.acts
        L = len(W)
        if out is None:
            out = a[L - 1]
        z, xt = self.z, xb.T
        a_prev = xt
        for l in range(L - 1):
            np.dot(W[l], a_prev, out=z[l])
            _activate(z[l], *acts[l], one)
            a_prev = a[l]
        np.dot(W[L - 1], a_prev, out=out)
        if acts[L - 1][0] is not None:
            _activate(out, *acts[L - 1], one)
        if keep_output:
            self.last_output = out.T.copy()
        yt, dL, total = yb.T, d[L - 1], None
        if loss == "softmax_cross_entropy":  # dz = softmax(z) − y
            out -= out.max(axis=0, keepdims=True)
            np.exp(out, out=out)
            out /= out.sum(axis=0, keepdims=True)
            if want_loss:
                np.multiply(out, yt, out=tmp[L - 1])  # p of the true class, summed over rows
                total = -float(np.log(tmp[L - 1].sum(axis=0)).sum())
            np.subtract(out, yt, out=dL)
        else:  # quadratic: dz = (a − y) ⊙ φ'(z)
            np.subtract(out, yt, out=dL)
            if want_loss:
                total = 0.5 * float(np.vdot(dL, dL))
            _times_derivative(dL, out, *acts[L - 1], tmp[L - 1], one)
        np.multiply(dL, c, out=dL)  # fold lr/K in once: all gradients below carry it
        WT, a_core, dW = self.WT, self.a_core, self.dW
        for l in range(L - 1, -1, -1):
            if l > 0:  # dz[l−1] = W[l]ᵀ dz[l] ⊙ φ'(z[l−1]); not needed for the input layer
                np.matmul(WT[l], d[l], out=d[l - 1])
                _times_derivative(d[l - 1], a_core[l - 1], *acts[l - 1], tmp[l - 1], one)
            np.dot(d[l], xb if l == 0 else a[l - 1].T, out=dW[l])  # [dW | db] = dz [a; 1]ᵀ
            np.subtract(W[l], dW[l], out=W[l])
        return total

    def compiled(self, loss: str) -> bool:
        """Whether :meth:`epoch` runs as one compiled loop (:mod:`nnlib._compiled`)."""
        return _compiled.applies(self.acts, loss, self.dtype) and _compiled.available()

    def epoch(self, X1, Y, order, lr, loss, *, labels=None, chunk_batches: int = 100):
        """One epoch over rows ``order`` of X1 (N, n_0 + 1) — inputs with a ones column, see
        :func:`with_ones` — and one-hot Y (N, n_L).

        Returns (mean minibatch loss, each step's mean loss (steps,), examples predicted right).
        A prediction is the arg-max output (a threshold at 0.5 for a single output) of the
        network as it was when it saw the example, compared with ``labels`` (N,) ints (the
        arg-max of Y, or Y > 0.5 for a single output, when not given).

        Gathering the rows of a random minibatch from a large X1 is memory-bound (~9 µs a
        step on MNIST). A helper thread gathers the next ``chunk_batches`` minibatches into a
        second buffer while this one trains on the current chunk (``np.take`` releases the GIL),
        so the gathering runs on another core; the order of examples is unchanged. Each step
        leaves its output in a chunk-sized buffer; the steps' losses and predictions are then
        computed for the whole chunk at once (a few array operations instead of a few per step).
        """
        K = self.K
        if len(order) == 0:
            return float("nan"), np.empty(0), 0
        c = np.asarray(lr / K, self.dtype)  # lr / K as a 0-d array in the weights' dtype
        n_out = Y.shape[1]
        single = n_out == 1
        if labels is None:
            labels = Y[:, 0] > 0.5 if single else Y.argmax(axis=1)
        labels = np.asarray(labels, dtype=np.intp)
        if self.compiled(loss):
            step_losses, correct, self.last_output = _compiled.sigmoid_quadratic_epoch(
                self.W, X1, Y, labels, order, lr, K)
            sizes = np.diff(np.r_[0:len(order):K, len(order)])
            return float(np.dot(step_losses, sizes)) / len(order), step_losses, correct
        step_losses = np.empty(-(-len(order) // K))
        correct, n_step = 0, 0
        rows = chunk_batches * K
        buffers = [(np.empty((rows, X1.shape[1]), self.dtype), np.empty((rows, n_out),
                                                                          self.dtype),
                    np.empty(rows, np.intp))
                   for _ in range(2)]
        outs = np.empty((chunk_batches, n_out, K), self.dtype)  # each full step's output

        def gather(start, slot):
            idx = order[start:start + rows]
            xs, ys, ls = buffers[slot]
            np.take(X1, idx, axis=0, out=xs[:len(idx)])
            np.take(Y, idx, axis=0, out=ys[:len(idx)])
            np.take(labels, idx, out=ls[:len(idx)])
            return xs[:len(idx)], ys[:len(idx)], ls[:len(idx)]

        with ThreadPoolExecutor(max_workers=1) as pool, \
                np.errstate(over="ignore", under="ignore"):
            pending = pool.submit(gather, 0, 0)
            for i, start in enumerate(range(0, len(order), rows)):
                xs, ys, ls = pending.result()
                if start + rows < len(order):
                    pending = pool.submit(gather, start + rows, (i + 1) % 2)
                full = len(xs) // K  # full minibatches in this chunk
                last = start + len(xs) >= len(order)
                for j in range(full):
                    s = j * K
                    self.step(xs[s:s + K], ys[s:s + K], c, loss, out=outs[j], want_loss=False,
                              keep_output=last and s + K == len(xs))
                # the chunk's losses and predictions from the outputs, all steps at once
                o = outs[:full]
                yt = ys[:full * K].reshape(full, K, n_out).transpose(0, 2, 1)
                if loss == "softmax_cross_entropy":  # o holds the softmax p
                    values = -np.log((o * yt).sum(axis=1)).sum(axis=1)
                else:
                    diff = o - yt
                    values = 0.5 * np.einsum("sij,sij->s", diff, diff)
                step_losses[n_step:n_step + full] = values / K
                n_step += full
                pred = (o[:, 0, :] > 0.5) if single else o.argmax(axis=1)
                correct += int(np.count_nonzero(pred.ravel() == ls[:full * K]))
                if full * K < len(xs):  # a last, smaller minibatch
                    s = full * K
                    k = len(xs) - s
                    self._alloc(k)
                    value = self.step(xs[s:], ys[s:], np.asarray(lr / k, self.dtype), loss,
                                      keep_output=True)
                    step_losses[n_step] = value / k
                    n_step += 1
                    o = self.a[-1]
                    pred = (o[0] > 0.5) if single else o.argmax(axis=0)
                    correct += int(np.count_nonzero(pred == ls[s:]))
        if self.k != K:
            self._alloc(K)
        total = float(np.dot(step_losses, np.diff(np.r_[0:len(order):K, len(order)])))
        return total / len(order), step_losses, correct

    def write_back(self):
        """Copy the trained weights into the network's Dense layers (their dtype kept)."""
        for l, ((dense, _, _), W) in enumerate(zip(self.steps, self.W)):
            if l == 0:
                dense.W.data[self.active] = W[:, :-1].T
            else:
                dense.W.data[...] = W[:, :-1].T
            dense.b.data[...] = W[:, -1]


def with_ones(X, dtype, columns=None):
    """X[:, columns] (N, D) -> (N, D + 1) in ``dtype`` with a last column of ones (the bias
    input); ``columns`` None: all of them."""
    n = X.shape[0]
    X1 = np.empty((n, (X.shape[1] if columns is None else len(columns)) + 1), dtype)
    if columns is None:
        X1[:, :-1] = X
    elif X.dtype == X1.dtype:  # one copy, in blocks of rows that stay in the cache
        for start in range(0, n, 4096):
            np.take(X[start:start + 4096], columns, axis=1, out=X1[start:start + 4096, :-1])
    else:
        X1[:, :-1] = X[:, columns]
    X1[:, -1] = 1
    return X1
