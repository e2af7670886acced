"""What a page says about its own fields, read apart from the parse that chose them.

The parser picks each field from the page's lines; this module gathers the page's other
statements of the same facts, to confirm or doubt that pick: the head's ``<title>``,
``og:title`` and ``ArticleTitle``, its date and source metas, the date in the page's
URL or saved file name (``t20240412_5566``), and labelled values anywhere in the
visible text (``来源：``, ``发布时间：``, ``责任编辑：``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from selectolax.lexbor import LexborHTMLParser

from provarchive.importer.read.text import HAN

_TITLE_METAS = ("articletitle", "og:title", "twitter:title", "title", "headline")
_DATE_METAS = (
    "pubdate",
    "publishdate",
    "article:published_time",
    "datepublished",
    "firstpublishedtime",
    "publish_time",
    "release_date",
    "og:release_date",
)
_SOURCE_METAS = ("contentsource", "source", "article:author", "og:article:author")
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|｜·:：]+\s+|[_|｜]+|[-–—]+")
_DATE = re.compile(
    r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)"
    r"(?:\s*日?\s*(?:T|\s)*(\d{1,2})\s*[:：时]\s*(\d{2}))?"
)
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})/?(\d{2})(?!\d)")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?(\d{2})[-/_]?(\d{2})(?!\d)")
_DATE_LABEL = re.compile(r"(?:发布|发表|发稿|更新|时间|日期|刊发|来源)")
_SOURCE_LABEL = re.compile(
    r"(?:信息来源|稿件来源|文章来源|本文来源|来源|來源|出处|出處)\s*[:：]\s*(\w[^\s|│:：【】\[\]]{1,29})"
)
_EDITOR_LABEL = re.compile(
    r"(?:(?:责任编辑|責任編輯|责编|責編)\s*[:：]?|(?:^|(?<=[\s(（]))(?:编辑|編輯)\s*[:：]?|"
    r"(?:编辑|編輯)\s*[:：])\s*(\w[^\s|│:：()（）【】\[\]]{1,19}(?:\s[A-Z]{1,4}\d{2,})?)"
)
_URL_LINE = re.compile(
    r"(?:原文链接|原文地址|原文网址|本文链接|网址|链接|URL)\s*[:：]\s*(\S+)", re.I
)
_SPACES = re.compile(r"\s+")
_LETTER_SPACED = re.compile(rf"(?<![{HAN}])[{HAN}](?: [{HAN}])+(?![{HAN}])")


@dataclass(frozen=True)
class PageEvidence:
    """Statements of a page about its fields, each list in the order found."""

    stated_titles: tuple[str, ...] = ()
    """Headlines the head states (``ArticleTitle``, ``og:title``, ...)."""
    head_title: str | None = None
    """The ``<title>`` element's text."""
    head_title_parts: tuple[str, ...] = ()
    """``<title>`` cut at site-name separators (``标题_网易新闻`` gives both parts)."""
    meta_dates: tuple[tuple[str, str | None], ...] = ()
    """(``YYYY-MM-DD``, ``HH:MM`` or None) from publish-date metas."""
    url_dates: tuple[str, ...] = ()
    """``YYYY-MM-DD`` from the page's URL (canonical, ``og:url`` or a 原文链接 line) or
    saved file name (``t20240412_...``)."""
    meta_sources: tuple[str, ...] = ()
    """Sources the head states (``ContentSource``)."""
    labelled_dates: tuple[tuple[str, str | None], ...] = ()
    """(date, time) shown after a date label (发布时间, 日期, ...) in the visible text."""
    labelled_sources: tuple[str, ...] = ()
    """Values after a 来源-type label in the visible text."""
    labelled_editors: tuple[str, ...] = ()
    """Values after a 责任编辑-type label in the visible text."""
    text: str = ""
    """The visible text of the page: NFKC, whitespace folded to single spaces, and
    letter-spaced Han characters closed up (``编 辑`` reads ``编辑``)."""


def gather_evidence(page_text: str, path: str, *, is_html: bool) -> PageEvidence:
    """Return what the page (HTML or crawler text) and its file name say about its fields."""
    file_dates = _url_dates(PurePath(path).name)
    if not is_html:
        stated = [m.group(1) for m in _URL_LINE.finditer(page_text)]
        return _from_text(page_text, file_dates + tuple(d for u in stated for d in _url_dates(u)))
    tree = LexborHTMLParser(page_text)
    metas = _metas(tree)
    node = tree.css_first("title")
    head_title = _clean(node.text()) if node is not None else None
    urls = [value for key, value in metas if key in ("og:url", "canonical")]
    urls += [
        (link.attributes.get("href") or "")
        for link in tree.css("link")
        if "canonical" in (link.attributes.get("rel") or "").lower()
    ]
    url_dates = tuple(dict.fromkeys(d for url in urls for d in _url_dates(url)))
    visible = _visible_text(tree)
    base = _from_text(visible, file_dates + url_dates)
    return PageEvidence(
        stated_titles=tuple(_clean(v) for k, v in metas if k in _TITLE_METAS and _clean(v)),
        head_title=head_title or None,
        head_title_parts=_title_parts(head_title or ""),
        meta_dates=tuple(
            d for k, v in metas if k in _DATE_METAS for d in _dates(v)[:1] if d is not None
        ),
        url_dates=base.url_dates,
        meta_sources=tuple(_clean(v) for k, v in metas if k in _SOURCE_METAS and _clean(v)),
        labelled_dates=base.labelled_dates,
        labelled_sources=base.labelled_sources,
        labelled_editors=base.labelled_editors,
        text=base.text,
    )


def _from_text(text: str, url_dates: tuple[str, ...]) -> PageEvidence:
    """Return the evidence the visible ``text`` itself holds (labels, dates)."""
    flat = _LETTER_SPACED.sub(
        lambda m: m.group().replace(" ", ""), _SPACES.sub(" ", unicodedata.normalize("NFKC", text))
    )
    return PageEvidence(
        url_dates=tuple(dict.fromkeys(url_dates)),
        labelled_dates=_labelled_dates(flat),
        labelled_sources=_labelled(_SOURCE_LABEL, flat),
        labelled_editors=_labelled(_EDITOR_LABEL, flat),
        text=flat,
    )


def _labelled(label: re.Pattern[str], text: str) -> tuple[str, ...]:
    """Return the values after ``label`` in ``text``; a value that is itself the next
    label (``来源:发布日期:...``) means the label was empty and is left out."""
    values = (
        match.group(1)
        for match in label.finditer(text)
        if text[match.end() : match.end() + 1] not in (":", "：")
    )
    return tuple(dict.fromkeys(values))


def _metas(tree: LexborHTMLParser) -> list[tuple[str, str]]:
    """Return (lower-cased name or property, content) of every ``<meta>`` with content."""
    found: list[tuple[str, str]] = []
    for node in tree.css("meta"):
        attrs = node.attributes
        key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or ""
        content = (attrs.get("content") or "").strip()
        if key and content:
            found.append((key.lower(), content))
    return found


def _visible_text(tree: LexborHTMLParser) -> str:
    """Return the text of the page's body without scripts and styles."""
    body = tree.body
    if body is None:
        return ""
    for node in body.css("script, style, noscript, template"):
        node.decompose()
    return body.text(separator="\n")


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def _title_parts(title: str) -> tuple[str, ...]:
    """Return the parts of a ``<title>`` between site-name separators, longest first, and
    the title without a ``[tag]`` or ``【tag】`` in front."""
    untagged = re.sub(r"^\s*(?:\[[^\]]{1,20}\]|【[^】]{1,20}】)", "", title)
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title) if part.strip()]
    parts += [part.strip() for part in _TITLE_SEPARATORS.split(untagged) if part.strip()]
    return tuple(sorted(dict.fromkeys(parts), key=len, reverse=True))


def _dates(text: str) -> list[tuple[str, str | None] | None]:
    """Return the (date, time) pairs spelled in ``text``, real calendar dates only."""
    found: list[tuple[str, str | None] | None] = []
    for match in _DATE.finditer(unicodedata.normalize("NFKC", text)):
        year, month, day, hour, minute = match.groups()
        date = _iso(year, month, day)
        time = f"{int(hour):02d}:{minute}" if hour and int(hour) < 24 and int(minute) < 60 else None
        found.append((date, time) if date else None)
    if not found:
        found += [
            (date, None) for date in (_iso(*m.groups()) for m in _COMPACT_DATE.finditer(text))
        ]
    return found


def _iso(year: str, month: str, day: str) -> str | None:
    """Return ``YYYY-MM-DD`` when the parts make a real date, else None."""
    y, m, d = int(year), int(month), int(day)
    days = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30]
    days += [31, 31, 30, 31, 30, 31]
    if 1 <= m <= 12 and 1 <= d <= days[m - 1]:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _url_dates(url: str) -> tuple[str, ...]:
    """Return the dates an address or file name spells (``t20240412_``, ``/2024-04/12/``)."""
    found = (_iso(*match.groups()) for match in _URL_DATE.finditer(url))
    return tuple(dict.fromkeys(date for date in found if date))


def _labelled_dates(text: str) -> tuple[tuple[str, str | None], ...]:
    """Return (date, time) pairs that follow a date label within a few characters."""
    found: list[tuple[str, str | None]] = []
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if _DATE_LABEL.search(before):
            date_time = _dates(match.group())[:1]
            found += [d for d in date_time if d is not None]
    return tuple(dict.fromkeys(found))
