"""What a lab with a Train button (12's trainer, 13's regularisation lab) shows around a run:
the click answered at once, and a failure shown in the lab instead of a lost traceback."""

from __future__ import annotations

import html
import time


def run_started(readout, progress, button, text: str) -> None:
    """Answer a click before anything is built or drawn (issue 23: within 150 ms): the
    read-out says what started (``text``, HTML), the bar resets in one message, and the button
    waits for the run (the lab gives it back in a ``finally``)."""
    readout.value = text
    with progress.hold_sync():
        progress.value = 0.0
        progress.bar_style = ""
    button.disabled = True


def run_failed(readout, progress, error: BaseException) -> None:
    """Show why a run failed in the read-out, the bar in red."""
    readout.value = (f"<span style='color:#b00'>training failed: "
                     f"{html.escape(str(error))}</span>")
    progress.bar_style = "danger"


#: the least time between two redraws of a running lab's plot
REDRAW_EVERY_S = 0.3
#: ... and at least this many times the last redraw's own time, so drawing takes at most a
#: fifth of the run (a two-panel redraw with its layout costs ~250 ms on 2 cores)
REDRAW_COST_FACTOR = 4.0


class Throttled:
    """``Throttled(draw)(*args)`` calls ``draw(*args)`` when it is due: the first time, then
    only once :data:`REDRAW_EVERY_S` seconds, and :data:`REDRAW_COST_FACTOR` times the last
    call's duration, have passed since that call ended. A running lab's curves grow a few
    times a second without slowing the run much."""

    def __init__(self, draw):
        self._draw, self._next = draw, None

    def __call__(self, *args) -> None:
        start = time.perf_counter()
        if self._next is not None and start < self._next:
            return
        self._draw(*args)
        end = time.perf_counter()
        self._next = end + max(REDRAW_EVERY_S, REDRAW_COST_FACTOR * (end - start))
