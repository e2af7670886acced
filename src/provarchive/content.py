"""The files of ``content/`` that a walk found (see :mod:`provarchive.walk`), read: column
files, and article files (as :mod:`provarchive.articles` parses them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
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
from .model import CONTENT_DIR, Column, SiteConfig
from .urls import check_slug
from .walk import COLUMN_FILE
from .yamlfile import LineMap, load_mapping

COLUMN_KEYS = ("title", "weight", "description")
"""Every key a ``_column.yaml`` may use."""
PLACEHOLDER = "正文从这里开始。"
"""The body a new article starts with (``provarchive new``); ``check`` warns while it is there."""


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
