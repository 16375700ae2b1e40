"""Per-layer diagnostics of a deep MLP at initialisation: the maths behind the gradient lab.

A :class:`LabConfig` describes the network (depth, width, activation, initialisation and its
scale); :func:`measure` builds it, pushes a batch of unit-variance inputs through it, backprops
a quadratic loss against random targets, and returns a :class:`Diagnostics` with, per hidden
layer ℓ = 1..depth:

* the mean and std of the activations a_ℓ = φ(z_ℓ) (and the std of z_ℓ);
* the fraction of saturated units (sigmoid, tanh: φ'(z) below 5 % of its peak) or inactive
  units (ReLU family: z ≤ 0), and the fraction of *dead* units (inactive for the whole batch);
* the gradient norms ‖∂L/∂W_ℓ‖ and ‖∂L/∂a_ℓ‖;
* the relative size of one SGD update, lr·‖∂L/∂W_ℓ‖ / ‖W_ℓ‖;

next to the variance-propagation prediction from :mod:`nnlib.lessons.gradient_flow`, and a verdict:
``healthy``, ``vanishing`` or ``exploding`` from the ratio ‖∂L/∂a_1‖/‖∂L/∂a_depth‖, or
``exploded``/``vanished`` when floating point overflowed or underflowed. It never raises for
a valid configuration and never returns a silent NaN.

The network is built from :class:`Block` s (Dense → [norm] → activation, optionally with a
skip connection around it), so batch normalisation slots in later as the block's ``norm``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, fields, replace

import numpy as np

from .. import activations as act
from .. import layers as nl
from .._blas import blas_threads
from .._checks import as_float_array, check_choice, check_positive_float, check_positive_int
from ..init import INITIALIZERS, init_std
from ..losses import quadratic
from .gradient_flow import LAB_ACTIVATIONS, _variance_profile

#: ‖∂L/∂a_1‖/‖∂L/∂a_L‖ outside [1/HEALTHY_RATIO, HEALTHY_RATIO] is vanishing / exploding
HEALTHY_RATIO = 10.0
#: saturated: φ'(z) below this fraction of its peak (sigmoid 1/4, tanh 1)
SATURATION_LEVEL = 0.05
VERDICTS = ("healthy", "vanishing", "exploding", "vanished", "exploded")
#: accepted values of ``LabConfig.batch_norm`` and what each is stored as
BATCH_NORM_CHOICES = {False: False, None: False, True: "before", "before": "before",
                      "after": "after"}


@dataclass(frozen=True)
class LabConfig:
    """One setting of the gradient lab. Immutable: derive variants with ``config.replace(...)``.

    depth: hidden layers (each ``width`` → ``width``); a linear read-out of ``outputs`` units
    follows. activation: one of :data:`~nnlib.lessons.gradient_flow.LAB_ACTIVATIONS`; ``slope`` is
    the leaky ReLU's a and PReLU's initial a_j. init/scale/std/a: as :func:`nnlib.init.initialize`
    (``std`` for ``normal``, ``a`` for ``uniform``). lr: for the update-size diagnostic.
    dtype: ``"float32"`` (what networks train in; overflows beyond ~3e38 and underflows
    below ~1e-45) or ``"float64"``.
    batch_norm/skip: switches for notebook 07 (``skip`` adds x to each block's output;
    ``batch_norm`` puts :class:`nnlib.normalization.BatchNorm1d` between Dense and φ with
    ``"before"`` (or ``True``), after φ with ``"after"``; ``False``/``None``: none). Stored as
    ``False``, ``"before"`` or ``"after"``.
    """

    depth: int = 10
    width: int = 64
    activation: str = "tanh"
    slope: float = 0.01
    init: str = "xavier_normal"
    scale: float = 1.0
    std: float = 1.0
    a: float = 1.0
    batch_size: int = 128
    outputs: int = 10
    lr: float = 0.1
    seed: int = 0
    dtype: str = "float32"
    batch_norm: bool | str = False
    skip: bool = False

    def __post_init__(self):
        check_positive_int("depth", self.depth)
        check_positive_int("width", self.width)
        check_choice("activation", self.activation, LAB_ACTIVATIONS)
        check_positive_float("slope", self.slope, allow_zero=True)
        check_choice("init", self.init, INITIALIZERS)
        for name in ("scale", "std", "a", "lr"):
            check_positive_float(name, getattr(self, name))
        check_positive_int("batch_size", self.batch_size, minimum=2)
        check_positive_int("outputs", self.outputs)
        check_positive_int("seed", self.seed, minimum=0)
        check_choice("dtype", self.dtype, ("float32", "float64"))
        if not isinstance(self.skip, bool):
            raise TypeError(f"skip must be True or False; got {self.skip!r}")
        bn = self.batch_norm
        if not (bn is None or isinstance(bn, bool) or (isinstance(bn, str) and bn in
                                                         BATCH_NORM_CHOICES)):
            raise ValueError(f"batch_norm must be False, 'before' or 'after' (True means "
                             f"'before'); got {self.batch_norm!r}")
        object.__setattr__(self, "batch_norm", BATCH_NORM_CHOICES[self.batch_norm])

    def replace(self, **changes) -> LabConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def init_kwargs(self) -> dict:
        kw = {"scale": self.scale}
        if self.init == "normal":
            kw["std"] = self.std
        elif self.init == "uniform":
            kw["a"] = self.a
        return kw


#: Named scenarios for lectures (the lab's "scenario" menu): LabConfig fields that differ from
#: the defaults. Each shows one story of notebooks 04, 05 and 07; tests pin what each shows.
PRESETS: dict[str, dict] = {
    "sigmoid + Xavier, 20 layers": dict(activation="sigmoid", init="xavier_normal", depth=20),
    "sigmoid, 20 layers, N(0, 1)": dict(activation="sigmoid", init="normal", std=1.0,
                                        depth=20),
    "ReLU + Xavier, 50 layers": dict(activation="relu", init="xavier_normal", depth=50),
    "ReLU + He, 50 layers": dict(activation="relu", init="he_normal", depth=50),
    "tanh + Xavier, 50 layers": dict(activation="tanh", init="xavier_normal", depth=50),
    "exploding ReLU (He × 1.5, 50 layers)": dict(activation="relu", init="he_normal",
                                                 scale=1.5, depth=50),
    "exploding ReLU (scale 10, 20 layers)": dict(activation="relu", init="he_normal",
                                                 scale=10.0, depth=20),
    "sigmoid + batch norm, 20 layers": dict(activation="sigmoid", init="xavier_normal",
                                            depth=20, batch_norm="before"),
    "sigmoid + skip connections, 20 layers": dict(activation="sigmoid", init="xavier_normal",
                                                  depth=20, skip=True),
}


def preset(name: str, base: LabConfig | None = None) -> LabConfig:
    """The configuration of scenario ``name`` (one of :data:`PRESETS`): ``base`` (default
    :class:`LabConfig`) with the lab's controls at their defaults, then the scenario's fields."""
    check_choice("name", name, PRESETS)
    defaults = LabConfig()
    shown = ("depth", "width", "activation", "slope", "init", "scale", "std", "a",
             "batch_norm", "skip")
    reset = {f: getattr(defaults, f) for f in shown}
    return (base or defaults).replace(**{**reset, **PRESETS[name]})


class _Tap(nl.Layer):
    """Identity layer that keeps what passes through it: ``value`` (forward) and ``grad``
    (backward, ∂L/∂value). Lets the lab read z, a and ∂L/∂a out of a stack of building blocks."""

    value = grad = None

    def forward(self, x):
        self.value = self.cache = x
        return x

    def backward(self, dout):
        self._cached()
        self.grad = dout
        return dout


class Block(nl.Layer):
    """One hidden layer built from building blocks: Dense → [norm] → activation (or
    Dense → activation → norm with ``norm_after``), wrapped in :class:`~nnlib.layers.Residual`
    with ``skip`` (out = x + block(x)).

    x: (N, width) -> (N, width). Exposes ``z`` (the activation's input), ``a`` (its output)
    from the last forward and ``da`` = ∂L/∂a from the last backward, for the diagnostics.
    """

    def __init__(self, dense: nl.Dense, activation: nl.Layer, *, norm: nl.Layer | None = None,
                 skip: bool = False, norm_after: bool = False):
        if not isinstance(dense, nl.Dense):
            raise TypeError(f"dense must be an nnlib.layers.Dense; got {type(dense).__name__}")
        if not isinstance(activation, nl.Layer):
            raise TypeError(f"activation must be an nnlib activation layer; got "
                            f"{type(activation).__name__}")
        self.dense, self.activation, self.norm, self.skip = dense, activation, norm, skip
        self._z, self._a = _Tap(), _Tap()
        before = [norm] if norm is not None and not norm_after else []
        after = [norm] if norm is not None and norm_after else []
        body = [dense, *before, self._z, activation, self._a, *after]
        self.body = nl.Residual(nl.Sequential(*body)) if skip else nl.Sequential(*body)

    z = property(lambda self: self._z.value)
    a = property(lambda self: self._a.value)
    da = property(lambda self: self._a.grad)

    def forward(self, x):
        return self.body.forward(x)

    def backward(self, dout):
        return self.body.backward(dout)

    def parameters(self):
        return self.body.parameters()

    def children(self):
        return [self.body]

    def train(self, mode: bool = True):
        self.training = bool(mode)
        self.body.train(mode)
        return self


def _activation_layer(config: LabConfig) -> nl.Layer:
    if config.activation == "prelu":
        return nl.PReLU(config.width, init=config.slope, dtype=np.dtype(config.dtype))
    if config.activation == "leaky_relu":
        return nl.LeakyReLU(config.slope)
    return nl.ACTIVATION_LAYERS[config.activation]()  # the name was checked by LabConfig


def build_network(config: LabConfig, rng) -> nl.Sequential:
    """``depth`` :class:`Block` s then a linear Dense read-out, initialised as ``config`` says."""
    if not isinstance(config, LabConfig):
        raise TypeError(f"config must be a LabConfig; got {type(config).__name__}")
    norm_cls = None
    if config.batch_norm:
        from .. import normalization  # notebook 07's building block

        norm_cls = normalization.BatchNorm1d
    kw = config.init_kwargs()
    kw["dtype"] = np.dtype(config.dtype)
    blocks: list[nl.Layer] = []
    for _ in range(config.depth):
        dense = nl.Dense(config.width, config.width, rng=rng, init=config.init, **kw)
        norm = norm_cls(config.width, dtype=kw["dtype"]) if norm_cls is not None else None
        blocks.append(Block(dense, _activation_layer(config), norm=norm, skip=config.skip,
                            norm_after=config.batch_norm == "after"))
    blocks.append(nl.Dense(config.width, config.outputs, rng=rng, init=config.init, **kw))
    return nl.Sequential(*blocks)


@dataclass
class Diagnostics:
    """What :func:`measure` found. Per-layer arrays have length ``depth`` (layer ℓ at ℓ-1).

    Non-finite measurements (after an overflow) are stored as NaN and flagged by ``verdict``.
    ``theory_grad_a`` is the variance-propagation prediction of ``grad_a``, anchored at the
    measured last layer; ``theory_act_std`` predicts ``act_std``.
    """

    config: LabConfig
    z_std: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    grad_w: np.ndarray
    grad_a: np.ndarray
    update_ratio: np.ndarray
    theory_act_std: np.ndarray
    theory_grad_a: np.ndarray
    loss: float
    ratio: float
    weight_ratio: float
    verdict: str
    message: str
    extras: dict = field(default_factory=dict)

    @property
    def layers(self) -> np.ndarray:
        return np.arange(1, self.config.depth + 1)


def safe_norm(x) -> float:
    """Frobenius norm that does not overflow on large finite entries (inf/NaN if any are)."""
    x = as_float_array("x", x, finite=False)
    if x.dtype == np.float32:
        # the lab's usual case, 4x faster: a float32 sum of squares (within 1e-6 relative,
        # measured <= 6.5e-7 on the lab's networks), trusted only far from float32's overflow
        # and underflow
        flat32 = x.ravel()
        with np.errstate(all="ignore"):
            s = float(flat32 @ flat32)
        if 1e-20 < s < 1e30:
            return math.sqrt(s)
    flat = x.astype(np.float64).ravel()
    with np.errstate(all="ignore"):
        s = float(flat @ flat)  # one BLAS pass; NaN if any entry is NaN
        # float32 and narrower: a float64 sum of their squares can neither overflow nor
        # underflow, so s is exact enough as it is. Float64: only inside a safe range.
        if np.isnan(s) or (x.dtype.itemsize <= 4 and s != np.inf) or 1e-280 < s < 1e280:
            return math.sqrt(s)
        m = np.max(np.abs(flat)) if flat.size else 0.0
        if not np.isfinite(m):
            return float("inf") if not np.any(np.isnan(flat)) else float("nan")
        if m == 0:
            return 0.0
        y = flat / m
        return float(m * np.sqrt(y @ y))


def _mean_std(x) -> tuple[float, float]:
    """Mean and standard deviation of all entries of a finite array, in float64: as
    ``x.mean(dtype=np.float64)`` and ``x.std(dtype=np.float64)`` (two passes: the squares are
    of the deviations from the mean), from one float64 copy of ``x`` (numpy's mean and std
    would each convert it again)."""
    flat = np.array(x, dtype=np.float64).ravel()
    mean = flat.sum() / flat.size
    flat -= mean
    return float(mean), math.sqrt(float(flat @ flat) / flat.size)


def verdict_for(ratio: float, *, first: float, last: float, finite: bool,
                tiny: float = np.finfo(np.float32).tiny) -> str:
    """Classify a first/last gradient ratio (see :data:`HEALTHY_RATIO`); a first-layer gradient
    below ``tiny`` (the smallest normal number of the dtype) counts as underflow."""
    for name, value in (("ratio", ratio), ("first", first), ("last", last), ("tiny", tiny)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                             np.floating)):
            raise TypeError(f"{name} must be a number; got {type(value).__name__} "
                            f"{value!r:.40}")
    if not finite or (not np.isfinite(ratio) and ratio > 0):
        return "exploded"
    if first == 0 or last == 0 or not first >= tiny:
        return "vanished"
    if ratio < 1 / HEALTHY_RATIO:
        return "vanishing"
    if ratio > HEALTHY_RATIO:
        return "exploding"
    return "healthy"


def _saturation(config: LabConfig, z, a):
    """Boolean mask (N, width): saturated (sigmoid/tanh) or inactive (ReLU family) units."""
    spec = act.ACTIVATIONS[config.activation]
    if spec.kind == "smooth":
        return spec.dphi(z) < SATURATION_LEVEL * spec.peak
    return z <= 0


def measure(config: LabConfig | None = None, **changes) -> Diagnostics:
    """Build the network of ``config`` (fields overridable as keywords), run one batch forward
    and backward, and return its :class:`Diagnostics`. Deterministic in ``config.seed``."""
    config = (config or LabConfig()).replace(**changes) if changes else (config or LabConfig())
    with blas_threads(1):  # small products: one thread is ~100x faster on a busy machine
        return _measure(config)


class _Tape:
    """The random numbers that :func:`measure` drew for one seed, in order, to hand out again.

    A lab moves one control at a time: the next network has the same seed and mostly the
    same layer shapes, so it starts with the same draws (a deeper net: the same first layers;
    a new init scale: the same standard normals, scaled afterwards). Drawing 50 layers of
    256×256 normals is a third of a measurement; replaying them hands back the kept arrays,
    read-only (their users, :mod:`nnlib.init` and the inputs below, write their results to new
    arrays; copying the 26 MB of draws of depth 50 × width 256 took ~14 ms of a ~80 ms move).
    What is replayed is exactly what the generator returned, and the generator is put in the
    state it had after that draw, so every number :func:`measure` returns is the same as
    without the tape.
    Bounded by ``MAX_BYTES`` (past that, draws are made as usual and not kept).
    """

    MAX_BYTES = 64 * 2**20

    def __init__(self):
        self.lock = threading.Lock()
        self.seed = None
        self.calls = []  # (what was asked, the generator's state before, result, state after)
        self.bytes = 0

    def generator(self, seed: int) -> np.random.Generator:
        if seed != self.seed:
            self.seed, self.calls, self.bytes = seed, [], 0
        return _ReplayGenerator(self, seed)


class _ReplayGenerator(np.random.Generator):
    """A ``default_rng(seed)`` that takes its draws from a :class:`_Tape` while the calls
    match the recorded ones, and records the rest."""

    def __init__(self, tape: _Tape, seed: int):
        super().__init__(np.random.PCG64(seed))  # what np.random.default_rng(seed) makes
        self._tape, self._next = tape, 0

    def _taped(self, key, draw):
        calls, i = self._tape.calls, self._next
        self._next += 1
        before = self.bit_generator.state
        # the same request from the same generator state (so a draw made in between by a
        # method the tape does not keep can never shift what is replayed)
        if i < len(calls) and calls[i][0] == key and calls[i][1] == before:
            self.bit_generator.state = calls[i][3]
            return calls[i][2]
        if i < len(calls):  # the first call that differs: the rest of the tape is stale
            self._tape.bytes -= sum(c[2].nbytes for c in calls[i:])
            del calls[i:]
        result = draw()
        if len(calls) == i and self._tape.bytes + result.nbytes <= _Tape.MAX_BYTES:
            result.flags.writeable = False  # kept and handed out again: nobody may change it
            calls.append((key, before, result, self.bit_generator.state))
            self._tape.bytes += result.nbytes
        return result

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        if out is not None or size is None:
            return super().standard_normal(size, dtype, out)
        return self._taped(("standard_normal", _shape(size), np.dtype(dtype).str),
                           lambda: super(_ReplayGenerator, self).standard_normal(size, dtype))

    def uniform(self, low=0.0, high=1.0, size=None):
        if size is None or not (np.isscalar(low) and np.isscalar(high)):
            return super().uniform(low, high, size)
        return self._taped(("uniform", float(low), float(high), _shape(size)),
                           lambda: super(_ReplayGenerator, self).uniform(low, high, size))


def _shape(size) -> tuple:
    return tuple(int(n) for n in np.atleast_1d(size))


_TAPE = _Tape()


def _measure(config: LabConfig) -> Diagnostics:
    with _TAPE.lock:
        return _measure_with(config, _TAPE.generator(config.seed))


def _measure_with(config: LabConfig, rng: np.random.Generator) -> Diagnostics:
    net = build_network(config, rng)
    dtype = np.dtype(config.dtype)
    x = rng.standard_normal((config.batch_size, config.width)).astype(dtype)
    y = rng.standard_normal((config.batch_size, config.outputs)).astype(dtype)
    L = config.depth
    stats = {k: np.full(L, np.nan) for k in ("z_std", "act_mean", "act_std", "saturated",
                                            "dead", "grad_w", "grad_a", "update_ratio")}
    overflow = None  # where floating point first overflowed: (what, layer)
    with np.errstate(all="ignore"):
        out = net.forward(x)
        loss, dout = np.inf, None
        if np.all(np.isfinite(out)):
            loss, dout = quadratic(out, y)
            if np.isfinite(loss):
                net.backward(dout)  # a new network: its gradients start at zero
            else:
                dout = None
        for i, blk in enumerate(net.layers[:-1]):
            z, a = blk.z, blk.a
            if not (np.all(np.isfinite(z)) and np.all(np.isfinite(a))):
                overflow = overflow or ("activations", i + 1)
                continue
            stats["z_std"][i] = _mean_std(z)[1]
            stats["act_mean"][i], stats["act_std"][i] = _mean_std(a)
            sat = _saturation(config, z, a)
            stats["saturated"][i] = sat.mean()
            stats["dead"][i] = sat.all(axis=0).mean()
        if overflow is None and dout is None:
            overflow = ("loss", L + 1)
        for i, blk in reversed(list(enumerate(net.layers[:-1]))):
            if dout is None:
                break
            gw, ga = safe_norm(blk.dense.W.grad), safe_norm(blk.da)
            if np.isfinite(gw) and np.isfinite(ga):
                stats["grad_w"][i], stats["grad_a"][i] = gw, ga
                wn = safe_norm(blk.dense.W.data)
                stats["update_ratio"][i] = config.lr * gw / wn if wn > 0 else np.nan
            elif overflow is None:
                overflow = ("gradient", i + 1)
    finite = overflow is None
    first, last = stats["grad_a"][0], stats["grad_a"][-1]
    with np.errstate(all="ignore"):
        ratio = float(first / last) if finite and last > 0 else (np.inf if not finite else 0.0)
        wr = float(stats["grad_w"][0] / stats["grad_w"][-1]) if finite else np.nan
    verdict = verdict_for(ratio, first=first, last=last, finite=finite,
                          tiny=float(np.finfo(dtype).tiny))
    message = _message(verdict, ratio, overflow, L, dtype)
    # A skip path can carry ∂L/∂a past a layer whose units are all inactive for the batch
    # (e.g. width 1, a dead ReLU): that layer's weights get no gradient at all and cannot
    # learn, so the network is not healthy even when the activation-gradient ratio is fine.
    frozen = [i + 1 for i, g in enumerate(stats["grad_w"]) if g == 0]
    if finite and frozen and verdict not in ("exploded", "vanished"):
        verdict = "vanished"
        message = (f"vanished: the weights of layer{'s' if len(frozen) > 1 else ''} "
                   f"{', '.join(map(str, frozen[:5]))}{'...' if len(frozen) > 5 else ''} get "
                   "no gradient at all (every unit inactive for the whole batch), so they "
                   f"cannot learn; ‖∂L/∂W_1‖ / ‖∂L/∂W_{L}‖ = {wr:.3g}")
    prof = None
    if not (config.skip or config.batch_norm):  # the mean-field theory covers plain stacks
        n = config.width  # the config checked every field: no need to check them again
        w_std = init_std(config.init, n, n, scale=config.scale, std=config.std, a=config.a)
        prof = _variance_profile(L, n, config.activation, w_std, config.slope, 1.0)
    theory_grad, theory_std = np.full(L, np.nan), np.full(L, np.nan)
    if prof is not None:
        with np.errstate(all="ignore"):
            anchor = last if finite and last > 0 else np.nan
            theory_grad = anchor * 10.0 ** prof.log10_grad
            theory_grad[~np.isfinite(theory_grad) | (theory_grad <= 0)] = np.nan
            theory_std = np.where(np.isfinite(prof.act_std), prof.act_std, np.nan)
    return Diagnostics(config=config, loss=float(loss) if np.isfinite(loss) else float("inf"),
                       ratio=ratio, weight_ratio=wr, verdict=verdict, message=message,
                       theory_act_std=theory_std, theory_grad_a=theory_grad,
                       extras={"overflow": overflow, "profile": prof}, **stats)


def _message(verdict: str, ratio: float, overflow, depth: int, dtype) -> str:
    if verdict == "exploded":
        what, layer = overflow
        where = "the loss" if what == "loss" else f"the {what} of layer {layer}"
        return (f"exploded: {where} overflowed {np.dtype(dtype).name} "
                f"(beyond {np.finfo(dtype).max:.1e})")
    if verdict == "vanished":
        return (f"vanished: the first layer's gradient underflowed {np.dtype(dtype).name} "
                f"(below {np.finfo(dtype).tiny:.1e})")
    return f"‖∂L/∂a_1‖ / ‖∂L/∂a_{depth}‖ = {ratio:.3g}: {verdict}"
