"""Running one function over many items in worker processes.

Workers are forked for each call, so they start with a copy of the parent's
memory: the site graph, renderers, templates and the items themselves are not sent
to them; only results come back, through one pipe per worker. Workers share out the
items through a small shared array of index ranges (:func:`_claim`); the calling
process is one of them, once it has done what it does meanwhile. Where ``fork``
is unavailable (Windows), or for little work, everything runs in the calling
process. Results come back in the order of the items, so output never depends on
the number of jobs. :mod:`multiprocessing` is imported when workers are first
started (23 ms): a build that starts none (``-j 1``, or a one-article edit from the
command line) does not load it.

One task that should start at once, before this process has imported what it needs
for the rest, runs ahead in a process of its own: see :mod:`provarchive.ahead`.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from itertools import zip_longest
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # Windows, which has no fork either: everything runs in this process
    fcntl = None  # type: ignore[assignment]

Item = TypeVar("Item")
Result = TypeVar("Result")
Other = TypeVar("Other")

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a build runs."""

_PR_SET_PDEATHSIG = 1
ENDING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""Signals whose default action ends a build; its workers end first (see _workers_die_first)."""


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


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector in this process while a build runs.

    A build allocates millions of long-lived objects that form no garbage cycles,
    and every full collection walks them all: at 20,000 articles that was a sixth of
    a rebuild. Work that makes garbage cycles (rendering pages) runs with the
    collector on (see :func:`_collector_on`).

    When the collector was on before, the cycles the build made are collected as it
    ends: a Jinja environment and its renderer refer to each other, and hold the site
    graph. ``serve`` builds in one process for hours, and the collector, paused
    during builds, seldom ran between them: at 20,000 articles each edit left 38 MiB
    (84,000 objects), 1.6 GiB after 40 edits. The collection takes 25-30 ms there.
    (The command line, whose process ends with its build, turns the collector off.)
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


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


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when its parent (process ``parent``) dies, so that a
    killed build leaves no orphans."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


MIN_ITEMS = 64
"""Fewer items than this are mapped in this process: forking would cost more."""


def forks(total: int, jobs: int, min_items: int = MIN_ITEMS) -> bool:
    """Whether :func:`map_in_workers` forks workers for ``total`` items (else it maps
    them in this process, one after the other)."""
    return jobs > 1 and total >= min_items and hasattr(os, "fork")


def run_meanwhile(
    task: Callable[[], Result], meanwhile: Callable[[], Other], jobs: int
) -> tuple[Result, Other]:
    """Run ``task()`` in a worker process while ``meanwhile()`` runs in this one, and
    return both results (one after the other where no worker is forked: see
    :func:`forks`). Exceptions raised by ``task`` propagate; its result travels back
    pickled."""
    results, other = map_in_workers_meanwhile(_run, [task], None, jobs, meanwhile, min_items=1)
    return results[0], other


def _run(_state: None, task: Callable[[], Result]) -> Result:
    return task()


def map_in_workers(
    function: Callable[[Any, Item], Result],
    items: Sequence[Item],
    state: Any,
    jobs: int,
    *,
    min_items: int = MIN_ITEMS,
    progress: Callable[[int, int], None] | None = None,
    settle: Callable[[list[Result]], list[Any]] | None = None,
) -> list[Any]:
    """Return ``[function(state, item) for item in items]``, computed by ``jobs`` processes.

    ``function``, ``items`` and ``state`` reach the workers by fork, unpickled; only
    results travel back. Exceptions raised by ``function`` propagate, so functions
    should return errors as values. ``progress(done, total)`` is called in this
    process as results come in.

    Each worker takes neighbouring items, a chunk at a time (see :func:`_claim`), so
    that items which share work (pages listing the same articles, when the caller
    orders them so) mostly meet in the same worker and its caches.

    ``settle(results)``, when given, is called on each chunk of results where they are
    made (in the worker), and what it returns travels back instead: a caller can thus
    store large results away (rendered bodies, say) where they were made, rather than
    send them here and hold all of them at once.
    """
    results, _ = map_in_workers_meanwhile(
        function,
        items,
        state,
        jobs,
        lambda: None,
        min_items=min_items,
        progress=progress,
        settle=settle,
    )
    return results


def map_in_workers_meanwhile(
    function: Callable[[Any, Item], Result],
    items: Sequence[Item],
    state: Any,
    jobs: int,
    meanwhile: Callable[[], Other],
    *,
    min_items: int = MIN_ITEMS,
    progress: Callable[[int, int], None] | None = None,
    settle: Callable[[list[Result]], list[Any]] | None = None,
    joins: bool = False,
) -> tuple[list[Any], Other]:
    """Like :func:`map_in_workers`, and run ``meanwhile()`` in this process while the
    workers work; return both results. (Without workers, one after the other.) Where
    ``joins``, this process then takes items too, as one of the ``jobs``."""
    return map_chunks_meanwhile(
        functools.partial(_each, function),
        items,
        state,
        jobs,
        meanwhile,
        min_items=min_items,
        progress=progress,
        settle=settle,
        joins=joins,
    )


def _each(function: Callable[[Any, Item], Result], state: Any, chunk: Sequence[Item]) -> list:
    return [function(state, item) for item in chunk]


def map_in_chunks(
    function: Callable[[Any, Sequence[Item]], list[Result]],
    items: Sequence[Item],
    state: Any,
    jobs: int,
) -> list[Result]:
    """``function(state, chunk)`` on each chunk of neighbouring ``items``, in ``jobs``
    processes, this one among them (see :func:`map_chunks_meanwhile`); the results in
    order."""
    results, _ = map_chunks_meanwhile(function, items, state, jobs, _nothing, joins=True)
    return results


def _nothing() -> None:
    return None


def map_chunks_meanwhile(
    function: Callable[[Any, Sequence[Item]], list[Result]],
    items: Sequence[Item],
    state: Any,
    jobs: int,
    meanwhile: Callable[[], Other],
    *,
    min_items: int = MIN_ITEMS,
    progress: Callable[[int, int], None] | None = None,
    settle: Callable[[list[Result]], list[Any]] | None = None,
    joins: bool = False,
    receive: Callable[[int, list[Any]], None] | None = None,
) -> tuple[list[Any], Other]:
    """Like :func:`map_in_workers_meanwhile`, with ``function(state, chunk)`` called on
    each chunk of neighbouring items (at most 64) and returning their results, in
    order: so that it can share work among them (one query for the bodies of the
    pages of a chunk, say).

    ``receive(start, results)``, when given, is called in this process on the results
    of each chunk (``settle``'d) as they come in, ``start`` being the place of the
    chunk's first item (from another thread while this process runs
    ``meanwhile``). A caller can thus use results while they are in the processor's
    caches, and while the workers work.
    """
    keep = settle or _as_they_are
    total = len(items)
    size = max(1, min(64, total // (max(jobs, 1) * 8)))
    landing = _Landing(total, progress, receive)
    if not forks(total, jobs, min_items):
        with _collector_on():
            for start in range(0, total, size):
                landing.add(start, keep(function(state, items[start : start + size])))
        return landing.collected, meanwhile()
    jobs = min(jobs, total)
    # objects that exist now are shared with the workers; keep the collector from
    # writing to them (each write copies a memory page into the worker)
    gc.freeze()
    workers: list[tuple[Any, Any]] = []
    try:
        with _workers_die_first(workers):
            return _run_workers(
                function, items, state, jobs, size, meanwhile, (landing, keep), workers, joins
            )
    finally:
        for process, receiver in workers:
            if process.is_alive():
                process.terminate()
            process.join()
            receiver.close()
        gc.unfreeze()


def _run_workers(
    function: Callable[[Any, Sequence[Item]], list[Result]],
    items: Sequence[Item],
    state: Any,
    jobs: int,
    size: int,
    meanwhile: Callable[[], Other],
    told: tuple[_Landing, Callable[[list[Any]], list[Any]]],
    workers: list[tuple[Any, Any]],
    joins: bool,
) -> tuple[list[Any], Other]:
    """Start the workers (adding each to ``workers`` as it starts), run ``meanwhile``
    in this process, and return both results once the items are done. Where this
    process ``joins``, it is one of the ``jobs``: it forks one worker fewer and takes
    chunks itself once ``meanwhile`` is done, so that as many processes work as there
    are jobs, never one more: three busy processes on two cores cost more CPU time
    than two, in cache misses and switches between them (two workers rendered the
    pages of 5,000 articles in 3.3 CPU-seconds beside the search index, in 2.8-3.1
    without it)."""
    import multiprocessing  # here, not above: see the module docstring

    context = multiprocessing.get_context("fork")
    total = len(items)
    landing, settle = told
    bounds = context.RawArray("q", _segments(total, jobs))
    lock = context.Lock()
    for index in range(jobs - 1 if joins else jobs):
        receiver, sender = context.Pipe(duplex=False)
        _widen(sender)
        process = context.Process(
            target=_work,
            args=(index, (function, state, settle), items, bounds, lock, size, sender, os.getpid()),
            daemon=True,
        )
        process.start()
        sender.close()
        workers.append((process, receiver))
    failures: list[BaseException] = []
    collector = threading.Thread(target=_collect, args=(workers, landing, failures), daemon=True)
    collector.start()
    other = meanwhile()
    while joins and not failures:  # the cycle collector as this process has it (paused)
        with lock:
            start, stop = _claim(bounds, jobs - 1, size)
        if start == stop:
            break
        landing.add(start, settle(function(state, items[start:stop])))
    collector.join()
    if failures:
        raise failures[0]
    if landing.done != total:
        raise RuntimeError(f"workers returned {landing.done} results for {total} items")
    return landing.collected, other


class _Landing:
    """Where the results of chunks land in this process, from its threads: in their
    places in ``collected``, handed to ``receive``, counted and told to ``progress``."""

    def __init__(
        self,
        total: int,
        progress: Callable[[int, int], None] | None,
        receive: Callable[[int, list[Any]], None] | None,
    ):
        self.collected: list[Any] = [None] * total
        self.total = total
        self.progress = progress
        self.receive = receive
        self.done = 0
        self._lock = threading.Lock()

    def add(self, start: int, results: list[Any]) -> None:
        """Land ``results``, those of the items from place ``start`` on."""
        self.collected[start : start + len(results)] = results
        if self.receive is not None:
            self.receive(start, results)
        with self._lock:
            self.done += len(results)
            done = self.done
        if self.progress is not None:
            self.progress(done, self.total)


@contextlib.contextmanager
def _workers_die_first(workers: list[tuple[Any, Any]]) -> Iterator[None]:
    """While ``workers`` run, let SIGTERM and SIGHUP end them, and wait for them, before
    this process dies of the signal as it would have: none outlives it, not even as
    a zombie. (SIGKILL cannot be caught: then ``PR_SET_PDEATHSIG`` ends them.)

    Only in the main thread, and only for signals nobody else handles.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()
    taken = [number for number in ENDING_SIGNALS if signal.getsignal(number) == signal.SIG_DFL]

    def end(number: int, _frame: object) -> None:
        if os.getpid() == owner:  # not in a worker just forked, which has this handler too
            for process, _ in workers:
                with contextlib.suppress(Exception):
                    process.kill()
            for process, _ in workers:
                with contextlib.suppress(Exception):
                    process.join(5)
        for taken_number in taken:
            signal.signal(taken_number, signal.SIG_DFL)
        os.kill(os.getpid(), number)  # now with its default action: the end of this process

    for number in taken:
        signal.signal(number, end)
    try:
        yield
    finally:
        for number in taken:
            signal.signal(number, signal.SIG_DFL)


def _as_they_are(results: list[Any]) -> list[Any]:
    return results


def _widen(connection: Any) -> None:
    """Let a result pipe hold up to 1 MiB (Linux), so that a worker does not wait for
    this process to read each result while it is busy with ``meanwhile``."""
    if fcntl is not None:
        with contextlib.suppress(AttributeError, OSError):  # not Linux, or over the limit
            fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def _segments(total: int, jobs: int) -> list[int]:
    """``[start, stop]`` of each worker's share of ``total`` items, flattened."""
    cuts = [total * index // jobs for index in range(jobs + 1)]
    return [bound for index in range(jobs) for bound in (cuts[index], cuts[index + 1])]


def claim_order(total: int, jobs: int) -> list[int]:
    """The places of ``total`` items in the order the workers of a call with ``jobs``
    come to them: each walks its share as :func:`_claim` has it (even ones forward, odd
    ones backward), taken in turn. So a caller's ``meanwhile`` can get items ready (ask
    the disk for their files) in the order they will be needed."""
    cuts = _segments(total, max(1, min(jobs, total)))
    walks = [
        range(start, stop) if index % 2 == 0 else range(stop - 1, start - 1, -1)
        for index, (start, stop) in enumerate(zip(cuts[::2], cuts[1::2], strict=True))
    ]
    return [place for step in zip_longest(*walks) for place in step if place is not None]


def _claim(bounds: Any, index: int, size: int) -> tuple[int, int]:
    """Take the next chunk for worker ``index``: from its own share while it lasts, then
    from the share with most left. Even workers go forward, odd ones backward, and a
    helper takes from the end its owner is not at, so that worker 0 and 1 meet in
    the middle of worker 1's share (two workers walk the items from both ends)."""
    jobs = len(bounds) // 2
    owner = index
    if bounds[2 * index] >= bounds[2 * index + 1]:
        owner = max(range(jobs), key=lambda s: bounds[2 * s + 1] - bounds[2 * s])
    start, stop = bounds[2 * owner], bounds[2 * owner + 1]
    if start >= stop:
        return 0, 0
    forward = (owner % 2 == 0) == (owner == index)
    if forward:
        bounds[2 * owner] = end = min(start + size, stop)
        return start, end
    bounds[2 * owner + 1] = begin = max(stop - size, start)
    return begin, stop


def _work(
    index: int,
    task: tuple[Callable[[Any, Any], Any], Any, Callable[[list[Any]], list[Any]]],
    items: Sequence[Any],
    bounds: Any,
    lock: Any,
    size: int,
    sender: Any,
    parent: int,
) -> None:
    """A worker process: claim chunks and send ``(start, settle(results))`` until none
    are left (``task`` is the function, its state and ``settle``)."""
    die_with_parent(parent)
    for number in ENDING_SIGNALS:  # the parent's handler (see _workers_die_first) is not ours
        signal.signal(number, signal.SIG_DFL)
    gc.enable()  # the parent may pause it (see build.py); rendering makes garbage cycles
    function, state, settle = task
    try:
        while True:
            with lock:
                start, stop = _claim(bounds, index, size)
            if start == stop:
                break
            sender.send((start, settle(function(state, items[start:stop]))))
        sender.send(None)
    except BaseException as exc:  # handed to the parent, which raises it
        try:
            sender.send(exc)
        except Exception:  # not picklable: send what it said
            sender.send(RuntimeError(f"a worker failed: {exc!r}"))
    finally:
        sender.close()
        os._exit(0)


def _collect(
    workers: list[tuple[Any, Any]], landing: _Landing, failures: list[BaseException]
) -> None:
    """Receive the workers' results and land them (a thread of the parent); anything
    that goes wrong, here or in a worker, ends up in ``failures``."""
    from multiprocessing.connection import wait  # see the module docstring

    open_receivers = {receiver: process for process, receiver in workers}
    try:
        while open_receivers and not failures:
            for receiver in wait(list(open_receivers)):
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    process = open_receivers[receiver]
                    process.join()
                    message = RuntimeError(
                        f"a worker process died (exit status {process.exitcode})"
                    )
                if message is None:
                    del open_receivers[receiver]
                elif isinstance(message, BaseException):
                    failures.append(message)
                    break
                else:
                    landing.add(*message)
    except BaseException as exc:  # a failing progress callback, say: never lose it
        failures.append(exc)
