"""Run small matrix products on one BLAS thread.

The gradient lab multiplies many small matrices (128×64 by 64×64). Multi-threaded OpenBLAS
splits even these across threads, and on a busy two-core machine (a laptop running a browser,
a Binder pod, CI) the threads wait for each other: one product then takes ~10 ms instead of
~50 µs. ``with blas_threads(1): ...`` limits OpenBLAS to one thread for the calling thread only
(``openblas_set_num_threads_local``, OpenBLAS ≥ 0.3.27, which NumPy's wheels bundle) and
restores the previous setting afterwards. Where that function is not available (another BLAS,
an older OpenBLAS) it does nothing.
"""

from __future__ import annotations

import ctypes
import glob
import os
from contextlib import contextmanager

import numpy as np

_SETTER = None
_LOOKED = False


def _setter():
    global _SETTER, _LOOKED
    if not _LOOKED:
        _LOOKED = True
        libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
        for path in sorted(glob.glob(os.path.join(libdir, "lib*openblas*.so*"))):
            try:
                fn = ctypes.CDLL(path).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            fn.restype, fn.argtypes = ctypes.c_int, [ctypes.c_int]
            _SETTER = fn
            break
    return _SETTER


@contextmanager
def blas_threads(n: int = 1):
    """Within the block, OpenBLAS uses at most ``n`` threads in this thread (else a no-op)."""
    fn = _setter()
    if fn is None:
        yield False
        return
    old = fn(int(n))
    try:
        yield True
    finally:
        fn(old)
