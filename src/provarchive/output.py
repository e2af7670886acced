"""The output folder: checked, staged beside itself, and swapped in whole.

A build writes every file into a staging folder next to the output folder
(same file system), and only when everything succeeded replaces the old output
with it in one atomic step (``renameat2(RENAME_EXCHANGE)`` on Linux). A build
that fails or is killed leaves the previous output exactly as it was.

The output a swap replaces is kept as a hidden *spare* folder beside it
(``.public.spare``), its unchanged files hard links shared with the output. The
next build starts its staging folder from the spare and touches only the files
that differ (those the previous build wrote or removed, and its own), so an
incremental build costs in proportion to what changed, not to the site's size.
The spare is used only when its marker token is the one the build cache expects. A
build with no spare to start from (a clean build) links each file it stages into a
*twin* of the staging folder as it writes it; the twin becomes the next spare.

A refusal of the machine (disk full, no permission, read-only file system) is raised
as one :class:`OutputError` naming the output folder (see :mod:`provarchive.faults`);
folders on their way out that cannot be removed become warnings, retried by the next
build.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError, ProvarchiveError
from .faults import fault, with_file
from .removal import clear_leftovers, old_dir, remove_in_background, stuck, trash_dir

MARKER = ".provarchive-output"
"""File in the output folder that says provarchive wrote it (and may replace it)."""
_BROKEN = ".broken"
"""File in a twin folder (see :class:`StagedOutput`) that says it lacks files."""

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_dir(site_dir: Path, output_dir: Path, *, force: bool = False) -> None:
    """Raise :class:`OutputError` unless ``output_dir`` is a safe place to (re)build into.

    Refused: the site folder itself or a folder that contains it, the content and
    template folders (or anything inside them), a file, and a non-empty folder that
    provarchive did not write (unless ``force``).
    """
    site = site_dir.resolve()
    out = output_dir.resolve()
    shown = str(output_dir)
    if out == site or out in site.parents:
        raise OutputError(
            "the output folder would contain the site itself; choose a folder inside "
            "the site, such as 'public'",
            shown,
        )
    for protected in ("content", "templates"):
        inner = site / protected
        if out == inner or inner in out.parents:
            raise OutputError(
                f"the output folder is inside the site's {protected}/ folder; "
                "choose another folder, such as 'public'",
                shown,
            )
    if out.exists() and not out.is_dir():
        raise OutputError("the output path is a file, not a folder", shown)
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()) and not force:
        raise OutputError(
            "the output folder holds files provarchive did not write, and a build would "
            "replace them all; choose an empty or new folder, or pass --force",
            shown,
        )


@contextlib.contextmanager
def build_lock(cache_dir: Path) -> Iterator[None]:
    """Hold the site's build lock; raise :class:`OutputError` if another build holds it,
    or if the cache folder cannot be written."""
    lock_path = cache_dir / "build.lock"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cache_fault(exc, cache_dir) from None
    with open(descriptor, "r+", encoding="utf-8") as handle:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as other generators
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise OutputError(
                f"another build of this site is running (process {holder}); "
                "wait for it to finish and build again",
                str(lock_path),
            ) from None
        try:  # unbuffered: a write the disk refused must not come back when the file closes
            os.ftruncate(handle.fileno(), 0)
            os.write(handle.fileno(), str(os.getpid()).encode("ascii"))
        except OSError as exc:
            raise _cache_fault(with_file(exc, lock_path), cache_dir) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _cache_fault(exc: OSError, cache_dir: Path) -> ProvarchiveError:
    return fault(exc, cache_dir, "taking the build lock", "nothing was built")


def staging_dir(output_dir: Path) -> Path:
    """Return the staging folder of this build for ``output_dir`` (a hidden sibling).

    The name holds the process id, so a worker of a killed build can never write
    into the staging folder of a later one.
    """
    return output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"


def spare_dir(output_dir: Path) -> Path:
    """Return the spare folder of ``output_dir``: the output before the last swap."""
    return output_dir.parent / f".{output_dir.name}.spare"


def read_token(output_dir: Path) -> str:
    """Return the build token in the marker file of ``output_dir`` ("" when there is none)."""
    try:
        text = (output_dir / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    for line in text.splitlines():
        if line.startswith("build "):
            return line[len("build ") :].strip()
    return ""


class StagedOutput:
    """The staging folder that files are written into before the swap.

    With ``spare_token``, the spare folder is taken as the staging folder when its
    marker holds that token (:attr:`from_spare` tells whether it was); otherwise the
    staging folder starts empty and the spare, if any, is removed.

    Every refusal of the machine (disk full, no permission, read-only file system)
    is raised as one :class:`OutputError` naming the output folder.
    """

    def __init__(self, output_dir: Path, spare_token: str = "", *, twin: bool = False):
        self.output_dir = output_dir
        self.root = staging_dir(output_dir)
        self._root = str(self.root)
        self._output = str(output_dir)
        self._made: set[str] = set()
        self._aside = str(trash_dir(output_dir))
        """Where replaced files of the staging folder go (see :meth:`_set_aside`); one
        name for this process and its workers, removed in the background at the end."""
        self._set_aside_count = 0
        self.warnings: list[ProvarchiveError] = []
        """Old copies of the site that cannot be removed (the next build tries again)."""
        try:
            self.warnings += clear_leftovers(output_dir)
            spare = spare_dir(output_dir)
            self.from_spare = (
                bool(spare_token)
                and read_token(spare) == spare_token
                and os.access(spare, os.W_OK | os.X_OK)  # not a read-only copy of the output
            )
            """Whether the staging folder started as the spare (the output of two builds ago)."""
            if self.from_spare:
                os.rename(spare, self.root)
            else:
                if spare.is_dir():
                    self._note(remove_in_background(spare, trash_dir(output_dir)))
                self.root.mkdir(parents=True)
            (self.root / MARKER).unlink(missing_ok=True)  # the spare's: written at commit
            self._twin = f"{self._root}-spare" if twin and not self.from_spare else ""
            """With ``twin``, a second folder into which every file is linked as it is
            staged: the next build's spare, made while the pages are rendered instead of
            after the swap (see :meth:`make_spare`). Only for a staging folder that starts
            empty, whose every file passes through :meth:`write`, :meth:`copy` or
            :meth:`keep`."""
            self._twin_whole = bool(self._twin)
            """Whether this process linked every file it staged into the twin so far."""
            if self._twin:
                os.mkdir(self._twin)
        except OSError as exc:
            raise self._fault(exc) from None

    def _fault(self, exc: OSError, site_path: str = "") -> ProvarchiveError:
        """The error for a refusal of the machine while writing ``site_path`` (or the
        staging folder)."""
        exc = with_file(exc, os.path.join(self._root, site_path) if site_path else self._root)
        return fault(exc, self.output_dir, "writing the new site", "the previous site is unchanged")

    def _note(self, warning: ProvarchiveError | None) -> None:
        if warning is not None:
            self.warnings.append(warning)

    def _target(self, site_path: str) -> str:
        # plain strings, not Path objects: this runs for every file of every build
        parts = site_path.split("/")
        if site_path.startswith("/") or ".." in parts or "" in parts:
            raise OutputError(f"refusing to write outside the output folder: {site_path!r}")
        folder = site_path.rpartition("/")[0]
        if folder and folder not in self._made:
            os.makedirs(os.path.join(self._root, folder), exist_ok=True)
            self._made.add(folder)
            if self._twin_whole:
                try:
                    os.makedirs(os.path.join(self._twin, folder), exist_ok=True)
                except OSError:
                    self._break_twin()
        return os.path.join(self._root, site_path)

    def _link_twin(self, target: str, site_path: str) -> None:
        """Link the staged file ``target`` into the twin folder, if there is one."""
        if not self._twin_whole:
            return
        twin = os.path.join(self._twin, site_path)
        try:
            try:
                os.link(target, twin)
            except FileExistsError:  # a file staged twice
                os.unlink(twin)
                os.link(target, twin)
        except OSError:
            self._break_twin()

    def _break_twin(self) -> None:
        """Give up the twin folder: a refusal there only costs the next build its spare.
        The mark is a file in the folder, seen by :meth:`make_spare` whichever process
        (workers are forked copies) gave it up."""
        if self._twin_whole:
            self._twin_whole = False
            with contextlib.suppress(OSError):
                os.close(os.open(os.path.join(self._twin, _BROKEN), os.O_WRONLY | os.O_CREAT))

    def write(self, site_path: str, data: bytes) -> None:
        """Write ``data`` to ``site_path`` in the staging folder, as a new file.

        A file already there may be a hard link into the live output (see
        :meth:`keep`), so it is unlinked first, never written through.
        """
        try:
            target = self._target(site_path)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            try:
                descriptor = os.open(target, flags, 0o644)
            except FileExistsError:
                self._set_aside(target)
                descriptor = os.open(target, flags, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
        except OSError as exc:
            raise self._fault(exc, site_path) from None
        self._link_twin(target, site_path)

    def copy(self, source: Path, site_path: str) -> None:
        """Copy the file ``source`` to ``site_path`` in the staging folder, as a new file."""
        try:
            target = self._target(site_path)
            if os.path.lexists(target):
                os.unlink(target)
            shutil.copyfile(source, target)
        except OSError as exc:
            raise self._fault(exc, site_path) from None
        self._link_twin(target, site_path)

    def keep(self, site_path: str, *, replacing: bool = False) -> bool:
        """Carry the file ``site_path`` of the current output over unchanged (a hard link).

        Returns False when the current output no longer has the file (someone removed
        it by hand), so that the caller writes it anew. ``replacing`` says the staging
        folder (the spare) may hold an older version, set aside first.
        """
        source = os.path.join(self._output, site_path)
        try:
            target = self._target(site_path)
            if replacing:
                self._set_aside(target)
            try:
                os.link(source, target)
            except FileNotFoundError:
                return False
            except FileExistsError:  # the spare's own, older version
                self._set_aside(target)
                os.link(source, target)
            except OSError:  # a file system without hard links (or a refusal copying meets too)
                shutil.copyfile(source, target)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._fault(exc, site_path) from None
        self._link_twin(target, site_path)
        return True

    def _set_aside(self, target: str) -> None:
        """Move the file ``target`` out of the staging folder, to be removed in the
        background with the others (:meth:`_remove_set_aside`).

        Files a rebuild replaces are mostly the spare's old versions, whose last link
        this is: unlinking one frees its blocks there and then, which cost most of an
        edit after a build that rewrote every article page (20,000 files: 2.4 of 3 s).
        A rename frees nothing.
        """
        self._set_aside_count += 1
        aside = os.path.join(self._aside, f"{os.getpid()}-{self._set_aside_count}")
        try:
            if self._set_aside_count == 1:  # in each process (workers are forked copies)
                os.makedirs(self._aside, exist_ok=True)
            os.rename(target, aside)
        except FileNotFoundError:  # nothing there to set aside (or no folder to set it in)
            if os.path.lexists(target):
                os.unlink(target)
        except OSError:
            os.unlink(target)

    def _remove_set_aside(self) -> None:
        """Remove the files set aside, in a detached process."""
        aside = Path(self._aside)
        if aside.is_dir():
            self._note(remove_in_background(aside, aside))

    def remove(self, site_path: str) -> None:
        """Remove ``site_path`` from the staging folder, and the folders it leaves empty.

        Only for a staging folder that started as the spare, before files are written.
        """
        target = os.path.join(self._root, site_path)  # not _target: it makes folders
        self._break_twin()  # the twin's folders would stay, empty
        try:
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fault(exc, site_path) from None
        folder = site_path.rpartition("/")[0]
        while folder:
            try:
                os.rmdir(os.path.join(self._root, folder))
            except OSError:  # not empty (or already gone)
                break
            self._made.discard(folder)
            folder = folder.rpartition("/")[0]

    def commit(self, token: str, *, keep_spare: bool = False) -> None:
        """Write the marker file with the build's ``token``, then swap the staging folder
        in as the output folder, atomically where the OS allows.

        With ``keep_spare`` the old output becomes the spare folder; otherwise it is
        removed by a detached process.
        """
        out = self.output_dir
        try:
            (self.root / MARKER).write_text(
                "This folder was written by provarchive; a build replaces it whole.\n"
                f"build {token}\n",
                encoding="utf-8",
            )
            self._link_twin(str(self.root / MARKER), MARKER)
            if not out.exists():
                os.rename(self.root, out)
                return
            if not _exchange(self.root, out):
                os.rename(out, old_dir(out))
                os.rename(self.root, out)
                os.rename(old_dir(out), self.root)
        except OSError as exc:
            raise self._fault(with_file(exc, self.root / MARKER)) from None
        # the new site is in place: what remains is tidying up, which the next build retries
        try:
            self._remove_set_aside()
            if keep_spare:
                os.rename(self.root, spare_dir(out))
                self._drop_twin()
            else:
                self._note(remove_in_background(self.root, trash_dir(out)))
        except OSError as exc:
            self._note(stuck(exc, self.root))

    def make_spare(self) -> bool:
        """Make a spare of the output just committed, every file a hard link, so that
        the next build (the first edit after a clean one) touches only what it changes
        instead of linking every file anew. False when it cannot (no hard links, a
        refusal): then the next build starts from an empty staging folder, as before.

        A staging folder made with a twin has its spare already: the twin becomes it
        (unless a file is missing from it: then the spare is made as above)."""
        out = self.output_dir
        spare = spare_dir(out)
        if self._twin and self._twin_as_spare(spare):
            return True
        try:
            if spare.exists():
                return False
            for folder, _, names in os.walk(out):
                target = os.path.join(spare, os.path.relpath(folder, out))
                os.makedirs(target, exist_ok=True)
                for name in names:
                    os.link(os.path.join(folder, name), os.path.join(target, name))
        except OSError:
            shutil.rmtree(spare, ignore_errors=True)
            return False
        return True

    def _twin_as_spare(self, spare: Path) -> bool:
        """Make the twin folder the spare, unless a file is missing from it."""
        try:
            broken = os.path.lexists(os.path.join(self._twin, _BROKEN))
            if self._twin_whole and not broken and not spare.exists():
                os.rename(self._twin, spare)
                return True
        except OSError:
            pass
        self._drop_twin()
        return False

    def _drop_twin(self) -> None:
        """Remove the twin folder (if any) in the background."""
        if self._twin:
            try:
                self._note(remove_in_background(Path(self._twin), trash_dir(self.output_dir)))
            except OSError as exc:
                self._note(stuck(exc, Path(self._twin)))
            self._twin = ""

    def discard(self) -> None:
        """Remove the staging folder, leaving the output folder untouched."""
        shutil.rmtree(self.root, ignore_errors=True)
        if self._twin:
            shutil.rmtree(self._twin, ignore_errors=True)
        shutil.rmtree(self._aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux ``renameat2``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
