"""Cache files written atomically: at once, or by a thread of their own while the
build goes on (:class:`CacheWrites`). Each goes to a temporary file renamed over the
old one, so a failed or killed build never leaves half a cache file; the machine's
refusals become one :class:`OutputError` line about the cache folder."""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import queue
import threading
from collections.abc import Callable
from operator import methodcaller
from pathlib import Path
from typing import BinaryIO, ClassVar

from .errors import ProvarchiveError
from .faults import fault, with_file

CACHE_DIR = ".provarchive-cache"
"""The site's own cache folder: build lock, state of the last build, rendered bodies."""

Fill = Callable[[BinaryIO], object]
"""What writes a file's bytes into its open handle (see :func:`write_atomically`)."""


def dump_file(path: Path, value: object) -> None:
    """Write ``value``, pickled, to ``path`` atomically (see :func:`write_atomically`)."""
    write_atomically(path, _pickling(value))


def _pickling(value: object) -> Fill:
    """What pickles ``value`` into a file's handle, as it goes."""
    return functools.partial(pickle.dump, value, protocol=pickle.HIGHEST_PROTOCOL)


def write_atomically(path: Path, fill: Fill, buffering: int = -1) -> None:
    """Write the file ``path`` atomically, ``fill`` writing into a temporary file (with
    ``buffering`` bytes of buffer) that is then renamed over the old one.

    Raises :class:`OutputError` when the machine refuses (disk full, say), leaving
    no temporary file behind.
    """
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb", buffering=buffering) as handle:
            fill(handle)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise cache_fault(with_file(exc, temporary), path.parent) from None


class CacheWrites:
    """Cache files written whole and atomically (see :func:`write_atomically`) by a
    thread of their own, while the build's thread goes on: the kernel copies a file's
    bytes with the interpreter released. The plan and the shards of 100,000 articles
    are 220 MB, and on the bench machine 100 MB took 0.45-0.75 s of kernel time to
    write; the build's thread now spends that time on its own work. Leaving the
    ``with`` block waits for every file, then raises the first failure (an
    :class:`OutputError` when the machine refused) unless the block raised.

    A value to pickle is pickled on the thread into a file buffer of :data:`BUFFER`
    bytes, so that the interpreter passes between the threads once per buffer, not per
    pickle frame, and a large file's bytes are never held whole (bytes given whole are
    written as they are, not copied into such a buffer). At most :data:`WAITING`
    files wait for the thread (a shard of 100,000 articles is 3 MB).
    """

    BUFFER: ClassVar[int] = 1 << 24
    WAITING: ClassVar[int] = 4

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Path, Fill, int] | None] = queue.Queue(self.WAITING)
        self._failures: list[Exception] = []
        self._thread = threading.Thread(target=self._run, name="cache-writes", daemon=True)

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` as the file ``path``, on the thread."""
        self._put(path, methodcaller("write", data), -1)

    def dump(self, path: Path, value: object) -> None:
        """Write ``value``, pickled on the thread, as the file ``path``."""
        self._put(path, _pickling(value), self.BUFFER)

    def _put(self, path: Path, fill: Fill, buffering: int) -> None:
        if not self._thread.is_alive():
            self._thread.start()
        self._queue.put((path, fill, buffering))

    def __enter__(self) -> CacheWrites:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if kind is None and self._failures:
            raise self._failures[0]

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failures:  # a refusal ends the build: the rest would be thrown away
                continue
            try:
                write_atomically(*item)
            except Exception as exc:  # raised in the build's thread, see __exit__
                self._failures.append(exc)


def cache_fault(exc: OSError, cache_dir: Path) -> ProvarchiveError:
    """The error for a refusal of the machine while writing the build cache."""
    return fault(exc, cache_dir, "saving the build cache")
