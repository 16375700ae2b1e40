"""Skip connections make a deep network effectively shallower: the gradient's paths (notebook 07).

A residual block maps h to h + F(h), so backward maps g to g + J_Fᵀ g. Through K blocks the
gradient reaching the first block is the product Π (I + J_kᵀ) applied to the gradient at the
top, which expands into 2^K terms: one per *path*, i.e. per subset of blocks whose branch the
gradient goes through (the others it skips). A path through k branches is as deep as a plain
network of k layers. :func:`gradient_by_path_length` splits the gradient exactly into the sum
over path lengths k = 0..K (by dynamic programming, K(K+1)/2 block backward calls, not 2^K),
so one can see which depths carry it: in a sigmoid network each branch shrinks the gradient,
and the short paths carry almost all of it, although there are far more paths of middle length.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from .._checks import as_float_array, check_choice
from ..layers import Residual, Sequential
from ..losses import LOSSES, one_hot


@dataclass(frozen=True)
class PathGradients:
    """``lengths`` (K+1,) = 0..K; ``norms`` (K+1,) ‖Σ of paths through exactly k branches‖;
    ``paths`` (K+1,) how many such paths, C(K, k); ``total`` the full gradient at the input of
    the first residual block (N, width), equal to the sum of the parts; ``parts`` (K+1, N, width).
    """

    lengths: np.ndarray
    norms: np.ndarray
    paths: np.ndarray
    total: np.ndarray
    parts: np.ndarray

    def share_up_to(self, k: int) -> float:
        """Fraction of Σ_k ‖part_k‖ carried by paths through at most ``k`` branches."""
        return float(self.norms[:k + 1].sum() / self.norms.sum())


def gradient_by_path_length(net, x, y, *, loss: str = "softmax_cross_entropy") -> PathGradients:
    """Split ∂L/∂h (h: the input of the first Residual block of ``net``) by path length.

    ``net``: a Sequential whose Residual blocks form one contiguous run (as ``mlp(...,
    skip=True)`` builds). x: (N, D) a batch, y: (N,) labels. Runs in the net's current mode;
    parameter gradients are zeroed afterwards.
    """
    check_choice("loss", loss, LOSSES)
    if not isinstance(net, Sequential):
        raise TypeError(f"net must be a Sequential; got {type(net).__name__}")
    is_res = [isinstance(layer, Residual) for layer in net.layers]
    if not any(is_res):
        raise ValueError("net has no Residual block: every gradient path has the full depth")
    first = is_res.index(True)
    last = len(is_res) - 1 - is_res[::-1].index(True)
    if not all(is_res[first:last + 1]):
        raise ValueError("net's Residual blocks must be consecutive layers")
    x = as_float_array("x", x, ndim=2).astype(net.parameters()[0].data.dtype, copy=False)
    out = net.forward(x)
    target = y if loss == "softmax_cross_entropy" else one_hot(np.asarray(y), out.shape[1],
                                                               dtype=out.dtype)
    _, g = LOSSES[loss](out, target)
    for layer in reversed(net.layers[last + 1:]):
        g = layer.backward(g)
    blocks = net.layers[first:last + 1]
    K = len(blocks)
    parts = [g] + [np.zeros_like(g) for _ in range(K)]
    for done, block in enumerate(reversed(blocks)):
        # after this block, paths have been through 0..done+1 branches
        for k in range(done + 1, 0, -1):
            parts[k] = parts[k] + block.block.backward(parts[k - 1])
    net.zero_grad()
    parts = np.array(parts)
    return PathGradients(lengths=np.arange(K + 1),
                         norms=np.array([np.linalg.norm(p) for p in parts]),
                         paths=np.array([comb(K, k) for k in range(K + 1)]),
                         total=parts.sum(axis=0), parts=parts)
