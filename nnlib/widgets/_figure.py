"""A matplotlib figure that lives inside a widget container and is redrawn in place.

With the ipympl backend (``%matplotlib widget``, what the notebooks use) the figure's canvas is
itself a widget, and ``refresh()`` asks it to redraw its (updated) artists. With any other
backend (inline, or Agg in the unit tests) the figure is shown in an ``Output`` widget and
``refresh()`` re-renders it there.
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
            # draw_idle: the page asks back for the draw. Drawing at once (one round trip
            # less) was tried and left a saved notebook's lab figure blank (the reopen test):
            # the page then set the picture it keeps over the one the kernel had sent.
            canvas.draw_idle()
        else:
            from IPython.display import display

            out = self.widget.children[-1] if isinstance(self.widget, w.VBox) else self.widget
            out.clear_output(wait=True)
            with out:
                display(self.fig)


def keep_layout_after_first_draw(fig) -> None:
    """Lay ``fig`` out (constrained or tight) on its first draw only, and again whenever its
    size in pixels has changed since (a resize in the browser, presenter mode's dpi).

    A layout engine measures every tick label and title on every draw: for a lab's two-panel
    figure that is about 40 % of a redraw's time. When a lab's axes, ticks and titles keep their
    size as its controls move (only data, bars, images or markers change), the first layout
    stays right; then the positions are kept and later draws skip the engine.
    """
    engine = fig.get_layout_engine()
    if engine is None:
        return
    draw, laid_out_at = fig.draw, []

    def draw_laid_out_once(renderer):
        size = tuple(fig.bbox.size)
        if laid_out_at != [size]:
            fig.set_layout_engine(engine)  # lay out on this draw
        draw(renderer)
        if laid_out_at != [size]:
            fig.set_layout_engine("none")  # keeps the positions the engine just set
            laid_out_at[:] = [size]

    fig.draw = draw_laid_out_once


def figure_view(nrows: int = 1, ncols: int = 1, *, figsize=(8, 3.5), static_layout: bool = False,
                **subplots_kw) -> FigureView:
    """Create a figure (without showing it outside the container) and its widget.

    ``static_layout``: the lab changes only what is inside its axes (data, bars, images,
    markers), never tick labels or titles that would need more room, so the layout engine
    (``layout="constrained"``) runs on the first draw only (see
    :func:`keep_layout_after_first_draw`).
    """
    with plt.ioff():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)
    if static_layout:
        keep_layout_after_first_draw(fig)
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
