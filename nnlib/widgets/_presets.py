"""The "scenario" menu every lab with named presets shows (for lectures: one choice sets all
controls at once).

A lab keeps ``PRESETS`` (name -> control values) and puts :func:`scenario_menu` into
``lab.controls["scenario"]``. Choosing a name sets the controls and redraws once; moving any
control afterwards puts the menu back on :data:`CUSTOM`, so it never names a scenario the plot
no longer shows.
"""

from __future__ import annotations

import ipywidgets as w

#: the menu's entry when the controls are not (or no longer) a named scenario
CUSTOM = "custom"


def scenario_menu(presets, *, width: str = "360px") -> w.Dropdown:
    """A drop-down of ``CUSTOM`` and the preset names (starts on ``CUSTOM``)."""
    menu = w.Dropdown(options=[CUSTOM, *presets], value=CUSTOM, description="scenario",
                      style={"description_width": "70px"}, layout=w.Layout(width=width))
    menu.add_class("lab-scenario")
    return menu


class ScenarioMixin:
    """For a lab with ``controls`` (incl. ``"scenario"``), ``presets`` and ``_set_preset``:
    ``choose(name)`` applies a scenario; ``_control_moved()`` resets the menu to CUSTOM."""

    _applying = False

    def _watch_scenarios(self):
        self.controls["scenario"].observe(self._scenario_chosen, names="value")

    def _scenario_chosen(self, change):
        if change["new"] != CUSTOM and not self._applying:
            self.choose(change["new"])

    def choose(self, name: str):
        """Set every control to scenario ``name`` and redraw once."""
        if name not in self.presets:
            raise ValueError(f"unknown scenario {name!r}; allowed: {', '.join(self.presets)}")
        self._applying = True
        try:
            self._set_preset(name)
            self.controls["scenario"].value = name
        finally:
            self._applying = False
        return self

    def _control_moved(self):
        """Call from the lab's control handler: a manual change leaves the scenario."""
        if not self._applying and self.controls["scenario"].value != CUSTOM:
            self._applying = True
            try:
                self.controls["scenario"].value = CUSTOM
            finally:
                self._applying = False
