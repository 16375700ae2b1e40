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
                              (param,)))
    return cases


def rng0():
    return np.random.default_rng(0)


def _x(*shape):
    return lambda: np.random.default_rng(1).standard_normal(shape)


def _net():
    from nnlib import layers
    return layers.mlp([4, 3, 2], rng=rng0())


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
SPECS += spec("nnlib.layers.mlp", lambda: {"sizes": [4, 3, 2], "rng": rng0()},
              {"sizes": [([4], V), ([4, 0, 2], V), ([4, 2.5, 2], T), ("4,3", T), (None, T)],
               "rng": RNG, "activation": CHOICE, "output_activation": CHOICE[:2],
               "init": CHOICE, "batch_norm": [("middle", V), (True, V)],
               "skip": BOOL})
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
SPECS += spec("nnlib.training.evaluate",
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
    Case("chain: more biases than weights", _chain_more_biases, V, ("biases",)),
    Case("cnn: layers shrink the image to nothing", _impossible_cnn, V, ("kernel_size",)),
    Case("Sequential: a number among the layers", _sequential_of_numbers, T, ("layers",)),
    Case("Dense.forward: wrong input width", _dense_forward_wrong_width, V, ("x",)),
    Case("load_mnist: missing data directory", _mnist_from_nowhere, RuntimeError,
         ("data directory", "/nonexistent/nnlib-data", "does not exist")),
    Case("torchkit load_checkpoint: empty file", _empty_checkpoint, V, ("empty", ".pt")),
]

CASES = SPECS + EXTRA


def test_the_walk_is_big_enough():
    assert len(CASES) >= 150, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


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
