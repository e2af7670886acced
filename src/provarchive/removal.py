"""Old copies of the site on their way out, removed without making a build wait.

A build renames what it no longer needs (the output its swap replaced, files it set
aside, a spare it cannot use) to a *trash* name beside the output folder, and a
detached process removes it, holding a lock on it while it does. The next build
finishes what a killed build or remover left behind (:func:`clear_leftovers`), but
leaves a folder whose remover is still at work to it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputWarning, ProvarchiveError
from .faults import fault, read_only


def old_dir(output_dir: Path) -> Path:
    """The name of the old output for a moment, in a swap where the OS cannot exchange
    two folders at once."""
    return output_dir.parent / f".{output_dir.name}.old"


def trash_dir(output_dir: Path) -> Path:
    """A new name for a folder on its way out (several may be removed at once)."""
    return output_dir.parent / f".{output_dir.name}.trash-{os.getpid()}-{secrets.token_hex(4)}"


def clear_leftovers(output_dir: Path) -> list[ProvarchiveError]:
    """Undo what a build killed mid-swap left behind: restore the old output if it is missing.

    Also removes leftover staging folders, and old outputs that a background
    removal did not finish; one whose remover is still at work is left to it (a build
    never waits for the removal of an old copy). Returns a warning for each folder that
    cannot be removed (a folder in it is not writable, say), which the next build tries
    again.
    """
    old = old_dir(output_dir)
    if old.is_dir() and not output_dir.exists():
        os.rename(old, output_dir)
    leftovers = [old]
    leftovers += output_dir.parent.glob(f".{output_dir.name}.staging-*")
    leftovers += output_dir.parent.glob(f".{output_dir.name}.trash-*")
    warnings: list[ProvarchiveError] = []
    for leftover in leftovers:
        if being_removed(leftover):
            continue  # a remover started by an earlier build is at it: do not wait for it
        problem = _remove_tree(leftover) if leftover.is_dir() else None
        if problem is not None and leftover.exists():
            warnings.append(stuck(problem, leftover))
    return warnings


def _remove_tree(folder: Path) -> OSError | None:
    """Remove ``folder`` and everything in it, as far as possible; return the first refusal."""
    problems: list[OSError] = []

    def failed(_function: object, path: str, exc: object) -> None:
        error = exc if isinstance(exc, OSError) else exc[1]  # type: ignore[index]
        problems.append(OSError(error.errno, error.strerror, path))  # the whole path

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=failed)
    else:
        shutil.rmtree(folder, onerror=failed)
    return problems[0] if problems else None


def stuck(exc: OSError, folder: Path) -> ProvarchiveError:
    """The warning that ``folder``, a copy of the site on its way out, cannot be removed."""
    return fault(
        exc,
        folder,
        "removing an old copy of the site",
        instead="delete the folder; the next build tries again",
        kind=OutputWarning,
    )


def _blocker(folder: Path) -> OSError | None:
    """Return why ``folder`` cannot be removed whole (a non-empty folder in it that this
    user may not change), or None. Looks at folders only, not at files."""
    for root, folders, files in os.walk(folder):
        if (folders or files) and not os.access(root, os.W_OK | os.X_OK):
            code = errno.EROFS if read_only(Path(root)) else errno.EACCES
            return OSError(code, os.strerror(code), os.path.join(root, (folders or files)[0]))
    return None


@contextlib.contextmanager
def _removal_lock(folder: Path) -> Iterator[int]:
    """An open descriptor of ``folder`` holding an exclusive lock on it (-1 where the OS
    has none), for the remover to inherit: the lock lasts as long as the remover runs,
    so :func:`being_removed` can tell its folder from one a killed remover left."""
    try:
        import fcntl

        descriptor = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):  # not POSIX, or nothing to lock: a remover without
        yield -1
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks
        os.close(descriptor)
        yield -1
        return
    try:
        yield descriptor
    finally:
        os.close(descriptor)  # the remover's inherited copy keeps the lock


def being_removed(folder: Path) -> bool:
    """Whether a remover started by :func:`remove_in_background` is removing ``folder``."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return False


def remove_in_background(folder: Path, trash: Path) -> ProvarchiveError | None:
    """Remove ``folder`` in a detached process, so that a build can end at once.

    The folder is first renamed to ``trash``, a name the next build also cleans up.
    Returns a warning when part of it cannot be removed (see :func:`clear_leftovers`).
    """
    blocker = _blocker(folder)
    os.rename(folder, trash)
    try:
        with _removal_lock(trash) as descriptor:
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                    str(trash),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                pass_fds=(descriptor,) if descriptor >= 0 else (),
            )
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)
    if blocker is None:
        return None
    inside = os.path.relpath(os.fsdecode(blocker.filename), folder)
    return stuck(OSError(blocker.errno, blocker.strerror, str(trash / inside)), trash)
