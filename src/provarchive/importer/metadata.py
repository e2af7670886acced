"""Publish date, source, authors and editor chosen from a page's classified lines."""

from __future__ import annotations

import re

from provarchive.importer.body import is_caption, is_image
from provarchive.importer.bylines import (
    choose_editor,
    credit_names,
    dateline_names,
    field_names,
    trailing_byline,
)
from provarchive.importer.dates import (
    DateCandidate,
    DateMatch,
    choose_date,
    find_dates,
    without_dates,
)
from provarchive.importer.labels import Field, Kind
from provarchive.importer.layout import LineKind, PageLine

_DATE_PRIORITY = {Kind.DATE: 0, Kind.DATE_GENERIC: 1, Kind.DATE_WEAK: 3}
_NO_DATES = (Kind.BROADCAST, Kind.CRAWL, Kind.REVIEW, Kind.COUNTER)


def date_candidates(lines: list[PageLine], region: int) -> list[DateCandidate]:
    """Return the possible publish dates on meta lines of one region (0 header, 1 footer)."""
    found: list[DateCandidate] = []
    for line in lines:
        if line.kind not in (LineKind.META, LineKind.BREADCRUMB):
            continue
        for match in line.dates:
            found.append(DateCandidate(match, 2, region, line.number))
        for field in line.fields:
            if field.kind in _NO_DATES:
                continue
            dates = find_dates(field.value)
            if not dates:
                continue
            priority = _DATE_PRIORITY.get(field.kind, 2)
            found.append(DateCandidate(dates[0], priority, region, line.number))
    return found


def pick_date(
    header: list[PageLine],
    footer: list[PageLine],
    body_meta: list[PageLine],
    hint: str | None,
    issue_lines: list[PageLine] | None = None,
) -> tuple[DateMatch | None, list[str]]:
    """Return the publish date and warnings; body meta lines count only with a publish label.

    An e-paper issue line's date is used only when the page has no other date.
    """
    candidates = date_candidates(header, 0) + date_candidates(footer, 1)
    candidates += [c for c in date_candidates(body_meta, 1) if c.priority == 0]
    if not candidates and hint:
        dates = find_dates(hint, compact=True)
        if dates:
            return dates[0], [f"publish date {dates[0].date} taken from the HTML head"]
    if not candidates:
        # an e-paper page's only date is its issue line (岚山日报 2024年03月15日 第03版)
        for line in issue_lines or []:
            dates = find_dates(line.text)
            if dates:
                return dates[0], [
                    f"publish date {dates[0].date} taken from the e-paper issue "
                    "line, the only date on the page"
                ]
    return choose_date(candidates)


def clean_source(value: str) -> str | None:
    """Return a source value without dates, brackets and trailing words, or None if empty."""
    tokens = without_dates(value).split()
    if not tokens:
        return None
    return tokens[0].strip("[]【】()（）:：,，;；|｜") or None


def pick_source(lines: list[PageLine]) -> str | None:
    """Return the first non-empty source field among ``lines``."""
    for line in lines:
        for field in line.fields:
            if field.kind is Kind.SOURCE:
                source = clean_source(field.value)
                if source:
                    return source
    return None


def pick_editor(lines: list[PageLine]) -> str | None:
    """Return the editor named on ``lines``: 责任编辑 over 责编 over 编辑."""
    fields: list[Field] = [f for line in lines for f in line.fields]
    return choose_editor(fields)


def collect_authors(
    header: list[PageLine], body: list[PageLine], footer: list[PageLine], trailing: list[str]
) -> tuple[str, ...]:
    """Return authors in order of appearance: header bylines, dateline, captions, end byline."""
    names: list[str] = []

    def take(line: PageLine) -> None:
        if line.kind is LineKind.BYLINE:
            names.extend(line.names)
        for field in line.fields:
            if field.kind is Kind.AUTHOR:
                names.extend(field_names(field))

    for line in header:
        take(line)
    text_seen = 0
    previous: PageLine | None = None
    for line in body:
        take(line)
        if line.kind is LineKind.TEXT:
            if text_seen < 2:
                names.extend(dateline_names(line.text))
            text_seen += 1
            if is_caption(line.text, previous.text if previous else None):
                names.extend(credit_names(line.text))
        previous = line
    names.extend(trailing)
    for line in footer:
        take(line)
    return tuple(dict.fromkeys(n for n in names if n))


def strip_trailing_byline(texts: list[str]) -> tuple[list[str], list[str]]:
    """Return body texts without a final ``(记者……)`` byline, and the byline's names.

    The byline may close the last paragraph or stand after it, before an end mark
    such as ``(完)``.
    """
    for back in range(1, min(3, len(texts)) + 1):
        index = len(texts) - back
        if is_image(texts[index]):
            continue
        found = trailing_byline(texts[index])
        if found is None:
            if re.fullmatch(r"[(（\[【]?\s*(?:完|全文完|结束|END|end)\s*[)）\]】]?", texts[index]):
                continue
            break
        rest, names = found
        updated = list(texts)
        if rest.strip():
            updated[index] = rest
        else:
            del updated[index]
        return updated, names
    return texts, []
