"""Dates and times in the spellings of Chinese CMS pages, and the choice of the publish date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from provarchive.importer.read.text import fold, normalise_newlines

_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<s1>年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*"
    r"(?P<d>\d{1,2})(?!\d)(?:\s*日|号)?"
    r"(?:\s*[(（]?\s*(?:星期|周|礼拜)[一二三四五六日天七]\s*[)）]?)?"
    r"(?:\s*(?P<ampm>上午|下午|晚上|早上|凌晨|中午)?\s*(?P<H>\d{1,2})\s*(?:[:：]|[时時点點])\s*"
    r"(?P<M>\d{1,2})(?!\d)(?:\s*分)?(?:\s*[:：]\s*\d{1,2}(?!\d)(?:\s*秒)?)?)?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_CLOCK = r"\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?!\d)(?::\d{2}(?!\d))?"
_SHORT_YEAR = re.compile(
    r"(?<![\d./-])(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{2})(?=\s*\d{1,2}:\d{2})" + _CLOCK
)
"""``18-03-08 23:16``, also glued (``18-03-0823:16``): a two-digit year, only with a time."""
_YEARLESS = re.compile(
    r"(?<![\d./-])(?P<m>\d{1,2})(?:-|月)(?P<d>\d{2})日?(?=\s*\d{1,2}:\d{2})" + _CLOCK
)
"""``10-08 12:00`` or glued ``10-0812:00``: a time whose date shows no year."""
_DATE_T = re.compile(r"(?<=\d)T(?=\d{2}:\d{2})")
"""The ``T`` of an ISO 8601 stamp (``2019-11-25T18:57:38+08:00``)."""


@dataclass(frozen=True)
class DateMatch:
    """A date (and maybe a time) found in a line."""

    date: str | None
    """``YYYY-MM-DD``, or None when the page shows the time without a year."""
    time: str | None
    """``HH:MM`` or None."""
    start: int
    """Offset of the match in the line."""
    end: int
    """Offset just after the match."""


def _valid(year: int, month: int, day: int) -> bool:
    """Return True for a calendar-plausible date."""
    return 1 <= month <= 12 and 1 <= day <= 31 and 1980 <= year <= 2100


def _clock(hour: int, minute: int, ampm: str | None = None) -> str | None:
    """Return ``HH:MM``, or None for an impossible time."""
    if ampm in ("下午", "晚上") and hour < 12:
        hour += 12
    return f"{hour:02d}:{minute:02d}" if hour <= 23 and minute <= 59 else None


def _full_dates(folded: str) -> list[DateMatch]:
    """Return the dates with a four-digit year in ``folded`` text."""
    found: list[DateMatch] = []
    for match in _DATE.finditer(folded):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        if not _valid(year, month, day):
            continue
        time = None
        if match["H"] is not None:
            time = _clock(int(match["H"]), int(match["M"]), match["ampm"])
        found.append(
            DateMatch(f"{year:04d}-{month:02d}-{day:02d}", time, match.start(), match.end())
        )
    return found


def _stamps(folded: str, taken: list[DateMatch]) -> list[DateMatch]:
    """Return time stamps with a two-digit year or none (``18-03-08 23:16``, ``10-08 12:00``)
    outside the spans of ``taken``."""
    found: list[DateMatch] = []
    spans = [(m.start, m.end) for m in taken]
    for pattern in (_SHORT_YEAR, _YEARLESS):
        for match in pattern.finditer(folded):
            if any(s < match.end() and match.start() < e for s, e in spans):
                continue
            month, day = int(match["m"]), int(match["d"])
            year = 2000 + int(match["y"]) if "y" in pattern.groupindex else 2000
            time = _clock(int(match["H"]), int(match["M"]))
            if not _valid(year, month, day) or time is None:
                continue
            date = f"{year:04d}-{month:02d}-{day:02d}" if "y" in pattern.groupindex else None
            found.append(DateMatch(date, time, match.start(), match.end()))
            spans.append((match.start(), match.end()))
    return found


def find_dates(line: str, *, compact: bool = False) -> list[DateMatch]:
    """Return every date in ``line``, in order; ``compact`` also accepts ``20230709``.

    A stamp with a two-digit year or none counts only with its time (see :func:`_stamps`).
    """
    folded = _DATE_T.sub(" ", fold(line))
    found = _full_dates(folded)
    found += _stamps(folded, found)
    if compact and not found:
        for match in _COMPACT.finditer(folded):
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            if _valid(year, month, day):
                found.append(
                    DateMatch(f"{year:04d}-{month:02d}-{day:02d}", None, match.start(), match.end())
                )
    return sorted(found, key=lambda m: m.start)


def first_date(text: str) -> DateMatch | None:
    """Return the first date in ``text``, or None."""
    found = find_dates(text)
    return found[0] if found else None


def without_dates(text: str) -> str:
    """Return ``text`` with every date and time removed."""
    pieces: list[str] = []
    last = 0
    for match in find_dates(text):
        pieces.append(text[last : match.start])
        last = match.end
    pieces.append(text[last:])
    return " ".join(" ".join(pieces).split())


@dataclass(frozen=True)
class DateCandidate:
    """A date that may be the publish date, with what speaks for it."""

    match: DateMatch
    priority: int
    """0 for a publish-date label, 1 for 时间/日期, 2 unlabelled, 3 for an update date."""
    region: int
    """0 in the page header, 1 in the footer."""
    position: int
    """Line number, to keep page order."""


def choose_date(candidates: list[DateCandidate]) -> tuple[DateMatch | None, list[str]]:
    """Return the publish date among ``candidates`` and the warnings the choice raises."""
    if not candidates:
        return None, ["no publish date found"]
    ordered = sorted(candidates, key=lambda c: (c.priority, c.region, c.position))
    best = ordered[0]
    rivals = sorted(
        {
            c.match.date
            for c in ordered
            if (c.priority, c.region) == (best.priority, best.region)
            and c.match.date not in (best.match.date, None)
        }
    )
    warnings: list[str] = []
    if best.match.date is None:
        return best.match, [f"publish time {best.match.time} shown without a year: no date"]
    if rivals:
        warnings.append(
            f"several date candidates ({', '.join([best.match.date, *rivals])}); "
            f"took {best.match.date}"
        )
    if best.priority >= 2 and best.region == 1:
        warnings.append(f"publish date {best.match.date} taken from an unlabelled footer date")
    return best.match, warnings


_YEAR_PART = re.compile(r"^(?:19|20)\d{2}\s*年?$")
_MONTH_DAY_PART = re.compile(r"^(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?$")
_TIME_PART = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")


def join_split_dates(text: str) -> str:
    """Return ``text`` with a date that a page splits over lines joined into one line:
    ``2019`` / ``09/07`` / ``19:02`` (year, month and day, time in separate nodes), or a
    date line followed by a line holding only its time."""
    lines = normalise_newlines(text).split("\n")
    joined: list[str] = []
    index = 0
    while index < len(lines):
        parts = _date_parts(lines, index)
        if parts:
            date, used = parts
            joined.append(date)
            index += used
            continue
        joined.append(lines[index])
        index += 1
    return "\n".join(joined)


def _date_parts(lines: list[str], index: int) -> tuple[str, int] | None:
    """Return the joined date starting at ``lines[index]`` and how many lines it took."""
    first = fold(lines[index]).strip()
    if _YEAR_PART.match(first):
        following = _next_lines(lines, index)
        month_day = _MONTH_DAY_PART.match(following[0][1]) if following else None
        if not month_day:
            return None
        date = f"{first.rstrip('年 ')}-{month_day['m']}-{month_day['d']}"
        end = following[0][0]
        if len(following) > 1 and _TIME_PART.match(following[1][1]):
            date, end = f"{date} {following[1][1]}", following[1][0]
        return (date, end + 1 - index) if find_dates(date) else None
    dates = find_dates(first)
    if dates and dates[0].date and not dates[0].time:
        following = _next_lines(lines, index)
        whole = dates[0].start == 0 and dates[0].end == len(first)
        if following and whole and _TIME_PART.match(following[0][1]):
            return f"{first} {following[0][1]}", following[0][0] + 1 - index
    return None


def _next_lines(lines: list[str], index: int) -> list[tuple[int, str]]:
    """The two lines after ``lines[index]`` that are not blank, folded and stripped,
    with their indexes. (Folding every line after each line made a page's import
    quadratic in its lines: 198,000 folds for the 67 pages of the development set.)"""
    folded = ((i, fold(lines[i]).strip()) for i in range(index + 1, len(lines)))
    return list(islice(((i, line) for i, line in folded if line), 2))
