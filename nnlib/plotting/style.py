"""The course's figure style, and the presenter setting that enlarges it for a projector.

``apply()`` runs when :mod:`nnlib.plotting` is imported. Normal mode keeps matplotlib's sizes
but never goes below 10 pt for tick labels and legends. Presenter mode (``NNLIB_PRESENTER=1`` in
the environment, as ``make present`` sets, or ``presenter(True)`` in a running notebook) draws
every figure at ``scale`` times the resolution, so figures, lines and text all grow together,
and bumps the text a little more so a back row can read tick labels.

Every figure made through pyplot fits its notebook column (:func:`fit`, a matplotlib figure
hook): a figure asked for wider than :data:`MAX_WIDTH_IN` is drawn at that width with its
aspect kept (text keeps its point size, so it stays readable), and in presenter mode the
enlargement stops where the figure would leave the projector's column or screen. Under ipympl
the canvas loses its "Figure N" header. One colour-blind-safe palette (matplotlib's
``petroff10``) is paired with a line-style cycle, so two curves always differ in more than
colour.
"""

from __future__ import annotations

import os

import matplotlib as mpl
from matplotlib import cycler

#: The course palette (Petroff 2021, shipped with matplotlib as the ``petroff10`` style):
#: colours that readers with the common colour-vision deficiencies can tell apart. "C0".."C9"
#: in plotting code name these, in this order: blue, orange, red, grey, purple, brown, dark
#: orange, khaki, slate, light cyan.
PALETTE = ("#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300",
           "#b9ac70", "#717581", "#92dadd")
#: Line styles cycled with the palette: the n-th line of an axes differs from the others in
#: dash pattern as well as colour (solid first, so one-line plots look as usual).
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 3)),
              (0, (3, 1, 1, 1)), (0, (6, 2, 2, 2)), (0, (2, 1)))
#: The widest figure, in inches, at matplotlib's 100 dpi: 880 px, what a JupyterLab output
#: column offers on a 1366x768 laptop with the file browser open (~930 px), with a margin.
MAX_WIDTH_IN = 8.8
#: The widest a presenter-mode figure may be drawn, in CSS pixels: the output column of a
#: 1280x720 projector window with JupyterLab's side panels hidden (~1085 px less the prompt).
PRESENTER_MAX_WIDTH_PX = 1000
#: The tallest a presenter-mode figure may be drawn, in CSS pixels: a 1280x720 window shows
#: ~600 px of notebook, and a lab's controls need room above its plot.
PRESENTER_MAX_HEIGHT_PX = 440
_HOOK = "nnlib.plotting.style:fit"

#: rcParams in every mode: readable at the default size (tick labels and legends >= 10 pt)
BASE = {
    "font.size": 10.5,
    "axes.titlesize": 11.5,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 12,
    "axes.prop_cycle": cycler(color=list(PALETTE)) + cycler(linestyle=list(LINESTYLES)),
    "patch.facecolor": PALETTE[0],
    "image.cmap": "viridis",
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
        settings = {k: v * 1.15 if isinstance(v, float | int) else v
                    for k, v in settings.items()}
        settings["figure.dpi"] = BASE_DPI * scale
        settings["lines.linewidth"] = 2.0
    else:
        settings["figure.dpi"] = BASE_DPI
    hooks = [h for h in mpl.rcParams["figure.hooks"] if h != _HOOK]
    mpl.rcParams.update(settings)
    mpl.rcParams["figure.hooks"] = [*hooks, _HOOK]
    _state.update(presenter=bool(presenter), scale=float(scale) if presenter else 1.0)
    return settings


def fit(fig) -> None:
    """Make ``fig`` fit the notebook column (called by pyplot for every new figure).

    Wider than :data:`MAX_WIDTH_IN`: drawn at that width, height scaled with it. Resolution:
    matplotlib's 100 dpi, or in presenter mode ``scale`` times that, but never so much that the
    figure is wider than :data:`PRESENTER_MAX_WIDTH_PX`. The ipympl canvas (``%matplotlib
    widget``) shows no "Figure N" header: a caption in the notebook says what the figure is.
    """
    width, height = (float(v) for v in fig.get_size_inches())
    if width > MAX_WIDTH_IN:
        width, height = MAX_WIDTH_IN, height * MAX_WIDTH_IN / width
    dpi = BASE_DPI * _state["scale"]
    if _state["presenter"]:
        dpi = min(dpi, max(BASE_DPI, min(PRESENTER_MAX_WIDTH_PX / width,
                                         PRESENTER_MAX_HEIGHT_PX / height)))
    if abs(fig.dpi - dpi) > 1e-9:
        fig.set_dpi(dpi)
    fig.set_size_inches(width, height)
    canvas = fig.canvas
    if hasattr(canvas, "header_visible"):
        canvas.header_visible = False


def refit_open_figures() -> int:
    """Apply :func:`fit` to every figure pyplot has open and redraw it (after a switch of
    presenter mode, so figures already on screen follow). Returns how many were refitted."""
    import matplotlib.pyplot as plt

    figures = [plt.figure(n) for n in plt.get_fignums()]
    for fig in figures:
        fit(fig)
        fig.canvas.draw_idle()
    return len(figures)


def presenter(on: bool = True, *, scale: float = 1.5) -> dict:
    """Switch presenter mode on or off: figures drawn from now on, and those already open
    (redrawn at the new resolution)."""
    import sys

    settings = apply(bool(on), scale=scale)
    if "matplotlib.pyplot" in sys.modules:
        refit_open_figures()
    return settings


def is_presenter() -> bool:
    return _state["presenter"]


def scale() -> float:
    """The current presenter scale (1.0 outside presenter mode)."""
    return _state["scale"]
