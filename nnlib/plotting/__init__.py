"""Plotting tier: matplotlib only. Functions take data and return artists or axes; they never
train or differentiate. One module per topic or lab. The axes come after the data, keyword-only:
``ax=`` (``axes=`` for several), a new figure when None (``_grid.axes_or_new``).

Importing the package applies the course style (:mod:`nnlib.plotting.style`): readable sizes,
and presenter mode for a projector when ``NNLIB_PRESENTER=1``."""

from . import saved_picture as _saved_picture
from . import style as _style

_style.apply()
_saved_picture.register()  # a saved notebook keeps each live figure's latest picture
