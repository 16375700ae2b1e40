"""CNNs for MNIST built from the lecture's blocks: convolution, pooling, fully-connected.

Every model is an ``nn.Sequential`` whose layers have names (``conv1``, ``pool1``, ``relu1``,
..., ``fc1``, ``out``), so a layer's feature maps can be looked up by name.

* :func:`lenet` - the classic LeNet-5 layout (6 and 16 filters of 5x5, FC 120-84-10), 62 k weights.
* :func:`fast_cnn` - the network we train in the notebook and the benchmark: 16 and 32 filters on
  the central 24x24 pixels (MNIST digits sit inside a 20x20 box), max-pooling before the ReLU
  (same result, a quarter of the ReLU work), one hidden FC layer; 72 k weights, about twice as
  cheap per image as the usual speed recipes while as accurate.
* :func:`cnn` - any stack of conv+pool blocks and an FC head (the trial-and-error widget).
* :func:`build_model` - one of those by name with keyword arguments (what checkpoints store).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from .. import activations as _act
from .._checks import check_choice, check_dropout, check_positive_int
from ._checks import check_module, check_tensor

POOLINGS = ("max", "avg", "none")
#: registry name -> torch module class, for every activation in nnlib.activations.ACTIVATIONS
#: that bends and has a torch twin (relu, tanh, sigmoid, leaky_relu, prelu)
ACTIVATIONS = {name: getattr(nn, spec.torch) for name, spec in _act.ACTIVATIONS.items()
               if name in _act.TRAINABLE and spec.torch is not None}


class CenterCrop(nn.Module):
    """``(N, C, H, W)`` -> ``(N, C, H - 2m, W - 2m)``: drop ``m`` pixels at each edge."""

    def __init__(self, margin: int):
        super().__init__()
        self.margin = check_positive_int("margin", margin, minimum=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.margin
        if m == 0:
            return x
        return x[..., m:x.shape[-2] - m, m:x.shape[-1] - m]

    def extra_repr(self) -> str:
        return f"margin={self.margin}"


def _flat_size(layers: OrderedDict, in_shape) -> int:
    with torch.no_grad():
        probe = nn.Sequential(layers)(torch.zeros(1, *in_shape))
    return int(probe.numel())


def _check_fits(in_shape, crop, kernels, padding, pooling, filters, kernel_size) -> None:
    """Raise ValueError, naming the arguments, if the layers shrink the image to nothing."""
    if (not isinstance(in_shape, (tuple, list)) or len(in_shape) != 3
            or not all(isinstance(v, int) and v >= 1 for v in in_shape)):
        raise ValueError(f"in_shape must be (channels, height, width) of positive ints; "
                         f"got {in_shape!r}")
    size = (in_shape[1] - 2 * crop, in_shape[2] - 2 * crop)
    if min(size) < 1:
        raise ValueError(f"crop {crop} removes the whole {in_shape[1]}x{in_shape[2]} input")
    for i, k in enumerate(kernels, start=1):
        before = size
        pad = k // 2 if padding == "same" else 0
        size = tuple(s + 2 * pad - k + 1 for s in size)
        if min(size) < 1:
            raise ValueError(
                f"kernel_size {k} of conv{i} does not fit its {before[0]}x{before[1]} input "
                f"(padding {padding!r}): filters {filters} with kernel_size {kernel_size!r} "
                f"shrink the {in_shape[1]}x{in_shape[2]} image to nothing; use smaller "
                "kernels, fewer conv layers or padding='same'")
        if pooling != "none":
            size = (size[0] // 2, size[1] // 2)
            if min(size) < 1:
                raise ValueError(
                    f"conv{i} leaves a {before[0] + 2 * pad - k + 1}x{before[1] + 2 * pad - k + 1} "
                    f"map that 2x2 pooling cannot halve: filters {filters} with kernel_size "
                    f"{kernel_size!r} shrink the {in_shape[1]}x{in_shape[2]} image to nothing; "
                    "use fewer conv layers, smaller kernels or pooling='none'")


def _as_tuple(name, value, n):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"{name} must be one int or one per conv layer ({n}); got {value!r}")
    return tuple(check_positive_int(name, v) for v in values)


def cnn(filters=(16, 32), *, kernel_size=5, pooling: str = "max", hidden: int | None = 128,
        dropout: float = 0.0, batch_norm: bool = False, activation: str = "relu",
        crop: int = 0, padding: str = "same", in_shape=(1, 28, 28),
        num_classes: int = 10) -> nn.Sequential:
    """A CNN: ``len(filters)`` blocks of conv -> (batch norm) -> pool 2x2 -> activation, then FC.

    Input ``(N, 1, 28, 28)`` -> logits ``(N, num_classes)``.
    filters: channels of each conv layer, e.g. ``(16, 32)``. kernel_size: one int or one per layer.
    pooling: ``"max"``, ``"avg"`` or ``"none"`` (2x2, stride 2). hidden: width of the hidden FC
    layer (``None`` or 0: straight to the output). dropout: probability before each FC layer.
    padding: ``"same"`` keeps the size through each conv, ``"valid"`` shrinks it by k - 1.
    crop: pixels dropped from each edge of the input first.
    """
    filters = tuple(filters) if isinstance(filters, (tuple, list)) else (filters,)
    if not filters:
        raise ValueError("filters must name at least one conv layer; got ()")
    filters = _as_tuple("filters", filters, len(filters))
    kernels = _as_tuple("kernel_size", kernel_size, len(filters))
    check_choice("pooling", pooling, POOLINGS)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("padding", padding, ("same", "valid"))
    dropout = check_dropout("dropout", dropout)
    crop = check_positive_int("crop", crop, minimum=0)
    num_classes = check_positive_int("num_classes", num_classes)
    _check_fits(in_shape, crop, kernels, padding, pooling, filters, kernel_size)
    act = ACTIVATIONS[activation]
    layers = OrderedDict()
    if crop:
        layers["crop"] = CenterCrop(crop)
    cin = in_shape[0]
    for i, (cout, k) in enumerate(zip(filters, kernels), start=1):
        pad = k // 2 if padding == "same" else 0
        layers[f"conv{i}"] = nn.Conv2d(cin, cout, k, padding=pad, bias=not batch_norm)
        if batch_norm:
            layers[f"bn{i}"] = nn.BatchNorm2d(cout)
        if pooling == "max":
            layers[f"pool{i}"] = nn.MaxPool2d(2)
        elif pooling == "avg":
            layers[f"pool{i}"] = nn.AvgPool2d(2)
        layers[f"{activation}{i}"] = act()
        cin = cout
    layers["flatten"] = nn.Flatten()
    width = _flat_size(layers, in_shape)
    if hidden:
        hidden = check_positive_int("hidden", hidden)
        if dropout:
            layers["drop1"] = nn.Dropout(dropout)
        layers["fc1"] = nn.Linear(width, hidden)
        layers[f"{activation}_fc1"] = act()
        width = hidden
    if dropout:
        layers["drop_out"] = nn.Dropout(dropout)
    layers["out"] = nn.Linear(width, num_classes)
    return nn.Sequential(layers)


def lenet(*, activation: str = "relu", pooling: str = "max") -> nn.Sequential:
    """LeNet-5's layout: conv 5x5 (6, padded) -> pool -> conv 5x5 (16) -> pool -> FC 120-84-10.

    ``(N, 1, 28, 28)`` -> ``(N, 10)``; 61 706 weights.
    """
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("pooling", pooling, ("max", "avg"))
    act = ACTIVATIONS[activation]
    pool = nn.MaxPool2d if pooling == "max" else nn.AvgPool2d
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("pool1", pool(2)), (f"{activation}1", act()),
        ("conv2", nn.Conv2d(6, 16, 5)), ("pool2", pool(2)), (f"{activation}2", act()),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * 5 * 5, 120)), (f"{activation}_fc1", act()),
        ("fc2", nn.Linear(120, 84)), (f"{activation}_fc2", act()),
        ("out", nn.Linear(84, 10)),
    ]))


def fast_cnn(*, width: int = 16, hidden: int = 128, batch_norm: bool = False,
             dropout: float = 0.0) -> nn.Sequential:
    """The fast MNIST CNN: crop 2 -> conv 5x5 (w) -> pool -> ReLU -> conv 3x3 (2w) -> pool -> ReLU
    -> FC ``hidden`` -> ReLU -> FC 10.

    ``(N, 1, 28, 28)`` -> ``(N, 10)``. With the defaults 72 k weights; 24 -> 20 -> 10 -> 8 -> 4.
    ``dropout`` > 0 puts inverted dropout (``nn.Dropout``, the definition of
    :class:`nnlib.regularization.Dropout`) before each fully-connected layer.
    """
    width = check_positive_int("width", width)
    return cnn((width, 2 * width), kernel_size=(5, 3), pooling="max", hidden=hidden,
               dropout=dropout, batch_norm=batch_norm, crop=2, padding="valid")


MODELS = {"fast_cnn": fast_cnn, "lenet": lenet, "cnn": cnn}


def build_model(name: str, **kwargs) -> nn.Sequential:
    """``MODELS[name](**kwargs)``; e.g. ``build_model("cnn", filters=(8, 16), dropout=0.25)``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a model name (a string), one of {list(MODELS)}; "
                        f"got {name!r}")
    if name not in MODELS:
        raise ValueError(f"unknown model name {name!r}; allowed: {', '.join(MODELS)}")
    return MODELS[name](**kwargs)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable weights and biases."""
    check_module("model", model)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def feature_maps(model: nn.Sequential, x: torch.Tensor) -> OrderedDict:
    """Run ``x`` ``(N, 1, 28, 28)`` through ``model`` and return every named layer's output.

    Returns an ordered dict ``{layer_name: tensor}`` (on the CPU, detached); in eval mode.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be an nn.Sequential with named layers; got "
                        f"{type(model).__name__}")
    check_tensor("x", x, what="a torch.Tensor (N, 1, H, W)")
    was_training = model.training
    model.eval()
    maps = OrderedDict()
    device = next(model.parameters()).device
    with torch.inference_mode():
        h = x.to(device)
        for name, layer in model.named_children():
            h = layer(h)
            maps[name] = h.detach().to("cpu")
    model.train(was_training)
    return maps


def multiply_adds(model: nn.Module, in_shape=(1, 28, 28)) -> int:
    """Multiply-adds of one forward pass for one image of ``in_shape`` (conv and linear layers).

    A conv layer does (input channels x k x k) of them per output number; a fully-connected
    layer one per weight. Backpropagation costs about twice as many again.
    """
    check_module("model", model)
    if not isinstance(in_shape, (tuple, list)):
        raise TypeError(f"in_shape must be a tuple (C, H, W); got {type(in_shape).__name__}")
    in_shape = tuple(check_positive_int(f"in_shape[{i}]", s) for i, s in enumerate(in_shape))
    total = 0

    def count(layer, _inputs, output):
        nonlocal total
        if isinstance(layer, nn.Conv2d):
            kh, kw = layer.kernel_size
            total += output[0].numel() * (layer.in_channels // layer.groups) * kh * kw
        elif isinstance(layer, nn.Linear):
            total += layer.in_features * layer.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules()
             if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        device = next(model.parameters()).device
        dtype = next(model.parameters()).dtype
        with torch.no_grad():
            model(torch.zeros(1, *in_shape, device=device, dtype=dtype))
    finally:
        for h in hooks:
            h.remove()
    return int(total)
