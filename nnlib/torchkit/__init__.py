"""The torch room: the only part of nnlib (with ``nnlib.train_mnist``) that imports torch.

Modules: ``device`` (device choice, CPU threads, seeding), ``data`` (MNIST as tensors on the
device), ``models`` (LeNet-style and fast CNNs), ``train`` (``train_one_epoch``, ``evaluate``,
``fit``, ``History``), ``checkpoint`` (save/load with ``weights_only=True``).
Import them by name (``from nnlib.torchkit import device``); this package file imports nothing.
"""
