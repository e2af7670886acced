"""Peak memory of a process tree: a build's main process and its forked workers.

``ru_maxrss`` of the main process misses the workers, and ``RUSAGE_CHILDREN`` gives the
largest single descendant, not their sum. So a thread samples ``/proc`` every 20 ms
while the command runs and records the largest sum over the tree of

* RSS (resident pages, counting a page shared by a parent and a forked worker in both),
* PSS (proportional: a page shared by two processes counts half in each), which adds
  up to what the tree really occupies.

Sampling can miss a peak shorter than its period; the main process's own ``maxrss``
(from ``wait4``) is exact and is reported beside it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

PERIOD = 0.02


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; zeros when it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class TreeSampler:
    """Samples the memory of the tree under ``pid`` until :meth:`stop`."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            pids = _tree(self.pid)
            sizes = [_memory(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes))
            self.peak_processes = max(self.peak_processes, len(pids))
            self._done.wait(PERIOD)

    def stop(self) -> None:
        """Stop sampling (call before reaping the process, while /proc still shows it)."""
        self._done.set()
        self._thread.join()


if __name__ == "__main__":  # python bench/treemem.py COMMAND...: run it, print its peaks
    import subprocess
    import sys
    import time

    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:])
    sampler = TreeSampler(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    sampler.stop()
    wall = time.perf_counter() - started
    print(
        f"wall {wall:.2f} s  cpu {usage.ru_utime + usage.ru_stime:.2f} s (tree)"
        f"  largest process maxrss {usage.ru_maxrss // 1024} MiB  tree peak RSS {sampler.peak_rss // 1024}"
        f" MiB  tree peak PSS {sampler.peak_pss // 1024} MiB", file=sys.stderr
    )
    sys.exit(os.waitstatus_to_exitcode(status))
