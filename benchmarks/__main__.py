"""Run every ``benchmarks/bench_*.py`` (or those named on the command line) in turn.

``python -m benchmarks`` / ``make bench``; ``python -m benchmarks core conv`` runs
``bench_core.py`` and ``bench_conv.py`` only. Each module exposes ``main() -> int`` that prints
its table and returns non-zero if a target is missed.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        rc = importlib.import_module(f"benchmarks.{name}").main()
        if rc:
            failed.append(name)
    if failed:
        print(f"\ntargets missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
