"""Which device to train on, CPU thread settings, and seeding for reproducible runs.

``choose_device("auto")`` picks the fastest device this machine has: a CUDA GPU, then Apple's
MPS, then the CPU. The argument, or else the ``NNLIB_DEVICE`` environment variable, overrides
the automatic choice (``NNLIB_DEVICE=cpu`` forces the CPU even where a GPU exists). Asking for a
device that is absent raises a ``ValueError`` that lists the ones that are available.
"""

from __future__ import annotations

import os
import random
from contextlib import contextmanager

import numpy as np
import torch

DEVICES = ("auto", "cpu", "cuda", "mps")
ENV_VAR = "NNLIB_DEVICE"


def _cuda_available() -> bool:
    return bool(torch.cuda.is_available())


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available_devices() -> list[str]:
    """Device kinds usable here, fastest first; ``"cpu"`` is always last."""
    found = []
    if _cuda_available():
        found.append("cuda")
    if _mps_available():
        found.append("mps")
    found.append("cpu")
    return found


def choose_device(device: str | torch.device | None = None) -> torch.device:
    """The ``torch.device`` to use.

    device: ``"auto"``, ``"cpu"``, ``"cuda"`` (or ``"cuda:1"``), ``"mps"``, a ``torch.device``,
    or ``None``. ``None`` reads ``NNLIB_DEVICE`` (default ``"auto"``); an explicit argument
    other than ``"auto"`` wins over the environment variable.
    ``"auto"`` tries CUDA, then MPS, then CPU.
    """
    source = "device"
    if isinstance(device, torch.device):
        device = str(device)
    if device is None or device == "auto":
        env = os.environ.get(ENV_VAR, "").strip()
        if env and env != "auto":
            device, source = env, ENV_VAR
        else:
            device = "auto"
    if not isinstance(device, str):
        raise TypeError(f"device must be a string, one of {list(DEVICES)}, or a torch.device; "
                        f"got {device!r}")
    name = device.strip().lower()
    kind = name.split(":", 1)[0]
    if kind not in DEVICES or (":" in name and kind != "cuda"):
        raise ValueError(f"unknown {source} {device!r}; allowed: {', '.join(DEVICES)} "
                         "(or 'cuda:<index>')")
    available = available_devices()
    if kind == "auto":
        return torch.device(available[0])
    if kind not in available:
        raise ValueError(f"{source} {device!r} is not available on this machine; "
                         f"available devices: {', '.join(available)}")
    if kind == "cuda" and ":" in name:
        index_text = name.split(":", 1)[1]
        count = torch.cuda.device_count()
        if not index_text.isdigit() or int(index_text) >= count:
            raise ValueError(f"{source} {device!r} is not available on this machine; "
                             f"available CUDA indices: 0..{count - 1}")
    return torch.device(name)


def describe_device(device: torch.device) -> str:
    """A human-readable line such as ``"cuda (NVIDIA H100)"`` or ``"cpu (2 threads)"``."""
    from ._checks import check_device

    device = check_device("device", device)
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)


def physical_cores() -> int:
    """CPU cores this process may run on (affinity-aware), counting each physical core once."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        usable = os.cpu_count() or 1
    logical = os.cpu_count() or usable
    physical = logical
    try:  # Linux: count unique (package, core) pairs to drop hyper-threads
        cores = set()
        base = "/sys/devices/system/cpu"
        for entry in os.listdir(base):
            if entry.startswith("cpu") and entry[3:].isdigit():
                topo = os.path.join(base, entry, "topology")
                with open(os.path.join(topo, "core_id")) as f1, \
                        open(os.path.join(topo, "physical_package_id")) as f2:
                    cores.add((f1.read().strip(), f2.read().strip()))
        if cores:
            physical = len(cores)
    except OSError:
        pass
    # threads per core on this machine, applied to the cores we are allowed to use
    per_core = max(1, logical // max(1, physical))
    return max(1, usable // per_core)


_warned_spinning = False

SPINNING_ADVICE = ("torch was imported before nnlib.torchkit without OMP_WAIT_POLICY=PASSIVE, so "
                   "its OpenMP threads busy-wait between operations (training on cores shared "
                   "with other programs can be 5-40x slower). Start Python with "
                   "OMP_WAIT_POLICY=PASSIVE in the environment (make lab, Binder and the tests "
                   "do), or import nnlib.torchkit before torch.")


def configure_cpu_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads (default: the usable physical cores); return the count.

    More threads than physical cores only makes the threads fight over the same units. The
    count never depends on import order; if torch was imported before :mod:`nnlib.torchkit`
    with busy-waiting OpenMP threads (``nnlib.torchkit.OPENMP_SPINS``), a ``RuntimeWarning``
    (once per session) says how to start Python so that they wait passively.
    """
    global _warned_spinning
    if threads is None:
        threads = physical_cores()
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be an integer >= 1 or None; got {threads!r}")
    if threads < 1:
        raise ValueError(f"threads must be an integer >= 1; got {threads!r}")
    threads = int(threads)
    from . import OPENMP_SPINS

    if OPENMP_SPINS and threads > 1 and not _warned_spinning:
        import warnings

        _warned_spinning = True
        warnings.warn(SPINNING_ADVICE, RuntimeWarning, stacklevel=2)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


class cpu_threads:  # noqa: N801 - used like a function: ``with cpu_threads(1): ...``
    """``with cpu_threads(n):`` torch uses ``n`` intra-op CPU threads inside the block; the
    count before is restored after.

    For small networks on small minibatches a second thread only adds synchronisation: training
    ``generalise.small_cnn()`` (8 and 16 masks) on minibatches of 64 cost 2.3-2.4 s of CPU per
    20 000 images on one thread and 4.2-5.6 s on two (2-core machine, issue 23). The training
    loops of such networks run under ``cpu_threads(1)``.
    """

    def __init__(self, threads: int):
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
            raise TypeError(f"threads must be an integer >= 1; got {threads!r}")
        if threads < 1:
            raise ValueError(f"threads must be an integer >= 1; got {threads!r}")
        self.threads = int(threads)
        self._before = None

    def __enter__(self) -> int:
        self._before = torch.get_num_threads()
        if self._before != self.threads:
            torch.set_num_threads(self.threads)
        return self.threads

    def __exit__(self, *exc) -> None:
        if torch.get_num_threads() != self._before:
            torch.set_num_threads(self._before)


def _one_thread_each(function, jobs, *, on_cpu: bool, parallel: bool = True) -> list:
    """``[function(job) for job in jobs]``; on the CPU (and with ``parallel``) the jobs run side
    by side on a pool of one Python thread per core, each with one torch thread (the count
    before is restored after). Results come back in the order of ``jobs``. Small networks on
    small minibatches keep a core busy each this way, where one network on two threads does
    not (:class:`cpu_threads`). The jobs must not draw from torch's global generator."""
    jobs = list(jobs)
    workers = min(len(jobs), os.cpu_count() or 1)
    if not (on_cpu and parallel and workers > 1):
        return [function(job) for job in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with cpu_threads(1), ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, jobs))


def seed_everything(seed: int = 0, *, deterministic: bool = False) -> torch.Generator:
    """Seed Python, NumPy and torch (all devices); return a ``torch.Generator`` seeded likewise.

    On the CPU the same seed then gives bit-identical training runs with the same thread count.
    ``deterministic=True`` also asks torch for deterministic kernels (slower on GPUs).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer >= 0; got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)  # only for third-party code; nnlib itself passes explicit rngs
    torch.manual_seed(seed)  # seeds CPU, CUDA and MPS generators
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        if _cuda_available():
            torch.backends.cudnn.benchmark = False
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


@contextmanager
def own_random_state():
    """Run a block (a lab's training, say) without changing anyone else's randomness: Python's
    ``random``, NumPy's global generator, torch's generators (CPU and every CUDA/MPS device)
    and torch's CPU thread count are as before when the block ends, however it ends.

    ``fit(seed=...)`` and :func:`seed_everything` reseed the global generators; inside this
    block that stays private, so a widget can train without changing what a notebook's later
    cells draw from those generators.
    """
    py_state, np_state = random.getstate(), np.random.get_state()
    cpu_state, threads = torch.get_rng_state(), torch.get_num_threads()
    cuda_states = torch.cuda.get_rng_state_all() if _cuda_available() else None
    mps_state = torch.mps.get_rng_state() if _mps_available() else None
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(cpu_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)
        if mps_state is not None:
            torch.mps.set_rng_state(mps_state)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
