"""Which column folder an imported page goes into, and which column folders to create.

A page's breadcrumb (home crumb dropped) names nested columns. Each crumb maps to an
existing child folder whose ``_column.yaml`` title equals it; else to the matching
folder of the legacy URL, when the URL's folders line up with the crumbs; else to the
crumb's pinyin slug. Folders that do not exist yet are planned as new columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from provarchive.errors import ConfigError, ContentWarning, ProvarchiveError
from provarchive.importer.write.store_text import clean_line
from provarchive.urls import check_slug, slugify_text
from provarchive.yamlfile import load_mapping

COLUMN_FILE = "_column.yaml"
"""The file in a column folder that names the column (as in :mod:`provarchive.content`)."""
IMPORTED_COLUMN = ("imported", "导入文章")
"""Folder and title of the column for pages that name no column at all."""
HOME_CRUMBS = frozenset(
    [
        "首页",
        "本站首页",
        "网站首页",
        "门户首页",
        "主页",
        "返回首页",
        "首頁",
        "本站首頁",
        "網站首頁",
        "門戶首頁",
        "主頁",
        "返回首頁",
        "home",
        "homepage",
        "index",
    ]
)
"""First crumbs that stand for the legacy site's home page (compared case-folded)."""
RESERVED_NAMES = frozenset(["archives"])
"""Folder names the site's own pages use inside any column."""
RESERVED_TOP_NAMES = frozenset(["archives", "authors", "search", "sources", "static", "tags"])
"""Top-level folder names the site's own pages use."""
GENERIC_SEGMENTS = frozenset(
    [
        "art",
        "article",
        "articles",
        "content",
        "contents",
        "detail",
        "details",
        "htm",
        "html",
        "shtml",
    ]
)
"""Legacy URL folders that hold articles of every column, so never name one."""

_DATE_SEGMENT = re.compile(r"^(?:\d{1,8}|\d{4}[-_.]\d{1,2}(?:[-_.]\d{1,2})?)$")
_SEGMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_MAX_SLUG = 60


@dataclass(frozen=True)
class NewColumn:
    """A column folder an import creates."""

    rel: str
    """Folder path under ``content/``."""
    title: str
    """Title for its ``_column.yaml``."""


def column_crumbs(breadcrumb: tuple[str, ...], column: str | None) -> list[str]:
    """Return the crumbs that name a page's nested columns, outermost first.

    A leading home crumb is dropped; with no breadcrumb, the page's column line is
    one column; with neither, the list is empty.
    """
    crumbs = [crumb for crumb in map(clean_line, breadcrumb) if crumb]
    if crumbs and crumbs[0].casefold() in HOME_CRUMBS:
        crumbs = crumbs[1:]
    if not crumbs and clean_line(column):
        crumbs = [clean_line(column)]
    return crumbs


def legacy_segments(folders: tuple[str, ...]) -> list[str]:
    """Return the legacy URL folders that may name columns: date-like and generic ones dropped."""
    return [
        folder
        for folder in folders
        if not _DATE_SEGMENT.match(folder) and folder.casefold() not in GENERIC_SEGMENTS
    ]


def check_column_path(path: str) -> str:
    """Return a ``--column`` path without surrounding slashes, or raise ValueError."""
    cleaned = path.strip().strip("/")
    if not cleaned:
        raise ValueError("--column is empty; give a folder under content/, such as zhxx/yywl")
    for segment in cleaned.split("/"):
        check_slug(segment)
        if segment.startswith("_"):
            raise ValueError(f"column folder {segment!r} must not start with '_' (builds skip it)")
    return cleaned


class ColumnTree:
    """The column folders under ``content/``: those on disk, plus those planned in this run."""

    def __init__(self, content_dir: Path):
        self._content_dir = content_dir
        self._children: dict[str, dict[str, str | None]] = {}
        self._planned: set[str] = set()
        self.new_columns: list[NewColumn] = []
        """Columns planned so far, in order."""
        self.warnings: list[ProvarchiveError] = []
        """Things to tell the user about planned columns."""

    def children(self, parent: str) -> dict[str, str | None]:
        """Return the names under folder ``parent`` ("" for content/) with their titles.

        The title is None for a file, for a folder without a readable column file, and
        for hidden folders; every name is listed, since each one is taken.
        """
        if parent not in self._children:
            found: dict[str, str | None] = {}
            folder = self._content_dir / parent if parent else self._content_dir
            try:
                entries = sorted(folder.iterdir()) if folder.is_dir() else []
            except OSError:
                entries = []
            for entry in entries:
                found[entry.name] = _column_title(entry) if entry.is_dir() else None
            self._children[parent] = found
        return self._children[parent]

    def _taken(self, parent: str, name: str) -> str | None:
        """Return the existing spelling of ``name`` under ``parent`` (any case), if taken."""
        folded = name.casefold()
        return next((n for n in self.children(parent) if n.casefold() == folded), None)

    def _add(self, parent: str, name: str, title: str) -> str:
        try:
            check_slug(name)
        except ValueError as exc:
            raise ProvarchiveError(f"cannot create the column folder {name!r}: {exc}") from None
        rel = f"{parent}/{name}" if parent else name
        self.children(parent)[name] = title
        self._children[rel] = {}
        self._planned.add(rel)
        self.new_columns.append(NewColumn(rel, title))
        return rel

    def for_crumbs(self, crumbs: list[str], segments: list[str]) -> str:
        """Return the folder for ``crumbs`` (nested columns), planning missing ones.

        ``segments`` are the legacy URL's folder names (see :func:`legacy_segments`);
        they name new folders only when there are as many as crumbs.
        """
        if not crumbs:
            crumbs, segments = [IMPORTED_COLUMN[1]], [IMPORTED_COLUMN[0]]
        aligned = len(segments) == len(crumbs)
        parent = ""
        for depth, crumb in enumerate(crumbs):
            segment = segments[depth] if aligned else None
            parent = self._child_for(parent, crumb, segment)
        return parent

    def _child_for(self, parent: str, crumb: str, segment: str | None) -> str:
        prefix = f"{parent}/" if parent else ""
        titled = [name for name, title in self.children(parent).items() if title == crumb]
        if titled:
            return prefix + titled[0]
        reserved = RESERVED_TOP_NAMES if not parent else RESERVED_NAMES
        if (
            segment is not None
            and _SEGMENT_NAME.match(segment)
            and segment.casefold() not in (reserved)
        ):
            taken = self._taken(parent, segment)
            if taken is None:
                return self._add(parent, segment, crumb)
            if self.children(parent)[taken] is not None:
                return prefix + taken  # the legacy site's own folder, whatever its title now
        slug = _crumb_slug(crumb)
        for number in range(1, 1000):
            name = slug if number == 1 else f"{slug}-{number}"
            if name not in reserved and self._taken(parent, name) is None:
                return self._add(parent, name, crumb)
        raise ProvarchiveError(f"no free folder name for the column {crumb!r} under content/")

    def for_path(self, path: str) -> str:
        """Return the ``--column`` folder ``path``, planning the folders that are missing.

        A new folder is titled with its own name, and a warning says to retitle it.
        """
        parent = ""
        for name in path.split("/"):
            prefix = f"{parent}/" if parent else ""
            taken = self._taken(parent, name)
            if taken is not None and taken != name:
                raise ProvarchiveError(
                    f"--column {path}: content/{prefix}{taken} exists; spell the folder "
                    "with the same upper and lower case letters"
                )
            if taken is None:
                rel = self._add(parent, name, name)
                self.warnings.append(_retitle_warning(rel, name))
                parent = rel
            elif (
                prefix + name not in self._planned
                and not (self._content_dir / (prefix + name)).is_dir()
            ):
                raise ProvarchiveError(
                    f"--column {path}: content/{prefix}{name} is a file, not a folder"
                )
            else:
                parent = prefix + name
        return parent


def _retitle_warning(rel: str, name: str) -> ProvarchiveError:
    return ContentWarning(
        f"new column titled '{name}'; give it its display name in {COLUMN_FILE}",
        f"content/{rel}",
    )


def _column_title(folder: Path) -> str | None:
    """Return the title in ``folder``'s column file, or None when it has no readable one."""
    if folder.name.startswith((".", "_")):
        return None
    try:
        text = (folder / COLUMN_FILE).read_text(encoding="utf-8-sig")
        mapping = load_mapping(text, str(folder / COLUMN_FILE), error_type=ConfigError)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, ProvarchiveError):
        return None
    title = mapping.get("title")
    if isinstance(title, bool) or not isinstance(title, (str, int)):
        return None
    return str(title).strip() or None


def _crumb_slug(crumb: str) -> str:
    """Return the pinyin slug of a crumb, cut at a hyphen to at most 60 characters."""
    slug = slugify_text(crumb)
    if len(slug) > _MAX_SLUG:
        slug = slug[:_MAX_SLUG].rsplit("-", 1)[0] or slug[:_MAX_SLUG]
    return slug.strip("-") or "column"
