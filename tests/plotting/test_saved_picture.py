"""A live (ipympl) figure keeps its latest picture in the widget state a notebook saves
(nnlib.plotting.saved_picture; issue 19 item 5). The real-browser check is
tests/widgets/test_browser_reopen.py; here the kernel side, without a front end."""

from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.image as mimg
import numpy as np
import pytest

pytest.importorskip("ipympl")

import nnlib.plotting  # noqa: E402,F401  (registers the hook)
from nnlib.plotting import saved_picture  # noqa: E402


@pytest.fixture
def ipympl_pyplot():
    import matplotlib.pyplot as plt

    old = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    yield plt
    plt.close("all")
    plt.switch_backend(old)


def _decode(url: str) -> np.ndarray:
    assert url.startswith("data:image/png;base64,")
    return mimg.imread(io.BytesIO(base64.b64decode(url.split(",", 1)[1])), format="png")


def test_every_pyplot_figure_gets_the_hook(ipympl_pyplot):
    assert saved_picture.HOOK in matplotlib.rcParams["figure.hooks"]
    fig, _ax = ipympl_pyplot.subplots()
    assert fig.canvas._nnlib_keeps_picture


def test_the_picture_sent_is_the_last_one_drawn(ipympl_pyplot):
    fig, ax = ipympl_pyplot.subplots(figsize=(3, 2))
    (line,) = ax.plot([0, 1], [0, 0], lw=8, color="k")
    ax.set_axis_off()
    ax.set_ylim(-1, 1)
    fig.canvas.draw()
    saved_picture.send_picture(fig.canvas)
    first = _decode(fig.canvas._data_url)
    assert first.shape[:2] == (200, 300)
    middle = first[95:105, 100:200, :3].mean()
    assert middle < 0.2                      # the thick black line across the middle
    line.set_ydata([0.8, 0.8])                # moved up: the middle is white now
    fig.canvas.draw()
    saved_picture.send_picture(fig.canvas)
    assert _decode(fig.canvas._data_url)[95:105, 100:200, :3].mean() > 0.9
    assert fig.canvas.syncing_data_url        # left as it was (no front end here)


def test_other_backends_are_left_alone():
    from matplotlib.figure import Figure

    fig = Figure()
    saved_picture.keep_picture(fig)
    assert not hasattr(fig.canvas, "_nnlib_keeps_picture")
