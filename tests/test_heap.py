"""Freed memory given back to the system (heap.py)."""

from __future__ import annotations

import os
import sys

import pytest

from provarchive.heap import give_back_freed_memory


def _resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux")
def test_memory_freed_below_a_live_block_goes_back_to_the_system():
    # 120 MiB in blocks the C allocator serves from its heap (over Python's 512-byte
    # limit, under glibc's mmap threshold), and one more block above them, still held:
    # freeing the others leaves free memory below it, which the heap keeps resident
    blocks = [bytes(4096) + bytes([n % 256]) for n in range(30_000)]
    pin = bytes(4096) + b"pin"
    before = _resident_mib()
    del blocks
    kept = _resident_mib()
    give_back_freed_memory()
    after = _resident_mib()
    assert pin.endswith(b"pin")
    assert kept > before - 30  # the allocator kept most of the freed memory resident
    assert after < kept - 60  # and gave it back when asked
