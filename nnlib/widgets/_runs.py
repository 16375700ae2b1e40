"""What a lab with a Train button (12's trainer, 13's regularisation lab) shows around a run:
the click answered at once, and a failure shown in the lab instead of a lost traceback."""

from __future__ import annotations

import html

from ..plotting.training import Throttle


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
REDRAW_COST_FACTOR = 5.0


def throttled(draw) -> Throttle:
    """``draw`` called as a running lab's redraw: at most every :data:`REDRAW_EVERY_S` s and
    :data:`REDRAW_COST_FACTOR` times its last duration
    (:class:`nnlib.plotting.training.Throttle`)."""
    return Throttle(draw, every=REDRAW_EVERY_S, cost_factor=REDRAW_COST_FACTOR)
