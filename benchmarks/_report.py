"""What the benchmarks share: a tiny table printer (one row per target) and one timer."""

from __future__ import annotations

import statistics
import time


def median_time(fn, *, repeats: int, warmup: int = 3, clock=time.perf_counter) -> float:
    """Median seconds of ``repeats`` calls of ``fn()`` after ``warmup`` untimed ones, measured
    with ``clock`` (``time.process_time`` for CPU time)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return float(statistics.median(times))


class Report:
    """Collect (name, measured, target, ok) rows; ``print()`` them; ``failed`` counts misses."""

    def __init__(self, title: str):
        self.title = title
        self.rows: list[tuple[str, str, str, bool | None]] = []

    def add(self, name: str, measured: str, target: str = "", ok: bool | None = None):
        self.rows.append((name, measured, target, ok))
        mark = {True: "PASS", False: "MISS", None: ""}[ok]
        print(f"  {name:<52} {measured:>18}  {target:<14} {mark}", flush=True)

    @property
    def failed(self) -> int:
        return sum(1 for *_, ok in self.rows if ok is False)

    def exit_code(self) -> int:
        print(f"  -> {self.title}: {self.failed} target(s) missed" if self.failed
              else f"  -> {self.title}: all targets met")
        return 1 if self.failed else 0
