"""Every lab can go back to where it started: ``lab.reset()``.

A lab records its controls' values when it is built (``_remember_start()`` at the end of its
``__init__``); ``reset()`` sets them back, so the plot and readout follow through the lab's own
handlers. Earlier runs or trials a lab keeps (the trainers' tables) stay. A notebook cell that
checks a lab's measurement calls ``lab.reset()`` first, so whatever a student tried with the
controls above never changes what that cell computes.
"""

from __future__ import annotations

from contextlib import nullcontext

from ._presets import CUSTOM


class StartMixin:
    """For a lab with ``controls`` (name -> widget): ``reset()`` restores the starting values."""

    _start: dict = {}

    def _remember_start(self):
        self._start = {name: ctl.value for name, ctl in self.controls.items()
                       if name != "scenario" and hasattr(ctl, "value")}

    def reset(self):
        """Put every control back to the value it had when the lab was built; returns the lab."""
        hold = getattr(self, "hold", None)
        with hold() if hold is not None else nullcontext():
            for name, value in self._start.items():
                self.controls[name].value = value
        menu = self.controls.get("scenario")
        if menu is not None and menu.value != CUSTOM:
            menu.value = CUSTOM  # the controls no longer show a named scenario
        return self
