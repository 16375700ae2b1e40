"""A live figure's latest picture, kept where a saved notebook stores it.

With ``%matplotlib widget`` a figure is an ipympl canvas widget, and JupyterLab (with the
project's ``saveState`` setting, ``jupyter-config/``) saves each widget's state in the notebook,
so a notebook reopened after its kernel is gone shows its figures and labs from that state.
ipympl's front end keeps, as the canvas's ``_data_url``, the picture it showed *before* the
latest one, and after a resize not even that: a figure drawn once, or resized to fit the column
(:func:`nnlib.plotting.style.fit`), was saved blank.

:func:`keep_picture` (a matplotlib ``figure.hooks`` entry, registered when :mod:`nnlib.plotting`
is imported) fixes that from the kernel: after each draw, once the figure has not been drawn
again for :data:`QUIET_MS`, the picture just drawn (the Agg buffer; nothing is drawn again) is
sent to the front end as ``_data_url``. A lab's slider moved ten times sends one picture.
Figures of other backends (inline, Agg) are left alone.
"""

from __future__ import annotations

import base64
import io

import matplotlib as mpl

#: how long a figure must stay undrawn before its picture is sent (one picture per burst)
QUIET_MS = 400
HOOK = "nnlib.plotting.saved_picture:keep_picture"


def register() -> None:
    """Add :func:`keep_picture` to matplotlib's ``figure.hooks`` (once)."""
    hooks = list(mpl.rcParams["figure.hooks"])
    if HOOK not in hooks:
        mpl.rcParams["figure.hooks"] = [*hooks, HOOK]


def picture_url(canvas) -> str:
    """The canvas's last drawn picture as a PNG ``data:`` URL (from the Agg buffer)."""
    import matplotlib.image as mimg
    import numpy as np

    out = io.BytesIO()
    mimg.imsave(out, np.asarray(canvas.buffer_rgba()), format="png")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def send_picture(canvas) -> None:
    """Set the ipympl canvas's ``_data_url`` to its last drawn picture, front end included
    (ipympl syncs ``_data_url`` only until a front end has shown the canvas)."""
    try:
        url = picture_url(canvas)
    except Exception:  # noqa: BLE001 - nothing drawn yet, or a closed figure: keep the old one
        return
    syncing = canvas.syncing_data_url
    canvas.syncing_data_url = True
    try:
        canvas._data_url = url
    finally:
        canvas.syncing_data_url = syncing


def keep_picture(fig) -> None:
    """For an ipympl figure: send its picture after every burst of draws (see the module)."""
    canvas = fig.canvas
    if not hasattr(canvas, "syncing_data_url") or getattr(canvas, "_nnlib_keeps_picture", False):
        return
    canvas._nnlib_keeps_picture = True
    timer = canvas.new_timer(interval=QUIET_MS)
    timer.single_shot = True
    timer.add_callback(send_picture, canvas)

    def drawn(_event):
        timer.stop()
        timer.start()

    canvas.mpl_connect("draw_event", drawn)
