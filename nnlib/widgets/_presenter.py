"""Presenter mode for a projector: larger figures (see :mod:`nnlib.plotting.style`) and larger
widget controls.

``make present`` starts JupyterLab with ``NNLIB_PRESENTER=1``: every figure is drawn larger and
the first lab a notebook builds enlarges the controls. In a running notebook,
``presenter(True)`` does the same from that cell on (``presenter(False)`` undoes it). Pair it with
JupyterLab's View → Presentation Mode, which hides the side panels; the widgets stay live.
"""

from __future__ import annotations

import ipywidgets as w

from ..plotting import style

_ids = {"css": None}


def widget_css(scale: float) -> str:
    """CSS that scales ipywidgets 8's own size variables (font, row height, label width)."""
    s = float(scale)
    return ("<style>:root{"
            f"--jp-widgets-font-size:{13 * s:.0f}px;"
            f"--jp-widgets-inline-height:{28 * s:.0f}px;"
            f"--jp-widgets-inline-label-width:{80 * s:.0f}px;"
            f"--jp-widgets-inline-width:{300 * s:.0f}px;"
            f"--jp-widgets-inline-width-short:{148 * s:.0f}px;"
            f"--jp-widgets-slider-handle-size:{16 * s:.0f}px;"
            "}</style>")


def css_widget() -> w.HTML:
    """An invisible HTML widget carrying the presenter CSS for the current scale ('' when off)."""
    value = widget_css(style.scale()) if style.is_presenter() else ""
    return w.HTML(value=value, layout=w.Layout(height="0px", margin="0px"))


def presenter(on: bool = True, *, scale: float = 1.5):
    """Switch presenter mode on or off; returns a widget to display (it carries the CSS)."""
    style.presenter(on, scale=scale)
    return css_widget()
