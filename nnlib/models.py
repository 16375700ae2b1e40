"""Model builders for the NumPy tier: :func:`mlp`, the one multilayer-perceptron builder.

Every MLP of the course is made here (notebooks 01-08 and 13, the lessons, the tests), from the
building blocks :class:`~nnlib.layers.Dense`, the activation layers
(:func:`~nnlib.layers.activation_layer`), :class:`~nnlib.normalization.BatchNorm1d`,
:class:`~nnlib.regularization.Dropout` and :class:`~nnlib.layers.Residual`. The torch tier's
models are in :mod:`nnlib.torchkit.models`.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._checks import check_choice, check_dropout, check_positive_int, check_rng
from .layers import Dense, Layer, PReLU, Residual, Sequential, activation_layer
from .normalization import BatchNorm1d
from .regularization import Dropout

__all__ = ["BATCH_NORM_PLACES", "mlp"]

BATCH_NORM_PLACES = (None, "before", "after")


def mlp(sizes, *, rng, activation: str = "sigmoid", output_activation: str | None = None,
        init: str = "xavier_uniform", bias_std: float = 0.0, dtype=np.float64,
        batch_norm: str | None = None, skip: bool = False, skip_every: int = 1,
        dropout: float = 0.0, input_dropout: float = 0.0, **init_kwargs) -> Sequential:
    """A multilayer perceptron with layer widths ``sizes``, e.g. ``[784, 30, 10]``.

    Input (N, sizes[0]) -> output (N, sizes[-1]). Hidden layers use ``activation``; the output
    layer uses ``output_activation`` (``None`` for raw scores, e.g. before a softmax
    cross-entropy). Each hidden layer is [Dense, activation]; with
    ``batch_norm="before"`` it is [Dense, BatchNorm1d, activation], with ``"after"``
    [Dense, activation, BatchNorm1d]. ``skip=True`` wraps runs of ``skip_every`` (1 or 2)
    consecutive hidden layers whose input and output widths are equal in :class:`Residual`
    (out = x + block(x)); layers that change width stay plain. ``dropout`` > 0 appends a
    :class:`~nnlib.regularization.Dropout` of that rate to every hidden layer,
    ``input_dropout`` > 0 puts one before the first layer; their masks are drawn from ``rng``.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes must be a list of layer widths such as [784, 30, 10]; "
                        f"got {type(sizes).__name__} {sizes!r:.60}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output width; got {sizes}")
    for i, s in enumerate(sizes):
        check_positive_int(f"sizes[{i}]", s)
    check_choice("activation", activation, act.ACTIVATIONS)
    if output_activation is not None:
        check_choice("output_activation", output_activation, act.ACTIVATIONS)
    if batch_norm not in BATCH_NORM_PLACES:
        raise ValueError(f"batch_norm must be None, 'before' or 'after'; got {batch_norm!r}")
    if not isinstance(skip, (bool, np.bool_)):
        raise TypeError(f"skip must be True or False; got {skip!r}")
    if skip_every not in (1, 2) or isinstance(skip_every, bool):
        raise ValueError(f"skip_every must be 1 or 2 (hidden layers per residual block); "
                         f"got {skip_every!r}")
    dropout = check_dropout("dropout", dropout)
    input_dropout = check_dropout("input_dropout", input_dropout)
    drop_rng = check_rng("rng", rng) if (dropout or input_dropout) else None

    def act_layer(name, width):
        if name == "prelu":
            return PReLU(width, dtype=dtype)
        return activation_layer(name)

    hidden: list[tuple[int, int, list[Layer]]] = []  # (in, out, layers) per hidden layer
    for m, n in zip(sizes[:-2], sizes[1:-1]):
        group: list[Layer] = [Dense(m, n, rng=rng, init=init, bias_std=bias_std, dtype=dtype,
                                    **init_kwargs)]
        if batch_norm == "before":
            group.append(BatchNorm1d(n, dtype=dtype))
        group.append(act_layer(activation, n))
        if batch_norm == "after":
            group.append(BatchNorm1d(n, dtype=dtype))
        if dropout:
            group.append(Dropout(dropout, rng=drop_rng))
        hidden.append((m, n, group))
    layers: list[Layer] = [Dropout(input_dropout, rng=drop_rng)] if input_dropout else []
    i = 0
    while i < len(hidden):
        run = hidden[i:i + skip_every] if skip else []
        if skip and len(run) == skip_every and all(m == n for m, n, _ in run) \
                and run[0][0] == run[-1][1]:
            layers.append(Residual(Sequential(*[lay for _, _, g in run for lay in g])))
            i += skip_every
        else:
            layers.extend(hidden[i][2])
            i += 1
    layers.append(Dense(sizes[-2], sizes[-1], rng=rng, init=init, bias_std=bias_std,
                        dtype=dtype, **init_kwargs))
    if output_activation is not None:
        layers.append(act_layer(output_activation, sizes[-1]))
    return Sequential(*layers)
