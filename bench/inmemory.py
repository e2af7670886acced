"""Builds whose output lives in memory (tmpfs), beside the builds onto the disk.

On this machine the disk can decide much of a cold build's time, and decides it
unevenly: creating and writing a 14 KB file cost 20 µs of CPU time on the root file
system when no files had been deleted lately, and a 5,000-article build's workers spent
115-254 µs a page file right after 20,000 files were (ext4 without a journal checks
each recently freed inode it passes, ``recently_deleted`` in ``perf``). A build of the same
archive into memory times the tools themselves: what they compute, and what the kernel
costs them for files when no disk is in the way. The bench prints both.

A site built in memory is a folder on tmpfs with the archive's ``content`` linked (its
files are read from the page cache either way) and its own ``site.yaml``; its build
cache is then in memory as well. Nothing here stays after the bench: :func:`cleared`
removes each output right after its run, since memory is what it takes up.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = (Path("/dev/shm"), Path("/run/shm"), Path("/tmp"))


def _is_tmpfs(folder: Path) -> bool:
    """Whether ``folder`` is the mount point of a tmpfs file system."""
    try:
        mounts = Path("/proc/mounts").read_text("utf-8").splitlines()
    except OSError:
        return False
    return any(line.split()[1:3] == [str(folder), "tmpfs"] for line in mounts if line.strip())


def memory_root(need_bytes: int) -> Path | None:
    """A new folder on a writable tmpfs with ``need_bytes`` free, or None if there is none."""
    for candidate in CANDIDATES:
        if not (_is_tmpfs(candidate) and os.access(candidate, os.W_OK)):
            continue
        stats = os.statvfs(candidate)
        if stats.f_bavail * stats.f_frsize < need_bytes:
            continue
        root = candidate / f"provarchive-bench-{os.getpid()}"
        root.mkdir(exist_ok=True)
        return root
    return None


def memory_site(site: Path, root: Path, extra_config: str = "") -> Path:
    """A copy of the provarchive ``site`` under ``root`` (its ``content`` linked) whose
    ``site.yaml`` gets ``extra_config`` appended."""
    folder = root / f"{site.name}{'-nosearch' if extra_config else ''}"
    if not folder.exists():
        folder.mkdir()
        (folder / "content").symlink_to((site / "content").resolve())
        (folder / "site.yaml").write_text((site / "site.yaml").read_text("utf-8")
                                          + extra_config, "utf-8")
    return folder


def cleared(output: Path, site: Path | None = None) -> None:
    """Remove ``output``, the spare provarchive keeps beside it, and ``site``'s build cache."""
    for folder in (output, output.with_name(f".{output.name}.spare"),
                   *([site / ".provarchive-cache"] if site else [])):
        shutil.rmtree(folder, ignore_errors=True)


def ratio_line(mine: float | None, hugo: float | None) -> str:
    """How long a cold build into memory took, against Hugo's into memory."""
    if mine is None:
        return "no tmpfs with room for the output: no builds into memory"
    if hugo is None:
        return f"cold build into memory (tmpfs) {mine:.2f}s"
    return (f"cold build into memory (tmpfs) {mine:.2f}s, Hugo {hugo:.2f}s:"
            f" provarchive/hugo {mine / hugo:.2f}")
