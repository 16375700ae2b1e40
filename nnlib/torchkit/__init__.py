"""The torch room: the only part of nnlib (with ``nnlib.train_mnist``) that imports torch.

Modules: ``device`` (device choice, CPU threads, seeding), ``data`` (MNIST as tensors on the
device), ``models`` (LeNet-style and fast CNNs), ``train`` (``train_one_epoch``, ``evaluate``,
``fit``, ``History``), ``checkpoint`` (save/load with ``weights_only=True``), ``analysis``
(confusions, mistakes, filters, feature maps as NumPy arrays).
Import them by name (``from nnlib.torchkit import device``).

Importing this package sets ``OMP_WAIT_POLICY=PASSIVE`` unless it is already set (and takes
effect if torch is not yet imported): by default torch's OpenMP threads spin while they wait for
each other, and on cores shared with other programs (a laptop with a browser, Binder, CI, two
test workers) a two-thread epoch then measured 5 to 40 s instead of 1.3 s.
"""

import os as _os

_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
