"""The record a legacy page is parsed into, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldConfidence:
    """How sure the parse of one field is, and the evidence that weighed most."""

    field: str
    """The field's name, as in :data:`JSON_KEYS`."""
    confidence: float
    """From 0.01 (surely wrong) to 0.99 (surely right), two decimals."""
    reason: str
    """The evidence that weighed most, in a few words."""


@dataclass(frozen=True)
class PageLink:
    """A link of the article to a document offered for download (附件)."""

    href: str
    """The link's target as the page writes it."""
    title: str
    """The link's text (else its ``title`` attribute, else the file name)."""
    url: str | None = None
    """The full ``http(s)://`` address: ``href`` resolved against the page's address when
    that is known; None when it is not and ``href`` is relative."""


@dataclass(frozen=True)
class ParsedPage:
    """One legacy news page as typed fields."""

    breadcrumb: tuple[str, ...]
    """Crumbs as shown on the page, without the 当前位置 marker, a final 正文 or a final
    crumb repeating the title; empty when the page shows none."""
    column: str | None
    """A column name shown on the page apart from the breadcrumb, else None."""
    title: str
    """主题: the headline."""
    kicker: str | None
    """引题: the line above the headline; several lines joined with ``\\n``."""
    subtitle: str | None
    """副题: the line below the headline; several lines joined with ``\\n``."""
    date: str | None
    """Publish date as ``YYYY-MM-DD``."""
    time: str | None
    """Publish time as ``HH:MM``."""
    source: str | None
    """来源: the outlet the article comes from."""
    authors: tuple[str, ...]
    """Reporters, correspondents and photographers, in order of appearance, no duplicates."""
    editor: str | None
    """责任编辑, else 责编, else 编辑; several names joined with ``、``."""
    body: str
    """The article as Markdown: blank-line separated paragraphs, ``## `` subheadings."""
    warnings: tuple[str, ...]
    """What the parser was unsure of."""
    original_url: str | None
    """The page's canonical URL when the page states one."""
    encoding: str
    """The encoding the page's bytes were decoded with."""
    confidence: tuple[FieldConfidence, ...] = ()
    """How sure each field with a value is, and for an empty field that the page suggests
    has a value, how sure its absence is (see :mod:`provarchive.importer.read.confidence`)."""
    attachments: tuple[PageLink, ...] = ()
    """附件: the article's links to documents (PDF, DOC, …), in order, each once; only an
    HTML page has them."""


JSON_KEYS = (
    "file",
    "breadcrumb",
    "column",
    "title",
    "kicker",
    "subtitle",
    "date",
    "time",
    "source",
    "authors",
    "editor",
    "body",
    "warnings",
    "confidence",
    "attachments",
)
"""The keys of :func:`page_to_json`, in order."""


def page_to_json(page: ParsedPage, file: str) -> dict[str, Any]:
    """Return ``page`` as a JSON-ready dict with the keys of :data:`JSON_KEYS`, in order."""
    return {
        "file": file,
        "breadcrumb": list(page.breadcrumb),
        "column": page.column,
        "title": page.title,
        "kicker": page.kicker,
        "subtitle": page.subtitle,
        "date": page.date,
        "time": page.time,
        "source": page.source,
        "authors": list(page.authors),
        "editor": page.editor,
        "body": page.body,
        "warnings": list(page.warnings),
        "confidence": {c.field: c.confidence for c in page.confidence if getattr(page, c.field)},
        "attachments": [
            {"title": link.title, "href": link.href, "url": link.url} for link in page.attachments
        ],
    }


def format_summary(page: ParsedPage, file: str) -> str:
    """Return a readable multi-line summary of ``page`` with Chinese labels, for a terminal."""
    missing = "—"

    def show(value: str | None) -> str:
        return value.replace("\n", " / ") if value else missing

    paragraphs = [b for b in page.body.split("\n\n") if b.strip()]
    headings = sum(1 for b in paragraphs if b.startswith("## "))
    chars = sum(len(b) for b in paragraphs if not b.startswith("## "))
    when = page.date or missing
    if page.date and page.time:
        when = f"{page.date} {page.time}"
    rows = [
        ("文件", file),
        ("面包屑", " > ".join(page.breadcrumb) or missing),
        ("栏目", show(page.column)),
        ("引题", show(page.kicker)),
        ("主题", page.title),
        ("副题", show(page.subtitle)),
        ("日期", when),
        ("来源", show(page.source)),
        ("作者", "、".join(page.authors) or missing),
        ("编辑", show(page.editor)),
        ("原始链接", show(page.original_url)),
        ("编码", page.encoding),
        ("正文", f"{len(paragraphs) - headings} 段, {headings} 个小标题, {chars} 字"),
    ]
    lines = [f"{label}: {value}" for label, value in rows]
    lines += [f"附件: {link.title} ({link.url or link.href})" for link in page.attachments]
    lines += [f"提示: {warning}" for warning in page.warnings]
    return "\n".join(lines)
