"""Running one function over many items in worker processes.

Workers are forked, so they start with a copy of the parent's memory: the site
graph, renderers and templates are not sent to them, only the items. Each call of
:func:`map_in_workers` hands its shared state to its own pool through the pool's
initializer; the module keeps that state for the worker's lifetime only (one slot
per worker process, never used in the parent). Where ``fork`` is unavailable
(Windows), or for little work, everything runs in the calling process. Results
come back in the order of the items, so output never depends on the number of jobs.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Other = TypeVar("Other")

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a build runs."""

_PR_SET_PDEATHSIG = 1

_worker_state: Any = None
"""The shared state of the pool this worker process belongs to (set by the initializer)."""


def stage_progress(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    """Return a ``(done, total)`` callback that reports stage ``stage`` to ``progress``."""
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def default_jobs() -> int:
    """Return the number of worker processes to use by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _init_worker(state: Any) -> None:
    global _worker_state
    _worker_state = state
    gc.enable()  # the parent may pause it (see build.py); rendering makes garbage cycles
    _die_with_parent()


@contextlib.contextmanager
def _collector_on() -> Iterator[None]:
    """Run the cycle collector while work that makes garbage cycles runs in this process.

    Objects that exist already are frozen first, so collections look at new ones only.
    """
    enabled = gc.isenabled()
    if not enabled:
        gc.freeze()
        gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
            gc.unfreeze()


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (a killed build leaves no orphans)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _run_chunk(job: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    function, chunk = job
    return [function(_worker_state, item) for item in chunk]


def map_in_workers(
    function: Callable[[Any, Item], Result],
    items: Sequence[Item],
    state: Any,
    jobs: int,
    *,
    min_items: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Return ``[function(state, item) for item in items]``, computed by ``jobs`` processes.

    ``function`` must be a module-level function (it is sent to workers by name);
    ``state`` reaches the workers by fork, unpickled. Exceptions raised by
    ``function`` propagate, so functions should return errors as values.
    ``progress(done, total)`` is called in this process as results come in.
    """
    results, _ = map_in_workers_meanwhile(
        function, items, state, jobs, lambda: None, min_items=min_items, progress=progress
    )
    return results


def map_in_workers_meanwhile(
    function: Callable[[Any, Item], Result],
    items: Sequence[Item],
    state: Any,
    jobs: int,
    meanwhile: Callable[[], Other],
    *,
    min_items: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Result], Other]:
    """Like :func:`map_in_workers`, and run ``meanwhile()`` in this process while the
    workers work; return both results. (Without workers, one after the other.)"""
    total = len(items)
    size = max(1, min(256, total // (max(jobs, 1) * 8)))
    chunks = [items[start : start + size] for start in range(0, total, size)]
    results: list[Result] = []
    if jobs <= 1 or total < min_items or "fork" not in multiprocessing.get_all_start_methods():
        with _collector_on():
            for chunk in chunks:
                results.extend(function(state, item) for item in chunk)
                if progress is not None:
                    progress(len(results), total)
        return results, meanwhile()
    context = multiprocessing.get_context("fork")
    # objects that exist now are shared with the workers; keep the collector from
    # writing to them (each write copies a memory page into the worker)
    gc.freeze()
    try:
        with context.Pool(jobs, initializer=_init_worker, initargs=(state,)) as pool:
            pending = pool.imap(_run_chunk, [(function, c) for c in chunks])
            other = meanwhile()
            for chunk_results in pending:
                results.extend(chunk_results)
                if progress is not None:
                    progress(len(results), total)
    finally:
        gc.unfreeze()
    return results, other
