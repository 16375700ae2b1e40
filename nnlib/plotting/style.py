"""The course's figure style, and the presenter setting that enlarges it for a projector.

``apply()`` runs when :mod:`nnlib.plotting` is imported. Normal mode keeps matplotlib's sizes
but never goes below 10 pt for tick labels and legends. Presenter mode (``NNLIB_PRESENTER=1`` in
the environment, as ``make present`` sets, or ``presenter(True)`` in a running notebook) draws
every figure at ``scale`` times the resolution, so figures, lines and text all grow together,
and bumps the text a little more so a back row can read tick labels.
"""

from __future__ import annotations

import os

import matplotlib as mpl

#: rcParams in every mode: readable at the default size (tick labels and legends >= 10 pt)
BASE = {
    "font.size": 10.5,
    "axes.titlesize": 11.5,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 12,
}
#: the default resolution (matplotlib's) that presenter mode multiplies
BASE_DPI = 100.0
_state = {"presenter": False, "scale": 1.0}


def presenter_from_env() -> bool:
    """True when ``NNLIB_PRESENTER`` is set to 1/true/yes/on."""
    return os.environ.get("NNLIB_PRESENTER", "").strip().lower() in ("1", "true", "yes", "on")


def apply(presenter: bool | None = None, *, scale: float = 1.5) -> dict:
    """Set the course rcParams; ``presenter=None`` reads ``NNLIB_PRESENTER``. Returns the
    settings applied (for tests). ``scale``: how much larger presenter figures are (1-3)."""
    if presenter is None:
        presenter = presenter_from_env()
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 1 <= scale <= 3:
        raise ValueError(f"scale must be a number in [1, 3]; got {scale!r}")
    settings = dict(BASE)
    if presenter:
        settings = {k: v * 1.15 for k, v in settings.items()}
        settings["figure.dpi"] = BASE_DPI * scale
        settings["lines.linewidth"] = 2.0
    else:
        settings["figure.dpi"] = BASE_DPI
    mpl.rcParams.update(settings)
    _state.update(presenter=bool(presenter), scale=float(scale) if presenter else 1.0)
    return settings


def presenter(on: bool = True, *, scale: float = 1.5) -> dict:
    """Switch presenter mode on or off for the figures drawn from now on."""
    return apply(bool(on), scale=scale)


def is_presenter() -> bool:
    return _state["presenter"]


def scale() -> float:
    """The current presenter scale (1.0 outside presenter mode)."""
    return _state["scale"]
