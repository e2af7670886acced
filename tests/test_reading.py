"""Reading articles: files not in memory are asked for from the disk together, and the
records read in workers share the texts they repeat."""

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
from provarchive.config import load_config
from provarchive.content import CONTENT_DIR, prefetch_article_files
from provarchive.parallel import claim_order, forks
from provarchive.reading import READ_AHEAD_BYTES, _ahead_of_workers, read_content
from provarchive.walk import scan_content

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


def test_records_read_in_workers_share_the_texts_they_repeat(make_site):
    """A column, a source, reporters and tags repeat from article to article: the
    records a worker reads hold one object of each, so that pickled together to the
    build's process they are sent and kept once a chunk of records, not once a record
    (at 100,000 articles the tree's peak memory was 64 MiB less)."""
    count = 200
    site = make_site(
        {
            f"content/news/a{number:03d}.md": article(
                f"标题{number}", source="岚山日报", authors="[王明, 李华]", tags="[乡村振兴, 教育]"
            )
            for number in range(count)
        }
    )
    tree = read_content(site, load_config(site), scan_content(site), drafts=False, jobs=2)
    records = [tree.articles[article_id] for article_id in tree.articles]
    assert len(records) == count and forks(count, 2)  # read in workers, sent back pickled
    repeated = {
        "column": [record.column for record in records],
        "source": [record.source for record in records],
        "reporter": [record.authors[1] for record in records],
        "tag": [record.tags[0] for record in records],
    }
    for name, texts in repeated.items():
        assert len(set(texts)) == 1, name
        assert len({id(text) for text in texts}) <= count // 5, f"a {name} object per record"
