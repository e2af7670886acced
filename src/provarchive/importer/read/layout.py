"""A page's text as classified lines: chrome, breadcrumb, meta, byline, headline or body text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from provarchive.importer.read.body import is_image
from provarchive.importer.read.breadcrumb import parse_breadcrumb
from provarchive.importer.read.bylines import byline_line_names, head_names
from provarchive.importer.read.chrome import (
    is_chrome_line,
    is_footer_start,
    is_issue_line,
    strip_chrome,
)
from provarchive.importer.read.dates import DateMatch, find_dates, without_dates
from provarchive.importer.read.labels import Field, Kind, label_only, split_fields
from provarchive.importer.read.text import clean_line, fold, normalise_newlines, visible_length
from provarchive.importer.read.titles import is_original_title

_URL_LINE = re.compile(
    r"^\s*[\[(]?\s*(?:原文链接|原文地址|原文网址|原始链接|本文链接|文章链接|链接|网址|地址|URL|Url|url|"
    r"Source|source)\s*[:：]?\s*[\])]?\s*(?P<url>https?://\S+?)\s*[\])]?\s*$"
)


class LineKind(Enum):
    """What a line of a page is."""

    CHROME = "chrome"
    BREADCRUMB = "breadcrumb"
    META = "meta"
    BYLINE = "byline"
    TEXT = "text"
    IMAGE = "image"
    HEADING = "heading"
    ORIGINAL_TITLE = "original_title"
    ISSUE = "issue"
    FOOTER_START = "footer_start"
    URL = "url"


@dataclass(frozen=True)
class PageLine:
    """One non-empty line of a page and what it was found to be."""

    number: int
    """Position among the page's non-empty lines."""
    text: str
    """The line without page-chrome fragments and outer blanks."""
    kind: LineKind
    """What the line is."""
    fields: tuple[Field, ...] = ()
    """Labelled fields of a meta (or breadcrumb) line."""
    crumbs: tuple[str, ...] = ()
    """Crumbs of a breadcrumb line."""
    names: tuple[str, ...] = ()
    """Names on a byline line."""
    dates: tuple[DateMatch, ...] = ()
    """Unlabelled dates of a meta line."""


def split_lines(text: str) -> list[str]:
    """Return the non-empty cleaned lines of ``text``, with split labels and bylines rejoined.

    A label alone on its line (``发布时间:``) is joined with the value on the next
    line; a line that opens a bracket closed on the next short line is joined with it.
    """
    raw = [clean_line(line) for line in normalise_newlines(text).split("\n")]
    lines = [line for line in raw if line]
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is not None and _joins(line, following):
            glue = "：" if label_only(line) and not fold(line).rstrip("] ").endswith(":") else " "
            joined.append(f"{line}{glue}{following}")
            index += 2
            continue
        joined.append(line)
        index += 1
    return joined


def _joins(line: str, following: str) -> bool:
    """Return True when ``line`` and ``following`` are one line broken in two."""
    kind = label_only(line)
    if kind is not None and visible_length(following) <= 30 and label_only(following) is None:
        if kind in (Kind.DATE, Kind.DATE_GENERIC, Kind.DATE_WEAK):
            return bool(find_dates(following)) and find_dates(following)[0].start == 0
        return not re.search(r"[。!?！？]", following) and not split_fields(following)[1]
    folded, next_folded = fold(line), fold(following)
    opens = folded.count("(") > folded.count(")")
    return (
        opens
        and visible_length(line) <= 60
        and visible_length(following) <= 40
        and next_folded.count(")") > next_folded.count("(")
    )


def _plausible(fields: tuple[Field, ...]) -> bool:
    """Return True when the fields of a one-label line read as metadata, not prose."""
    if len(fields) >= 2:
        return True
    field = fields[0]
    value = field.value
    if field.kind in (Kind.DATE, Kind.DATE_GENERIC, Kind.DATE_WEAK, Kind.BROADCAST, Kind.CRAWL):
        return not value or bool(find_dates(value)) or visible_length(value) <= 12
    if field.kind is Kind.AUTHOR:
        return not value or bool(head_names(value))
    if field.kind is Kind.ORIGINAL_TITLE:
        return True
    return visible_length(value) <= 40 and not re.search(r"[。!?！？]", value)


def classify(number: int, line: str) -> PageLine:
    """Return ``line`` classified."""
    text = strip_chrome(line) if len(line) <= 200 else line
    if _URL_LINE.match(fold(text)):  # before chrome: a short line with a URL looks like chrome
        return PageLine(number, text, LineKind.URL)
    if not text or is_chrome_line(text):
        return PageLine(number, text, LineKind.CHROME)
    if is_footer_start(text):
        return PageLine(number, text, LineKind.FOOTER_START)
    if is_original_title(text):
        return PageLine(number, text, LineKind.ORIGINAL_TITLE)
    if text.startswith("## "):
        return PageLine(number, text, LineKind.HEADING)
    if is_image(text):
        return PageLine(number, text, LineKind.IMAGE)
    prefix, fields = split_fields(text)
    crumbs = parse_breadcrumb(prefix) if prefix else None
    if crumbs is not None:
        return PageLine(number, text, LineKind.BREADCRUMB, fields=fields, crumbs=crumbs)
    if is_issue_line(text):
        return PageLine(number, text, LineKind.ISSUE)
    prefix_dates = tuple(find_dates(prefix))
    rest = without_dates(prefix)
    # a meta line starts with its labels (maybe after a date), or is a short run of them
    short_prefix = visible_length(rest) <= 12
    several = len(fields) >= 2 and len(text) <= 160 and "。" not in text
    if fields and (short_prefix or several) and _plausible(fields):
        return PageLine(number, text, LineKind.META, fields=fields, dates=prefix_dates)
    if not fields and prefix_dates and visible_length(rest) <= 12 and "。" not in text:
        return PageLine(number, text, LineKind.META, dates=prefix_dates)
    names = byline_line_names(text)
    if names is not None:
        return PageLine(number, text, LineKind.BYLINE, names=tuple(names))
    return PageLine(number, text, LineKind.TEXT)


def url_of(line: PageLine) -> str | None:
    """Return the URL a ``URL`` line states."""
    match = _URL_LINE.match(fold(line.text))
    return line.text[match.start("url") : match.end("url")] if match else None


def classify_page(text: str) -> list[PageLine]:
    """Return the classified non-empty lines of a page's text."""
    return [classify(number, line) for number, line in enumerate(split_lines(text))]
