"""Widgets tier: ipywidgets only. Each lab is one function that builds and returns its
container; callbacks call tested maths code and update existing plot artists. One module
per lab."""
