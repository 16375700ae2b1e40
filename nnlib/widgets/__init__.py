"""Widgets tier: ipywidgets only. One module per lab; each lab is built one way.

``lab = <topic>_lab(...)`` returns a ``<Topic>Lab`` container (an ipywidgets ``VBox``) that the
notebook shows with one line (``lab``). Every lab exposes ``.controls`` (a dict of name ->
widget) so tests and curious students can set values programmatically, plus what it shows
(``readout``, ``view``, its artists). Callbacks call tested maths (building blocks and
``nnlib.lessons``) and update the EXISTING matplotlib artists (``set_data`` ...), never drawing
a new figure; the figure comes from ``nnlib.widgets._figure.figure_view``. ``lab.reset()`` puts
every control back where the lab started (``nnlib.widgets._start``), and a lab changes nothing
outside itself: what it trains or seeds stays in the lab (``tests/widgets/test_labs_own_state.py``).

Labs: ``universal_approximation_lab`` (01), ``chain_lab`` and ``gradient_lab`` (04, 05),
``optimiser_race_lab`` (06), ``explaining_away_lab`` (08), ``cross_correlation_lab`` (09),
``conv_geometry_lab`` (10), ``feature_maps_lab`` and ``cnn_trainer_lab`` (12),
``regularization_lab`` (13). ``tests/widgets/test_lab_convention.py`` checks that every lab
module has this shape.
"""
