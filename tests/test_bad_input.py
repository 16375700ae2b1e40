"""A walk over the public API with bad arguments: each must raise the right kind of error.

Project rule: a bad *value* raises ``ValueError``, a bad *type* ``TypeError``, and the message
names the parameter the caller passed, shows the value received (or its type/shape) and says
what is allowed. Never ``ZeroDivisionError``, ``IndexError``, ``AttributeError``, a NumPy
broadcasting error or torch's internals, and never a silent NaN.

How to add a function: append one :func:`spec` to ``SPECS`` with a factory of good keyword
arguments and, per parameter, a list of bad values (the shared families below, e.g.
``POS_INT``, cover the usual ones). Every (parameter, bad value) pair becomes one test case that
calls the function with the good arguments except that one. For calls that do not fit that
mould, append a :class:`Case` to ``EXTRA``.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

V, T = ValueError, TypeError
NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[], object]
    error: type
    words: tuple[str, ...]  # the message must contain each of these
    covers: str = ""  # the public callable ("module.attr") this case exercises


def _shown(value) -> tuple[str, ...]:
    """Ways a message may show ``value``: its repr, str, type name or (arrays) shape/dtype."""
    if isinstance(value, np.ndarray):
        return (str(value.shape), str(value.dtype), "NaN", "nan", "values from", "shape",
                type(value).__name__, f"got {len(value)}")
    if isinstance(value, float) and math.isnan(value):
        return ("nan", "NaN")
    shown = (repr(value), str(value), type(value).__name__)
    if isinstance(value, (list, tuple, dict)):  # or the offending element, e.g. sizes[1] = 0
        shown += tuple(f"got {v!r}" for v in value) + tuple(f"{v!r} (" for v in value)
    if isinstance(value, (list, tuple)):  # or its shape as an array
        try:
            shown += (f"shape {np.shape(value)}",)
        except ValueError:
            pass
    return shown


class Opaque:
    """A value no checkpoint can store, with a repr that is the same in every process (test
    ids must not depend on memory addresses, or pytest-xdist workers collect different tests)."""

    def __repr__(self):
        return "Opaque()"


# --- families of bad values: (value, error kind) ---------------------------------------------
POS_INT = [(0, V), (-3, V), (2.5, T), ("4", T), (None, T), (True, T)]
NONNEG_INT = [(-1, V), (1.5, T), ("2", T), (None, T)]
POS_FLOAT = [(0.0, V), (-1.0, V), (NAN, V), (INF, V), ("0.1", T), (None, T)]
NONNEG_FLOAT = [(-0.5, V), (NAN, V), (INF, V), ("0", T), (None, T)]
FINITE = [(NAN, V), (INF, V), ("1", T), (None, T)]
FRACTION = [(-0.1, V), (1.5, V), (NAN, V), ("0.5", T), (None, T)]  # in [0, 1] or [0, 1)
RNG = [(None, T), (1.5, T), ("seed", T), (-1, V)]
BOOL = [("yes", T), (None, T), (2, T)]
CHOICE = [("no-such-name", V), (3, T), (None, T)]


def ARRAY(ndim_bad_shape, *, empty_shape=None):
    """Bad arrays: text, None, a NaN inside, wrong dimensionality, (optionally) empty."""
    bad = [("abc", T), (None, T), (np.full(ndim_bad_shape, NAN), V),
           (np.zeros((2,) * (len(ndim_bad_shape) + 1)), V)]
    if empty_shape is not None:
        bad.append((np.zeros(empty_shape), V))
    return bad


def spec(target: str, good: Callable[[], dict], bad: dict[str, list], *, positional=()):
    """Cases for ``target`` ("module.attr"): good kwargs from ``good()``, one bad value each.

    ``positional``: names passed positionally, in order (for positional-only or required-first
    parameters such as ``params`` of an optimiser).
    """
    module, _, attr = target.rpartition(".")
    cases = []
    for param, values in bad.items():
        for k, (value, error) in enumerate(values):
            def call(module=module, attr=attr, param=param, value=value):
                fn = getattr(importlib.import_module(module), attr)
                kwargs = good()
                kwargs[param] = value
                args = [kwargs.pop(name) for name in positional]
                return fn(*args, **kwargs)
            label = value if not isinstance(value, np.ndarray) else f"array{value.shape}"
            cases.append(Case(f"{target}({param}={label!r:.30})#{k}", call, error,
                              (param,), target))
    return cases


def rng0():
    return np.random.default_rng(0)


def _x(*shape):
    return lambda: np.random.default_rng(1).standard_normal(shape)


def _net():
    from nnlib import models
    return models.mlp([4, 3, 2], rng=rng0())


SPECS: list[Case] = []

# --- losses ----------------------------------------------------------------------------------
SPECS += spec("nnlib.losses.quadratic", lambda: {"a": _x(3, 2)(), "y": _x(3, 2)()},
              {"a": ARRAY((3, 2), empty_shape=(0, 2)),
               "y": [("abc", T), (np.zeros((3, 3)), V), (np.full((3, 2), NAN), V)]})
SPECS += spec("nnlib.losses.softmax_cross_entropy",
              lambda: {"z": _x(3, 4)(), "y": np.array([0, 1, 3])},
              {"z": ARRAY((3, 4), empty_shape=(0, 4))[:3] + [(np.zeros(4), V)],
               "y": [(np.array([0, 1, 4]), V), (np.array([0, -1, 2]), V),
                     (np.array([0.0, 1.0, 2.0]), T), (np.array([0, 1]), V),
                     (np.full((3, 4), 2.0), V), ("abc", T)]})
SPECS += spec("nnlib.losses.binary_cross_entropy",
              lambda: {"p": np.full((3, 2), 0.5), "y": np.ones((3, 2))},
              {"p": ARRAY((3, 2), empty_shape=(0, 2)) + [(np.full((3, 2), 1.5), V)],
               "y": [(np.full((3, 2), 2.0), V), (np.full((3, 2), -1.0), V), ("abc", T)],
               "eps": POS_FLOAT + [(0.5, V), (1.0, V)]})
SPECS += spec("nnlib.losses.sigmoid_binary_cross_entropy",
              lambda: {"z": _x(4)(), "y": np.ones(4)},
              {"z": ARRAY((4,), empty_shape=(0,)),
               "y": [(np.full(4, 2.0), V), (np.full(4, -1.0), V), (np.ones(3), V)]})
SPECS += spec("nnlib.losses.one_hot", lambda: {"labels": np.array([0, 2]), "num_classes": 3},
              {"num_classes": POS_INT,
               "labels": [(np.array([0, 3]), V), (np.array([0.5]), V), ("abc", T)]})
SPECS += spec("nnlib.losses.softmax", lambda: {"z": _x(2, 3)()},
              {"z": [("abc", T), (None, T), (np.zeros((2, 0)), V), (np.full(3, NAN), V)]})

# --- data ------------------------------------------------------------------------------------
SPECS += spec("nnlib.data.minibatches", lambda: {"n": 10, "batch_size": 3},
              {"n": POS_INT, "batch_size": POS_INT, "rng": RNG[1:], "drop_last": BOOL})
SPECS += spec("nnlib.data.load_mnist", lambda: {"split": "test"},
              {"split": CHOICE, "root": [(3.5, T), ([], T)], "download": [("yes", T)]})
SPECS += spec("nnlib.data.mnist_vectors", lambda: {"split": "test"},
              {"split": CHOICE, "dtype": [(np.int32, T), ("float", T)]})

# --- activations and layers ------------------------------------------------------------------
for name in ("sigmoid", "tanh", "relu", "identity", "sigmoid_prime", "tanh_prime",
             "relu_prime"):
    SPECS += spec(f"nnlib.activations.{name}", lambda: {"x": _x(3)()},
                  {"x": [("abc", T), (None, T)]})
SPECS += spec("nnlib.activations.leaky_relu", lambda: {"x": _x(3)()},
              {"a": FINITE, "x": [("abc", T)]})
SPECS += spec("nnlib.activations.get_activation", lambda: {"name": "relu"}, {"name": CHOICE})
SPECS += spec("nnlib.layers.LeakyReLU", dict, {"negative_slope": FINITE})
SPECS += spec("nnlib.layers.PReLU", dict, {"num_parameters": POS_INT, "init": FINITE})
SPECS += spec("nnlib.layers.Dense",
              lambda: {"in_features": 3, "out_features": 2, "rng": rng0()},
              {"in_features": POS_INT, "out_features": POS_INT, "rng": RNG,
               "init": CHOICE, "bias_std": NONNEG_FLOAT})
SPECS += spec("nnlib.models.mlp", lambda: {"sizes": [4, 3, 2], "rng": rng0()},
              {"sizes": [([4], V), ([4, 0, 2], V), ([4, 2.5, 2], T), ("4,3", T), (None, T)],
               "rng": RNG, "activation": CHOICE, "output_activation": CHOICE[:2],
               "init": CHOICE, "batch_norm": [("middle", V), (True, V)],
               "skip": BOOL, "dropout": [(1.0, V), (-0.1, V), ("0.5", T)],
               "input_dropout": [(1.5, V), (None, T)]})
SPECS += spec("nnlib.layers.Residual", lambda: {"block": None}, {"block": [(3, T), ("relu", T)]},
              positional=("block",))
SPECS += spec("nnlib.layers.count_parameters", lambda: {"net": None},
              {"net": [(3, T), ("net", T)]}, positional=("net",))

# --- init ------------------------------------------------------------------------------------
for name in ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal"):
    SPECS += spec(f"nnlib.init.{name}", lambda: {"shape": (3, 2), "rng": rng0()},
                  {"shape": [((3, 0), V), ((3, -2), V), ("3x2", T), ((3, 2.5), T)],
                   "rng": RNG})
SPECS += spec("nnlib.init.initialize", lambda: {"name": "he_normal", "shape": (3, 2),
                                                "rng": rng0()}, {"name": CHOICE})

# --- convolution and pooling -----------------------------------------------------------------
SPECS += spec("nnlib.conv.conv_output_size", lambda: {"n": 8, "k": 3},
              {"n": POS_INT, "k": POS_INT, "padding": NONNEG_INT, "stride": POS_INT,
               "dilation": POS_INT})
SPECS += spec("nnlib.conv.cross_correlate2d", lambda: {"x": _x(6, 6)(), "kernel": _x(3, 3)()},
              {"x": ARRAY((6, 6)), "kernel": ARRAY((3, 3)) + [(np.zeros((7, 7)), V)],
               "padding": NONNEG_INT, "stride": POS_INT, "dilation": POS_INT})
SPECS += spec("nnlib.conv.window_products",
              lambda: {"x": _x(5, 5)(), "kernel": _x(3, 3)(), "i": 1, "j": 1},
              {"i": [(1.5, T), (-1, V), (3, V), ("1", T), (None, T)],
               "j": [(2.5, T), (-2, V), (99, V)]})
SPECS += spec("nnlib.conv.Conv2d",
              lambda: {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "rng": rng0()},
              {"in_channels": POS_INT, "out_channels": POS_INT,
               "kernel_size": [(0, V), (2.5, T), ((3, 0), V)], "rng": RNG,
               "padding": [(-1, V)], "stride": [(0, V)]})
SPECS += spec("nnlib.pooling.max_pool2d", lambda: {"x": _x(1, 1, 4, 4)(), "kernel_size": 2},
              {"kernel_size": [(0, V), (2.5, T), (5, V)], "stride": [(0, V), (1.5, T)],
               "x": [("abc", T), (np.zeros((1, 4, 4)), V)]})
SPECS += spec("nnlib.pooling.avg_pool2d", lambda: {"x": _x(1, 1, 4, 4)(), "kernel_size": 2},
              {"kernel_size": [(0, V), (2.5, T)], "x": [(np.zeros((1, 4, 4)), V)]})
SPECS += spec("nnlib.pooling.MaxPool2d", lambda: {"kernel_size": 2},
              {"kernel_size": [(0, V), (-2, V), ("2", T)], "stride": [(0, V)]})

# --- gradient checks -------------------------------------------------------------------------
SPECS += spec("nnlib.gradcheck.numerical_gradient",
              lambda: {"f": lambda: 0.0, "x": np.zeros(3)},
              {"h": POS_FLOAT, "x": [(np.zeros(3, np.float32), T), ([0.0, 1.0], T)],
               "f": [(None, T), (3, T)]})


def _dense_and_x():
    from nnlib import layers
    return {"layer": layers.Dense(3, 2, rng=rng0()), "x": np.ones((2, 3))}


SPECS += spec("nnlib.gradcheck.check_layer", lambda: {**_dense_and_x(), "rng": rng0()},
              {"rng": RNG, "h": POS_FLOAT, "x": [("abc", T), (np.ones((2, 4)), V)],
               "layer": [(None, T), ("dense", T)]})
SPECS += spec("nnlib.gradcheck.rel_error", lambda: {"a": np.ones(3), "b": np.ones(3)},
              {"b": [(np.ones(4), V), ("abc", T)]})

# --- normalisation, optimisers, regularisation ----------------------------------------------
for cls in ("BatchNorm1d", "BatchNorm2d"):
    first = "num_features" if cls == "BatchNorm1d" else "num_channels"
    SPECS += spec(f"nnlib.normalization.{cls}", lambda first=first: {first: 3},
                  {first: POS_INT, "eps": POS_FLOAT, "momentum": FRACTION})


def _params():
    return _net().parameters()


SPECS += spec("nnlib.optim.SGD", lambda: {"params": _params(), "lr": 0.1},
              {"lr": POS_FLOAT, "momentum": NONNEG_FLOAT, "weight_decay": NONNEG_FLOAT,
               "nesterov": BOOL}, positional=("params",))
SPECS += spec("nnlib.optim.Adam", lambda: {"params": _params(), "lr": 0.1},
              {"lr": POS_FLOAT, "betas": [((0.9, 1.0), V), ((-0.1, 0.9), V), (0.9, T),
                                          ((0.9,), V)],
               "eps": POS_FLOAT, "amsgrad": BOOL}, positional=("params",))
SPECS += spec("nnlib.optim.RMSprop", lambda: {"params": _params(), "lr": 0.1},
              {"lr": POS_FLOAT, "alpha": [(1.5, V), (-0.1, V), (NAN, V)], "eps": POS_FLOAT},
              positional=("params",))
SPECS += spec("nnlib.optim.Adagrad", lambda: {"params": _params(), "lr": 0.1},
              {"lr": POS_FLOAT, "eps": POS_FLOAT}, positional=("params",))
SPECS += spec("nnlib.optim.make_optimizer", lambda: {"name": "adam", "params": _params()},
              {"name": CHOICE}, positional=("name", "params"))
SPECS += spec("nnlib.regularization.Dropout", lambda: {"p": 0.5, "rng": rng0()},
              {"p": [(-0.1, V), (1.0, V), (1.5, V), (NAN, V), ("0.5", T)], "rng": RNG})
SPECS += spec("nnlib.regularization.L2", lambda: {"lam": 0.1},
              {"lam": NONNEG_FLOAT, "include_biases": BOOL})
SPECS += spec("nnlib.regularization.L1", lambda: {"lam": 0.1}, {"lam": NONNEG_FLOAT})

# --- training --------------------------------------------------------------------------------


def _fit_args():
    from nnlib import optim
    net = _net()
    return {"net": net, "X": _x(6, 4)(), "y": np.array([0, 1, 0, 1, 1, 0]),
            "optimizer": optim.SGD(net.parameters(), lr=0.1), "epochs": 1, "batch_size": 3,
            "rng": rng0(), "progress": False}


SPECS += spec("nnlib.training.fit", _fit_args,
              {"epochs": POS_INT[:4], "batch_size": POS_INT[:4], "rng": RNG,
               "loss": CHOICE, "X": [("abc", T), (np.zeros((5, 4)), V), (np.zeros((6, 5)), V)],
               "y": [(np.array([0, 1, 0, 1, 1, 7]), V), (np.array([0, 1]), V)],
               "optimizer": [(None, T), ("sgd", T)]})
SPECS += spec("nnlib.metrics.evaluate",
              lambda: {"net": _net(), "X": _x(6, 4)(), "y": np.zeros(6, dtype=int)},
              {"X": [("abc", T), (np.zeros((0, 4)), V)], "y": [(np.zeros(5, dtype=int), V)],
               "loss": CHOICE})

# --- augmentation ----------------------------------------------------------------------------
SPECS += spec("nnlib.augment.rotate", lambda: {"images": np.zeros((2, 8, 8)), "degrees": 10.0},
              {"degrees": [(NAN, V), ("10", T), (np.ones(3), V)],
               "images": [("abc", T), (np.zeros((2, 2, 8, 8)), V)]})
SPECS += spec("nnlib.augment.scale", lambda: {"images": np.zeros((2, 8, 8)), "factors": 1.1},
              {"factors": [(0.0, V), (-1.0, V), (NAN, V)]})
SPECS += spec("nnlib.augment.random_crop",
              lambda: {"images": np.zeros((2, 8, 8)), "padding": 2, "rng": rng0()},
              {"padding": NONNEG_INT, "rng": RNG})
SPECS += spec("nnlib.augment.add_cue", lambda: {"images": np.zeros((2, 8, 8))},
              {"position": [((9, 0), V), ((0, -1), V), ("corner", T)], "size": POS_INT[:3]})

# --- lessons ---------------------------------------------------------------------------------
SPECS += spec("nnlib.lessons.gradient_flow.chain", lambda: {"weights": [1.0, 2.0], "x": 0.5},
              {"weights": [([], V), ("abc", T), ([[1.0]], V)],
               "biases": [([0.0, 0.0, 0.0], V), ([[0.0]], V), ("abc", T)],
               "x": [("0.5", T), (NAN, V)], "activation": CHOICE, "slope": FINITE[:2],
               "lr": [(NAN, V)]})
SPECS += spec("nnlib.lessons.gradient_lab.measure", dict,
              {"depth": POS_INT[:3], "width": POS_INT[:3], "activation": CHOICE[:2]})

# --- torch room (skipped without torch) ------------------------------------------------------
SPECS += spec("nnlib.torchkit.models.cnn", lambda: {"padding": "valid"},
              {"filters": [((16, 0), V), ((16, 2.5), T), ("16", T)],
               "kernel_size": [(0, V), (29, V), ((5, 30), V)], "pooling": CHOICE,
               "activation": CHOICE, "dropout": [(1.5, V), (-0.1, V), ("0.5", T)],
               "padding": CHOICE[:2], "crop": [(14, V), (-1, V)], "num_classes": POS_INT[:3]})
SPECS += spec("nnlib.torchkit.models.build_model", lambda: {"name": "lenet"}, {"name": CHOICE})
SPECS += spec("nnlib.torchkit.device.seed_everything", lambda: {"seed": 0},
              {"seed": [(-1, V), (1.5, T), ("0", T), (None, T)]})
SPECS += spec("nnlib.torchkit.device.configure_cpu_threads", lambda: {"threads": 1},
              {"threads": [(0, V), (-2, V), (1.5, T), ("2", T)]})
SPECS += spec("nnlib.torchkit.device.cpu_threads", lambda: {"threads": 1},
              {"threads": [(0, V), (-2, V), (1.5, T), ("2", T), (True, T)]})
SPECS += spec("nnlib.torchkit.device.choose_device", lambda: {"device": "cpu"},
              {"device": [("tpu", V), (3, T), ("cuda:x", V)]})
SPECS += spec("nnlib.torchkit.data.load_mnist_tensors", lambda: {"device": "cpu"},
              {"train_limit": [(0, V), (-5, V), (1.5, T), (60001, V)],
               "test_limit": [(0, V), (10001, V)]})


def _model():
    from nnlib.torchkit import models
    return models.lenet()


SPECS += spec("nnlib.torchkit.checkpoint.save_checkpoint",
              lambda: {"path": "/tmp/never-written.pt", "model": _model()},
              {"meta": [({"x": Opaque()}, T), ({1: 2}, T), ("meta", T)],
               "arch": [("vgg", V)], "arch_kwargs": [([1], T)], "model": [(None, T)]})
SPECS += spec("nnlib.torchkit.checkpoint.load_checkpoint", lambda: {"path": "/tmp/x.pt"},
              {"path": [(None, T), (3, T)], "model": [("lenet", T)]})


# --- calls that do not fit the one-bad-argument mould ---------------------------------------

def _chain_more_biases():
    from nnlib.lessons import gradient_flow
    return gradient_flow.chain([1.0, 2.0], 0.5, biases=[0.0, 0.0, 0.0])


def _impossible_cnn():
    from nnlib.torchkit import models
    return models.cnn((8, 8, 8, 8, 8), kernel_size=5, padding="valid")


def _sequential_of_numbers():
    from nnlib import layers
    return layers.Sequential(layers.ReLU(), 3)


def _dense_forward_wrong_width():
    from nnlib import layers
    return layers.Dense(3, 2, rng=rng0()).forward(np.ones((2, 4)))


def _mnist_from_nowhere():
    from nnlib import data
    return data.load_mnist("test", root="/nonexistent/nnlib-data")


def _empty_checkpoint():
    import tempfile

    from nnlib.torchkit import checkpoint
    with tempfile.NamedTemporaryFile(suffix=".pt") as f:
        return checkpoint.load_checkpoint(f.name)


def _check_layer_int_seed():
    from nnlib import gradcheck
    return gradcheck.check_layer(**_dense_and_x(), rng=3)


EXTRA = [
    Case("chain: more biases than weights", _chain_more_biases, V, ("biases",),
         "nnlib.lessons.gradient_flow.chain"),
    Case("cnn: layers shrink the image to nothing", _impossible_cnn, V, ("kernel_size",),
         "nnlib.torchkit.models.cnn"),
    Case("Sequential: a number among the layers", _sequential_of_numbers, T, ("layers",),
         "nnlib.layers.Sequential"),
    Case("Dense.forward: wrong input width", _dense_forward_wrong_width, V, ("x",),
         "nnlib.layers.Dense"),
    Case("load_mnist: missing data directory", _mnist_from_nowhere, RuntimeError,
         ("data directory", "/nonexistent/nnlib-data", "does not exist"),
         "nnlib.data.load_mnist"),
    Case("torchkit load_checkpoint: empty file", _empty_checkpoint, V, ("empty", ".pt"),
         "nnlib.torchkit.checkpoint.load_checkpoint"),
]


# --- the rest of the public API: one call per callable that passes one bad argument ------------
# bad(target, call, error, *words): ``call(fn)`` calls the public callable ``target`` with one
# bad argument; the error must be of kind ``error`` and its message contain each of ``words``.

MORE: list[Case] = []


def bad(target: str, call: Callable, error: type, *words: str) -> None:
    module, _, attr = target.rpartition(".")

    def run(module=module, attr=attr, call=call):
        return call(getattr(importlib.import_module(module), attr))
    MORE.append(Case(f"{target}: {' '.join(words)}#{len(MORE)}", run, error, words, target))


def _tensor(*shape):
    import torch
    return torch.rand(*shape, generator=torch.Generator().manual_seed(0))


def _labels(n, k=10):
    import torch
    return torch.arange(n) % k


def _lenet():
    from nnlib.torchkit import models
    return models.lenet().eval()


def _pixel_model():
    from nnlib.torchkit import attacks
    return attacks.PixelModel(_lenet()).eval()


def _seq(*layers):
    from nnlib import layers as nl
    return nl.Sequential(*layers)


X4 = _x(5, 4)


def _sigmoid_net():
    from nnlib import models
    return models.mlp([4, 3, 2], rng=rng0(), activation="sigmoid", output_activation="sigmoid")


def _skip_net():
    from nnlib import models
    return models.mlp([4, 4, 4, 2], rng=rng0(), activation="relu", skip=True)

# activations
for name in ("heaviside", "heaviside_prime", "identity_prime"):
    bad(f"nnlib.activations.{name}", lambda f: f("abc"), T, "x")
bad("nnlib.activations.leaky_relu_prime", lambda f: f(np.ones(3), a=NAN), V, "a")
bad("nnlib.activations.get_spec", lambda f: f("swish"), V, "swish")
bad("nnlib.activations.get_spec", lambda f: f(3), T, "3")
# augment
bad("nnlib.augment.affine_matrices", lambda f: f(0), V, "n")
bad("nnlib.augment.affine_matrices", lambda f: f(2, degrees=[1.0, 2.0, 3.0]), V, "degrees")
bad("nnlib.augment.affine", lambda f: f(np.zeros((2, 8, 8)), shears=NAN), V, "shears")
bad("nnlib.augment.affine", lambda f: f(np.zeros((2, 8, 8)), fill=NAN), V, "fill")
bad("nnlib.augment.shift", lambda f: f(np.zeros((2, 8, 8)), "1", 0), T, "dx")
bad("nnlib.augment.shear", lambda f: f(np.zeros((2, 8, 8)), NAN), V, "shears")
bad("nnlib.augment.random_parameters", lambda f: f(3, rng=0, max_rotation=-1.0), V,
    "max_rotation")
bad("nnlib.augment.random_parameters", lambda f: f(3.5, rng=0), T, "n")
bad("nnlib.augment.random_transform", lambda f: f(np.zeros((2, 8, 8)), rng=0, max_shear=NAN),
    V, "max_shear")
# conv
bad("nnlib.conv.pair", lambda f: f("stride", (1, 2, 3), minimum=1), V, "stride")
bad("nnlib.conv.pair", lambda f: f("stride", "2", minimum=1), T, "stride")
bad("nnlib.conv.convolve2d", lambda f: f("abc", np.ones((2, 2))), T, "x")
bad("nnlib.conv.convolve2d", lambda f: f(np.ones((4, 4)), np.ones((2, 2)), stride=0), V,
    "stride")
bad("nnlib.conv.receptive_field", lambda f: f(-1, 0, (3, 3)), V, "i")
bad("nnlib.conv.receptive_field", lambda f: f(0, 0, "3x3"), T, "k_shape")
bad("nnlib.conv.check_maps", lambda f: f("x", np.zeros((1, 1, 0, 3))), V, "x", "(1, 1, 0, 3)")
bad("nnlib.conv.check_conv_inputs", lambda f: f(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 2, 2))),
    V, "channel")
bad("nnlib.conv.check_conv_inputs", lambda f: f(np.zeros((1, 1, 4, 4)), "w"), T, "w")
for name in ("conv2d_forward", "conv2d"):
    bad(f"nnlib.conv.{name}", lambda f: f(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 2, 2)),
                                          padding=-1), V, "padding")
    bad(f"nnlib.conv.{name}", lambda f: f(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 2, 2)),
                                          np.zeros(2)), V, "b")
bad("nnlib.conv_naive.conv2d_forward_naive",
    lambda f: f(np.zeros((1, 1, 4, 4)), np.zeros((1, 2, 2, 2))), V, "channel")
bad("nnlib.conv_naive.conv2d_forward_naive", lambda f: f("x", np.zeros((1, 1, 2, 2))), T, "x")


def _conv_cache(module="nnlib.conv", name="conv2d_forward"):
    fn = getattr(importlib.import_module(module), name)
    return fn(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 2, 2)), np.zeros(2))[1]


bad("nnlib.conv.conv2d_backward", lambda f: f(np.zeros((1, 2, 2, 2)), _conv_cache()), V, "dout")
bad("nnlib.conv_naive.conv2d_backward_naive",
    lambda f: f(np.zeros((1, 2, 2, 2)),
                _conv_cache("nnlib.conv_naive", "conv2d_forward_naive")), V, "dout")
bad("nnlib.conv_naive.conv2d_backward_naive",
    lambda f: f(np.zeros((1, 2, 3, 3)), "cache"), T, "cache")
bad("nnlib.conv.conv2d_backward", lambda f: f(np.zeros((1, 2, 3, 3)), None), T, "cache")
# data
bad("nnlib.data.download_mnist", lambda f: f(3.5), T, "root")
bad("nnlib.data.download_mnist", lambda f: f("/tmp", mirror=3), T, "mirror")
bad("nnlib.data.mnist_images", lambda f: f("test", dtype=np.int32), T, "dtype")
bad("nnlib.data.mnist_images", lambda f: f("validation"), V, "split")
# gradcheck
bad("nnlib.gradcheck.numerical_gradient_array",
    lambda f: f(lambda: np.zeros(3), np.zeros(3), np.zeros(4)), V, "dout")
bad("nnlib.gradcheck.numerical_gradient_array", lambda f: f(None, np.zeros(3), np.zeros(3)), T,
    "f")
bad("nnlib.gradcheck.check_loss",
    lambda f: f("quadratic", np.zeros((2, 2)), np.zeros((2, 2))), T, "loss_fn")
bad("nnlib.gradcheck.check_loss",
    lambda f: f(__import__("nnlib.losses").losses.quadratic, np.zeros((2, 2)),
                np.zeros((2, 2)), h=0.0), V, "h")
# init
bad("nnlib.init.calculate_fan_in_and_fan_out", lambda f: f((3,)), V, "shape")
bad("nnlib.init.calculate_fan_in_and_fan_out", lambda f: f("3x3"), T, "shape")
for name in ("xavier_uniform_bound", "xavier_normal_std"):
    bad(f"nnlib.init.{name}", lambda f: f(0, 3), V, "fan_in")
    bad(f"nnlib.init.{name}", lambda f: f(3, 2.5), T, "fan_out")
for name in ("he_uniform_bound", "he_normal_std"):
    bad(f"nnlib.init.{name}", lambda f: f(-1), V, "fan_in")
    bad(f"nnlib.init.{name}", lambda f: f("3"), T, "fan_in")
bad("nnlib.init.normal", lambda f: f((3, 2), 0, std=-1.0), V, "std")
bad("nnlib.init.normal", lambda f: f((3, 2), 0, dtype=np.int64), T, "dtype")
bad("nnlib.init.uniform", lambda f: f((3, 2), 0, a=NAN), V, "a")
bad("nnlib.init.uniform", lambda f: f((3, 2), None), T, "rng")
bad("nnlib.init.init_std", lambda f: f("kaiming", 3, 3), V, "kaiming")
bad("nnlib.init.init_std", lambda f: f("he_normal", 0, 3), V, "fan_in")
# layers
bad("nnlib.layers.Parameter", lambda f: f("abc"), T, "data")
bad("nnlib.layers.Parameter", lambda f: f(np.ones(3), name=3), T, "name")
bad("nnlib.layers.activation_layer", lambda f: f("swish"), V, "swish")
bad("nnlib.layers.activation_layer", lambda f: f(None), T, "activation")
bad("nnlib.layers.Sequential", lambda f: f([]), T, "layers")
# losses are covered above; optimisers
bad("nnlib.optim.Optimizer", lambda f: f(_params(), "lr"), T, "defaults")
bad("nnlib.optim.Optimizer", lambda f: f(3, {}), T, "params")
bad("nnlib.optim.NAdam", lambda f: f(_params(), lr=-1.0), V, "lr")
bad("nnlib.optim.NAdam", lambda f: f(_params(), lr=0.1, momentum_decay="0.004"), T,
    "momentum_decay")
bad("nnlib.optim.NAdam", lambda f: f(_params(), lr=0.1, betas=(0.9,)), V, "betas")
# pooling
for name in ("max_pool2d_forward", "avg_pool2d_forward"):
    bad(f"nnlib.pooling.{name}", lambda f: f(np.zeros((1, 1, 4, 4)), 0), V, "kernel_size")
    bad(f"nnlib.pooling.{name}", lambda f: f("x", 2), T, "x")
for name, fwd in (("max_pool2d_backward", "max_pool2d_forward"),
                  ("avg_pool2d_backward", "avg_pool2d_forward")):
    bad(f"nnlib.pooling.{name}",
        lambda f, fwd=fwd: f(np.zeros((1, 1, 3, 3)),
                             getattr(importlib.import_module("nnlib.pooling"), fwd)(
                                 np.zeros((1, 1, 4, 4)), 2)[1]), V, "dout")
    bad(f"nnlib.pooling.{name}", lambda f: f(np.zeros((1, 1, 2, 2)), "cache"), T, "cache")
for name in ("global_max_pool2d", "global_avg_pool2d"):
    bad(f"nnlib.pooling.{name}", lambda f: f(np.zeros((1, 1, 0, 0))), V, "x")
    bad(f"nnlib.pooling.{name}", lambda f: f("abc"), T, "x")
bad("nnlib.pooling.channel_pool_forward", lambda f: f(np.zeros((1, 4, 2, 2)), 3), V,
    "group_size")
bad("nnlib.pooling.channel_pool_forward", lambda f: f(np.zeros((1, 4, 2, 2)), 2, "min"), V,
    "mode")
bad("nnlib.pooling.channel_pool_backward",
    lambda f: f(np.zeros((1, 3, 2, 2)),
                importlib.import_module("nnlib.pooling").channel_pool_forward(
                    np.zeros((1, 4, 2, 2)), 2)[1]), V, "dout")
bad("nnlib.pooling.channel_pool_backward", lambda f: f(np.zeros((1, 2, 2, 2)), None), T, "cache")
bad("nnlib.pooling.AvgPool2d", lambda f: f(0), V, "kernel_size")
bad("nnlib.pooling.AvgPool2d", lambda f: f(2, stride="1"), T, "stride")
bad("nnlib.pooling.ChannelPool", lambda f: f(0), V, "group_size")
bad("nnlib.pooling.ChannelPool", lambda f: f(2, mode=1), T, "mode")
# recurrent
bad("nnlib.recurrent.SimpleRNN", lambda f: f(0, 3, rng=0), V, "input_size")
bad("nnlib.recurrent.SimpleRNN", lambda f: f(3, 3, rng=0, gain=NAN), V, "gain")
bad("nnlib.recurrent.SimpleRNN", lambda f: f(3, 3, rng=0, activation="relu6"), V, "activation")
bad("nnlib.recurrent.gradient_through_time",
    lambda f: f(importlib.import_module("nnlib.recurrent").SimpleRNN(3, 4, rng=0),
                np.zeros((2, 5, 4)), rng=0), V, "x")
bad("nnlib.recurrent.gradient_through_time", lambda f: f("rnn", np.zeros((2, 5, 3)), rng=0), T,
    "rnn")
# regularisation
bad("nnlib.regularization.Lp", lambda f: f(0.1, 0.0), V, "p")
bad("nnlib.regularization.Lp", lambda f: f("0.1", 2.0), T, "lam")
for name in ("count_nonzero", "fraction_small"):
    bad(f"nnlib.regularization.{name}", lambda f: f(_net(), tol=-1.0), V, "tol")
    bad(f"nnlib.regularization.{name}", lambda f: f(3), T, "net")
    bad(f"nnlib.regularization.{name}", lambda f: f(_net(), include_biases="no"), T,
        "include_biases")
# shipped results
bad("nnlib.shipped.path_of", lambda f: f("../up"), V, "name")
bad("nnlib.shipped.path_of", lambda f: f("ok", folder=3.5), T, "folder")
bad("nnlib.shipped.structure", lambda f: f({"f": object()}), T, "cannot be shipped")
bad("nnlib.shipped.save", lambda f: f("ok", {1: 2, "a": 3}, folder="/tmp/nnlib-never"), T,
    "keys")
bad("nnlib.shipped.save", lambda f: f("ok", 1, folder="/tmp/nnlib-never", overwrite="yes"), T,
    "overwrite")
bad("nnlib.shipped.load", lambda f: f("../up"), V, "name")
bad("nnlib.shipped.load", lambda f: f("never-written", folder="/tmp/nnlib-never"),
    FileNotFoundError, "never-written")
bad("nnlib.shipped.compute_or_load", lambda f: f("ok", 3, folder="/tmp/nnlib-never"), T,
    "compute")
bad("nnlib.shipped.compute_or_load", lambda f: f("../up", lambda: 1), V, "name")
bad("nnlib.shipped.without", lambda f: f({"a": 1}, drop="a"), T, "drop")
bad("nnlib.shipped.without", lambda f: f({"a": 1}, drop=[1]), T, "drop")
# training
bad("nnlib.metrics.dense_layers", lambda f: f("net"), T, "net")
bad("nnlib.metrics.accuracy", lambda f: f(_net(), X4(), np.zeros(4, dtype=int)), V, "y")
bad("nnlib.metrics.accuracy", lambda f: f(_net(), X4(), np.zeros(5, dtype=int),
                                           batch_size=0), V, "batch_size")
bad("nnlib.training.per_example_sgd_epoch",
    lambda f: f(_net(), X4(), np.zeros(5, dtype=int), order=np.arange(5), batch_size=0, lr=0.1),
    V, "batch_size")
bad("nnlib.training.per_example_sgd_epoch",
    lambda f: f(_net(), X4(), np.zeros(5, dtype=int), order=np.arange(5), batch_size=2,
                lr="0.1"), T, "lr")
bad("nnlib.training.per_example_sgd_epoch",
    lambda f: f(_net(), X4(), np.zeros(5, dtype=int), order=np.arange(6), batch_size=2, lr=0.1),
    V, "order")
bad("nnlib.training.fit", lambda f: f(**{**_fit_args(), "penalties": [
    importlib.import_module("nnlib.regularization").L2]}), T, "penalties[0]", "class L2")
bad("nnlib.training.fit", lambda f: f(**{**_fit_args(), "callbacks": importlib.import_module(
    "nnlib.training").GradientNorms()}), T, "callbacks", "list")


def _foreign_optimizer_fit(f):
    from nnlib import optim
    args = _fit_args()
    args["optimizer"] = optim.SGD(_net().parameters(), lr=0.1)
    return f(**args)


bad("nnlib.training.fit", _foreign_optimizer_fit, V, "optimizer", "another network")
bad("nnlib.training.fit", lambda f: f(**{**_fit_args(), "transform": "shift"}), T, "transform")
bad("nnlib.training.fit", lambda f: f(**{**_fit_args(), "transform": lambda X: X[:, :2]}), V,
    "transform")
bad("nnlib.augment_naive.transform", lambda f: f(np.zeros((2, 3, 3))), V, "image")
bad("nnlib.augment_naive.transform", lambda f: f(np.zeros((3, 3)), degrees="10"), T, "degrees")
bad("nnlib.augment_naive.transform", lambda f: f(np.zeros((3, 3)), factor=0.0), V, "factor")
bad("nnlib.callbacks.EvaluateEvery", lambda f: f("abc", np.zeros(3, dtype=int)), T, "X")
bad("nnlib.callbacks.EvaluateEvery", lambda f: f(X4(), np.zeros(4, dtype=int)), V, "y")
bad("nnlib.callbacks.EvaluateEvery", lambda f: f(X4(), np.zeros(5, dtype=int), every=0), V,
    "every")

# lessons
bad("nnlib.lessons.batchnorm.hidden_activations", lambda f: f(_net(), "x"), T, "x")
bad("nnlib.lessons.batchnorm.hidden_activations", lambda f: f(3, X4()), T, "net")
bad("nnlib.lessons.batchnorm.ActivationDrift", lambda f: f(X4(), every=0), V, "every")
bad("nnlib.lessons.batchnorm.ActivationDrift", lambda f: f("probe"), T, "probe")
bad("nnlib.lessons.batchnorm.two_scale_data", lambda f: f(0, scale=1.0, rng=0), V, "n")
bad("nnlib.lessons.batchnorm.two_scale_data", lambda f: f(10, scale=NAN, rng=0), V, "scale")
bad("nnlib.lessons.batchnorm.scale_influence",
    lambda f: f(X4(), np.zeros(5, dtype=int), lr=-1.0, steps=3), V, "lr")
bad("nnlib.lessons.batchnorm.scale_influence",
    lambda f: f(X4(), np.zeros(5, dtype=int), lr=0.1, steps=2.5), T, "steps")
bad("nnlib.lessons.batchnorm.batch_statistics_accuracy",
    lambda f: f(_net(), X4(), np.zeros(5, dtype=int), batch_size=0), V, "batch_size")
bad("nnlib.lessons.convex_regions.grid", lambda f: f(1), V, "n")
bad("nnlib.lessons.convex_regions.grid", lambda f: f(10, lim=-1.0), V, "lim")
bad("nnlib.lessons.convex_regions.task_labels", lambda f: f(np.zeros((3, 2)), "moons"), V,
    "task")
bad("nnlib.lessons.convex_regions.task_labels", lambda f: f("abc"), T, "points")
bad("nnlib.lessons.convex_regions.polygon_units", lambda f: f((0, 0), 1.0, 2), V, "k")
bad("nnlib.lessons.convex_regions.polygon_units", lambda f: f((0, 0), -1.0, 5), V, "radius")
bad("nnlib.lessons.convex_regions.one_hidden_layer_net", lambda f: f((0, 0, 0), 1.0), V,
    "centre")
bad("nnlib.lessons.convex_regions.one_hidden_layer_net", lambda f: f((0, 0), "1"), T, "radius")
bad("nnlib.lessons.convex_regions.two_hidden_layer_net", lambda f: f([((0, 0), 1.0)],
                                                                     combine="xor"), V, "combine")
bad("nnlib.lessons.convex_regions.two_hidden_layer_net", lambda f: f([]), V, "polygons")
bad("nnlib.lessons.convex_regions.accuracy",
    lambda f: f(_seq(importlib.import_module("nnlib.layers").Dense(2, 1, rng=0)),
                np.zeros((4, 2)), np.zeros(3)), V, "labels")
bad("nnlib.lessons.convex_regions.convex_accuracy_bound", lambda f: f("abc"), T, "labels_grid")
bad("nnlib.lessons.convex_regions.convex_accuracy_bound", lambda f: f(np.zeros(4)), V,
    "labels_grid")
bad("nnlib.lessons.convolution.mask_matrix", lambda f: f(np.ones((2, 2)), (1, 1)), V,
    "input_shape")
bad("nnlib.lessons.convolution.mask_matrix", lambda f: f(np.ones((2, 2)), (3, 3), order="K"), V,
    "order")
bad("nnlib.lessons.convolution.representation_change", lambda f: f(np.ones(3), np.ones(4)), V,
    "after")
bad("nnlib.lessons.convolution.move_parts",
    lambda f: f(np.zeros((2, 1, 8, 8)), top_shift=1.5, bottom_shift=0), T, "top_shift")
bad("nnlib.lessons.convolution.move_parts",
    lambda f: f(np.zeros((2, 1, 8, 8)), top_shift=1, bottom_shift=0, split=9), V, "split")
bad("nnlib.lessons.convolution.nearest_neighbour_accuracy",
    lambda f: f(np.zeros((3, 4)), np.zeros(2), np.zeros((2, 4)), np.zeros(2)), V, "y_train")
bad("nnlib.lessons.convolution.best_time", lambda f: f(lambda: 0, repeats=0), V, "repeats")
bad("nnlib.lessons.convolution.best_time", lambda f: f("fn"), T, "fn")
bad("nnlib.lessons.explaining_away.CarModel", lambda f: f(p_battery=1.5), V, "p_battery")
bad("nnlib.lessons.explaining_away.CarModel", lambda f: f(p_pump="0.1"), T, "p_pump")
bad("nnlib.lessons.explaining_away.probability",
    lambda f: f(importlib.import_module("nnlib.lessons.explaining_away").CarModel(),
                {"wheels": 1}), V, "event")
bad("nnlib.lessons.explaining_away.probability", lambda f: f("model", {"battery": 1}), T,
    "model")
bad("nnlib.lessons.explaining_away.explaining_away", lambda f: f(None), T, "model")
bad("nnlib.lessons.explaining_away.belief_net_posterior",
    lambda f: f(np.zeros((3, 2)), np.zeros(4), np.zeros(2), np.zeros(3)), V, "b_visible")
bad("nnlib.lessons.explaining_away.hidden_marginals",
    lambda f: f(np.zeros((4, 2)), np.ones(3) / 3), V, "posterior")
bad("nnlib.lessons.explaining_away.factorisation_gap", lambda f: f("abc", np.ones(4) / 4), T,
    "states")
bad("nnlib.lessons.gradient_flow.phi_and_prime", lambda f: f("swish"), V, "activation")
bad("nnlib.lessons.gradient_flow.phi_and_prime", lambda f: f("leaky_relu", slope=NAN), V,
    "slope")
bad("nnlib.lessons.gradient_flow.scalar_chain_network", lambda f: f([]), V, "weights")
bad("nnlib.lessons.gradient_flow.scalar_chain_network", lambda f: f([1.0], activation=3), T,
    "activation")
bad("nnlib.lessons.gradient_flow.backprop_error_signals", lambda f: f([1.0, 2.0], [0.0], "x"),
    T, "x")
bad("nnlib.lessons.gradient_flow.backprop_error_signals",
    lambda f: f([1.0, 2.0], [0.0, 0.0, 0.0], 0.5), V, "biases")
bad("nnlib.lessons.gradient_flow.gaussian_moments", lambda f: f("tanh", -1.0), V, "q")
bad("nnlib.lessons.gradient_flow.gaussian_moments", lambda f: f("swish", 1.0), V, "activation")
bad("nnlib.lessons.gradient_flow.variance_profile",
    lambda f: f(depth=0, width=10, activation="tanh", init="xavier_normal"), V, "depth")
bad("nnlib.lessons.gradient_flow.variance_profile",
    lambda f: f(depth=3, width=10, activation="tanh", init="orthogonal"), V, "init")
bad("nnlib.lessons.gradient_lab.LabConfig", lambda f: f(depth=0), V, "depth")
bad("nnlib.lessons.gradient_lab.LabConfig", lambda f: f(activation="swish"), V, "activation")
bad("nnlib.lessons.gradient_lab.preset", lambda f: f("no-such-preset"), V, "no-such-preset")
bad("nnlib.lessons.gradient_lab.preset", lambda f: f(3), T, "name")
bad("nnlib.lessons.gradient_lab.Block", lambda f: f("dense", None), T, "dense")
bad("nnlib.lessons.gradient_lab.build_network", lambda f: f("config", 0), T, "config")
bad("nnlib.lessons.gradient_lab.safe_norm", lambda f: f("abc"), T, "x")
bad("nnlib.lessons.gradient_lab.verdict_for",
    lambda f: f("1.0", first=1.0, last=1.0, finite=True), T, "ratio")
bad("nnlib.lessons.hierarchy.layer_representations", lambda f: f(_net(), "abc"), T, "X")
bad("nnlib.lessons.hierarchy.layer_representations", lambda f: f(_net(), np.zeros((2, 5))), V,
    "X")
bad("nnlib.lessons.hierarchy.linear_probe_accuracy",
    lambda f: f(np.zeros((4, 3)), np.zeros(4, int), np.zeros((2, 3)), np.zeros(2, int),
                ridge=-1.0), V, "ridge")
bad("nnlib.lessons.hierarchy.linear_probe_accuracy",
    lambda f: f(np.zeros((4, 3)), np.zeros(3, int), np.zeros((2, 3)), np.zeros(2, int)), V,
    "y_train")
bad("nnlib.lessons.hierarchy.shift_similarity", lambda f: f(np.ones(3), np.ones(4)), V, "b")
bad("nnlib.lessons.lockstep.train_in_lockstep",
    lambda f: f([_sigmoid_net()], [rng0()], X4(), np.zeros(5, int), lr=0.1, epochs=0,
                batch_size=5), V, "epochs")
bad("nnlib.lessons.lockstep.train_in_lockstep",
    lambda f: f([_sigmoid_net()], [rng0(), rng0()], X4(), np.zeros(5, int), lr=0.1, epochs=1,
                batch_size=5), V, "rngs")
bad("nnlib.lessons.optimiser_surfaces.Quadratic", lambda f: f(kappa=0.0), V, "kappa")
bad("nnlib.lessons.optimiser_surfaces.Quadratic", lambda f: f(angle="0"), T, "angle")
bad("nnlib.lessons.optimiser_surfaces.Rosenbrock", lambda f: f(b=-1.0), V, "b")
bad("nnlib.lessons.optimiser_surfaces.Plateau", lambda f: f(c=NAN), V, "c")
bad("nnlib.lessons.optimiser_surfaces.make_surface", lambda f: f("himmelblau"), V, "himmelblau")
bad("nnlib.lessons.optimiser_surfaces.make_surface", lambda f: f("quadratic", kappa=-1.0), V,
    "kappa")


def _quadratic():
    from nnlib.lessons import optimiser_surfaces
    return optimiser_surfaces.Quadratic()


bad("nnlib.lessons.optimiser_surfaces.hyperparameters", lambda f: f("sgd", lr=0.0), V, "lr")
bad("nnlib.lessons.optimiser_surfaces.hyperparameters", lambda f: f("lbfgs", lr=0.1), V, "lbfgs")
bad("nnlib.lessons.optimiser_surfaces.trajectory",
    lambda f: f("sgd", _quadratic(), (1.0, 1.0), 0, lr=0.1), V, "steps")
bad("nnlib.lessons.optimiser_surfaces.trajectory",
    lambda f: f("sgd", _quadratic(), (1.0, 1.0, 1.0), 5, lr=0.1), V, "start")
bad("nnlib.lessons.optimiser_surfaces.trajectory",
    lambda f: f("sgd", "quadratic", (1.0, 1.0), 5, lr=0.1), T, "surface")
bad("nnlib.lessons.optimiser_surfaces.follow",
    lambda f: f("update", _quadratic(), (1.0, 1.0), 5), T, "update")
bad("nnlib.lessons.optimiser_surfaces.race",
    lambda f: f(_quadratic(), (1.0, 1.0), 5, ["sgd", "lbfgs"], lr=0.1), V, "lbfgs")
bad("nnlib.lessons.optimiser_surfaces.divergence_threshold",
    lambda f: f(_quadratic(), (1.0, 1.0), lo=1.0, hi=0.5), V, "hi")
bad("nnlib.lessons.optimiser_theory.QuadraticTheory", lambda f: f(2.0, 1.0), V, "lam_max")
bad("nnlib.lessons.optimiser_theory.QuadraticTheory", lambda f: f("1", 2.0), T, "lam_min")
bad("nnlib.lessons.optimiser_theory.quadratic_theory", lambda f: f("quadratic"), T, "surface")
bad("nnlib.lessons.optimiser_theory.gd_rate", lambda f: f(-0.1, [1.0, 2.0]), V, "eta")
bad("nnlib.lessons.optimiser_theory.gd_rate", lambda f: f(0.1, "abc"), T, "eigenvalues")
bad("nnlib.lessons.optimiser_theory.heavy_ball_rate", lambda f: f(0.1, 1.5, [1.0]), V,
    "momentum")
bad("nnlib.lessons.optimiser_theory.rate_curve", lambda f: f(1.0, 0.5, -1), V, "steps")
bad("nnlib.lessons.optimiser_theory.rate_curve", lambda f: f(1.0, NAN, 3), V, "rate")
bad("nnlib.lessons.optimiser_theory.measured_rate", lambda f: f([1.0, 0.5, 0.25], 2, 1), V,
    "last")
bad("nnlib.lessons.optimiser_theory.measured_rate", lambda f: f("abc", 0, 1), T, "gaps")
bad("nnlib.lessons.pretraining.TiedAutoencoder", lambda f: f(0, 3, rng=0), V, "in_features")
bad("nnlib.lessons.pretraining.TiedAutoencoder", lambda f: f(4, 3, rng=0, dtype=np.int64), T,
    "dtype")
bad("nnlib.lessons.pretraining.autoencoder", lambda f: f(4, 3, rng=0, tied="yes"), T, "tied")
bad("nnlib.lessons.pretraining.autoencoder", lambda f: f(4, -3, rng=0), V, "hidden")
bad("nnlib.lessons.pretraining.pretrain_autoencoders",
    lambda f: f(X4(), [3, 0], rng=0, lr=0.1), V, "hidden_sizes")
bad("nnlib.lessons.pretraining.pretrain_autoencoders", lambda f: f(X4(), [3], rng=0, lr=NAN), V,
    "lr")
bad("nnlib.lessons.pretraining.stack", lambda f: f([], 2, rng=0), V, "encoders")
bad("nnlib.lessons.pretraining.stack", lambda f: f("enc", 2, rng=0), T, "encoders")
bad("nnlib.lessons.pretraining.pretrain_discriminative",
    lambda f: f(X4(), np.zeros(5, int), [4, 3, 2], rng=0, lr=0.1, epochs=0), V, "epochs")
bad("nnlib.lessons.pretraining.pretrain_discriminative",
    lambda f: f(X4(), np.zeros(5, int), [5, 3, 2], rng=0, lr=0.1), V, "sizes")
bad("nnlib.lessons.regularization.small_mnist", lambda f: f(0), V, "n_train")
bad("nnlib.lessons.regularization.small_mnist", lambda f: f(10, seed="0"), T, "seed")
bad("nnlib.lessons.regularization.build_mlp", lambda f: f((30,), rng=0, dropout=1.0), V,
    "dropout")
bad("nnlib.lessons.regularization.build_mlp", lambda f: f((30, 0), rng=0), V, "hidden")
bad("nnlib.lessons.regularization.run_label", lambda f: f(100, l1=-1.0), V, "l1")
bad("nnlib.lessons.regularization.run_label", lambda f: f("100"), T, "n_train")
bad("nnlib.lessons.regularization.augmented", lambda f: f(np.zeros((2, 10)), rng=0), V, "X")
bad("nnlib.lessons.regularization.train_regularized",
    lambda f: f(X4(), np.zeros(5, int), X4(), np.zeros(5, int), l2=-0.1), V, "l2")
bad("nnlib.lessons.regularization.thinned_average", lambda f: f(_net(), X4(), samples=0), V,
    "samples")
bad("nnlib.lessons.skip_paths.gradient_by_path_length",
    lambda f: f(_net(), X4(), np.zeros(5, int), loss="hinge"), V, "loss")
bad("nnlib.lessons.skip_paths.gradient_by_path_length",
    lambda f: f(_skip_net(), "x", np.zeros(5, int)), T, "x")
bad("nnlib.lessons.lockstep.train_in_lockstep",
    lambda f: f([_sigmoid_net()], [rng0()], X4(), np.zeros(5, int), lr=1.0, epochs=1,
                batch_size=2), V, "batch_size")
bad("nnlib.lessons.lockstep.train_in_lockstep",
    lambda f: f([_net()], [rng0()], X4(), np.zeros(5, int), lr=1.0, epochs=1, batch_size=5),
    V, "nets[0]")
bad("nnlib.lessons.lockstep.train_in_lockstep",
    lambda f: f([_sigmoid_net()], [0], X4(), np.zeros(5, int), lr=1.0, epochs=1, batch_size=5),
    T, "rngs[0]")
bad("nnlib.lessons.universal_approximation.target_function", lambda f: f("zigzag"), V, "zigzag")
bad("nnlib.lessons.universal_approximation.target_function", lambda f: f(3), T, "target")
bad("nnlib.lessons.universal_approximation.place_units", lambda f: f(0), V, "n_units")
bad("nnlib.lessons.universal_approximation.place_units", lambda f: f(3, interval=(1.0, -1.0)),
    V, "interval")
bad("nnlib.lessons.universal_approximation.fit_output_layer",
    lambda f: f(np.zeros((4, 3)), np.zeros(5)), V, "y")
bad("nnlib.lessons.universal_approximation.fit_output_layer",
    lambda f: f(np.zeros((4, 3)), np.zeros(4), ridge=-1.0), V, "ridge")
bad("nnlib.lessons.universal_approximation.fit_shallow", lambda f: f(np.sin, 0), V, "n_units")
bad("nnlib.lessons.universal_approximation.fit_shallow", lambda f: f("sin", 3), T, "f")
bad("nnlib.lessons.universal_approximation.approximation_error",
    lambda f: f("fit", np.sin), T, "fit")
bad("nnlib.lessons.universal_approximation.error_curve", lambda f: f(np.sin, [2, 0]), V, "units")
bad("nnlib.lessons.universal_approximation.best_polynomial_error", lambda f: f(np.sin, -1), V,
    "degree")
bad("nnlib.lessons.universal_approximation.best_polynomial_error", lambda f: f(np.sin, 2.5), T,
    "degree")

# torch room
bad("nnlib.torchkit.analysis.class_probabilities", lambda f: f(_lenet(), _tensor(2, 1, 28, 28),
                                                              batch_size=0), V, "batch_size")
bad("nnlib.torchkit.analysis.class_probabilities", lambda f: f("model", _tensor(2, 1, 28, 28)),
    T, "model")
bad("nnlib.torchkit.analysis.confusion_matrix", lambda f: f([0, 1, 10], [0, 1, 2]), V, "y_true")
bad("nnlib.torchkit.analysis.confusion_matrix", lambda f: f([0, 1], [0, 1, 2]), V, "y_pred")
bad("nnlib.torchkit.analysis.confident_mistakes", lambda f: f(np.full((3, 10), 0.1), [0, 1, 2],
                                                             k=0), V, "k")
bad("nnlib.torchkit.analysis.confident_mistakes", lambda f: f(np.full((3, 10), 0.1), [0, 1]),
    V, "y_true")
bad("nnlib.torchkit.analysis.first_layer_filters", lambda f: f("model"), T, "model")
bad("nnlib.torchkit.analysis.layer_outputs", lambda f: f(_lenet(), "image"), T, "image")
bad("nnlib.torchkit.attacks.Standardize", lambda f: f(std=0.0), V, "std")
bad("nnlib.torchkit.attacks.Standardize", lambda f: f(mean="0.1"), T, "mean")
bad("nnlib.torchkit.attacks.PixelModel", lambda f: f("model"), T, "model")
bad("nnlib.torchkit.attacks.PixelModel", lambda f: f(_lenet(), std=-1.0), V, "std")
bad("nnlib.torchkit.attacks.to_pixels", lambda f: f("abc"), T, "images")
bad("nnlib.torchkit.attacks.to_pixels", lambda f: f(np.full((2, 28, 28), 2.0)), V, "images")
bad("nnlib.torchkit.attacks.input_gradient",
    lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28), _labels(3)), V, "y")
bad("nnlib.torchkit.attacks.margin", lambda f: f(_pixel_model(), "x", _labels(2)), T, "x")
bad("nnlib.torchkit.attacks.probabilities", lambda f: f(_pixel_model(), "x"), T, "x")
bad("nnlib.torchkit.attacks.fgsm", lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28),
                                               _labels(2), -0.1), V, "eps")
bad("nnlib.torchkit.attacks.fgsm", lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28),
                                               _labels(2), "0.1"), T, "eps")
bad("nnlib.torchkit.attacks.iterated_fgsm",
    lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28), _labels(2), 0.1, steps=0), V, "steps")
bad("nnlib.torchkit.attacks.check_images", lambda f: f(_tensor(2, 1, 28, 28) + 1.5, _labels(2)),
    V, "x")
bad("nnlib.torchkit.attacks.check_images", lambda f: f(_tensor(2, 1, 28, 28), _labels(3)), V,
    "y")
bad("nnlib.torchkit.attacks.sign_step", lambda f: f(_tensor(2, 3), _tensor(2, 4), 0.1), V,
    "sign")
bad("nnlib.torchkit.attacks.sign_step", lambda f: f(_tensor(2, 3), _tensor(2, 3), NAN), V, "eps")
bad("nnlib.torchkit.attacks.attack", lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28),
                                                 _labels(2), 0.1, method="pgd"), V, "method")
bad("nnlib.torchkit.attacks.attack", lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28),
                                                 _labels(2), 0.1, batch_size=0), V, "batch_size")
bad("nnlib.torchkit.attacks.error_curve", lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28),
                                                      _labels(2), [0.1, -0.2]), V, "eps")
bad("nnlib.torchkit.attacks.error_curve", lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28),
                                                      _labels(2), "0.1"), T, "epsilons")
bad("nnlib.torchkit.attacks.margin_drop_vs_pixels",
    lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28), _labels(2), 0.1, [1, 785], rng=0), V,
    "counts")
bad("nnlib.torchkit.attacks.margin_drop_vs_pixels",
    lambda f: f(_pixel_model(), _tensor(2, 1, 28, 28), _labels(2), 0.1, [1, 2], rng=None), T,
    "rng")


def _timgs():
    return _tensor(2, 1, 8, 8).double()


bad("nnlib.torchkit.augment.affine", lambda f: f(_timgs(), degrees=NAN), V, "degrees")
bad("nnlib.torchkit.augment.affine", lambda f: f(_timgs(), fill=NAN), V, "fill")
bad("nnlib.torchkit.augment.shift", lambda f: f(_timgs(), [1, 2, 3], 0), V, "dx")
bad("nnlib.torchkit.augment.rotate", lambda f: f("abc", 3.0), T, "images")
bad("nnlib.torchkit.augment.scale", lambda f: f(_timgs(), 0.0), V, "factors")
bad("nnlib.torchkit.augment.shear", lambda f: f(_timgs(), "0.1"), T, "shears")
bad("nnlib.torchkit.augment.random_crop", lambda f: f(_timgs(), padding=-1, rng=0), V,
    "padding")
bad("nnlib.torchkit.augment.random_crop", lambda f: f(_timgs(), padding=1, rng=None), T, "rng")
bad("nnlib.torchkit.augment.random_transform", lambda f: f(_timgs(), rng=0, max_shift=-1), V,
    "max_shift")
bad("nnlib.torchkit.augment.add_cue", lambda f: f(_timgs(), size=0), V, "size")
bad("nnlib.torchkit.augment.add_cue", lambda f: f(_timgs(), position="corner"), T, "position")
bad("nnlib.torchkit.data.images_to_tensor", lambda f: f("abc"), T, "images")
bad("nnlib.torchkit.data.images_to_tensor", lambda f: f(np.zeros((2, 3), np.uint8)), V, "images")
bad("nnlib.torchkit.data.tensor_to_images", lambda f: f(np.zeros((2, 1, 8, 8))), T, "x")
bad("nnlib.torchkit.data.tensor_to_images", lambda f: f(_tensor(2, 3, 8, 8)), V, "x")
bad("nnlib.torchkit.data.batch_indices", lambda f: list(f(0, 2)), V, "n")
bad("nnlib.torchkit.data.batch_indices", lambda f: list(f(5, 2.5)), T, "batch_size")
bad("nnlib.torchkit.data.num_batches", lambda f: f(5, 0), V, "batch_size")
bad("nnlib.torchkit.data.num_batches", lambda f: f(5, 2, drop_last="no"), T, "drop_last")
bad("nnlib.torchkit.data.random_shift", lambda f: f(_tensor(2, 1, 8, 8), -1), V, "max_shift")
bad("nnlib.torchkit.data.random_shift", lambda f: f(np.zeros((2, 1, 8, 8)), 1), T, "x")
bad("nnlib.torchkit.device.describe_device", lambda f: f(3), T, "device")
bad("nnlib.torchkit.device.describe_device", lambda f: f("tpu"), V, "device")
bad("nnlib.torchkit.exercise_checks.check_fgsm", lambda f: f("fgsm", rng0()), T, "fn")
bad("nnlib.torchkit.exercise_checks.check_fgsm", lambda f: f(lambda *a: None, None), T, "rng")
bad("nnlib.torchkit.exercise_checks.check_freeze", lambda f: f(None, rng0()), T, "fn")
bad("nnlib.torchkit.generalise.small_cnn", lambda f: f(width=0), V, "width")
bad("nnlib.torchkit.generalise.small_cnn", lambda f: f(hidden="64"), T, "hidden")
bad("nnlib.torchkit.generalise.mlp", lambda f: f(hidden=-1), V, "hidden")
bad("nnlib.torchkit.generalise.fit_pixels",
    lambda f: f(importlib.import_module("nnlib.torchkit.generalise").softmax_regression(),
                np.zeros((4, 28, 28)), np.zeros(3, int)), V, "labels")
bad("nnlib.torchkit.generalise.fit_pixels",
    lambda f: f(importlib.import_module("nnlib.torchkit.generalise").softmax_regression(),
                np.zeros((4, 28, 28)), np.zeros(4, int), epochs=0), V, "epochs")
bad("nnlib.torchkit.generalise.random_rotations", lambda f: f(-5.0), V, "max_degrees")
bad("nnlib.torchkit.generalise.random_rotations", lambda f: f("5"), T, "max_degrees")
bad("nnlib.torchkit.generalise.accuracy",
    lambda f: f(importlib.import_module("nnlib.torchkit.generalise").softmax_regression(),
                np.zeros((4, 28, 28)), np.zeros(5, int)), V, "labels")
bad("nnlib.torchkit.generalise.rotation_curve",
    lambda f: f(importlib.import_module("nnlib.torchkit.generalise").softmax_regression(),
                np.zeros((4, 28, 28)), np.zeros(4, int), [0.0, NAN]), V, "angles")
bad("nnlib.torchkit.generalise.plant_cue",
    lambda f: f(np.zeros((4, 28, 28)), np.zeros(4, int), 10), V, "target")
bad("nnlib.torchkit.generalise.plant_cue",
    lambda f: f(np.zeros((4, 28, 28)), np.zeros(4, int), 1.5), T, "target")
bad("nnlib.torchkit.generalise.subset", lambda f: f(np.zeros((4, 28, 28)), np.zeros(4, int), 5,
                                                    rng=0), V, "n")
bad("nnlib.torchkit.generalise.subset", lambda f: f(np.zeros((4, 28, 28)), np.zeros(4, int), 2,
                                                    rng="0"), T, "rng")
bad("nnlib.torchkit.models.CenterCrop", lambda f: f(-1), V, "margin")
bad("nnlib.torchkit.models.CenterCrop", lambda f: f(1.5), T, "margin")
bad("nnlib.torchkit.models.lenet", lambda f: f(activation="swish"), V, "activation")
bad("nnlib.torchkit.models.lenet", lambda f: f(pooling=2), T, "pooling")
bad("nnlib.torchkit.models.fast_cnn", lambda f: f(width=0), V, "width")
bad("nnlib.torchkit.models.fast_cnn", lambda f: f(dropout=1.0), V, "dropout")
bad("nnlib.torchkit.models.count_parameters", lambda f: f("model"), T, "model")
bad("nnlib.torchkit.models.feature_maps", lambda f: f(_lenet(), "x"), T, "x")
bad("nnlib.torchkit.models.feature_maps", lambda f: f("model", _tensor(1, 1, 28, 28)), T,
    "model")
bad("nnlib.torchkit.models.multiply_adds", lambda f: f(_lenet(), in_shape=(1, 0, 28)), V,
    "in_shape")
bad("nnlib.torchkit.models.multiply_adds", lambda f: f(None), T, "model")
bad("nnlib.torchkit.train.use_channels_last", lambda f: f("tpu"), V, "device")
bad("nnlib.torchkit.train.use_channels_last", lambda f: f(3.5), T, "device")


def _adam():
    import torch
    return torch.optim.Adam(_lenet().parameters(), lr=1e-3)


def _plan():
    from nnlib.torchkit import train
    return train.EpochPlan(_adam())


def _mnist_tiny():
    from nnlib.torchkit.data import MNISTTensors
    return MNISTTensors(_tensor(4, 1, 28, 28), _labels(4), _tensor(2, 1, 28, 28), _labels(2))


bad("nnlib.torchkit.train.EpochPlan", lambda f: f(_adam(), batch_size=0), V, "batch_size")
bad("nnlib.torchkit.train.EpochPlan", lambda f: f("adam"), T, "optimizer")
bad("nnlib.torchkit.train.EpochPlan", lambda f: f(_adam(), label_smoothing=1.5), V,
    "label_smoothing", "[0, 1)")
bad("nnlib.torchkit.train.EpochPlan", lambda f: f(_adam(), label_smoothing="0.1"), T,
    "label_smoothing")
bad("nnlib.torchkit.train.EpochPlan", lambda f: f(_adam(), log_every=2.5), T, "log_every")
bad("nnlib.torchkit.train.EpochPlan", lambda f: f(_adam(), max_batches=0), V, "max_batches")
bad("nnlib.torchkit.train.train_one_epoch",
    lambda f: f(_lenet(), _tensor(4, 1, 28, 28), _labels(4), _adam()), T, "plan", "EpochPlan")
bad("nnlib.torchkit.train.train_one_epoch",
    lambda f: f(_lenet(), _tensor(4, 1, 28, 28), _labels(3), _plan()), V, "same length")
bad("nnlib.torchkit.train.train_one_epoch",
    lambda f: f(_lenet(), _tensor(4, 1, 28, 28), _labels(4), _plan(), epoch=0), V, "epoch")
bad("nnlib.torchkit.train.predict", lambda f: f(_lenet(), _tensor(4, 1, 28, 28), batch_size=0),
    V, "batch_size")
bad("nnlib.torchkit.train.predict", lambda f: f(_lenet(), "x"), T, "x")
bad("nnlib.torchkit.train.evaluate", lambda f: f(_lenet(), _tensor(4, 1, 28, 28), _labels(3)),
    V, "same length")
bad("nnlib.torchkit.train.evaluate", lambda f: f("model", _tensor(4, 1, 28, 28), _labels(4)), T,
    "model")
bad("nnlib.torchkit.optimizers.make_optimizer",
    lambda f: f("lbfgs", _lenet().parameters(), lr=0.1), V, "name", "lbfgs")
bad("nnlib.torchkit.optimizers.make_optimizer", lambda f: f(3, _lenet().parameters()), T, "name")
bad("nnlib.torchkit.optimizers.make_optimizer",
    lambda f: f("adam", _lenet().parameters(), lr=-1.0), V, "lr")
bad("nnlib.torchkit.optimizers.make_optimizer",
    lambda f: f("adam", _lenet().parameters(), betas=(0.9, 1.5)), V, "betas[1]", "[0, 1)")
bad("nnlib.torchkit.optimizers.make_optimizer",
    lambda f: f("rmsprop", _lenet().parameters(), alpha="0.9"), T, "alpha")
bad("nnlib.torchkit.optimizers.make_optimizer",
    lambda f: f("sgd", _lenet().parameters(), betas=(0.9, 0.9)), T, "betas", "lr, momentum")
bad("nnlib.torchkit.optimizers.make_optimizer", lambda f: f("sgd", 3), T, "params")
bad("nnlib.torchkit.train.make_scheduler",
    lambda f: f("cosine-ish", _adam(), total_steps=10, steps_per_epoch=2), V, "cosine-ish")
bad("nnlib.torchkit.train.make_scheduler",
    lambda f: f("onecycle", _adam(), total_steps=0, steps_per_epoch=2), V, "total_steps")
bad("nnlib.torchkit.train.fit", lambda f: f(_lenet(), "data"), T, "data")
bad("nnlib.torchkit.train.fit_side_by_side", lambda f: f([(_lenet(), {})], "data"), T, "data")
bad("nnlib.torchkit.train.to_training_layout", lambda f: f("lenet"), T, "model")
bad("nnlib.torchkit.train.fit_side_by_side", lambda f: f(_lenet(), _mnist_tiny()), T, "runs")
bad("nnlib.torchkit.train.fit", lambda f: f(_lenet(), _mnist_tiny(), optimizer="adamw"), V,
    "optimizer", "adamw")
bad("nnlib.torchkit.train.training_throughput",
    lambda f: f(_lenet(), _tensor(4, 1, 28, 28), _labels(4), steps=0), V, "steps")
bad("nnlib.torchkit.transfer.transfer_cnn", lambda f: f(dropout=1.5), V, "dropout")
bad("nnlib.torchkit.transfer.transfer_cnn", lambda f: f(wings=3), T, "wings")
bad("nnlib.torchkit.transfer.weight_layers", lambda f: f("model"), T, "model")
bad("nnlib.torchkit.transfer.digit_task", lambda f: f(_tensor(4, 1, 28, 28), _labels(4), [11]),
    V, "digits")
bad("nnlib.torchkit.transfer.digit_task", lambda f: f(_tensor(4, 1, 28, 28), _labels(3), [1]),
    V, "y")
bad("nnlib.torchkit.transfer.k_per_class", lambda f: f(np.arange(20) % 2, 0, rng=0), V, "k")
bad("nnlib.torchkit.transfer.k_per_class", lambda f: f(np.arange(20) % 2, 11, rng=0), V, "k")
bad("nnlib.torchkit.transfer.freeze",
    lambda f: f(importlib.import_module("nnlib.torchkit.transfer").transfer_cnn(), -1), V,
    "depth")
bad("nnlib.torchkit.transfer.freeze", lambda f: f("model", 1), T, "model")
bad("nnlib.torchkit.transfer.pretrain", lambda f: f(_tensor(4, 1, 28, 28), _labels(4), epochs=0),
    V, "epochs")
bad("nnlib.torchkit.transfer.save_pretrained", lambda f: f(3, _lenet()), T, "path")
bad("nnlib.torchkit.transfer.save_pretrained",
    lambda f: f("/tmp/nnlib-never.pt", _lenet(), meta="meta"), T, "meta")
bad("nnlib.torchkit.transfer.load_pretrained", lambda f: f(None), T, "path")
bad("nnlib.torchkit.transfer.transfer_model", lambda f: f("finetune-all"), V, "mode")
bad("nnlib.torchkit.transfer.transfer_model", lambda f: f("scratch", seed="0"), T, "seed")
bad("nnlib.torchkit.transfer.average_runs", lambda f: f([]), V, "runs")
bad("nnlib.torchkit.transfer.average_runs", lambda f: f("runs"), T, "runs")
bad("nnlib.torchkit.transfer.train_few",
    lambda f: f(importlib.import_module("nnlib.torchkit.transfer").transfer_cnn(),
                _tensor(4, 1, 28, 28), _labels(4, 5), _tensor(2, 1, 28, 28), _labels(2, 5),
                epochs=0), V, "epochs")
bad("nnlib.torchkit.transfer.few_label_curve",
    lambda f: f(importlib.import_module("nnlib.torchkit.transfer").transfer_cnn(),
                _tensor(4, 1, 28, 28), _labels(4, 5), _tensor(2, 1, 28, 28), _labels(2, 5),
                ks=5), T, "ks")
bad("nnlib.torchkit.transfer.few_label_runs",
    lambda f: f(importlib.import_module("nnlib.torchkit.transfer").transfer_cnn(),
                _tensor(4, 1, 28, 28), _labels(4, 5), _tensor(2, 1, 28, 28), _labels(2, 5),
                k=0), V, "k")


# --- every public callable has a case ----------------------------------------------------------
# The walk: the building blocks (nnlib/*.py), the lessons and the torch room. Presentation
# (nnlib.plotting, nnlib.widgets) and the exercise checks have their own tests.

PACKAGES = ("nnlib", "nnlib.lessons", "nnlib.torchkit")

_RECORD = "a record (dataclass) the library fills and returns; nothing to validate"
_NO_ARGS = "takes no arguments"
#: public callables with no bad-input case, each with the reason (reviewed)
EXEMPT = {
    "nnlib.activations.ActivationSpec": _RECORD,
    "nnlib.data.MNISTError": "an exception class (takes a message)",
    "nnlib.data.default_root": _NO_ARGS,
    "nnlib.layers.Layer": _NO_ARGS + " (base class)",
    "nnlib.layers.Activation": _NO_ARGS + " (base class)",
    "nnlib.layers.Sigmoid": _NO_ARGS,
    "nnlib.layers.Tanh": _NO_ARGS,
    "nnlib.layers.ReLU": _NO_ARGS,
    "nnlib.layers.Heaviside": _NO_ARGS,
    "nnlib.layers.Identity": _NO_ARGS,
    "nnlib.layers.Flatten": _NO_ARGS,
    "nnlib.shipped.use_shipped_from_env": _NO_ARGS + " (reads the environment)",
    "nnlib.shipped.save_shipped_from_env": _NO_ARGS + " (reads the environment)",
    "nnlib.training.History": _RECORD,
    "nnlib.training.Run": _RECORD + " (built by fit for its callbacks)",
    "nnlib.callbacks.Callback": _NO_ARGS + " (base class)",
    "nnlib.callbacks.GradientNorms": _NO_ARGS,
    "nnlib.callbacks.overrides": "a yes/no question about any object (does its class define the "
                                 "hook?); the library asks it with its own hook names",
    "nnlib.lessons.explaining_away.ExplainingAway": _RECORD,
    "nnlib.lessons.gradient_flow.Chain": _RECORD,
    "nnlib.lessons.gradient_flow.VarianceProfile": _RECORD,
    "nnlib.lessons.gradient_lab.Diagnostics": _RECORD,
    "nnlib.lessons.lecture_examples.cross_correlation_example": _NO_ARGS,
    "nnlib.lessons.lecture_examples.vertical_edge_mask": _NO_ARGS,
    "nnlib.lessons.lecture_examples.horizontal_edge_mask": _NO_ARGS,
    "nnlib.lessons.lecture_examples.edge_masks": _NO_ARGS,
    "nnlib.lessons.lecture_examples.receptive_field_masks": _NO_ARGS,
    "nnlib.lessons.lecture_examples.pooling_example": _NO_ARGS,
    "nnlib.lessons.optimiser_surfaces.Surface": _NO_ARGS + " (base class)",
    "nnlib.lessons.optimiser_surfaces.Saddle": _NO_ARGS,
    "nnlib.lessons.optimiser_surfaces.Trajectory": _RECORD,
    "nnlib.lessons.pretraining.Pretrained": _RECORD,
    "nnlib.lessons.regularization.RegularizedRun": _RECORD,
    "nnlib.lessons.skip_paths.PathGradients": _RECORD,
    "nnlib.lessons.universal_approximation.ShallowFit": _RECORD,
    "nnlib.torchkit.attacks.AttackResult": _RECORD,
    "nnlib.torchkit.checkpoint.CheckpointError": "an exception class (takes a message)",
    "nnlib.torchkit.data.MNISTTensors": _RECORD,
    "nnlib.torchkit.device.available_devices": _NO_ARGS,
    "nnlib.torchkit.device.physical_cores": _NO_ARGS,
    "nnlib.torchkit.device.own_random_state": _NO_ARGS + " (a context manager)",
    "nnlib.torchkit.generalise.softmax_regression": _NO_ARGS,
    "nnlib.torchkit.train.History": _RECORD,
    "nnlib.torchkit.train.EpochResult": _RECORD,
    "nnlib.torchkit.transfer.FewLabelRun": _RECORD,
}


def public_callables() -> list[str]:
    """``module.attr`` of every public function and class defined in the walked packages
    (names without a leading underscore, in modules without one)."""
    import inspect
    import pkgutil

    found = []
    for package in PACKAGES:
        if package.endswith("torchkit") and importlib.util.find_spec("torch") is None:
            continue
        pkg = importlib.import_module(package)
        for info in pkgutil.iter_modules(pkg.__path__):
            if info.ispkg or info.name.startswith("_"):
                continue
            name = f"{package}.{info.name}"
            module = importlib.import_module(name)
            for attr, value in vars(module).items():
                if (not attr.startswith("_") and (inspect.isfunction(value)
                                                  or inspect.isclass(value))
                        and value.__module__ == name):
                    found.append(f"{name}.{attr}")
    return sorted(found)

CASES = SPECS + EXTRA + MORE


def test_the_walk_is_big_enough():
    assert len(CASES) >= 150, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


def test_every_public_callable_has_a_bad_input_case():
    """A new public function or class fails here until it has a case (or a reviewed
    exemption): add a spec/bad() above, or an EXEMPT entry with its reason."""
    public = set(public_callables())
    covered = {c.covers for c in CASES}
    missing = sorted(public - covered - set(EXEMPT))
    assert not missing, f"public callables with no bad-input case: {missing}"
    stale = sorted(name for name in EXEMPT if name not in public or name in covered)
    assert not stale, f"EXEMPT entries that are gone or have a case now: {stale}"
    assert all(reason.strip() for reason in EXEMPT.values())
    unknown = sorted({c.covers for c in CASES if c.covers} - public)
    assert not unknown, f"cases that cover no public callable (renamed?): {unknown}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_raises_a_clear_error(case):
    if "torchkit" in case.id or case.id.startswith("cnn"):
        pytest.importorskip("torch")
    with pytest.raises(Exception) as info:  # noqa: PT011 - the kind is checked below
        case.call()
    err = info.value
    assert type(err) is case.error or isinstance(err, case.error), (
        f"{case.id}: expected {case.error.__name__}, got {type(err).__name__}: {err}")
    msg = str(err)
    for word in case.words:
        assert word in msg, f"{case.id}: message does not name {word!r}: {msg}"
    assert "weights_only=False" not in msg


@pytest.mark.parametrize("case", [c for c in SPECS], ids=[c.id for c in SPECS])
def test_message_shows_the_value_received(case):
    """Each spec'd bad value appears in the message (as repr/str, or its type, shape, dtype)."""
    if "torchkit" in case.id:
        pytest.importorskip("torch")
    value = _value_of(case)
    with pytest.raises(Exception) as info:  # noqa: PT011
        case.call()
    msg = str(info.value)
    assert any(s in msg for s in _shown(value)), f"{case.id}: value not shown in: {msg}"


def _value_of(case: Case):
    return case.call.__defaults__[-1]


def test_int_seed_is_accepted_where_an_rng_is():
    errors = _check_layer_int_seed()
    assert set(errors) >= {"x"} and all(e < 1e-6 for e in errors.values())
