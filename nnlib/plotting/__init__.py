"""Plotting tier: matplotlib only. Functions take data (and an optional ``ax``) and return
artists or axes; they never train or differentiate. One module per topic or lab.

Importing the package applies the course style (:mod:`nnlib.plotting.style`): readable sizes,
and presenter mode for a projector when ``NNLIB_PRESENTER=1``."""

from . import saved_picture as _saved_picture
from . import style as _style

_style.apply()
_saved_picture.register()  # a saved notebook keeps each live figure's latest picture
