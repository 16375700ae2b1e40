"""The compiled loops of :mod:`nnlib._compiled` (imported only when they are used: Numba is
heavy). Module-level functions, so that Numba caches the machine code between sessions."""

import numba
import numpy as np

fast = {"reassoc", "contract"}  # sums may be reordered (vectors, FMA); inf/NaN stay IEEE
jit = numba.njit(cache=True, nogil=True, fastmath=fast)


@jit
def first_forward(W, X1, rows, z, zero):
    """z[k, i] = Σ_j W[i, j] X1[rows[k], j]: five examples per pass over a weight row.

    Blocks of five examples outside, weight rows inside: the block's rows stay in the L1 cache
    while the weights (86 KB for Nielsen's first layer) come from L2, whatever the minibatch
    size (a full-batch step reads X1 once, not once per hidden unit)."""
    H, D1 = W.shape
    k_all = rows.size
    k = 0
    while k + 5 <= k_all:
        r0, r1, r2, r3, r4 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4]
        for i in range(H):
            s0 = s1 = s2 = s3 = s4 = zero
            for j in range(D1):
                w = W[i, j]
                s0 += w * X1[r0, j]
                s1 += w * X1[r1, j]
                s2 += w * X1[r2, j]
                s3 += w * X1[r3, j]
                s4 += w * X1[r4, j]
            z[k, i], z[k + 1, i], z[k + 2, i], z[k + 3, i], z[k + 4, i] = s0, s1, s2, s3, s4
        k += 5
    while k < k_all:
        r = rows[k]
        for i in range(H):
            s = zero
            for j in range(D1):
                s += W[i, j] * X1[r, j]
            z[k, i] = s
        k += 1


@jit
def first_update(W, X1, rows, d):
    """W[i, j] −= Σ_k d[k, i] X1[rows[k], j] (d already carries lr/K), five examples at a time
    in order (blocks outside, as in :func:`first_forward`), two weight rows per pass over the
    five input rows: each input number loaded once serves two updates."""
    H, D1 = W.shape
    k_all = rows.size
    k = 0
    while k + 5 <= k_all:
        r0, r1, r2, r3, r4 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4]
        i = 0
        while i + 2 <= H:
            d0, d1, d2, d3, d4 = d[k, i], d[k + 1, i], d[k + 2, i], d[k + 3, i], d[k + 4, i]
            e0, e1, e2, e3, e4 = (d[k, i + 1], d[k + 1, i + 1], d[k + 2, i + 1],
                                  d[k + 3, i + 1], d[k + 4, i + 1])
            for j in range(D1):
                x0, x1, x2, x3, x4 = X1[r0, j], X1[r1, j], X1[r2, j], X1[r3, j], X1[r4, j]
                W[i, j] -= d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3 + d4 * x4
                W[i + 1, j] -= e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3 + e4 * x4
            i += 2
        if i < H:
            d0, d1, d2, d3, d4 = d[k, i], d[k + 1, i], d[k + 2, i], d[k + 3, i], d[k + 4, i]
            for j in range(D1):
                W[i, j] -= (d0 * X1[r0, j] + d1 * X1[r1, j] + d2 * X1[r2, j]
                            + d3 * X1[r3, j] + d4 * X1[r4, j])
        k += 5
    while k < k_all:
        r = rows[k]
        for i in range(H):
            dk = d[k, i]
            for j in range(D1):
                W[i, j] -= dk * X1[r, j]
        k += 1


@jit
def sigmoid_(A, l, k_all, m, one):
    for k in range(k_all):
        for i in range(m):
            A[l, k, i] = one / (one + np.exp(-A[l, k, i]))


@jit
def predicted(a, n_out):
    """The class an output row ``a`` predicts: its arg-max (the first of equal largest), or
    for a single output, 1 above 0.5 and 0 otherwise."""
    if n_out == 1:
        return 1 if a[0] > 0.5 else 0
    best, best_i = a[0], 0
    for i in range(1, n_out):
        if a[i] > best:
            best, best_i = a[i], i
    return best_i


@jit
def padded(W, P):
    """The layers above the first, zero-padded to width P: (weights (L, P, P), biases (L, P))
    with row l holding W[l] (l >= 1) without and with only its bias column."""
    L = len(W)
    Wp = np.zeros((L, P, P), W[0].dtype)
    Bp = np.zeros((L, P), W[0].dtype)
    for l in range(1, L):
        m_out, m_in1 = W[l].shape
        for i in range(m_out):
            for j in range(m_in1 - 1):
                Wp[l, i, j] = W[l][i, j]
            Bp[l, i] = W[l][i, m_in1 - 1]
    return Wp, Bp


@jit
def forward(W, Wp, Bp, X1, rows, A, zero, one):
    """A[l, k] = σ(W[l] [a_{l−1}; 1]) for the examples X1[rows[k]]; layer 0 reads the rows of
    X1 in place, the layers above from their padded copies (:func:`padded`)."""
    L, P = len(W), A.shape[2]
    k_all = rows.size
    first_forward(W[0], X1, rows, A[0], zero)
    sigmoid_(A, 0, k_all, W[0].shape[0], one)
    for l in range(1, L):
        m_out = W[l].shape[0]
        for k in range(k_all):
            for i in range(m_out):
                acc = zero
                for j in range(P):
                    acc += Wp[l, i, j] * A[l - 1, k, j]
                A[l, k, i] = acc + Bp[l, i]
        sigmoid_(A, l, k_all, m_out, one)


@jit
def epoch(W, X1, Y, labels, order, lr, K, width, step_losses, last):
    L = len(W)
    consts = np.zeros(3, W[0].dtype)  # 0, 1 and lr/k in the weights' dtype
    consts[1] = 1
    zero, one = consts[0], consts[1]
    # The layers above the first are copied into Wp (weights) and Bp (biases), zero-padded to a
    # width P, a multiple of 32: the compiler's vector loops take 32 numbers per pass, and a
    # loop over 30 would run entirely in its slow scalar remainder. The padding is all zeros
    # (weights, activations, their gradients), so it adds exact zeros to each sum.
    P = ((width + 31) // 32) * 32
    A = np.zeros((L, K, P), W[0].dtype)  # activations a_l (k, i)
    Dz = np.zeros((L, K, P), W[0].dtype)  # dz_l, times lr/k
    row = np.zeros(P, W[0].dtype)  # one row of a dW
    Wp, Bp = padded(W, P)
    n = order.size
    n_out = W[L - 1].shape[0]
    correct = 0
    steps = step_losses.size
    for s in range(steps):
        rows = order[s * K:min((s + 1) * K, n)]
        k_all = rows.size
        consts[2] = lr / k_all
        c = consts[2]
        forward(W, Wp, Bp, X1, rows, A, zero, one)
        # quadratic cost: loss, prediction, dz_L = (a − y) ⊙ a(1 − a) · lr/k
        total = 0.0
        for k in range(k_all):
            r = rows[k]
            for i in range(n_out):
                a = A[L - 1, k, i]
                diff = a - Y[r, i]
                total += 0.5 * float(diff) * float(diff)
                Dz[L - 1, k, i] = diff * (one - a) * a * c
            if predicted(A[L - 1, k], n_out) == labels[r]:
                correct += 1
        step_losses[s] = total / k_all
        if s == steps - 1:
            for k in range(k_all):
                for i in range(n_out):
                    last[k, i] = A[L - 1, k, i]
        # backward: dz_{l−1} from W_l before its update, then W_l −= dz_l [a_{l−1}; 1]ᵀ
        for l in range(L - 1, 0, -1):
            m_out = W[l].shape[0]
            # the innermost loops run along rows (j), contiguous in memory: vector code
            for k in range(k_all):
                for j in range(P):
                    Dz[l - 1, k, j] = zero
                for i in range(m_out):
                    dki = Dz[l, k, i]
                    for j in range(P):
                        Dz[l - 1, k, j] += Wp[l, i, j] * dki
                for j in range(P):
                    a = A[l - 1, k, j]
                    Dz[l - 1, k, j] = Dz[l - 1, k, j] * (one - a) * a
            for i in range(m_out):
                for j in range(P):
                    row[j] = zero
                bias = zero
                for k in range(k_all):
                    dki = Dz[l, k, i]
                    bias += dki
                    for j in range(P):
                        row[j] += dki * A[l - 1, k, j]
                for j in range(P):
                    Wp[l, i, j] -= row[j]
                Bp[l, i] -= bias
        first_update(W[0], X1, rows, Dz[0])
    for l in range(1, L):  # the padded copies back into W
        m_out, m_in1 = W[l].shape
        for i in range(m_out):
            for j in range(m_in1 - 1):
                W[l][i, j] = Wp[l, i, j]
            W[l][i, m_in1 - 1] = Bp[l, i]
    return correct


@jit
def evaluate(W, X1, Y, labels, width, block):
    """(summed quadratic cost, examples predicted right) of the net ``W`` on every row of
    ``X1``, ``block`` rows at a time; predictions as in :func:`epoch`."""
    L = len(W)
    consts = np.zeros(2, W[0].dtype)
    consts[1] = 1
    zero, one = consts[0], consts[1]
    P = ((width + 31) // 32) * 32
    A = np.zeros((L, block, P), W[0].dtype)
    Wp, Bp = padded(W, P)
    n, n_out = X1.shape[0], W[L - 1].shape[0]
    total, correct = 0.0, 0
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        forward(W, Wp, Bp, X1, rows, A, zero, one)
        for k in range(rows.size):
            r = rows[k]
            for i in range(n_out):
                diff = float(A[L - 1, k, i] - Y[r, i])
                total += 0.5 * diff * diff
            if predicted(A[L - 1, k], n_out) == labels[r]:
                correct += 1
    return total, correct
