"""Train a CNN on MNIST from a terminal: ``python -m nnlib.torchkit --device auto --epochs 1``.

Shows a progress bar per epoch (loss, accuracy, images/s) on stderr and prints the test accuracy.
With ``--json`` the last line on stdout is one JSON object (``test_accuracy``, ``train_seconds``,
``device``, ``model``, ``epochs``, ``seed``, ...) for scripts. ``--save model.pt`` writes a
checkpoint that :func:`nnlib.torchkit.checkpoint.load_checkpoint` reads back.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m nnlib.torchkit",
                                description="Train a CNN on MNIST (CPU or GPU) with progress bars.")
    p.add_argument("--device", default="auto",
                   help="auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N or mps; "
                        "NNLIB_DEVICE sets the default for auto (default: auto)")
    p.add_argument("--model", default="fast_cnn", choices=["fast_cnn", "lenet"],
                   help="network to train (default: fast_cnn)")
    p.add_argument("--epochs", type=int, default=2, help="passes over the training set (2)")
    p.add_argument("--batch-size", type=int, default=128, help="images per step (128)")
    p.add_argument("--lr", type=float, default=1e-2, help="peak learning rate of Adam (1e-2)")
    p.add_argument("--shift", type=int, default=0,
                   help="augment: move images by up to this many pixels (0)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads (default: the physical cores)")
    p.add_argument("--limit", type=int, default=None,
                   help="train on a fixed random subset of this many images (default: all 60000)")
    p.add_argument("--test-limit", type=int, default=None,
                   help="test on a fixed random subset of this many images (default: all 10000)")
    p.add_argument("--save", default=None, metavar="PATH", help="write a checkpoint here")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.add_argument("--json", action="store_true",
                   help="end stdout with a JSON line of the results")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # torch is imported here, not at module level, so `--help` answers at once
    import torch

    from . import checkpoint, data, device, models, train

    try:
        dev = device.choose_device(args.device)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if dev.type == "cpu":
        device.configure_cpu_threads(args.threads)
    print(f"device: {device.describe_device(dev)}", flush=True)
    t0 = time.perf_counter()
    mnist = data.load_mnist_tensors(dev, train_limit=args.limit, test_limit=args.test_limit,
                                    seed=args.seed)
    load_seconds = time.perf_counter() - t0
    model = models.build_model(args.model)
    print(f"model: {args.model} ({models.count_parameters(model):,} weights); "
          f"train {len(mnist.y_train):,} / test {len(mnist.y_test):,} images", flush=True)
    history = train.fit(model, mnist, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                        shift=args.shift, seed=args.seed, threads=args.threads,
                        progress=not args.no_progress)
    for epoch, acc in zip(history.test_epoch, history.test_accuracy):
        print(f"epoch {epoch}: test accuracy {100 * acc:.2f} %", flush=True)
    print(f"trained in {history.train_seconds:.1f} s "
          f"({history.images_per_second[-1]:,.0f} images/s in the last epoch)", flush=True)
    if args.save:
        path = checkpoint.save_checkpoint(args.save, model, arch=args.model,
                                          meta={"test_accuracy": history.test_accuracy[-1],
                                                "epochs": args.epochs, "seed": args.seed})
        print(f"saved {path}", flush=True)
    if args.json:
        result = {
            "test_accuracy": history.test_accuracy[-1],
            "train_seconds": history.train_seconds,
            "device": str(dev),
            "model": args.model,
            "parameters": models.count_parameters(model),
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "seed": args.seed,
            "train_images": len(mnist.y_train),
            "test_images": len(mnist.y_test),
            "test_accuracy_per_epoch": history.test_accuracy,
            "images_per_second": history.images_per_second[-1],
            "load_seconds": load_seconds,
            "threads": torch.get_num_threads(),
        }
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
