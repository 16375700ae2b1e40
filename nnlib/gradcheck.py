"""Gradient checking by centred differences.

For a scalar function f and an array x, the centred difference
(f(x + h e_i) − f(x − h e_i)) / (2h) approximates ∂f/∂x_i with error O(h²).
We compare it with the analytic gradient g by the relative error

    rel_error(a, b) = ‖a − b‖ / max(‖a‖ + ‖b‖, tiny)        (Euclidean norms)

which is ≲ 1e-7 in float64 when backprop is right (≲ 1e-5 next to kinks such as ReLU at 0)
and ≳ 1e-2 when it is wrong. Always check in float64.

Two numerical choices matter. The step h = 1e-5 is near the best one for centred differences,
ε^{1/3} ≈ 6e-6 (ε = 2.2e-16): a smaller h lets round-off in f dominate, a larger one the O(h²)
truncation. And the error is measured on the whole array, not element by element: a gradient
component that is truly ~0 carries an absolute round-off of ~1e-10 whatever h is, which as an
element-wise *relative* error would be O(1) although backprop is right.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_positive_float, check_rng


def rel_error(a, b, tiny: float = 1e-12) -> float:
    """Relative error ‖a − b‖ / (‖a‖ + ‖b‖) between arrays ``a`` and ``b`` of equal shape.

    0 when they are equal (including both zero); it never exceeds the largest element-wise
    relative error max_i |a_i − b_i| / (|a_i| + |b_i|).
    """
    a = as_float_array("a", a, finite=False).astype(np.float64, copy=False)
    b = as_float_array("b", b, finite=False).astype(np.float64, copy=False)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel())
    return float(np.linalg.norm((a - b).ravel()) / max(scale, tiny))


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂f/∂x by centred differences. f: () -> float reads ``x``, which is perturbed in place.

    x must be a float64 array; it is restored exactly after each perturbation.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments returning a float; "
                        f"got {type(f).__name__} {f!r:.60}")
    h = check_positive_float("h", h)
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array (finite differences need float64); "
                        f"got {type(x).__name__} {getattr(x, 'dtype', '')}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_array(f, x: np.ndarray, dout: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of ⟨f(x), dout⟩ w.r.t. x, for array-valued f: the vector-Jacobian product.

    f: () -> array of ``dout``'s shape, reading ``x`` (perturbed in place)."""
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments returning an array; "
                        f"got {type(f).__name__} {f!r:.60}")
    dout = as_float_array("dout", dout, finite=False)
    out_shape = np.shape(f())
    if dout.shape != out_shape:
        raise ValueError(f"dout must have the shape of f()'s output {out_shape}; got "
                         f"{dout.shape}")
    return numerical_gradient(lambda: float(np.sum(f() * dout)), x, h)


def check_layer(layer, x, *, rng, h: float = 1e-5) -> dict[str, float]:
    """Compare a layer's backward with centred differences, for its input and each parameter.

    Uses the scalar L = Σ out ⊙ r with a random r, so dout = r. x: the layer's input batch
    (float64). Returns ``{"x": err, "<param name>": err, ...}`` relative errors.
    """
    for method in ("forward", "backward", "parameters"):
        if not callable(getattr(layer, method, None)):
            raise TypeError(f"layer must be an nnlib Layer (forward, backward, parameters); "
                            f"got {type(layer).__name__} {layer!r:.60}")
    rng = check_rng("rng", rng)
    h = check_positive_float("h", h)
    x = np.array(as_float_array("x", x), dtype=np.float64)
    out = layer.forward(x)
    r = rng.standard_normal(out.shape)
    layer.zero_grad()  # backward adds into .grad
    dx = layer.backward(r.copy())
    params = layer.parameters()
    names = [p.name or str(i) for i, p in enumerate(params)]
    if len(set(names)) < len(names):  # e.g. several Dense layers in a Sequential
        names = [f"{n}[{i}]" for i, n in enumerate(names)]
    analytic = {"x": dx}
    analytic.update({n: p.grad.copy() for n, p in zip(names, params)})

    def loss():
        return float(np.sum(layer.forward(x) * r))

    errors = {"x": rel_error(numerical_gradient(loss, x, h), analytic["x"])}
    for n, p in zip(names, params):
        errors[n] = rel_error(numerical_gradient(loss, p.data, h), analytic[n])
    return errors


def check_loss(loss_fn, pred, target, h: float = 1e-5) -> float:
    """Relative error between a loss's analytic gradient w.r.t. ``pred`` and centred differences."""
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a loss function (pred, target) -> (loss, dpred), e.g. "
                        f"nnlib.losses.quadratic; got {type(loss_fn).__name__} {loss_fn!r:.60}")
    pred = np.array(as_float_array("pred", pred), dtype=np.float64)
    _, analytic = loss_fn(pred, target)
    numeric = numerical_gradient(lambda: loss_fn(pred, target)[0], pred, h)
    return rel_error(numeric, analytic)
