"""Make a digest for an exercise: ``python -m nnlib.exercises 0.25 --step 0.01`` or
``python -m nnlib.exercises b`` (a choice). Prints the 64-character hex string to store as
``digest=``; for a number a second line, the ``size=`` digest (its sign and rough size)."""

from __future__ import annotations

import argparse

from . import digest, size_digest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnlib.exercises", description=__doc__)
    p.add_argument("answer", help="the true answer: a number (with --step) or a choice")
    p.add_argument("--step", type=float, default=None,
                   help="quantisation step for a numeric answer (its tolerance)")
    args = p.parse_args(argv)
    value = float(args.answer) if args.step is not None else args.answer
    print(digest(value, args.step))
    if args.step is not None:
        print(size_digest(value))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
