"""The optimiser race lab and its plot, driven programmatically (no browser)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
plt = pytest.importorskip("matplotlib.pyplot")

from nnlib.lessons import optimiser_surfaces as os_  # noqa: E402
from nnlib.lessons import optimiser_theory as ot  # noqa: E402
from nnlib.plotting.optimisers import GAP_FLOOR, RacePlot, plot_curves, plot_lr_sweep  # noqa: E402
from nnlib.widgets.optimiser_race import (  # noqa: E402
    DEFAULT_RACERS,
    OptimiserRaceLab,
    optimiser_race_lab,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def lab():
    lab = optimiser_race_lab()
    assert isinstance(lab, OptimiserRaceLab)
    return lab


def _data(lab, key):
    x, y = lab.plot.lines[key].get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _no_nan_text(html):
    text = re.sub(r"<[^>]+>", " ", html).lower()
    return not re.search(r"\bnan\b|\binf\b", text)


def test_lab_builds_with_every_control_and_runs_the_default_race(lab):
    assert set(lab.controls) == {"surface", "kappa", "x0", "y0", "lr", "momentum", "beta1",
                                 "beta2", "steps", "tol", "optimizers", "scenario"}
    assert tuple(lab.runs) == DEFAULT_RACERS
    assert all(len(r.points) == 201 for r in lab.runs.values())
    for name in DEFAULT_RACERS:
        assert name in lab.readout.value
        x, y = _data(lab, f"loss:{name}")
        np.testing.assert_allclose(y, np.maximum(lab.runs[name].gaps, GAP_FLOOR))
    assert not lab.plot.lines["loss:nesterov"].get_visible()
    assert lab.controls["lr"].continuous_update is False
    assert "2/λ<sub>max</sub> = 0.04" in lab.readout.value  # kappa = 50


def test_a_control_change_updates_the_same_artists(lab):
    fig, ids = lab.view.fig, {k: id(v) for k, v in lab.plot.lines.items()}
    contours = lab.plot.contours
    before = _data(lab, "path:sgd")[0].copy()
    lab.controls["lr"].value = 0.03
    assert lab.runs["sgd"].hyper["lr"] == pytest.approx(0.03)
    assert not np.allclose(_data(lab, "path:sgd")[0], before)
    np.testing.assert_allclose(_data(lab, "path:adam")[1], lab.runs["adam"].points[:, 1])
    assert lab.view.fig is fig and {k: id(v) for k, v in lab.plot.lines.items()} == ids
    assert lab.plot.contours is contours  # same surface: contours are not redrawn


def test_momentum_and_betas_reach_the_optimisers(lab):
    with lab.hold():
        lab.controls["momentum"].value = 0.5
        lab.controls["beta1"].value = 0.7
        lab.controls["beta2"].value = 0.95
        lab.controls["optimizers"].value = ("momentum", "nesterov", "adam", "nadam")
    assert lab.runs["momentum"].hyper["momentum"] == 0.5
    assert lab.runs["nesterov"].hyper["nesterov"] is True
    assert lab.runs["adam"].hyper["betas"] == (0.7, 0.95)
    assert lab.runs["nadam"].hyper["betas"] == (0.7, 0.95)
    assert not lab.plot.lines["loss:sgd"].get_visible()


def test_hold_runs_the_race_once(lab, monkeypatch):
    calls = []
    original = lab.compute
    monkeypatch.setattr(lab, "compute", lambda: calls.append(1) or original())
    with lab.hold():
        lab.controls["lr"].value = 0.01
        lab.controls["steps"].value = 300
        lab.controls["momentum"].value = 0.8
    assert len(calls) == 1 and len(lab.runs["sgd"].points) == 301


def test_diverging_settings_say_diverged_and_draw_finite_data(lab):
    lab.controls["lr"].value = 1.0  # far beyond 2/lambda_max = 0.04
    assert lab.runs["sgd"].diverged and lab.runs["momentum"].diverged
    assert lab.readout.value.count("race-diverged") >= 2
    assert _no_nan_text(lab.readout.value)
    for name in lab.runs:
        x, y = _data(lab, f"path:{name}")
        assert len(x) >= 1 and np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    lo, hi = lab.plot.axes[1].get_ylim()
    assert np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi
    # every surface at the largest learning rate: no traceback, no NaN in the text
    for surface in ("rosenbrock", "saddle", "plateau"):
        lab.controls["surface"].value = surface
        lab.controls["lr"].value = 10.0
        assert _no_nan_text(lab.readout.value)
        assert np.all(np.isfinite(lab.plot.axes[1].get_ylim()))
    # gradient descent blows up on Rosenbrock within a step or two: its curve still shows a dot
    lab.controls["surface"].value = "rosenbrock"
    lab.controls["lr"].value = 10.0
    run = lab.runs["sgd"]
    assert run.diverged and len(run.points) <= 3
    line = lab.plot.lines["loss:sgd"]
    assert line.get_visible() and line.get_marker() == "o" and list(line.get_markevery()) == [-1]
    lo, hi = lab.plot.axes[1].get_ylim()
    assert lo <= line.get_ydata()[-1] <= hi  # drawn at the top edge if it is off the scale


def test_surface_change_resets_start_lr_and_contours(lab):
    contours = lab.plot.contours
    lab.controls["surface"].value = "rosenbrock"
    s = os_.Rosenbrock()
    assert (lab.controls["x0"].value, lab.controls["y0"].value) == s.start
    assert (lab.controls["x0"].min, lab.controls["x0"].max) == s.extent[:2]
    assert lab.controls["lr"].value == pytest.approx(0.001)
    assert isinstance(lab.surface, os_.Rosenbrock) and lab.controls["kappa"].disabled
    assert lab.plot.contours is not contours
    assert lab.plot.axes[0].get_xlim() == s.extent[:2]
    np.testing.assert_allclose(lab.runs["sgd"].points[0], s.start)
    assert "race-theory" not in lab.readout.value  # the theory is the quadratic's only


def test_kappa_changes_the_quadratic_and_its_theory(lab):
    lab.controls["optimizers"].value = ("sgd", "momentum")
    lab.controls["kappa"].value = 10.0
    assert lab.surface.kappa == pytest.approx(10.0)
    _, theory = _data(lab, "theory:gd")
    gaps = lab.runs["sgd"].gaps
    rho = ot.gd_rate(lab.controls["lr"].value, [1.0, 10.0])
    np.testing.assert_allclose(theory, np.maximum(gaps[0] * rho ** (2 * np.arange(201)),
                                                  GAP_FLOOR), rtol=1e-9)
    # the dashed line really bounds gradient descent from above (the rate is the worst mode's)
    assert np.all(np.maximum(gaps, GAP_FLOOR) <= theory * (1 + 1e-9))
    assert lab.plot.lines["theory:heavy_ball"].get_visible()
    lab.controls["optimizers"].value = ("adam",)
    assert not lab.plot.lines["theory:gd"].get_visible()


def test_a_click_on_the_contours_moves_the_start(lab):
    ax = lab.plot.axes[0]
    lab._on_click(SimpleNamespace(inaxes=ax, xdata=1.25, ydata=-0.5))
    np.testing.assert_allclose(lab.runs["adam"].points[0], [1.25, -0.5])
    lab._on_click(SimpleNamespace(inaxes=lab.plot.axes[1], xdata=3.0, ydata=3.0))
    np.testing.assert_allclose(lab.runs["adam"].points[0], [1.25, -0.5])


def test_no_optimiser_selected(lab):
    lab.controls["optimizers"].value = ()
    assert lab.runs == {} and "choose at least one optimiser" in lab.readout.value
    assert not any(lab.plot.lines[f"path:{n}"].get_visible() for n in DEFAULT_RACERS)


def test_race_plot_with_legend_and_static_helpers():
    q = os_.Quadratic(kappa=20.0)
    runs = os_.race(q, q.start, 50, ["sgd", "adam"], lr=0.05)
    plot = RacePlot()
    X, Y, Z = q.grid(40)
    plot.set_surface(X, Y, Z, f_min=0.0, minimum=q.minimum, key=q.key())
    shown = plot.update(runs, start=q.start, steps=50, tol=1e-3)
    assert [t.get_text() for t in plot.legend.get_texts()] == ["sgd", "adam", "tolerance"]
    assert len(shown) == 3
    lines = plot_lr_sweep([0.01, 0.1], [1.0, 1e-3], threshold=0.1, measured=0.099)
    assert len(lines) == 3
    out = plot_curves({"sgd": [1.0, 0.5, 0.25], "adam": ([0, 2], [1.0, 0.1])}, ylabel="loss")
    np.testing.assert_array_equal(out[1].get_xdata(), [0, 2])
    for t in out[0].axes.get_xticklabels() + [out[0].axes.get_legend().get_texts()[0]]:
        assert t.get_fontsize() >= 10
