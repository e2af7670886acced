"""Saved legacy pages (bytes, text or HTML) to :class:`ParsedPage` records.

A page is read top to bottom as classified lines (see :mod:`layout`): everything
before the breadcrumb is site chrome; between the breadcrumb and the first line of
running text lie the column line, the headline lines and the meta lines; the rest
is the body, whose trailing meta lines (editor, source restated) form the footer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from provarchive.errors import ParseError
from provarchive.importer.read.body import is_paragraph, to_markdown
from provarchive.importer.read.breadcrumb import drop_title_crumb, parse_breadcrumb
from provarchive.importer.read.chrome import is_chrome_line, is_document_number
from provarchive.importer.read.confidence import with_confidence
from provarchive.importer.read.dates import join_split_dates
from provarchive.importer.read.decode import binary_reason, decode_page
from provarchive.importer.read.evidence import gather_evidence
from provarchive.importer.read.headline import (
    HeadlineEvidence,
    TitleSpan,
    find_title,
    headline_parts,
    is_metadata_row,
    is_note,
    join_broken,
    likely_title,
)
from provarchive.importer.read.html import HtmlPage, html_to_text, looks_like_html
from provarchive.importer.read.labels import Kind
from provarchive.importer.read.layout import LineKind, PageLine, classify_page, url_of
from provarchive.importer.read.links import resolved
from provarchive.importer.read.marks import MarkedHeadline, apply_marks
from provarchive.importer.read.metadata import (
    collect_authors,
    pick_date,
    pick_editor,
    pick_source,
    promote_meta,
    strip_trailing_byline,
    unlabelled_source,
)
from provarchive.importer.read.page import JSON_KEYS, ParsedPage, format_summary, page_to_json
from provarchive.importer.read.text import compact, fold, squeeze_han, visible_length
from provarchive.importer.read.titles import (
    Headline,
    is_dash_piece,
    split_headline,
    strip_site_suffix,
    strip_title_tags,
)

__all__ = [
    "JSON_KEYS",
    "ParsedPage",
    "format_summary",
    "page_to_json",
    "parse_html",
    "parse_page",
    "parse_text",
]

_BODY_KINDS = (LineKind.TEXT, LineKind.HEADING, LineKind.IMAGE)
_GENERIC_ONLY = frozenset({Kind.DATE_GENERIC})


_BULLET_LABEL = re.compile(r"^\s*[■□●○◆◇▲△▶►▍▌•]\s*([\u4e00-\u9fffA-Za-z0-9]{2,10})\s*$")
"""A column name set off by a bullet above the headline (■ 工作动态)."""
_TITLE_REACH = 80
"""How many lines after the breadcrumb a headline stated by the HTML is looked for."""
_PLACEHOLDER = re.compile(
    r"^\s*(?:untitled(?:\s+document)?|document|new\s+page\s*\d*|无标题文档|无标题页|无标题)\s*$",
    re.IGNORECASE,
)
"""A <title> an editor never wrote: an HTML editor's default."""


@dataclass(frozen=True)
class _Hints:
    """What an HTML head says about the page, to confirm or fill in the text's fields."""

    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    marked: MarkedHeadline | None = None
    headline: HeadlineEvidence | None = None


def parse_page(data: bytes, path: str) -> ParsedPage:
    """Return the record of a saved page's bytes, HTML or crawler text, in any encoding."""
    if not data or not data.strip():
        raise ParseError("empty page", path)
    text, encoding = decode_page(data)
    reason = binary_reason(data, text)
    if reason:
        raise ParseError(f"not a text file ({reason}): give the page saved as HTML or text", path)
    if looks_like_html(text):
        return parse_html(text, path, encoding=encoding)
    return parse_text(text, path, encoding=encoding)


def parse_html(html: str, path: str, *, encoding: str = "utf-8") -> ParsedPage:
    """Return the record of an HTML page given as text."""
    page: HtmlPage = html_to_text(html)
    evidence = HeadlineEvidence(page.title_hint, page.headline, page.headline_parts)
    hints = _Hints(
        page.title_hint,
        page.date_hint,
        page.source_hint,
        page.canonical_url,
        page.marked,
        evidence,
    )
    parsed = _parse(page.text, path, encoding, hints)
    parsed = replace(parsed, attachments=resolved(page.attachments, parsed.original_url))
    return with_confidence(parsed, gather_evidence(html, path, is_html=True))


def parse_text(text: str, path: str, *, encoding: str = "utf-8") -> ParsedPage:
    """Return the record of a page saved as plain text by a crawler."""
    parsed = _parse(text, path, encoding, _Hints())
    return with_confidence(parsed, gather_evidence(text, path, is_html=False))


def _first(lines: list[PageLine], kind: LineKind, start: int = 0) -> int | None:
    """Return the index of the first line of ``kind`` at or after ``start``."""
    return next((i for i in range(start, len(lines)) if lines[i].kind is kind), None)


def _body_start(lines: list[PageLine], start: int) -> int:
    """Return the index of the first line of running text at or after ``start``."""
    for index in range(start, len(lines)):
        line = lines[index]
        if line.kind is LineKind.TEXT and is_paragraph(line.text):
            return index
        if line.kind is LineKind.HEADING:
            return index
        if line.kind is LineKind.IMAGE and any(
            lines[i].kind is LineKind.TEXT for i in range(start, index)
        ):
            return index
    return len(lines)


def _column(header: list[PageLine], crumbs: tuple[str, ...]) -> PageLine | None:
    """Return the header line that names the column (it repeats a crumb)."""
    keys = {compact(c) for c in crumbs if c}
    for line in header:
        if line.kind is LineKind.TEXT and compact(squeeze_han(line.text)) in keys:
            return line
    return None


def _headline_lines(
    header: list[PageLine], before_crumb: list[PageLine]
) -> tuple[list[PageLine], list[PageLine]]:
    """Return the headline lines, and header text lines that belong to the body instead."""
    texts = [
        line
        for line in header
        if line.kind is LineKind.TEXT
        and not is_document_number(line.text)
        and not is_metadata_row(line.text)
        and not is_note(line.text)
    ]
    texts = join_broken(texts)
    anchor = next((line.number for line in header if line.kind is LineKind.META), None)
    if anchor is None:
        return texts[-3:], []
    before = [line for line in texts if line.number < anchor]
    after = [line for line in texts if line.number > anchor]
    if before:
        return before[-3:], after
    if after:
        return after[:3], after[3:]
    earlier = [line for line in before_crumb if line.kind is LineKind.TEXT]
    return earlier[-1:], []


def _leading_trail(lines: list[PageLine]) -> tuple[list[PageLine], int | None]:
    """Return the lines with a trail of short crumbs (``新闻中心 > 本地新闻``) that opens
    the page right above its headline taken as the breadcrumb, and its index."""
    shown = [i for i, line in enumerate(lines[:8]) if line.kind is not LineKind.CHROME]
    if len(shown) < 2 or lines[shown[0]].kind is not LineKind.TEXT:
        return lines, None
    first = lines[shown[0]]
    crumbs = parse_breadcrumb(first.text, named=True)
    if not crumbs or len(crumbs) < 2 or lines[shown[1]].kind is not LineKind.TEXT:
        return lines, None
    trail = PageLine(first.number, first.text, LineKind.BREADCRUMB, crumbs=crumbs)
    return [*lines[: shown[0]], trail, *lines[shown[0] + 1 :]], shown[0]


@dataclass(frozen=True)
class _Header:
    """The top of a page: breadcrumb, column line and headline lines, and where the body
    starts."""

    lines: list[PageLine]
    crumbs: tuple[str, ...]
    header: list[PageLine]
    span: TitleSpan | None
    column_line: PageLine | None
    headline_lines: list[PageLine]
    leftover: list[PageLine]
    body_at: int


def _read_header(lines: list[PageLine], hints: _Hints) -> _Header:
    """Return the breadcrumb, column and headline lines of a page's classified lines.

    A title the HTML states (or a final crumb that reads as one) is found by agreement,
    its 引题/副题 by evidence; without any, the lines between the breadcrumb and the
    body are read by position.
    """
    crumb_at = _first(lines, LineKind.BREADCRUMB)
    if crumb_at is not None and crumb_at > max(30, len(lines) // 2):
        crumb_at = None
    if crumb_at is None and hints.headline is None:  # HTML finds trails by their element
        lines, crumb_at = _leading_trail(lines)
    crumbs = lines[crumb_at].crumbs if crumb_at is not None else ()
    if crumb_at is None:  # an e-paper's issue line opening the page stands as a breadcrumb
        opening = next((i for i, line in enumerate(lines) if line.kind is not LineKind.CHROME), 0)
        crumb_at = opening if lines[opening].kind is LineKind.ISSUE else None
    start = crumb_at + 1 if crumb_at is not None else 0
    body_at = _body_start(lines, start)
    evidence = hints.headline or _crumb_evidence(crumbs)
    span = _stated_title(lines, start, body_at, evidence) if evidence else None
    if span is not None and hints.headline is None and _headline_follows(lines, span, body_at):
        span, evidence = None, None  # the crumb named a section shown above the headline
    if span is None and hints.headline is not None:
        span = likely_title(lines, start, body_at)
    if span is not None:
        body_at = _body_start(lines, span.last + 1)
    header = lines[start:body_at]
    if crumb_at is not None:
        header = [lines[crumb_at], *header]
    if span is not None and evidence is not None:
        column_line, headline_lines, leftover = _evidenced_headline(
            lines, span, (start, body_at), crumbs, evidence
        )
    else:
        column_line = _column(header, crumbs)
        candidates = [line for line in header if line is not column_line]
        headline_lines, leftover = _headline_lines(candidates, lines[: crumb_at or 0])
        if column_line is None and _is_column_label(headline_lines):
            column_line, headline_lines = headline_lines[0], headline_lines[1:]
        headline_lines = _without_badges(headline_lines)
    return _Header(lines, crumbs, header, span, column_line, headline_lines, leftover, body_at)


def _stated_title(
    lines: list[PageLine], start: int, body_at: int, evidence: HeadlineEvidence
) -> TitleSpan | None:
    """Return the title line the HTML states: in the header; else the line taken for the
    first of the body (a headline that reads as a sentence); else further down, when site
    text before the headline was read as body (two paragraphs at most: an article's own
    text is never skipped for a copy of its title in a list after it)."""
    found = find_title(lines, start, body_at, evidence) or find_title(
        lines, body_at, body_at + 1, evidence
    )
    if found is not None:
        return found
    later = find_title(lines, body_at + 1, start + _TITLE_REACH, evidence, last=False)
    if later is None:
        return None
    skipped = [line for line in lines[body_at : later.first] if line.kind is LineKind.TEXT]
    return later if sum(is_paragraph(line.text) for line in skipped) <= 2 else None


def _stated_text(span: TitleSpan | None, hints: _Hints) -> str | None:
    """Return the title line found as a hint, unless the head's title is one side of a
    dash in it (then the line is 主题——副题 and is split there)."""
    if span is None:
        return None
    if hints.title and is_dash_piece(strip_site_suffix(hints.title), span.text):
        return None
    return span.text


def _headline_follows(lines: list[PageLine], span: TitleSpan, body_at: int) -> bool:
    """Return True when a headline-shaped line (not a dashed 副题) follows ``span``."""
    following = next(
        (line for line in lines[span.last + 1 : body_at] if line.kind is not LineKind.CHROME),
        None,
    )
    return (
        following is not None
        and following.kind is LineKind.TEXT
        and visible_length(following.text) >= 6
        and not is_metadata_row(following.text)
        and not re.match(r"\s*(?:——|—|--|－－)", following.text)
    )


def _crumb_evidence(crumbs: tuple[str, ...]) -> HeadlineEvidence | None:
    """Return a breadcrumb's final crumb as evidence of the title when it reads as one
    (long, or with a sentence's punctuation), not as a section name."""
    last = crumbs[-1] if len(crumbs) >= 2 else ""
    if visible_length(last) >= 14 or (
        visible_length(last) >= 8 and re.search(r"[，,、：:！!？?]|\.\.\.|…$", last)
    ):
        return HeadlineEvidence(hint=last)
    return None


def _evidenced_headline(
    lines: list[PageLine],
    span: TitleSpan,
    bounds: tuple[int, int],
    crumbs: tuple[str, ...],
    evidence: HeadlineEvidence,
) -> tuple[PageLine | None, list[PageLine], list[PageLine]]:
    """Return the column line, the headline lines and the header lines that belong to the
    body, around a title the HTML confirms (see :mod:`headline`)."""
    start, body_at = bounds
    kickers, subtitles = headline_parts(lines, span, bounds, evidence)
    title = PageLine(lines[span.first].number, span.text, LineKind.TEXT)
    taken = {line.number for line in kickers + subtitles} | {
        line.number for line in lines[span.first : span.last + 1]
    }
    others = [line for line in lines[start:body_at] if line.number not in taken]
    above = [line for line in others if line.number < title.number]
    column_line = _column(above, crumbs)
    if column_line is None and kickers and _is_column_label([kickers[0], title]):
        column_line, kickers = kickers[0], kickers[1:]
    nearest = next((line for line in reversed(above) if line.kind is not LineKind.CHROME), None)
    if column_line is None and nearest is not None and _BULLET_LABEL.match(nearest.text):
        column_line = PageLine(nearest.number, _BULLET_LABEL.sub(r"\1", nearest.text), nearest.kind)
    anchor = next((line.number for line in others if line.kind is LineKind.META), None)
    leftover = [
        line
        for line in others
        if line.kind is LineKind.TEXT
        and line.number > title.number
        and (line.number > anchor if anchor is not None else visible_length(line.text) >= 10)
    ]
    return column_line, [*kickers, title, *subtitles], leftover


def _without_badges(headline: list[PageLine]) -> list[PageLine]:
    """Return the headline lines without repeats and without very short lines (an account
    name, a 关注 button) beside a line long enough to be the headline."""
    lines: list[PageLine] = []
    for line in headline:
        if not lines or compact(line.text) != compact(lines[-1].text):
            lines.append(line)
    if any(visible_length(line.text) >= 8 for line in lines):
        lines = [line for line in lines if visible_length(line.text) > 5]
    return lines


def _is_column_label(headline: list[PageLine]) -> bool:
    """Return True when the first headline line is a short column name above a real headline."""
    if len(headline) < 2:
        return False
    first, second = headline[0].text, headline[1].text
    return (
        visible_length(first) <= 6
        and not re.search(r"[\W_\d]", fold(first).replace(" ", ""))
        and visible_length(second) >= 2 * visible_length(first)
    )


def _fallback_headline(
    body: list[PageLine], hints: _Hints, path: str
) -> tuple[Headline, PageLine | None]:
    """Return a headline when the page shows no headline lines, or raise ParseError.

    The head's title serves unless it is an editor's default or only the site's name;
    else a heading opening the body, or the first short line, is taken.
    """
    stated = hints.title or ""
    if (
        visible_length(stated) >= 2
        and not _PLACEHOLDER.match(stated)
        and not (is_chrome_line(stated) and body and body[0].kind is LineKind.HEADING)
    ):
        title = strip_site_suffix(stated)
        return Headline(title, None, None, ("title taken from the HTML <title>",)), None
    for number, line in enumerate(body):
        heading = number == 0 and line.kind is LineKind.HEADING
        if (heading or line.kind is LineKind.TEXT) and visible_length(line.text) <= 60:
            title = strip_title_tags(line.text.removeprefix("## ") if heading else line.text)
            return Headline(title, None, None, (f"title guessed from line {title!r}",)), line
    raise ParseError("no title found: the page has no headline line", path)


def _is_repeat(line: PageLine, headline: Headline) -> bool:
    """Return True when a body line repeats the headline (alone or with kicker or subtitle)."""
    key = compact(strip_title_tags(line.text))
    if not key:
        return False
    parts = [headline.title, headline.kicker or "", headline.subtitle or ""]
    variants = {
        compact(headline.title),
        compact("".join(parts[1:2] + parts[:1])),
        compact("".join(parts[:1] + parts[2:])),
        compact("".join([parts[1], parts[0], parts[2]])),
    }
    return key in variants


def _parse(text: str, path: str, encoding: str, hints: _Hints) -> ParsedPage:
    """Return the record of a page's text, using ``hints`` from an HTML head when given."""
    lines = promote_meta(classify_page(join_split_dates(text)))
    if not any(line.kind is not LineKind.CHROME for line in lines):
        raise ParseError("empty page: no text besides page chrome", path)
    top = _read_header(lines, hints)
    lines, crumbs, header, span = top.lines, top.crumbs, top.header, top.span
    column_line, headline_lines = top.column_line, top.headline_lines
    rest = top.leftover + [line for line in lines[top.body_at :]]
    footer_at = next(
        (i for i, line in enumerate(rest) if line.kind is LineKind.FOOTER_START and i > 0), None
    )
    if footer_at is not None:
        rest = rest[:footer_at] + [
            line for line in rest[footer_at:] if line.kind in (LineKind.META, LineKind.BYLINE)
        ]
    body_lines, body_meta, footer = _split_body(rest)

    warnings: list[str] = []
    hint_texts = [h for h in (_stated_text(span, hints), hints.title) if h]
    if crumbs:
        hint_texts.append(crumbs[-1])
    hint_texts += [line.text for line in body_lines[:3] if line.kind is LineKind.TEXT]
    if headline_lines:
        headline = split_headline([line.text for line in headline_lines], hint_texts)
        used: PageLine | None = None
    else:
        headline, used = _fallback_headline(body_lines, hints, path)
    warnings += headline.warnings

    outlet_line = _outlet_after_date(lines, body_lines)
    kept = [
        line
        for line in body_lines
        if line is not used
        and line is not outlet_line
        and line.kind in _BODY_KINDS
        and not (line.number <= body_lines[0].number + 3 and _is_repeat(line, headline))
    ]
    texts, trailing = strip_trailing_byline([line.text for line in kept])
    header_meta = [line for line in header if line.kind in (LineKind.META, LineKind.BREADCRUMB)]
    early_meta = _meta_above_text(body_lines, body_meta)
    header_meta += early_meta
    issue_lines = [line for line in header if line.kind is LineKind.ISSUE]
    date, date_warnings = pick_date(header_meta, footer, body_meta, hints.date, issue_lines)
    warnings += date_warnings
    column = column_line.text if column_line is not None else _column_field(header)
    headline, column = apply_marks(headline, column, hints.marked)
    all_meta = header_meta + body_meta + footer
    url = hints.url or next((url_of(line) for line in lines if line.kind is LineKind.URL), None)
    return ParsedPage(
        breadcrumb=drop_title_crumb(crumbs, headline.title),
        column=squeeze_han(column) if column else None,
        title=headline.title,
        kicker=headline.kicker,
        subtitle=headline.subtitle,
        date=date.date if date else None,
        time=date.time if date else None,
        source=pick_source(header_meta + footer + body_meta)
        or hints.source
        or unlabelled_source(header_meta)
        or (outlet_line.text.strip() if outlet_line else None)
        or _paper_of(issue_lines),
        authors=collect_authors(header + early_meta, body_lines, footer, trailing, body_meta),
        editor=pick_editor(all_meta),
        body=to_markdown(texts),
        warnings=tuple(dict.fromkeys(warnings)),
        original_url=url,
        encoding=encoding,
    )


_PAPER = re.compile(r"^\s*([\u4e00-\u9fff]{2,12}?(?:日报|晚报|都市报|时报|商报|报))\s")


_OUTLET = re.compile(
    r"^[\u4e00-\u9fff]{2,12}?(?:日报|晚报|都市报|时报|商报|报|新闻网|网|电视台|广播电视台|"
    r"融媒体中心|通讯社|新华社|发布)$"
)


_ORGANISATION = re.compile(
    r"^[\u4e00-\u9fff]{2,14}?(?:局|委|厅|办|办公室|中心|政府|部|院|所|站|社|台|报|网|委员会|"
    r"管委会|发布)$"
)


def _outlet_after_date(lines: list[PageLine], body_lines: list[PageLine]) -> PageLine | None:
    """A lone organisation name right after a date-only meta line (2024-01-30 / 丰禾县工信局),
    as list-style HTML meta gives: it is the source, not the first line of the text."""
    if not body_lines:
        return None
    first = body_lines[0]
    before = next(
        (
            line
            for line in reversed(lines)
            if line.number < first.number and line.kind is not LineKind.CHROME
        ),
        None,
    )
    if (
        before is not None
        and before.kind is LineKind.META
        and before.dates
        and not before.fields
        and _ORGANISATION.match(first.text.strip())
    ):
        return first
    return None


def _meta_above_text(body_lines: list[PageLine], body_meta: list[PageLine]) -> list[PageLine]:
    """Meta lines that the body took but that stand above its running text: when the
    headline reads like a sentence (it ends with ``……``), the date and source lines under it
    fall after the body's start, yet they are the header's."""
    first_text = next(
        (
            line.number
            for line in body_lines
            if line.kind is LineKind.TEXT and ("。" in line.text or visible_length(line.text) >= 40)
        ),
        None,
    )
    if first_text is None:
        return []
    return [line for line in body_meta if line.number < first_text]


def _paper_of(issue_lines: list[PageLine]) -> str | None:
    """The newspaper an e-paper issue line names (岚山日报 2024年03月15日 第03版), if any."""
    for line in issue_lines:
        match = _PAPER.match(line.text)
        if match:
            return match.group(1)
    return None


def _column_field(header: list[PageLine]) -> str | None:
    """Return a ``栏目:`` field's value among header lines."""
    for line in header:
        for field in line.fields:
            if field.kind is Kind.COLUMN and field.value:
                return field.value.split()[0]
    return None


def _signature_date(lines: list[PageLine], index: int) -> bool:
    """Return True for a bare date right under a short signature line (a notice's 落款)."""
    line, above = lines[index], lines[index - 1] if index else None
    return (
        line.kind is LineKind.META
        and not line.fields
        and above is not None
        and above.kind is LineKind.TEXT
        and visible_length(above.text) <= 25
        and not is_paragraph(above.text)
        and not above.text.endswith(("。", ":", "："))
    )


def _split_body(rest: list[PageLine]) -> tuple[list[PageLine], list[PageLine], list[PageLine]]:
    """Return body lines, meta lines inside the body, and footer lines after the last paragraph.

    A meta line inside the body that only has ``时间:``/``日期:`` labels is event
    information and stays body text.
    """
    last_text = max((i for i, line in enumerate(rest) if line.kind in _BODY_KINDS), default=-1)
    body: list[PageLine] = []
    body_meta: list[PageLine] = []
    footer: list[PageLine] = []
    for index, line in enumerate(rest):
        if index == last_text + 1 and _signature_date(rest, index):
            body.append(PageLine(line.number, line.text, LineKind.TEXT))
        elif index > last_text:
            footer.append(line)
        elif (
            line.kind is LineKind.META
            and line.fields
            and {f.kind for f in line.fields} <= _GENERIC_ONLY
        ):
            body.append(PageLine(line.number, line.text, LineKind.TEXT))
        elif line.kind is LineKind.META:
            body_meta.append(line)
        else:
            body.append(line)
    return body, body_meta, footer
