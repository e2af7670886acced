"""Faults of the machine as one-line errors: disk full, no permission, read-only file system.

Whatever a command writes (the new site beside the output folder, the build cache,
articles in ``content/``), the operating system may refuse. Each refusal becomes one
:class:`~provarchive.errors.OutputError` that names the place, says what happened in
plain words, what was left as it was, and what to do; the command prints it as one
line and exits 1, never with a traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from .errors import OutputError, ProvarchiveError, display_path

_MAKE_ROOM = "free some space and try again"
_KINDS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the device", _MAKE_ROOM),
    errno.EDQUOT: ("the disk quota is used up", _MAKE_ROOM),
    errno.EFBIG: ("a file is too large for the file system", _MAKE_ROOM),
    errno.EACCES: ("no permission to write in {folder}", "make it writable for this user"),
    errno.EPERM: ("no permission to write in {folder}", "make it writable for this user"),
    errno.EROFS: ("the file system is read-only", "remount it writable"),
    errno.EIO: ("the device reported an input/output error", "check the disk"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) and try again"),
    errno.ENFILE: ("too many open files", "raise the limit (ulimit -n) and try again"),
}
"""What an errno means for someone writing files, and what to do about it."""


def fault(
    exc: OSError,
    where: str | Path,
    doing: str,
    left: str = "",
    instead: str = "",
    kind: type[ProvarchiveError] = OutputError,
) -> ProvarchiveError:
    """Return the one-line error (or, with ``kind``, warning) for ``exc``, met at
    ``where`` while ``doing``.

    ``left`` says what was left as it was ("the previous site is unchanged");
    ``instead`` offers another way out ("build into another folder with -o").
    """
    code = exc.errno if exc.errno is not None else 0
    what, advice = _KINDS.get(code, ((exc.strerror or str(exc)).lower(), "then try again"))
    file = Path(os.fsdecode(exc.filename)) if exc.filename is not None else Path(where)
    what = what.replace("{folder}", display_path(file.parent))
    if code not in _KINDS and exc.filename is not None:
        what = f"{what} ({display_path(file)})"
    if instead:
        advice = f"{advice}, or {instead}"
    parts = [f"{what} while {doing}", left, advice]
    return kind("; ".join(part for part in parts if part), str(where))


def with_file(exc: OSError, path: str | Path) -> OSError:
    """Return ``exc`` naming ``path`` when it names no file (``os.write`` and buffered
    writes do not), so that the message can say where."""
    if exc.filename is not None or exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror, str(path))


def database_fault(exc: sqlite3.Error, path: Path) -> OSError:
    """Return the ``OSError`` that a failed SQLite write on ``path`` stands for."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith("SQLITE_FULL") or "full" in text:
        code = errno.ENOSPC
    elif name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or any(
        word in text for word in ("readonly", "read-only", "unable to open")
    ):
        code = errno.EROFS if read_only(path) else errno.EACCES
    else:
        code = errno.EIO
    return OSError(code, os.strerror(code), str(path))


def read_only(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its nearest existing folder) is read-only."""
    for folder in (path, *path.parents):
        try:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False
