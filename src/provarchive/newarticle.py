"""``provarchive new``: start an article file with its front matter filled in.

The file goes into an existing column folder, is named as the example archive
names files (``t20240508_001.md``, the first free running number of the day) or
after ``--slug``, and starts as a draft so that a half-written article is never
published by accident. An existing file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
import zoneinfo
from pathlib import Path

from .articles import parse_date
from .config import load_config
from .content import CONTENT_DIR, PLACEHOLDER, read_columns
from .errors import ContentError, ProvarchiveError, display_path
from .faults import fault, with_file
from .markup import join_lines
from .model import Column
from .urls import check_site_path, check_slug
from .walk import COLUMN_FILE, scan_content
from .yamlfile import load_mapping

EMPTY_FIELDS = ("kicker", "subtitle", "source", "authors", "editor", "tags")
"""Front-matter keys written empty for the editor to fill in, in this order."""
LIST_FIELDS = frozenset(["authors", "tags"])
"""Of those, the keys that hold lists (written ``[]``)."""
MAX_NUMBER = 999
"""The highest running number of a day (file names have three digits)."""

_SPECIAL = re.compile(r"""^[][{}*&!%@|>'"`?:,#~-]|: |\s#|:$|['"\\]""")
"""Characters that YAML may read specially: titles holding them are always quoted."""
_DATE_ARG = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?$")


def create_article(
    site_dir: Path,
    title: str,
    column: str,
    *,
    date: str | None = None,
    slug: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write a new draft article into column folder ``column`` and return its path.

    ``date`` is ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (default: ``now``, itself
    defaulting to the current time, in the site's time zone). Raises
    :class:`ProvarchiveError` for a bad title, date, slug or column, or when the
    file exists.
    """
    config = load_config(site_dir)
    headline = clean_title(title)
    folder = find_column(site_dir, column)
    zone = zoneinfo.ZoneInfo(config.timezone)
    if date is None:
        moment = (now or dt.datetime.now(zone)).astimezone(zone)
        date_text = moment.strftime("%Y-%m-%d %H:%M")
    else:
        date_text = normalize_date(date, config.timezone)
    content_folder = site_dir / CONTENT_DIR / folder
    if slug is None:
        stem = next_stem(content_folder, date_text[:10].replace("-", ""))
    else:
        stem = clean_slug(slug)
    path = content_folder / f"{stem}.md"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise ContentError(
            "the file exists already and is never overwritten; choose another --slug, "
            "or edit that file",
            display_path(path),
        ) from None
    except OSError as exc:
        raise fault(exc, display_path(path), "creating the article") from None
    try:
        with open(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(article_text(headline, date_text))
    except OSError as exc:  # the disk filled up: no half-written article stays behind
        path.unlink(missing_ok=True)
        raise fault(with_file(exc, path), display_path(path), "writing the article") from None
    return path


def clean_title(title: str) -> str:
    """Return ``title`` on one line, or raise :class:`ProvarchiveError` if it cannot be one."""
    text = join_lines(title)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ProvarchiveError("the title contains control characters; type it again")
    if not text:
        raise ProvarchiveError(
            "the title is empty: give the article's headline, e.g. '全县春耕生产有序推进'"
        )
    return text


def normalize_date(text: str, timezone: str) -> str:
    """Return ``text`` as ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``, or raise ProvarchiveError."""
    match = _DATE_ARG.match(text.strip())
    if match is None:
        raise ProvarchiveError(
            f"--date must look like 2024-05-08 or '2024-05-08 09:30', not {text!r}"
        )
    year, month, day, hour, minute = match.groups()
    value = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        value += f" {int(hour):02d}:{minute}"
    try:
        parse_date(value, timezone)
    except ValueError as exc:
        raise ProvarchiveError(f"--date: {exc}") from None
    return value


def clean_slug(slug: str) -> str:
    """Return ``slug`` (a trailing ``.md`` dropped) if it makes a good file name, else raise."""
    name = slug.strip()
    name = name[: -len(".md")] if name.endswith(".md") else name
    try:
        check_slug(name)
    except ValueError as exc:
        raise ProvarchiveError(f"--slug: {exc}") from None
    if name.startswith("_") or name.endswith("~"):
        raise ProvarchiveError(
            f"--slug: {slug!r} would be skipped by the build (names starting with '_' or "
            "ending in '~' are not read); choose another"
        )
    return name


def next_stem(folder: Path, day: str) -> str:
    """Return ``t{day}_{NNN}`` with the first running number not used by a file in ``folder``."""
    taken = {path.name.casefold() for path in folder.iterdir()} if folder.is_dir() else set()
    for number in range(1, MAX_NUMBER + 1):
        stem = f"t{day}_{number:03d}"
        if f"{stem}.md".casefold() not in taken:
            return stem
    raise ContentError(
        f"all {MAX_NUMBER} file names t{day}_001.md to t{day}_{MAX_NUMBER}.md are taken; "
        "name the file with --slug",
        display_path(folder),
    )


def find_column(site_dir: Path, column: str) -> str:
    """Return the column path ``column`` names (a folder with ``_column.yaml``), or raise.

    The error lists every column of the site with its title, to pick one from.
    """
    path = column.strip().replace("\\", "/").strip("/")
    if path.startswith(f"{CONTENT_DIR}/") and not _is_column(site_dir, path):
        path = path[len(CONTENT_DIR) + 1 :]
    try:
        check_site_path(path, "--column")
    except ValueError as exc:
        raise ProvarchiveError(f"{exc}; give a folder under content/, such as zhxx/yywl") from None
    if _is_column(site_dir, path):
        return path
    columns = list_columns(site_dir)
    where = display_path(site_dir / CONTENT_DIR / path)
    if not columns:
        raise ProvarchiveError(
            f"no column '{path}', and the site has no columns yet: create the folder with a "
            f"{COLUMN_FILE} holding a line 'title: 栏目名称'",
            where,
        )
    width = max(len(column.path) for column in columns)
    choices = "\n".join(f"  {column.path.ljust(width)}  {column.title}" for column in columns)
    raise ProvarchiveError(
        f"no column '{path}' (a column is a folder under content/ with a {COLUMN_FILE}); "
        f"use --column with one of:\n{choices}",
        where,
    )


def list_columns(site_dir: Path) -> list[Column]:
    """Return the site's columns that have a ``_column.yaml``, by path."""
    scan = scan_content(site_dir)
    columns, _, _ = read_columns(site_dir, scan.folders)
    return sorted((c for c in columns.values() if c.source_path), key=lambda c: c.path)


def _is_column(site_dir: Path, path: str) -> bool:
    if not path or any(part.startswith((".", "_")) for part in path.split("/")):
        return False
    return (site_dir / CONTENT_DIR / path / COLUMN_FILE).is_file()


def article_text(title: str, date: str) -> str:
    """Return the text of a new draft article with ``title`` and ``date``."""
    lines = ["---", f"title: {yaml_text(title)}", f'date: "{date}"']
    for key in EMPTY_FIELDS:
        lines.append(f"{key}: []" if key in LIST_FIELDS else f"{key}:")
    lines += ["draft: true", "---", "", PLACEHOLDER, ""]
    return "\n".join(lines)


def yaml_text(value: str) -> str:
    """Return ``value`` as a YAML scalar that reads back as exactly that text.

    Plain when it reads back as itself and holds nothing YAML may treat specially
    (``: ``, ``#``, quotes, backslashes, a leading ``[ { * & ! % @`` and the like);
    else double-quoted, with JSON's escapes (which are YAML's too).
    """
    try:
        plain = load_mapping(f"value: {value}\n", "<title>").get("value")
    except ProvarchiveError:
        plain = None
    if plain == value and value == value.strip() and not _SPECIAL.search(value):
        return value
    return json.dumps(value, ensure_ascii=False)
