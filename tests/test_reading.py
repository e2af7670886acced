"""Article files that are not in memory are asked for from the disk together."""

from __future__ import annotations

import ctypes
import functools
import mmap
import os
import sys
import time
from pathlib import Path

import pytest

from conftest import article, require_all
from provarchive.content import CONTENT_DIR, prefetch_article_files
from provarchive.parallel import claim_order
from provarchive.reading import READ_AHEAD_BYTES, _ahead_of_workers

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="needs Linux: posix_fadvise, and mincore to see what is in memory",
)


@functools.cache
def libc() -> ctypes.CDLL:
    """The C library, with the types of ``mmap``, ``mincore`` and ``munmap``."""
    found = ctypes.CDLL(None, use_errno=True)
    found.mmap.restype = ctypes.c_void_p
    found.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    found.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    found.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return found


def in_memory(path: Path) -> bool:
    """Whether every page of ``path`` is in memory, asked without reading it (``mincore``
    of a mapping never touched: a read, even one told not to wait, starts the disk)."""
    size = path.stat().st_size
    descriptor = os.open(path, os.O_RDONLY)
    try:
        address = libc().mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, descriptor, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), f"mmap of {path}")
        try:
            vector = (ctypes.c_ubyte * -(-size // mmap.PAGESIZE))()
            if libc().mincore(address, size, vector) != 0:
                raise OSError(ctypes.get_errno(), f"mincore of {path}")
            return all(page & 1 for page in vector)
        finally:
            libc().munmap(address, size)
    finally:
        os.close(descriptor)


def evict(path: Path) -> None:
    """Write ``path`` to the disk and drop it from memory, as after a restart."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def test_prefetch_brings_files_into_memory_and_passes_over_what_it_cannot_read(tmp_path):
    content = tmp_path / CONTENT_DIR / "zhxx"
    content.mkdir(parents=True)
    rels = [f"zhxx/{number}.md" for number in range(8)]
    for rel in rels:
        (tmp_path / CONTENT_DIR / rel).write_text(article(f"第{rel}篇"), "utf-8")
        evict(tmp_path / CONTENT_DIR / rel)
    if any(in_memory(tmp_path / CONTENT_DIR / rel) for rel in rels):
        message = f"{tmp_path} keeps files in memory (a tmpfs?): nothing to prefetch there"
        if require_all():
            pytest.fail(message)
        pytest.skip(message)
    os.mkfifo(content / "pipe.md")  # opened without waiting for a writer

    prefetch_article_files(tmp_path, ["zhxx/missing.md", "zhxx/pipe.md", *rels], 1 << 20)

    deadline = time.monotonic() + 30  # the disk answers in milliseconds; a limit, not a pace
    waiting = list(rels)
    while waiting and time.monotonic() < deadline:
        waiting = [rel for rel in waiting if not in_memory(tmp_path / CONTENT_DIR / rel)]
    assert not waiting, f"never read from the disk: {waiting}"


def test_files_are_asked_for_ahead_in_the_order_workers_read_them_up_to_a_budget():
    size = 6 << 20  # 6 MiB a file: the budget ends within the first hundred
    to_read = [f"zhxx/{number:03d}.md" for number in range(120)]
    files = {rel: (0, size, number) for number, rel in enumerate(to_read)}
    fits = READ_AHEAD_BYTES // size
    assert 0 < fits < len(to_read)

    ahead = _ahead_of_workers(to_read, files, 2)

    assert ahead == [to_read[place] for place in claim_order(len(to_read), 2)][:fits]
    assert ahead[:4] == ["zhxx/000.md", "zhxx/119.md", "zhxx/001.md", "zhxx/118.md"]
    # no worker is forked: each chunk's files are asked for where they are read
    assert _ahead_of_workers(to_read, files, 1) == []
    assert _ahead_of_workers(to_read[:10], files, 2) == []
