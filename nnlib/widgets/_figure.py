"""A matplotlib figure that lives inside a widget container and is redrawn in place.

With the ipympl backend (``%matplotlib widget``, what the notebooks use) the figure's canvas is
itself a widget, and ``refresh()`` redraws its (updated) artists and sends the picture. With
any other backend (inline, or Agg in the unit tests) the figure is shown in an ``Output`` widget
and ``refresh()`` re-renders it there.

Blitting. A lab whose controls change only some artists (a curve, a marker, an image, a title)
names them once with ``view.animate(...)``. A full draw then keeps a copy of the picture without
them (axes, ticks, labels, legends: most of a draw's time) and draws them on top; a later
``refresh()`` restores that copy and draws only the named artists, as long as nothing else in
the figure changed since. What changed is matplotlib's own bookkeeping: setting a property of an
artist marks it and its figure stale, except for animated artists, which do not pass it on. So
a lab that moves an axis limit or edits an unnamed text gets a full draw without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np


@dataclass
class FigureView:
    """Draw on ``fig``/``axes``, put ``widget`` in a container, call ``refresh()`` after."""

    fig: object
    axes: object
    widget: w.Widget

    _animated: list = field(default_factory=list, repr=False)
    _background: object = field(default=None, repr=False)

    def animate(self, *artists) -> None:
        """Draw ``artists`` (what the controls change) over a kept copy of the rest of the
        figure; ``refresh()`` then redraws only them while nothing else changed.

        They are drawn above every other artist of the figure (in the order given, after
        sorting by ``zorder``), so a lab names only artists that nothing else covers; the
        frames (spines) and legends of their axes, which lie over the data, are drawn with
        them.
        Saving or showing the figure outside the lab (``savefig``, inline) draws them as usual.
        """
        if not self._animated:
            self._keep_background_on_draw()
        # an axes' frame and legend are drawn over its data (images, bars and lines reach its
        # edges; a marker line may cross the legend): drawn with them, or they would cover both
        covers = []
        for ax in dict.fromkeys(getattr(a, "axes", None) for a in artists):
            if ax is None:
                continue
            if ax.axison and ax.get_frame_on():
                covers += ax.spines.values()
            if ax.get_legend() is not None:
                covers.append(ax.get_legend())
        for artist in [*artists, *covers]:
            if artist not in self._animated:
                artist.set_animated(True)
                self._animated.append(artist)
        self._animated.sort(key=lambda a: a.get_zorder())
        self._background = None  # taken again on the next full draw

    def _keep_background_on_draw(self) -> None:
        fig, draw = self.fig, self.fig.draw

        def draw_then_animated(renderer):
            draw(renderer)
            canvas = fig.canvas
            # only a draw onto the canvas itself (not a layout engine's measuring pass or a
            # savefig, which draws animated artists like any other)
            if canvas.is_saving() or renderer is not getattr(canvas, "renderer", None):
                return
            if hasattr(canvas, "copy_from_bbox"):
                self._background = (canvas.copy_from_bbox(fig.bbox), tuple(fig.bbox.bounds))
            self._draw_animated(renderer)

        fig.draw = draw_then_animated

    def _draw_animated(self, renderer) -> None:
        for artist in self._animated:
            artist.draw(renderer)
        # drawing a legend marks its axes stale through its entries; what was drawn is current
        self.fig.stale = False

    def _blit(self, canvas) -> bool:
        """Restore the kept background and draw the animated artists on it, if that shows
        the figure as it is now; say whether it did."""
        renderer = getattr(canvas, "renderer", None)
        if (self._background is None or renderer is None or self.fig.stale
                or self._background[1] != tuple(self.fig.bbox.bounds)):
            return False
        canvas.restore_region(self._background[0])
        self._draw_animated(renderer)
        canvas.blit(self.fig.bbox)
        return True

    def refresh(self):
        canvas = self.fig.canvas
        if isinstance(canvas, w.DOMWidget):
            if getattr(canvas, "syncing_data_url", True):
                # no page has shown the canvas yet (Run All, nbval): ask for a draw when one
                # does. Drawing now would send a picture nobody sees and store it in the saved
                # state without its "data:image/png;base64," prefix (ipympl 0.10), which a
                # reopened notebook then shows as a blank figure.
                canvas.draw_idle()
            elif not self._blit(canvas):
                # a page shows it: draw and send the picture now; draw_idle would first ask the
                # page to ask back for the draw, one kernel-page round trip (~35 ms) more
                canvas.draw()
        else:
            from IPython.display import display

            out = self.widget.children[-1] if isinstance(self.widget, w.VBox) else self.widget
            out.clear_output(wait=True)
            with out:
                display(self.fig)


def _changed_pixels_png(canvas):
    """The picture an ipympl canvas sends after a draw: in "diff" mode only the pixels that
    changed since the last picture (the rest transparent), in "full" mode all of them (the
    first picture, a new size, a figure with transparency). The protocol of matplotlib's
    ``FigureCanvasWebAggCore.get_diff_image``; the PNG is packed with zlib level 1 instead of
    the default 6: about half the encoding time (4-9 ms less per change for a lab's figure)
    for a file ~15 % larger, which a page on the same machine reads at once."""
    if not canvas._png_is_old:
        return None
    rgba = np.asarray(canvas.get_renderer().buffer_rgba())
    now = rgba.view(np.uint32)[..., 0]  # one number per pixel: compared in one pass
    full = (canvas._force_full or now.shape != canvas._last_buff.shape
            or bool((rgba[..., 3] != 255).any()))
    canvas.set_image_mode("full" if full else "diff")
    picture = now if full else np.where(now != canvas._last_buff, now, 0)
    canvas._last_buff, canvas._force_full, canvas._png_is_old = now.copy(), False, False
    with BytesIO() as out:
        plt.imsave(out, picture.view(np.uint8).reshape(*picture.shape, 4), format="png",
                   pil_kwargs={"compress_level": 1})
        return out.getvalue()


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
        canvas.get_diff_image = lambda: _changed_pixels_png(canvas)
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
