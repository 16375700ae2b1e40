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
            "}"
            # a training progress bar (label, bar, statistics) wraps instead of running off
            # the projector's column
            ".jp-OutputArea-output .widget-hbox:has(> .widget-hprogress){flex-wrap:wrap;}"
            ".jp-OutputArea-output .widget-hbox:has(> .widget-hprogress) .widget-html-content"
            "{white-space:normal;}"
            "</style>")


#: CSS every lab carries (in both modes), for the output that holds the lab: a control's label
#: and a slider's read-out are never cut short ("learni…", 1000 shown as "100"), and rows of
#: controls wrap instead of scrolling sideways when the column is narrow.
LAB_CSS = ("<style>"
           ".jp-OutputArea-output:has(.nnlib-lab-css) .widget-inline-hbox > .widget-label,"
           ".jp-OutputArea-output:has(.nnlib-lab-css) .widget-readout"
           "{min-width:max-content;overflow:visible;}"
           ".jp-OutputArea-output:has(.nnlib-lab-css) .widget-box.widget-hbox{flex-wrap:wrap;}"
           ".jp-OutputArea-output:has(.nnlib-lab-css) .widget-html-content{line-height:1.35;}"
           "</style>")


def css_widget() -> w.HTML:
    """An invisible HTML widget carrying the labs' CSS, and in presenter mode the CSS that
    enlarges the controls for the current scale."""
    value = LAB_CSS + (widget_css(style.scale()) if style.is_presenter() else "")
    html = w.HTML(value=value, layout=w.Layout(height="0px", margin="0px"))
    html.add_class("nnlib-lab-css")
    return html


def presenter(on: bool = True, *, scale: float = 1.5):
    """Switch presenter mode on or off; returns a widget to display (it carries the CSS)."""
    style.presenter(on, scale=scale)
    html = css_widget()
    if not on:  # nothing to enlarge; the labs carry their own LAB_CSS
        html.value = ""
    return html
