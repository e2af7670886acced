"""Every slug, URL and output-path rule of the site, in one place.

Paths here are *site paths*: relative to the output folder, ``/``-separated,
naming a file (``zhxx/index.html``, ``zhxx/yywl/202307/a.html``). Pages link to
each other with relative URLs so the output works from a domain root, from a
subfolder and straight from disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from urllib.parse import unquote

from slugify import slugify

PERMALINK_TOKENS = ("column", "year", "month", "day", "slug")
"""The placeholders a ``permalink`` pattern may use."""

_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\\:*?"<>|]')
_TOKEN = re.compile(r"{([^{}]*)}")


def slugify_text(text: str) -> str:
    """Return an ASCII URL slug for ``text``: Chinese as pinyin (综合资讯 -> zong-he-zi-xun).

    Polyphonic characters are read in context (重庆 -> chong-qing). Never empty:
    text with nothing to spell gets ``x-`` and a short hash of the text.
    """
    from pypinyin import Style, lazy_pinyin  # costs 0.15 s to import: only when needed

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    slug = slugify(" ".join(syllables), lowercase=True, separator="-")
    if slug:
        return slug
    return "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


Spell = Callable[[Sequence[str]], dict[str, str]]
"""Names to their plain pinyin slugs (:func:`slugify_text`), made somewhere (see
:mod:`provarchive.speller`)."""


def spell_here(names: Sequence[str]) -> dict[str, str]:
    """``names`` spelled in pinyin (:func:`slugify_text`), in this process."""
    return {name: slugify_text(name) for name in names}


def check_site_path(path: str, what: str) -> str:
    """Return ``path`` as a safe site path, or raise ValueError saying what is wrong.

    A safe path stays inside the output folder on every system: relative, no
    ``.``/``..`` or empty segments (also when percent-decoded), no backslashes,
    control characters or characters Windows forbids in file names.
    """
    decoded = unquote(path)
    for candidate in {path, decoded}:
        if "\x00" in candidate:
            raise ValueError(f"{what} contains a NUL character")
        if "\\" in candidate:
            raise ValueError(f"{what} contains a backslash; use / between folders")
        if candidate.startswith("/") or re.match(r"^[A-Za-z]:", candidate):
            raise ValueError(f"{what} must be a relative path, not {path!r}")
        segments = candidate.split("/")
        if any(segment in ("..", ".") for segment in segments):
            raise ValueError(f"{what} must not contain '.' or '..' segments: {path!r}")
        if any(segment == "" for segment in segments[:-1]):
            raise ValueError(f"{what} must not contain empty segments ('//'): {path!r}")
        bad = _UNSAFE_CHARS.search(candidate)
        if bad:
            raise ValueError(
                f"{what} contains the character {bad.group()!r}, which is not allowed in file names"
            )
    if not path:
        raise ValueError(f"{what} is empty")
    return path


def check_slug(slug: str) -> str:
    """Return ``slug`` if it is one safe path segment, else raise ValueError."""
    if "/" in slug or "/" in unquote(slug):
        raise ValueError(f"slug must be one name without '/': {slug!r}")
    check_site_path(slug, "slug")
    if slug.startswith("."):
        raise ValueError(f"slug must not start with '.': {slug!r}")
    return slug


def check_permalink(pattern: str) -> str:
    """Return ``pattern`` if its tokens are known and its paths are safe; else raise ValueError."""
    for token in _TOKEN.findall(pattern):
        if token not in PERMALINK_TOKENS:
            known = " ".join("{" + t + "}" for t in PERMALINK_TOKENS)
            raise ValueError(f"unknown token {{{token}}} in permalink; use {known}")
    if "{slug}" not in pattern:
        raise ValueError("permalink must contain {slug}, or articles would share one page")
    sample = pattern.format(column="c", year="2000", month="01", day="01", slug="s")
    check_site_path(sample, "permalink")
    return pattern


def article_path(pattern: str, column: str, date: dt.datetime, slug: str) -> str:
    """Return the site path of an article page from the ``permalink`` pattern.

    A pattern ending in ``/`` gives a folder, written as its ``index.html``.
    Articles directly in ``content/`` have no column segment.
    """
    path = pattern.format(
        column=column,
        year=f"{date.year:04d}",
        month=f"{date.month:02d}",
        day=f"{date.day:02d}",
        slug=slug,
    )
    path = re.sub(r"/{2,}", "/", path).lstrip("/")
    return file_path(path)


def file_path(url_path: str) -> str:
    """Return the file a URL path is served from (a folder URL maps to its index.html)."""
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path


def alias_path(alias: str) -> str:
    """Return the site path of the redirect file for a legacy URL path such as ``/a/b.shtml``.

    Raises ValueError for an alias that would leave the output folder or cannot be a file.
    """
    if "?" in alias or "#" in alias:
        raise ValueError(
            f"alias {alias!r} has a query or fragment; a static file can only stand for a path"
        )
    if re.match(r"^[a-z][a-z0-9+.-]*://", alias, re.IGNORECASE):
        raise ValueError(f"alias {alias!r} must be a path on this site, such as /news/a.shtml")
    path = alias.lstrip("/") if alias.startswith("/") and not alias.startswith("//") else alias
    if path == "":
        raise ValueError("alias '/' would replace the home page")
    return check_site_path(file_path(path), "alias")


def index_path(folder: str, page: int = 1) -> str:
    """Return the site path of page ``page`` of the listing in ``folder`` (``zhxx/index_2.html``).

    Column pages, archives and tag pages are all paginated this way, as Chinese
    CMSes number them: ``index.html``, ``index_2.html``, ``index_3.html``...
    """
    prefix = f"{folder}/" if folder else ""
    return f"{prefix}index.html" if page == 1 else f"{prefix}index_{page}.html"


def root_prefix(page_path: str) -> str:
    """Return the relative URL from ``page_path`` up to the site root (``""`` or ``"../"``...)."""
    return "../" * page_path.count("/")


def archive_folder(year: int, month: int | None = None, column: str = "") -> str:
    """Return the folder of a date archive: ``archives/2024/07`` or ``zhxx/archives/2024``."""
    prefix = f"{column}/archives" if column else "archives"
    return f"{prefix}/{year:04d}" + (f"/{month:02d}" if month else "")


def relative_url(from_path: str, to_path: str) -> str:
    """Return the URL that leads from the page at ``from_path`` to the file at ``to_path``.

    Both are site paths; a ``to_path`` ending in ``/`` names a folder. Called for
    every link of every page, so it avoids ``posixpath.relpath`` (which asks the OS
    for the working folder each time).
    """
    from_dir = from_path.split("/")[:-1]
    target = to_path.split("/")
    common = 0
    limit = min(len(from_dir), len(target) - 1)
    while common < limit and from_dir[common] == target[common]:
        common += 1
    return "../" * (len(from_dir) - common) + "/".join(target[common:])


def absolute_url(base_url: str, path: str) -> str:
    """Return the absolute URL of a site path under ``base_url`` (which ends in ``/``)."""
    if path.endswith("index.html") and (path == "index.html" or path.endswith("/index.html")):
        path = path[: -len("index.html")]
    return base_url + path


ICP_FILING_URL = "https://beian.miit.gov.cn/"
"""The MIIT filing query page an ICP备案号 links to."""


def police_filing_url(record_code: str) -> str:
    """Return the public-security filing page of the record code (digits of 公网安备 …号)."""
    return f"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={record_code}"
