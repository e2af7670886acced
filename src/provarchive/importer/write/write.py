"""Write a planned import into ``content/`` as one unit: all of it, or none of it.

Each file is written to a hidden temporary name in its own folder and renamed into
place. A file being replaced is kept in memory first; if anything fails midway,
every replaced file is restored, every created file and folder removed, and the
error is raised, so that ``content/`` is left as it was.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from provarchive.errors import OutputError
from provarchive.faults import fault
from provarchive.importer.write.store_records import PlannedFile

_replace = os.replace
"""Renames a finished temporary file into place (a seam for tests that inject failures)."""


@dataclass
class _Undo:
    """What one run changed, in order, so that it can be taken back."""

    folders: list[Path]
    created: list[Path]
    replaced: list[tuple[Path, bytes, int]]


def check_inside(content_dir: Path, files: Sequence[PlannedFile]) -> None:
    """Raise OutputError unless every file to write lands inside ``content_dir``.

    Links are followed for the parts of each path that exist already, so that a
    linked folder cannot lead the import elsewhere.
    """
    root = content_dir.resolve()
    for planned in files:
        if not planned.writes:
            continue
        target = planned.path
        try:
            rel = target.relative_to(content_dir)
        except ValueError:
            rel = None
        if rel is None or ".." in rel.parts or not rel.parts:
            raise OutputError("refusing to write outside content/", planned.content_path)
        existing = target.parent
        while not existing.exists() and existing != content_dir:
            existing = existing.parent
        real = existing.resolve()
        if real != root and root not in real.parents:
            raise OutputError(
                f"refusing to write here: the folder leads outside content/ (to {real})",
                planned.content_path,
            )
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OutputError(
                "refusing to replace something that is not a plain file", planned.content_path
            )


def write_files(content_dir: Path, files: Sequence[PlannedFile]) -> None:
    """Write every ``create`` and ``update`` file of ``files``; undo all of it on failure.

    Raises :class:`OutputError` naming the file that failed (after undoing).
    """
    check_inside(content_dir, files)
    undo = _Undo([], [], [])
    current: PlannedFile | None = None
    try:
        _make_folder(content_dir, undo)
        for planned in files:
            if planned.writes:
                current = planned
                _write_one(content_dir, planned, undo)
    except BaseException as exc:
        problems = _rollback(undo)
        if not isinstance(exc, OSError):
            raise
        where = current.content_path if current is not None else str(content_dir)
        message = fault(exc, where, "writing into content/", "nothing was imported").message
        if problems:
            message += "; could not undo everything: " + "; ".join(problems)
        raise OutputError(message, where) from None


def replace_file(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` whole: a reader sees the old file or the new one."""
    temp = _write_temp(target, text.encode("utf-8"), None)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _make_folder(folder: Path, undo: _Undo) -> None:
    """Create ``folder`` and its missing parents, remembering each one created."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        undo.folders.append(path)


def _write_one(content_dir: Path, planned: PlannedFile, undo: _Undo) -> None:
    target = planned.path
    _make_folder(target.parent, undo)
    backup: tuple[bytes, int] | None = None
    if target.exists():
        backup = (target.read_bytes(), target.stat().st_mode & 0o7777)
    mode = backup[1] if backup else None
    if planned.copy_from is not None:
        temp = _copy_temp(target, planned.copy_from, mode)
    else:
        temp = _write_temp(target, planned.text.encode("utf-8"), mode)
    try:
        _replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if backup is None:
        undo.created.append(target)
    else:
        undo.replaced.append((target, *backup))


def _write_temp(target: Path, data: bytes, mode: int | None) -> Path:
    """Write ``data`` to a new hidden file beside ``target`` and return its path."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _copy_temp(target: Path, source: Path, mode: int | None) -> Path:
    """Copy the bytes of ``source`` to a new hidden file beside ``target``; return its path."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as handle, source.open("rb") as original:
            shutil.copyfileobj(original, handle, 1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _rollback(undo: _Undo) -> list[str]:
    """Take back everything in ``undo``, newest first; return what could not be undone."""
    problems: list[str] = []
    for target, data, mode in reversed(undo.replaced):
        try:
            temp = _write_temp(target, data, mode)
            os.replace(temp, target)
        except OSError as exc:
            problems.append(f"{target}: {exc.strerror or exc}")
    for target in reversed(undo.created):
        try:
            target.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"{target}: {exc.strerror or exc}")
    for folder in reversed(undo.folders):
        try:
            folder.rmdir()
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
    return problems
