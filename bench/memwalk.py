"""What one pass over N records costs per record, at the sizes of the ``--scale`` rows.

A build's stages are passes over its articles and pages: each step follows references
to objects scattered in memory (a page spec, its payload, the id, the dict slot of that
id). When the objects no longer fit in the processor's caches, each step waits for
memory, so the same Python code costs more per record in a larger archive. This measures
that on its own, with no provarchive code: one dict lookup per record, through a frozen
dataclass, the records and the dict made as a build makes them (keys built one by one,
in another order than the walk). Printed by ``make bench`` with ``--scale``.

Run alone: ``python bench/memwalk.py 9600 185000`` (the pages of 5,000 and 100,000
bench articles).
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    path: str
    article: str


def nanoseconds_per_record(count: int, rounds: int = 5, seed: int = 1) -> float:
    """The fastest of ``rounds`` passes over ``count`` records, in ns per record."""
    rng = random.Random(seed)
    ids = [f"zhxx/yywl/t{number:07d}_{rng.randrange(10**6):06d}" for number in range(count)]
    rng.shuffle(ids)
    place = {article_id: number for number, article_id in enumerate(ids)}
    records = [Record(f"page/{number}", ids[rng.randrange(count)]) for number in range(count)]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for record in records:
            total += place[record.article]
        best = min(best, time.perf_counter() - started)
    return best / count * 1e9


def measure(counts: list[int]) -> dict[int, float]:
    """ns per record at each of ``counts``, printed with the ratio to the first."""
    found = {count: nanoseconds_per_record(count) for count in counts}
    base = found[counts[0]]
    print("\none dict lookup per record, the same Python loop (bench/memwalk.py):")
    for count, ns in found.items():
        print(f"  {count:>9,} records: {ns:6.1f} ns per record ({ns / base:.2f}x)")
    return found


if __name__ == "__main__":
    measure([int(arg) for arg in sys.argv[1:]] or [9600, 185000])
