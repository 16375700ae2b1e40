"""The torch room: the only part of nnlib (with ``nnlib.torchkit``) that imports torch.

Modules: ``device`` (device choice, CPU threads, seeding), ``data`` (MNIST as tensors on the
device), ``models`` (LeNet-style and fast CNNs), ``optimizers`` (nnlib.optim's names and
defaults building ``torch.optim`` optimisers), ``train`` (``EpochPlan``, ``train_one_epoch``,
``evaluate``, ``fit``, ``History``), ``checkpoint`` (save/load, ``weights_only=True``, SHA-256
checked), ``analysis`` (confusions, mistakes, filters, feature maps as NumPy arrays), ``augment``
(random shifts and rotations of image batches with ``grid_sample``), ``transfer``
(pre-train on 0-4, learn 5-9 from k labels: scratch, frozen, fine-tuned), ``attacks`` (FGSM in
pixel units, a model wrapper that owns the standardisation), ``generalise`` (rotation curves,
planted cues), ``exercise_checks`` (checkers for notebooks 14-15).
Import them by name (``from nnlib.torchkit import device``).

Importing this package before torch sets ``OMP_WAIT_POLICY=PASSIVE`` (unless it is already
set): by default torch's OpenMP threads spin while they wait for each other, and on cores shared
with other programs (a laptop with a browser, Binder, CI, two test workers) a two-thread epoch
then took 5 to 40 times longer than with passive waiting. OpenMP reads the policy once, when
torch loads, so nothing can change it afterwards: the project's ``make``, Binder and test
configurations export it before Python starts, ``python -m nnlib.torchkit`` restarts itself with
it if torch was somehow loaded first, and in a library session where torch came first without it
(``OPENMP_SPINS``) :func:`nnlib.torchkit.device.configure_cpu_threads` warns once. Thread count,
seeding and results never depend on which module was imported first.
"""

import os as _os
import sys as _sys

#: True when torch's OpenMP threads busy-wait (torch loaded before us without PASSIVE); this only
#: decides whether to warn, never how many threads run or what is computed
OPENMP_SPINS = ("torch" in _sys.modules
                and _os.environ.get("OMP_WAIT_POLICY", "").upper() != "PASSIVE")
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
