"""Walk ``content/``: column folders, article files and other files, with their signatures.

A walk records each file's signature (modification time, size, inode) so that a
build can tell which files changed since the last one without reading them. The
articles themselves are read by :mod:`provarchive.articles`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from .articles import SourceArticle, read_article_source
from .config import suggest
from .errors import (
    ConfigError,
    ContentError,
    ContentWarning,
    ProvarchiveError,
    display_path,
)
from .model import CONTENT_DIR, Column, Signature, SiteConfig
from .urls import check_slug
from .yamlfile import LineMap, load_mapping

COLUMN_FILE = "_column.yaml"
"""The file in a column folder that names the column."""
COLUMN_KEYS = ("title", "weight", "description")
"""Every key a ``_column.yaml`` may use."""
PLACEHOLDER = "正文从这里开始。"
"""The body a new article starts with (``provarchive new``); ``check`` warns while it is there."""


@dataclass(frozen=True)
class ContentScan:
    """What one walk of ``content/`` found."""

    folders: tuple[str, ...]
    """Column folders (with a ``_column.yaml`` or articles), parents first."""
    markdown: dict[str, Signature]
    """Article files (paths under ``content/``) with their signatures."""
    assets: dict[str, Signature]
    """Other files, copied to the output as they are, with their signatures."""
    column_files: dict[str, Signature]
    """``_column.yaml`` files with their signatures."""
    errors: tuple[ProvarchiveError, ...]
    """Problems of the walk itself (links leading outside ``content/``)."""
    started_ns: int
    """When the walk started (``time.time_ns()``): every signature here was taken after."""


def signature(stat: os.stat_result) -> Signature:
    """Return the signature of a file from its ``stat``."""
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def scan_content(site_dir: Path) -> ContentScan:
    """Walk ``site_dir/content`` once; hidden files and folders and ``_`` files are skipped."""
    started_ns = time.time_ns()
    content_dir = site_dir / CONTENT_DIR
    if not content_dir.is_dir():
        error = ContentError(
            f"no {CONTENT_DIR}/ folder; create it and put column folders in it",
            display_path(content_dir),
        )
        return ContentScan((), {}, {}, {}, (error,), started_ns)
    errors: list[ProvarchiveError] = []
    folders, markdown, assets, column_files = _walk(content_dir, errors)
    return ContentScan(tuple(folders), markdown, assets, column_files, tuple(errors), started_ns)


def read_columns(
    site_dir: Path, folders: tuple[str, ...]
) -> tuple[dict[str, Column], list[ProvarchiveError], list[ProvarchiveError]]:
    """Return the columns of ``folders`` with the errors and warnings of their column files."""
    errors: list[ProvarchiveError] = []
    warnings: list[ProvarchiveError] = []
    columns: dict[str, Column] = {}
    for folder in folders:
        column = _read_column(site_dir / CONTENT_DIR, folder, errors, warnings)
        if column is not None:
            columns[column.path] = column
    return columns, errors, warnings


_WILL_NEED = getattr(os, "POSIX_FADV_WILLNEED", None)
"""``posix_fadvise``'s advice to read a file ahead (None where the system has none)."""


def prefetch_article_files(site_dir: Path, rels: Iterable[str], limit: int) -> None:
    """Ask the system to start reading the article files ``rels`` (paths under
    ``content/``) from the disk now, all together, up to ``limit`` bytes each.

    Read one after another, files that are not in memory (the first build after a
    restart, say) cost one wait for the disk each; asked for together, the disk serves
    them at once. A file in memory costs an open and a close; one that cannot be
    opened is left to the read, which reports it. Nothing is done on a system without
    ``posix_fadvise``.
    """
    if _WILL_NEED is None:
        return
    content = os.path.join(site_dir, CONTENT_DIR)
    for rel in rels:
        try:  # non-blocking: a named pipe among the articles must not stop the build here
            descriptor = os.open(os.path.join(content, rel), os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            os.posix_fadvise(descriptor, 0, limit, _WILL_NEED)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def read_article_file(
    site_dir: Path, rel: str, config: SiteConfig, shown_dir: str | None = None
) -> SourceArticle:
    """Read the article file ``rel`` (a path under ``content/``), refusing files over the limit.

    ``shown_dir`` is ``content/`` as messages show it (computed once by callers that
    read many files).
    """
    path = os.path.join(site_dir, CONTENT_DIR, rel)
    shown = os.path.join(shown_dir, rel) if shown_dir else display_path(Path(path))
    try:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(descriptor).st_size
            if size > config.max_file_size:
                raise ContentError(
                    f"the file is {size:,} bytes, over the limit of {config.max_file_size:,}; "
                    "split it, or raise max_file_size in site.yaml",
                    shown,
                )
            data = os.read(descriptor, size + 1)
            while len(data) <= size:  # a file growing while read
                more = os.read(descriptor, 65536)
                if not more:
                    break
                data += more
        finally:
            os.close(descriptor)
    except OSError as exc:
        raise ContentError(f"cannot read the file: {exc.strerror}", shown) from None
    return read_article_source(data, rel, shown, config)


def _walk(
    content_dir: Path, errors: list[ProvarchiveError]
) -> tuple[list[str], dict[str, Signature], dict[str, Signature], dict[str, Signature]]:
    """Return column folders, Markdown files, other files and column files under ``content_dir``.

    A column folder is one with a ``_column.yaml`` or with articles in it; other
    folders (``images/``, say) only hold files that are copied as they are. Paths
    are relative to ``content_dir`` with ``/``, in sorted order; hidden files and
    folders are skipped; a folder or file that is a link leading outside
    ``content/``, and a folder that cannot be read, is an error.
    """
    root = content_dir.resolve()
    folders: list[str] = []
    found = _Found({}, {}, {})
    seen: set[Path] = set()
    pending = [(content_dir, "")]
    while pending:
        here, prefix = pending.pop()
        real = here.resolve()
        if real != root and root not in real.parents:
            errors.append(
                ContentError(
                    f"this folder is a link to {real}, outside {CONTENT_DIR}/; "
                    "move the folder into content/ instead of linking it",
                    display_path(here),
                )
            )
            continue
        if real in seen:
            continue
        seen.add(real)
        try:
            listed = _listing(here)
        except OSError as exc:
            errors.append(
                ContentError(
                    f"cannot read this folder ({exc.strerror or exc}); "
                    "make it readable (chmod) or move it out of content/",
                    display_path(here),
                )
            )
            continue
        subfolders, has_column = _scan_folder(listed, prefix, root, found, errors)
        if prefix and has_column:
            folders.append(prefix[:-1])
        pending.extend(reversed(subfolders))
    markdown, assets = dict(sorted(found.markdown.items())), dict(sorted(found.assets.items()))
    return folders, markdown, assets, found.column_files


@dataclass(frozen=True)
class _Found:
    """The files a walk of content/ found so far, by path under content/."""

    markdown: dict[str, Signature]
    assets: dict[str, Signature]
    column_files: dict[str, Signature]


def _scan_folder(
    listed: list[os.DirEntry[str]],
    prefix: str,
    root: Path,
    found: _Found,
    errors: list[ProvarchiveError],
) -> tuple[list[tuple[Path, str]], bool]:
    """Record the files of one folder in ``found``; return its subfolders and whether
    it is a column (has a column file or articles)."""
    subfolders: list[tuple[Path, str]] = []
    has_column = False
    for entry in listed:
        name = entry.name
        if name == COLUMN_FILE and not entry.is_dir():
            if _refused(entry, errors):
                continue
            has_column = True
            found.column_files[prefix + name] = signature(entry.stat())
            continue
        if name.startswith((".", "_")) or name.endswith("~"):
            continue
        if entry.is_dir():
            subfolders.append((Path(entry.path), prefix + name + "/"))
            continue
        if entry.is_symlink() and root not in Path(entry.path).resolve().parents:
            errors.append(
                ContentError(
                    "this file is a link to a file outside content/; copy the file instead",
                    display_path(Path(entry.path)),
                )
            )
            continue
        if _refused(entry, errors):
            continue
        into = found.markdown if name.endswith(".md") else found.assets
        stat = entry.stat()  # :func:`signature`, written out: once a file, 20,000 files
        into[prefix + name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        has_column = has_column or into is found.markdown
    return subfolders, has_column


def _refused(entry: os.DirEntry[str], errors: list[ProvarchiveError]) -> bool:
    """Whether ``entry`` is not a regular file (reading a named pipe would wait for
    ever), its error added to ``errors``."""
    if entry.is_file():
        return False
    errors.append(
        ContentError(
            "this is not a regular file (a named pipe, a device, or a link to nothing); "
            "remove it from content/",
            display_path(Path(entry.path)),
        )
    )
    return True


def _listing(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of ``folder``, by name."""
    with os.scandir(folder) as entries:
        return sorted(entries, key=attrgetter("name"))


def _read_column(
    content_dir: Path,
    folder: str,
    errors: list[ProvarchiveError],
    warnings: list[ProvarchiveError],
) -> Column | None:
    """Read the ``_column.yaml`` of ``folder``; a folder without one is titled by its name."""
    parent = folder.rpartition("/")[0] or None
    column_file = content_dir / folder / COLUMN_FILE
    shown = display_path(column_file)
    if not column_file.is_file():  # a named pipe is refused by the walk, never read
        warnings.append(
            ContentWarning(
                f"no {COLUMN_FILE} here; the column is titled '{folder.rsplit('/', 1)[-1]}'. "
                "Add the file with a line 'title: 栏目名称'",
                display_path(content_dir / folder),
            )
        )
        return Column(path=folder, title=folder.rsplit("/", 1)[-1], parent=parent)
    try:
        check_slug(folder.rsplit("/", 1)[-1])
        text = column_file.read_text(encoding="utf-8-sig")
        mapping = load_mapping(text, shown, what="column file", error_type=ConfigError)
    except ValueError as exc:
        errors.append(ContentError(f"column folder name: {exc}", shown))
        return None
    except UnicodeDecodeError:
        errors.append(ConfigError("the file is not UTF-8 text; save it as UTF-8", shown))
        return None
    except ProvarchiveError as exc:
        errors.append(exc)
        return None
    return _column_from_mapping(mapping, folder, parent, shown, errors)


def _column_from_mapping(
    mapping: LineMap, folder: str, parent: str | None, shown: str, errors: list[ProvarchiveError]
) -> Column | None:
    found: list[ProvarchiveError] = []
    for key in mapping:
        if key not in COLUMN_KEYS:
            found.append(
                ConfigError(
                    f"unknown key '{key}'{suggest(key, COLUMN_KEYS)}; a column file has "
                    + ", ".join(COLUMN_KEYS),
                    shown,
                    mapping.lines[key],
                )
            )
    title = mapping.get("title")
    if not isinstance(title, (str, int)) or isinstance(title, bool) or not str(title).strip():
        found.append(
            ConfigError(
                "missing or empty 'title': give the column's display name, e.g. 'title: 要闻要论'",
                shown,
                mapping.lines.get("title", 1),
            )
        )
    weight = mapping.get("weight", 0)
    if isinstance(weight, bool) or not isinstance(weight, int):
        found.append(
            ConfigError(
                f"'weight' must be a whole number, not {weight!r}",
                shown,
                mapping.lines.get("weight"),
            )
        )
    description = mapping.get("description", "")
    if not isinstance(description, str):
        found.append(
            ConfigError("'description' must be text", shown, mapping.lines.get("description"))
        )
    if found:
        errors.extend(found)
        return None
    return Column(
        path=folder,
        title=str(title).strip(),
        weight=weight,
        description=description.strip(),
        parent=parent,
        source_path=f"{CONTENT_DIR}/{folder}/{COLUMN_FILE}",
    )
