"""MNIST CNN training speed on the CPU, against two well-known references timed in the same run.

Targets (``main()`` returns 1 if one is missed):

1. time to >= 99.0 % test accuracy of our fast CNN (``nnlib.torchkit.models.fast_cnn``, one
   epoch) <= 0.6 x that of the "MNIST in under a second" recipe: Conv(1,24,5) -> maxpool2 ->
   ReLU -> Conv(24,32,3) -> maxpool2 -> ReLU -> Linear(800,256) -> ReLU -> Linear(256,10);
   Adam lr 1e-2, betas (0.7, 0.9), one-cycle; batch 256; one epoch; data as tensors.
   Each is run twice (seeds 0 and 1, alternating) and its best time counts; the time includes
   the final test evaluation. If the recipe misses 99 % we still use its epoch time, which only
   favours the recipe.
2. >= 5x faster than PyTorch's ``examples/mnist`` network over one epoch (Conv(1,32,3)-ReLU-
   Conv(32,64,3)-ReLU-maxpool2-Dropout(0.25)-Linear(9216,128)-ReLU-Dropout(0.5)-Linear(128,10),
   Adadelta lr 1.0, StepLR gamma 0.7, batch 64), at higher test accuracy. It is timed on a full
   epoch unless ``NNLIB_BENCH_EXAMPLES_FRACTION`` (e.g. 0.25) asks for a fixed fraction, whose
   time is then scaled up (and its accuracy is that of the partial epoch, which the output says).
3. peak memory (RSS) of ``python -m nnlib.torchkit --epochs 1`` on the full MNIST <= 2 GB,
   measured in a fresh subprocess (``VmHWM`` from ``/proc``; ``resource.getrusage`` elsewhere).

Stretch (reported, not a target): >= 99.5 % test accuracy within 3 minutes on the CPU: the fast
CNN twice as wide (32 and 64 masks, FC 256) with batch norm, random shifts of up to 2 pixels as
augmentation, 12 epochs (``NNLIB_BENCH_STRETCH_EPOCHS``). ``NNLIB_BENCH_STRETCH=0`` skips it.

Throughput: our training images per second and the GFLOP/s they mean (multiply-adds of a forward
pass x 3 for forward and backward, x 2 flops each) against the machine's fp32 peak (cores x
GHz x 32 flops per cycle with AVX2 and FMA, 64 with AVX-512), reported, not judged.

All references get the same data pipeline as our model (tensors in memory, channels-last on the
CPU, one gather per batch), so only the networks and their training recipes differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

# before torch loads (if no other benchmark loaded it): OpenMP threads wait without spinning
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from nnlib.torchkit import data, device, models, train  # noqa: E402

TARGET_ACCURACY = 0.990
RECIPE_RATIO = 0.6
EXAMPLES_SPEEDUP = 5.0
PEAK_RSS_BYTES = 2 * 1024**3
STRETCH_ACCURACY, STRETCH_SECONDS = 0.995, 180.0


def recipe_net() -> nn.Sequential:
    """The "MNIST in under a second" network (maxpool before ReLU, as published)."""
    return nn.Sequential(
        nn.Conv2d(1, 24, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(24, 32, 3), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, 10))


def examples_net() -> nn.Sequential:
    """PyTorch's ``examples/mnist`` network (its forward ends in log_softmax + NLL, which is
    the cross-entropy used here)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10))


def _prepare(model):
    return model.to(memory_format=torch.channels_last)


def run_recipe(mnist, seed: int) -> dict:
    device.seed_everything(seed)
    model = _prepare(recipe_net())
    steps = data.num_batches(len(mnist.y_train), 256)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.7, 0.9))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps)
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    train.train_one_epoch(model, mnist.x_train, mnist.y_train,
                          train.EpochPlan(opt, scheduler=sched, batch_size=256, generator=gen,
                                          progress=False, log_every=50))
    acc = train.evaluate(model, mnist.x_test, mnist.y_test).accuracy
    return {"seconds": time.perf_counter() - start, "accuracy": acc}


def run_ours(mnist, seed: int, *, epochs: int = 1, shift: int = 0, **model_kw) -> dict:
    model = models.fast_cnn(**model_kw)
    start = time.perf_counter()
    history = train.fit(model, mnist, epochs=epochs, batch_size=128, lr=1e-2, betas=(0.9, 0.9),
                        label_smoothing=0.1, shift=shift, seed=seed, progress=False,
                        evaluate_every_epoch=epochs > 1, log_every=50)
    return {"seconds": time.perf_counter() - start, "accuracy": history.val_accuracy[-1],
            "history": history}


def run_examples(mnist, seed: int, fraction: float) -> dict:
    device.seed_everything(seed)
    model = _prepare(examples_net())
    steps = data.num_batches(len(mnist.y_train), 64)
    max_batches = max(1, round(fraction * steps))
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)  # once per epoch
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    train.train_one_epoch(model, mnist.x_train, mnist.y_train,
                          train.EpochPlan(opt, batch_size=64, generator=gen, progress=False,
                                          log_every=100,
                                          max_batches=max_batches if fraction < 1 else None))
    seconds = time.perf_counter() - start
    sched.step()
    acc = train.evaluate(model, mnist.x_test, mnist.y_test).accuracy
    return {"seconds": seconds * steps / max_batches, "measured_seconds": seconds,
            "accuracy": acc, "batches": max_batches, "steps": steps}


def peak_rss_of_cli() -> dict:
    """Peak resident memory of one full-MNIST CLI training epoch, in a fresh interpreter."""
    # Linux keeps ru_maxrss across fork + exec (the child starts with this big process's
    # peak), so read the new process's own high-water mark, VmHWM, where /proc has it.
    code = ("import json, os, resource, sys\n"
            "from nnlib.torchkit import __main__ as cli\n"
            "rc = cli.main(['--device', 'cpu', '--epochs', '1', '--no-progress',"
            " '--json'])\n"
            "kb = None\n"
            "if os.path.exists('/proc/self/status'):\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            kb = int(line.split()[1])\n"
            "if kb is None:\n"
            "    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "    kb = kb // 1024 if sys.platform == 'darwin' else kb\n"
            "print('RSS', kb)\n"
            "sys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"CLI run failed:\n{proc.stderr[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    rss_kb = int(next(line for line in lines if line.startswith("RSS")).split()[1])
    result = json.loads(next(line for line in reversed(lines) if line.startswith("{")))
    return {"bytes": rss_kb * 1024, "cli": result}


def stretch(mnist) -> dict:
    """Wider fast CNN with batch norm and shift augmentation: when does it first reach 99.5 %?"""
    epochs = int(os.environ.get("NNLIB_BENCH_STRETCH_EPOCHS", "12"))
    run = run_ours(mnist, 0, epochs=epochs, shift=2, width=32, hidden=256, batch_norm=True)
    h = run["history"]
    elapsed, reached = 0.0, None
    for e, (sec, acc) in enumerate(zip(h.seconds, h.val_accuracy), start=1):
        elapsed += sec
        if reached is None and acc >= STRETCH_ACCURACY:
            reached = (e, elapsed)
    return {"epochs": epochs, "accuracy": h.val_accuracy, "seconds": run["seconds"],
            "reached": reached, "train_seconds": h.total_seconds}


def cpu_peak_gflops() -> tuple[float, str]:
    """fp32 peak of this machine's cores (GFLOP/s) and how it was worked out."""
    ghz, flags = None, ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz") and ghz is None:
                    ghz = float(line.split(":")[1]) / 1000
                elif line.startswith("flags") and not flags:
                    flags = line
    except OSError:
        return float("nan"), "unknown (no /proc/cpuinfo)"
    per_cycle = 64 if " avx512f" in flags else 32 if (" avx2" in flags and " fma" in flags) else 8
    cores = device.physical_cores()
    return cores * (ghz or float("nan")) * per_cycle, (
        f"{cores} cores x {ghz:.2f} GHz x {per_cycle} flops/cycle")


def main() -> int:
    threads = device.configure_cpu_threads(device.physical_cores())
    print(f"CPU, {threads} threads (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}), "
          f"torch {torch.__version__}; best of two runs (seeds 0 and 1) for time to 99 %")
    mnist = data.load_mnist_tensors("cpu")
    failures = []

    # 1. time to 99 %: ours vs the recipe, alternating
    recipe_runs, our_runs = [], []
    for seed in (0, 1):
        recipe_runs.append(run_recipe(mnist, seed))
        our_runs.append(run_ours(mnist, seed))
    for name, runs in (("recipe (Conv24-Conv32-FC256)", recipe_runs),
                       ("ours (fast_cnn)", our_runs)):
        for seed, r in enumerate(runs):
            print(f"  {name:30} seed {seed}: {r['seconds']:6.2f} s, "
                  f"test accuracy {100 * r['accuracy']:.2f} %")
    ours_ok = [r["seconds"] for r in our_runs if r["accuracy"] >= TARGET_ACCURACY]
    recipe_time = min(r["seconds"] for r in recipe_runs)
    recipe_ok = [r["seconds"] for r in recipe_runs if r["accuracy"] >= TARGET_ACCURACY]
    if not recipe_ok:
        print("  note: the recipe missed 99 % in one epoch; its epoch time is used anyway")
    if not ours_ok:
        failures.append("our model missed 99 % in one epoch")
        our_time = float("inf")
    else:
        our_time = min(ours_ok)
    ratio = our_time / (min(recipe_ok) if recipe_ok else recipe_time)
    print(f"time to >= 99.0 %: ours {our_time:.2f} s vs recipe "
          f"{min(recipe_ok) if recipe_ok else recipe_time:.2f} s -> ratio {ratio:.2f} "
          f"(target <= {RECIPE_RATIO})")
    if ratio > RECIPE_RATIO:
        failures.append(f"time-to-99 ratio {ratio:.2f} > {RECIPE_RATIO}")
    best = min(our_runs, key=lambda r: r["seconds"])
    ips = best["history"].images_per_second[-1]
    flops_per_image = 2 * 3 * models.multiply_adds(models.fast_cnn())
    peak, how_peak = cpu_peak_gflops()
    achieved = ips * flops_per_image / 1e9
    print(f"ours: {ips:,.0f} training images/s, {flops_per_image / 1e6:.1f} MFLOP per image "
          f"(forward + backward) -> {achieved:.1f} GFLOP/s = {100 * achieved / peak:.1f} % of the "
          f"fp32 peak {peak:.0f} GFLOP/s ({how_peak})")

    # 2. one epoch against PyTorch's examples/mnist network
    fraction = float(os.environ.get("NNLIB_BENCH_EXAMPLES_FRACTION", "1.0"))
    ex = run_examples(mnist, 0, fraction)
    best_ours = min(our_runs, key=lambda r: r["seconds"])
    speedup = ex["seconds"] / best_ours["seconds"]
    how = ("full epoch" if fraction >= 1 else
           f"timed on {ex['batches']} of {ex['steps']} batches ({100 * fraction:.0f} %) and "
           f"scaled; its accuracy is after that partial epoch")
    print(f"examples/mnist network, one epoch: {ex['seconds']:.1f} s ({how}), test accuracy "
          f"{100 * ex['accuracy']:.2f} %")
    print(f"ours, one epoch: {best_ours['seconds']:.2f} s, test accuracy "
          f"{100 * best_ours['accuracy']:.2f} % -> {speedup:.1f}x faster "
          f"(target >= {EXAMPLES_SPEEDUP}x at higher accuracy)")
    if speedup < EXAMPLES_SPEEDUP:
        failures.append(f"speed-up over examples/mnist {speedup:.1f}x < {EXAMPLES_SPEEDUP}x")
    if max(r["accuracy"] for r in our_runs) <= ex["accuracy"]:
        failures.append("not more accurate than examples/mnist")

    # 3. memory
    rss = peak_rss_of_cli()
    print(f"peak RSS of `python -m nnlib.torchkit --epochs 1` (full MNIST): "
          f"{rss['bytes'] / 1024**2:.0f} MiB (target <= {PEAK_RSS_BYTES / 1024**3:.0f} GiB); "
          f"its test accuracy {100 * rss['cli']['test_accuracy']:.2f} % in "
          f"{rss['cli']['train_seconds']:.1f} s")
    if rss["bytes"] > PEAK_RSS_BYTES:
        failures.append(f"peak RSS {rss['bytes'] / 1024**2:.0f} MiB > 2 GiB")

    # stretch
    if os.environ.get("NNLIB_BENCH_STRETCH", "1") != "0":
        s = stretch(mnist)
        accs = ", ".join(f"{100 * a:.2f}" for a in s["accuracy"])
        print(f"stretch (fast_cnn width 32, batch norm, FC 256, shifts of up to 2 px, "
              f"{s['epochs']} epochs): "
              f"test accuracy per epoch {accs} %; {s['train_seconds']:.0f} s of training, "
              f"{s['seconds']:.0f} s with the test after each epoch")
        if s["reached"]:
            e, sec = s["reached"]
            verdict = "met" if sec <= STRETCH_SECONDS else "too slow"
            print(f"  99.5 % first reached after epoch {e}, {sec:.0f} s of training "
                  f"(stretch target: within {STRETCH_SECONDS:.0f} s) -> {verdict}")
        else:
            print(f"  99.5 % not reached (best {100 * max(s['accuracy']):.2f} %)")

    for f in failures:
        print(f"TARGET MISSED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
