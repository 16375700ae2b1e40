"""cpu_threads: small networks train on one CPU thread, and torch's thread count is restored."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnlib.torchkit import device, generalise


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_cpu_threads_sets_and_restores_the_count(two_threads):
    with device.cpu_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    with pytest.raises(RuntimeError):
        with device.cpu_threads(1):
            raise RuntimeError("boom")
    assert torch.get_num_threads() == 2, "restored after an exception too"


def test_fit_pixels_trains_on_one_thread_and_restores(two_threads):
    """The transform runs inside the training loop: it sees the thread count used there."""
    seen = []

    def record(images, rng):
        seen.append(torch.get_num_threads())
        return images

    rng = np.random.default_rng(0)
    x, y = rng.random((40, 28, 28), dtype=np.float32), rng.integers(0, 10, 40)
    generalise.fit_pixels(generalise.small_cnn(), x, y, epochs=2, batch_size=20,
                          transform=record, progress=False)
    assert seen == [1, 1]
    assert torch.get_num_threads() == 2
