"""Dates and times in the spellings of Chinese CMS pages, and the choice of the publish date."""

from __future__ import annotations

import re
from dataclasses import dataclass

from provarchive.importer.text import fold

_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<s1>年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*"
    r"(?P<d>\d{1,2})(?!\d)(?:\s*日|号)?"
    r"(?:\s*[(（]?\s*(?:星期|周|礼拜)[一二三四五六日天七]\s*[)）]?)?"
    r"(?:\s*(?P<ampm>上午|下午|晚上|早上|凌晨|中午)?\s*(?P<H>\d{1,2})\s*(?:[:：]|[时時点點])\s*"
    r"(?P<M>\d{1,2})(?!\d)(?:\s*分)?(?:\s*[:：]\s*\d{1,2}(?!\d)(?:\s*秒)?)?)?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")


@dataclass(frozen=True)
class DateMatch:
    """A date (and maybe a time) found in a line."""

    date: str
    """``YYYY-MM-DD``."""
    time: str | None
    """``HH:MM`` or None."""
    start: int
    """Offset of the match in the line."""
    end: int
    """Offset just after the match."""


def _valid(year: int, month: int, day: int) -> bool:
    """Return True for a calendar-plausible date."""
    return 1 <= month <= 12 and 1 <= day <= 31 and 1980 <= year <= 2100


def find_dates(line: str, *, compact: bool = False) -> list[DateMatch]:
    """Return every date in ``line``, in order; ``compact`` also accepts ``20230709``."""
    folded = fold(line)
    found: list[DateMatch] = []
    for match in _DATE.finditer(folded):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        if not _valid(year, month, day):
            continue
        time = None
        if match["H"] is not None:
            hour, minute = int(match["H"]), int(match["M"])
            if match["ampm"] in ("下午", "晚上") and hour < 12:
                hour += 12
            if hour <= 23 and minute <= 59:
                time = f"{hour:02d}:{minute:02d}"
        found.append(
            DateMatch(f"{year:04d}-{month:02d}-{day:02d}", time, match.start(), match.end())
        )
    if compact and not found:
        for match in _COMPACT.finditer(folded):
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            if _valid(year, month, day):
                found.append(
                    DateMatch(f"{year:04d}-{month:02d}-{day:02d}", None, match.start(), match.end())
                )
    return found


def first_date(text: str) -> DateMatch | None:
    """Return the first date in ``text``, or None."""
    found = find_dates(text)
    return found[0] if found else None


def without_dates(text: str) -> str:
    """Return ``text`` with every date and time removed."""
    folded = fold(text)
    pieces: list[str] = []
    last = 0
    for match in _DATE.finditer(folded):
        pieces.append(text[last : match.start()])
        last = match.end()
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
            and c.match.date != best.match.date
        }
    )
    warnings: list[str] = []
    if rivals:
        warnings.append(
            f"several date candidates ({', '.join([best.match.date, *rivals])}); "
            f"took {best.match.date}"
        )
    if best.priority >= 2 and best.region == 1:
        warnings.append(f"publish date {best.match.date} taken from an unlabelled footer date")
    return best.match, warnings
