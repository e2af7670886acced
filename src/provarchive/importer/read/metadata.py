"""Publish date, source, authors and editor chosen from a page's classified lines."""

from __future__ import annotations

import re

from provarchive.importer.read.body import is_caption, is_image, is_paragraph
from provarchive.importer.read.bylines import (
    byline_line_names,
    choose_editor,
    credit_names,
    dateline_names,
    field_names,
    trailing_byline,
)
from provarchive.importer.read.dates import (
    DateCandidate,
    DateMatch,
    choose_date,
    find_dates,
    without_dates,
)
from provarchive.importer.read.labels import Field, Kind, kind_of
from provarchive.importer.read.layout import LineKind, PageLine
from provarchive.importer.read.names import has_surname, is_name, is_person
from provarchive.importer.read.text import HAN, visible_length

_DATE_PRIORITY = {Kind.DATE: 0, Kind.DATE_GENERIC: 1, Kind.DATE_WEAK: 3}
_NO_DATES = (Kind.BROADCAST, Kind.CRAWL, Kind.REVIEW, Kind.COUNTER)


def date_candidates(lines: list[PageLine], region: int) -> list[DateCandidate]:
    """Return the possible publish dates on meta lines of one region (0 header, 1 footer)."""
    found: list[DateCandidate] = []
    for line in lines:
        if line.kind not in (LineKind.META, LineKind.BREADCRUMB):
            continue
        for match in line.dates:
            if match.date is not None:  # a time without a year counts only with a label
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
    tokens = re.split(r"[\s|｜]+", without_dates(value).strip())
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
    header: list[PageLine],
    body: list[PageLine],
    footer: list[PageLine],
    trailing: list[str],
    body_meta: list[PageLine] | None = None,
) -> tuple[str, ...]:
    """Return authors in order of appearance: header bylines and name chips, the dateline or
    a byline heading, captions, author fields among the body's meta lines, end byline."""
    names: list[str] = []

    def take(line: PageLine) -> None:
        if line.kind is LineKind.BYLINE:
            names.extend(line.names)
        for field in line.fields:
            if field.kind is Kind.AUTHOR:
                names.extend(field_names(field))

    for line in header:
        take(line)
    names.extend(chip_names(header))
    names.extend(_body_names(body))
    for line in body_meta or []:
        take(line)
    names.extend(trailing)
    for line in footer:
        take(line)
    return tuple(dict.fromkeys(n for n in names if n))


def _body_names(body: list[PageLine]) -> list[str]:
    """Return the names of the body's bylines, its lead's dateline and photo credits."""
    names: list[str] = []
    paragraphs = 0
    previous: PageLine | None = None
    for line in body:
        if line.kind is LineKind.BYLINE:
            names.extend(line.names)
        text = line.text.removeprefix("## ") if line.kind is LineKind.HEADING else line.text
        if line.kind is LineKind.HEADING and paragraphs < 2:
            names.extend(byline_line_names(text) or [])
        if line.kind in (LineKind.TEXT, LineKind.HEADING):
            if paragraphs < 2 and line.kind is LineKind.TEXT:
                names.extend(dateline_names(text))
            paragraphs += is_paragraph(text)
            if is_caption(text, previous.text if previous else None):
                names.extend(credit_names(text))
        previous = line
    return names


def _widget_row(text: str) -> bool:
    """Return True for a short row of widget words and counts under an article
    (``赞 0 赏 分享``), or an empty label such as ``标签:``."""
    if visible_length(text) <= 6 and re.fullmatch(r"[^\s:：]{1,5}\s*[:：]", text.strip()):
        return True
    words = text.split()
    return (
        len(words) >= 2
        and visible_length(text) <= 16
        and all(visible_length(word) <= 4 for word in words)
        and not re.search(r"[。，,!?！？]", text)
    )


def strip_trailing_byline(texts: list[str]) -> tuple[list[str], list[str]]:
    """Return body texts without a final ``(记者……)`` byline, and the byline's names.

    The byline may close the last paragraph or stand after it, before an end mark
    such as ``(完)`` or a row of widget words (``赞 0 赏 分享``).
    """
    for back in range(1, min(3, len(texts)) + 1):
        index = len(texts) - back
        if is_image(texts[index]):
            continue
        found = trailing_byline(texts[index])
        if found is None:
            if re.fullmatch(r"[(（\[【]?\s*(?:完|全文完|结束|END|end)\s*[)）\]】]?", texts[index]):
                continue
            if _widget_row(texts[index]):
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


def _loose_meta(line: PageLine) -> bool:
    """Return True for a text line that opens with a full date and goes on with a few short
    words only (``2023年05月06日 某某传媒 要闻 1024 0``): an unlabelled meta line."""
    if line.kind is not LineKind.TEXT:
        return False
    dates = find_dates(line.text)
    if not dates or dates[0].start > 1 or dates[0].date is None:
        return False
    words = without_dates(line.text).split()
    return (
        len(words) <= 6
        and not re.search(r"[。，,!?！？；;]", line.text)
        and all(visible_length(word) <= 10 for word in words)
    )


_OUTLET_NAME = (
    rf"[{HAN}A-Za-z]{{1,12}}?(?:日报|晚报|早报|都市报|时报|商报|报|新闻网|新闻|网|电视台|"
    r"广播电视台|融媒体中心|融媒|通讯社|社|客户端|杂志|周刊)"
)
_PAIR = re.compile(
    rf"^(?:(?P<name>[{HAN}]{{2,4}})\s*/\s*(?P<outlet>{_OUTLET_NAME})"
    rf"|(?P<outlet2>{_OUTLET_NAME})\s*/\s*(?P<name2>[{HAN}]{{2,4}}))$"
)
_LONE_OUTLET = re.compile(rf"^{_OUTLET_NAME}$")


def promote_meta(lines: list[PageLine]) -> list[PageLine]:
    """Return ``lines`` with unlabelled meta lines made meta: loose date lines above the
    first paragraph (see :func:`_loose_meta`), and beside the first dated meta line an
    ``作者/来源`` pair (``甲/某某报``) or an outlet's name alone (``某某社``)."""
    top = next(
        (
            i
            for i, line in enumerate(lines)
            if line.kind is LineKind.TEXT and is_paragraph(line.text)
        ),
        len(lines),
    )
    promoted = [
        PageLine(line.number, line.text, LineKind.META, dates=tuple(find_dates(line.text)))
        if index < top and _loose_meta(line)
        else line
        for index, line in enumerate(lines)
    ]
    first = next((i for i, line in enumerate(promoted) if _dated_meta(line)), None)
    if first is None:
        return promoted
    for index in range(max(0, first - 2), min(len(promoted), first + 3)):
        credit = _credit_line(promoted[index])
        if credit is not None:
            promoted[index] = credit
    return promoted


def _dated_meta(line: PageLine) -> bool:
    """Return True for a meta line that states a full date."""
    if line.kind is not LineKind.META:
        return False
    return any(d.date for d in line.dates) or any(find_dates(f.value) for f in line.fields)


def _credit_line(line: PageLine) -> PageLine | None:
    """Return a short text or byline line as meta when it is an ``作者/来源`` pair or an
    outlet's name alone, else None."""
    if line.kind not in (LineKind.TEXT, LineKind.BYLINE) or line.fields:
        return None
    text = line.text.strip()
    pair = _PAIR.match(text)
    if pair:
        name = pair.group("name") or pair.group("name2")
        outlet = pair.group("outlet") or pair.group("outlet2")
        if not is_person(name):
            return None
        fields = (
            Field(Kind.AUTHOR, "作者", name, text.index(name)),
            Field(Kind.SOURCE, "来源", outlet, text.index(outlet)),
        )
        return PageLine(line.number, line.text, LineKind.META, fields=fields)
    if _LONE_OUTLET.match(text) and not is_person(text):
        return PageLine(
            line.number, line.text, LineKind.META, fields=(Field(Kind.SOURCE, "来源", text, 0),)
        )
    return None


_NOT_SOURCE = frozenset(
    ["收藏", "收藏本文", "举报", "分享", "评论", "打印", "关注", "纠错", "原创", "投稿", "置顶"]
)
_TAG = re.compile(r"[\[【(（][^\]】)）]{1,6}[\]】)）]")


def _words_after_date(line: PageLine) -> list[str]:
    """Return the words of an unlabelled date line besides its date and time."""
    rest = re.sub(r"\d{1,2}:\d{2}(?::\d{2})?", " ", without_dates(line.text))
    words = [word.strip("·•|｜-—/ ") for word in _TAG.sub(" ", rest).split()]
    return [word for word in words if word]


def _chips(words: list[str]) -> list[str] | None:
    """Return the people named beside a date: name chips (``甲 乙``) or a byline
    (``本报记者 甲 乙``); None when ``words`` are something else."""
    if words and all(is_name(w) for w in words) and any(has_surname(w) for w in words):
        return words
    return byline_line_names(" ".join(words)) if words else None


def unlabelled_source(header_meta: list[PageLine]) -> str | None:
    """The outlet named after the date on an unlabelled meta line (``2023年12月25日 某某日报``,
    ``2019-09-05 11:10 某某网[整理]``); widget words, counts and people's names are not it."""
    for line in header_meta:
        if line.fields or not any(d.date for d in line.dates):
            continue
        words = _words_after_date(line)
        if not words or _chips(words) is not None:
            continue
        word = words[0]
        if (
            word in _NOT_SOURCE
            or kind_of(word) is not None
            or re.search(r"\d", word)
            or not re.search(r"[A-Za-z\u4e00-\u9fff]{2}", word)
        ):
            continue
        return word
    return None


def chip_names(header_meta: list[PageLine]) -> list[str]:
    """Return the names shown as chips beside an unlabelled date (``2020-06-05 20:35 甲 乙``)."""
    for line in header_meta:
        if line.kind is LineKind.META and not line.fields and line.dates:
            names = _chips(_words_after_date(line))
            if names:
                return names
    return []
