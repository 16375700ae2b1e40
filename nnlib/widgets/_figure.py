"""A matplotlib figure that lives inside a widget container and is redrawn in place.

With the ipympl backend (``%matplotlib widget``, what the notebooks use) the figure's canvas
is itself a widget, and ``refresh()`` just asks it to redraw its (updated) artists. With any
other backend (inline, or Agg in the unit tests) the figure is shown in an ``Output`` widget
and ``refresh()`` re-renders it there.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt


@dataclass
class FigureView:
    """Draw on ``fig``/``axes``, put ``widget`` in a container, call ``refresh()`` after."""

    fig: object
    axes: object
    widget: w.Widget

    def refresh(self):
        canvas = self.fig.canvas
        if isinstance(canvas, w.DOMWidget):
            canvas.draw_idle()
        else:
            from IPython.display import display

            out = self.widget.children[-1] if isinstance(self.widget, w.VBox) else self.widget
            out.clear_output(wait=True)
            with out:
                display(self.fig)


def figure_view(nrows: int = 1, ncols: int = 1, *, figsize=(8, 3.5), **subplots_kw) -> FigureView:
    """Create a figure (without showing it outside the container) and its widget."""
    with plt.ioff():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)
    canvas = fig.canvas
    if isinstance(canvas, w.DOMWidget):
        canvas.header_visible = False
        canvas.toolbar_visible = False
        canvas.footer_visible = False
        # Give the front end the figure's size before its first view exists. ipympl otherwise
        # starts the view at 0x0 and sizes it from a "resize" message that can arrive before
        # the size itself has synced; seen in a real browser, the lab's plot then never showed.
        _, _, width, height = fig.bbox.bounds
        canvas._size = (int(round(width)), int(round(height)))
        widget = canvas
    else:
        widget = w.Output()
    # the lab carries its CSS (labels never cut; on a projector, larger controls)
    from ._presenter import css_widget

    widget = w.VBox([css_widget(), widget])
    view = FigureView(fig, axes, widget)
    if not isinstance(canvas, w.DOMWidget):
        view.refresh()
    return view
