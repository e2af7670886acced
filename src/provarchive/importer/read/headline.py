"""Which header lines are a page's headline, weighed against what the page states.

The head of an HTML page (``ArticleTitle``, ``og:title``, ``<title>``), the element
found to hold the headline, or a final crumb that reads as a title say what the title
reads; a header line that agrees with them is the title, even when it is long enough
to look like running text or is broken over lines. The lines around it are 引题 or 副题
only on evidence (a dash that ties them to the title, an element shaped as a headline
part, a head title that runs them together); account badges, author cards, metadata
rows, captions and teaser links around a headline have none, and are never taken.
When nothing agrees, the first headline-shaped line is the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provarchive.importer.read.body import is_caption
from provarchive.importer.read.dates import find_dates
from provarchive.importer.read.layout import LineKind, PageLine
from provarchive.importer.read.text import compact, fold, visible_length
from provarchive.importer.read.titles import strip_site_suffix, strip_title_tags

_CANDIDATE_KINDS = (LineKind.TEXT, LineKind.HEADING, LineKind.BYLINE)
_DASH_START = re.compile(r"^\s*(?:——|—|--|－－|━━|―)")
_DASH_END = re.compile(r"(?:——|—|--|－－|━━|―)\s*$")
_SUFFIX_START = re.compile(r"^\s*(?:[-_|｜–—·]|\s)")
_RELATIVE_TIME = re.compile(
    r"(?:^|\s)(?:昨天|前天|今天|刚刚|\d+\s*(?:分钟|小时|天)前)(?:\s*\d{1,2}:\d{2})?$"
)
_LABEL = re.compile(
    r"^[\u4e00-\u9fff]{0,4}(?:来源于?|出处|稿源|供稿|发布|作者|编辑|时间|日期)\s*[:：]"
    r"\s*(?:\d|[^，。！？,!?“”\"]{0,16}$)"
)
_PAIR = re.compile(r"^[\u4e00-\u9fff·]{1,5}\s*/\s*[\u4e00-\u9fff]{2,14}$")
_NUMBERS = re.compile(r"^[\d\s:：/.\-年月日]+$")
_MAX_PREFIX = 4
_NOTE = re.compile(r"^[(（][^()（）]{4,80}[)）]$")
_ORGAN_END = re.compile(r"(?:委员会|人民政府|政府|办公厅|办公室|委|局|厅|部|院|会|中心)$")
_CONNECTIVE_END = re.compile(r"(?:及|和|与|暨|并|的|、|关于|对|在|为)$")
_DOCUMENT_END = re.compile(
    r"(?:决议|决定|通知|通告|公告|通报|意见|办法|规定|条例|细则|批复|报告|方案|规划|请示|函|令)$"
)
_SERIES_END = re.compile(r"[丨|｜:：]\s*$")


@dataclass(frozen=True)
class HeadlineEvidence:
    """What an HTML page states about its headline, apart from its text lines."""

    hint: str | None = None
    """The head's title (``ArticleTitle``, ``og:title`` or ``<title>``)."""
    shown: str | None = None
    """The text of the element found to hold the headline (a heading or title element)."""
    parts: tuple[str, ...] = ()
    """Texts of the elements beside it shaped as 引题 or 副题."""


@dataclass(frozen=True)
class TitleSpan:
    """Where the title stands among a page's lines, and its text."""

    first: int
    """Index of its first line."""
    last: int
    """Index of its last line (a headline broken over lines spans several)."""
    text: str
    """The title as the page shows it, without a prefix the head leaves out."""


def _keys(evidence: HeadlineEvidence) -> list[str]:
    """Return the comparison keys of what the HTML says the title is."""
    keys = [compact(strip_title_tags(evidence.shown))] if evidence.shown else []
    if evidence.hint:
        keys += [
            compact(strip_site_suffix(evidence.hint)),
            compact(strip_title_tags(evidence.hint)),
        ]
    return [k for k in dict.fromkeys(keys) if len(k) >= 2]


def _agreement(text: str, hint: str | None, keys: list[str]) -> tuple[int, str]:
    """Return how well a line agrees with the stated title (3 equal, 2 the title with a
    site suffix or a short prefix added or removed, 0 not), and the title it shows."""
    stripped = strip_title_tags(text)
    key = compact(stripped)
    if not key:
        return 0, stripped
    hinted = compact(strip_site_suffix(hint)) if hint else ""
    if len(hinted) >= 6 and key.endswith(hinted) and 0 < len(key) - len(hinted) <= _MAX_PREFIX:
        shown = _tail(stripped, hinted)
        if _SERIES_END.search(stripped[: len(stripped) - len(shown)]):
            return 2, stripped  # a series prefix (视界丨) stays
        return (3 if key in keys else 2), shown
    if key in keys or compact(text) in keys:
        return 3, stripped
    if hint and len(key) >= 6:
        folded = fold(hint)
        at = _prefix_end(folded, key)
        if at is not None and _SUFFIX_START.match(folded[at:]):
            return 2, stripped
    return 0, stripped


def _prefix_end(text: str, key: str) -> int | None:
    """Return where ``key`` (a compact key) ends when ``text`` starts with it, else None."""
    matched = 0
    for index, char in enumerate(text):
        if matched == len(key):
            return index
        if not char.isalnum():
            continue
        if char != key[matched]:
            return None
        matched += 1
    return len(text) if matched == len(key) else None


def _tail(text: str, key: str) -> str:
    """Return the end of ``text`` whose compact form is ``key`` (a prefix such as 原创 cut)."""
    for start in range(len(text)):
        if compact(text[start:]) == key:
            return text[start:].strip(" -_|·:：")
    return text


def find_title(
    lines: list[PageLine],
    start: int,
    stop: int,
    evidence: HeadlineEvidence,
    *,
    last: bool = True,
) -> TitleSpan | None:
    """Return the title among ``lines[start:stop]`` that agrees with the HTML's evidence.

    A headline broken over two or three lines (``<br>`` inside the heading) is found
    as the lines whose joined text agrees. Of equal matches the last wins (a list of
    the issue's headlines, 标题导航, stands before the article), or with ``last=False``
    the first.
    """
    keys = _keys(evidence)
    if not keys:
        return None
    best: tuple[int, TitleSpan] | None = None
    for index in range(start, min(stop, len(lines))):
        found = _span_at(lines, index, evidence.hint, keys)
        if found and (best is None or found[0] > best[0] or (last and found[0] == best[0])):
            best = found
    return best[1] if best else None


def _span_at(
    lines: list[PageLine], index: int, hint: str | None, keys: list[str]
) -> tuple[int, TitleSpan] | None:
    """Return the best agreeing title starting at ``lines[index]`` (one to three lines),
    a longer span only when it agrees better."""
    found: tuple[int, TitleSpan] | None = None
    for size in (1, 2, 3):
        span = lines[index : index + size]
        if len(span) < size or any(line.kind not in _CANDIDATE_KINDS for line in span):
            break
        score, shown = _agreement("".join(_plain(line) for line in span), hint, keys)
        if score and (found is None or score > found[0]):
            found = (score, TitleSpan(index, index + size - 1, shown))
    return found


def _plain(line: PageLine) -> str:
    """Return a line's text without the ``## `` of a heading."""
    return line.text[3:] if line.kind is LineKind.HEADING else line.text


def looks_like_metadata(text: str) -> bool:
    """Return True for a line that reads as a metadata row, badge or counter, never as a
    headline part: a very short tag, or a metadata row (see :func:`is_metadata_row`)."""
    return visible_length(text) <= 4 or is_metadata_row(text)


def is_metadata_row(text: str) -> bool:
    """Return True for a metadata row, never a headline line: a date or relative time,
    a label with a short value, an ``author/outlet`` pair, a number or a crumb trail."""
    folded = fold(text).strip()
    return bool(
        any(_stands_apart(folded, match.start, match.end) for match in find_dates(folded))
        or _RELATIVE_TIME.search(folded)
        or _LABEL.match(folded)
        or _PAIR.match(folded)
        or _NUMBERS.match(folded)
        or re.search(r"\s>\s|>>|»", folded)
    )


def _stands_apart(text: str, start: int, end: int) -> bool:
    """Return True when ``text[start:end]`` is a field of its own: at the line's edges or
    set off by blanks (``2024-05-06 10:20 某网``), not run into a headline's words
    (``2024年3月15日起实行新规``)."""
    before = start == 0 or text[start - 1].isspace()
    after = end >= len(text) or text[end].isspace()
    return before and after


def is_note(text: str) -> bool:
    """Return True for a line wholly in brackets under a headline (an adoption note such as
    ``（某会议通过）``): never a 引题 or 副题."""
    return bool(_NOTE.match(fold(text).strip()))


def join_broken(lines: list[PageLine]) -> list[PageLine]:
    """Return headline lines with a headline broken over lines joined again: after an
    issuing body (``某某委员会`` / ``关于…``), after a connective (及, 和, 的), or up to the
    document type a ``关于`` title ends with (…的决议)."""
    joined: list[PageLine] = []
    for line in lines:
        last = joined[-1] if joined else None
        if last is not None and _continues(last.text, line.text):
            joined[-1] = PageLine(last.number, last.text + line.text, last.kind)
        else:
            joined.append(line)
    return joined


def _continues(first: str, second: str) -> bool:
    """Return True when ``second`` carries on the headline ``first`` breaks off."""
    first, second = fold(first).strip(), fold(second).strip()
    if not first or not second or re.search(r"[。！？!?]$", first):
        return False
    if _ORGAN_END.search(first) and second.startswith("关于") and "关于" not in first:
        return True
    if _CONNECTIVE_END.search(first):
        return True
    return (
        "关于" in first and not _DOCUMENT_END.search(first) and bool(_DOCUMENT_END.search(second))
    )


def _is_part(line: PageLine, title: str, evidence: HeadlineEvidence, above: bool) -> bool:
    """Return True when ``line`` next to the title is a 引题 (``above``) or 副题 on evidence:
    a dash that ties it to the title, an element shaped as a headline part, or a head
    title that runs it and the title together (``引题 主题``)."""
    key = compact(line.text)
    if line.kind is not LineKind.TEXT or not key or len(line.text) > 80:
        return False
    if key == compact(title) or any(key == k for k in _keys(evidence)):
        return False
    if _DASH_END.search(line.text) if above else _DASH_START.match(line.text):
        return not _LABEL.match(fold(line.text).strip("—-－━― "))
    if looks_like_metadata(line.text) or is_caption(line.text) or is_note(line.text):
        return False
    shaped = any(key == compact(part) for part in evidence.parts)
    return shaped or _joined_in_hint(line.text, title, evidence.hint, above)


def _joined_in_hint(text: str, title: str, hint: str | None, above: bool) -> bool:
    """Return True when the head's title is this line and the title run together, with at
    most blanks between them (not a site or column name joined by ``_`` or ``-``)."""
    if not hint:
        return False
    first, second = (text, title) if above else (title, text)
    pattern = re.escape(fold(first).strip()) + r"\s*" + re.escape(fold(second).strip())
    return bool(re.search(pattern, fold(hint)))


def headline_parts(
    lines: list[PageLine], span: TitleSpan, bounds: tuple[int, int], evidence: HeadlineEvidence
) -> tuple[list[PageLine], list[PageLine]]:
    """Return the 引题 lines right above the title and the 副题 lines right below it,
    within ``bounds`` (the header's first and end index), each taken only on evidence."""
    start, stop = bounds
    kickers: list[PageLine] = []
    for line in reversed(lines[start : span.first]):
        if line.kind is LineKind.CHROME:
            continue
        if len(kickers) == 2 or not _is_part(line, span.text, evidence, above=True):
            break
        kickers.insert(0, line)
    subtitles: list[PageLine] = []
    for line in lines[span.last + 1 : stop]:
        if line.kind is LineKind.CHROME:
            continue
        if len(subtitles) == 2 or not _is_part(line, span.text, evidence, above=False):
            break
        subtitles.append(line)
    return kickers, subtitles


def likely_title(lines: list[PageLine], start: int, stop: int) -> TitleSpan | None:
    """Return the header line most likely to be the title when nothing states it: the
    first headline-shaped one, never a metadata row, badge, short label, caption or
    sentence (a label, kicker or badge above a headline is short or has its evidence)."""
    candidates = [
        index
        for index in range(start, min(stop, len(lines)))
        if lines[index].kind in (LineKind.TEXT, LineKind.HEADING)
        and visible_length(_plain(lines[index])) >= 6
        and not looks_like_metadata(_plain(lines[index]))
        and not _plain(lines[index]).rstrip().endswith("。")
        and not is_caption(_plain(lines[index]), lines[index - 1].text if index else None)
    ]
    if not candidates:
        return None
    first = last = candidates[0]
    text = _plain(lines[first])
    while (
        last + 1 < min(stop, len(lines))
        and lines[last + 1].kind is LineKind.TEXT
        and _continues(text, lines[last + 1].text)
    ):
        last += 1
        text += lines[last].text
    return TitleSpan(first, last, strip_title_tags(text))
