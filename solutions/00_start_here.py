"""Instructor solutions for notebook 00 (start here); see solutions/README.md."""

from __future__ import annotations

import numpy as np


def connect(slider, line, x):
    def redraw(change):
        line.set_ydata(np.sin(2 * np.pi * change["new"] * x))
        line.figure.canvas.draw_idle()

    slider.observe(redraw, names="value")


def connect_new_line(slider, line, x):
    """A common slip: plot a new line on every change (the figure fills up with curves)."""
    def redraw(change):
        line.axes.plot(x, np.sin(2 * np.pi * change["new"] * x))

    slider.observe(redraw, names="value")


SOLUTIONS = {
    "q1": 5,          # 2·3·x ∈ {1, ..., 5}: x = 1/6, 2/6, ..., 5/6
    "q4": connect,
    "q2": 0.1135,     # 1135 of the 10 000 test digits are 1s
    "q3": 0.1307,     # measured 0.13066 (the familiar MNIST mean)
    "q5": "b",        # ValueError: "NNLIB_DEVICE 'cuda' is not available ...; available: cpu"
}

WRONG = {
    "q1": 6,          # counts one end
    "q4": connect_new_line,
    "q2": 0.1124,     # the training set's share of 1s (6742 / 60 000)
    "q3": 33.3,       # the mean of the raw 0-255 values
    "q5": "a",
}

ANSWERS = {
    "q6": "Speed and stability. Building a new figure on every slider event is slow (a new "
          "canvas widget, axes, ticks and a full render for each of the dozens of events a drag "
          "sends), so the picture lags behind the hand; changing the data of existing artists "
          "and calling draw_idle lets matplotlib skip redraws the browser is not ready for. A "
          "new figure per event also piles up figures (each holding memory in the kernel and "
          "the page) and resets whatever the student did to the old one (zoom, axis limits). "
          "Keeping the same artists also keeps the comparison honest: axes, colours and scales "
          "stay put, so what moves on screen is only what the slider changed.",
}
