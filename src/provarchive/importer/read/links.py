"""附件 links of an HTML article: which anchors offer a document, their titles, addresses.

An anchor is an attachment link when its target names a document of a type
:data:`provarchive.attachments.ATTACHMENT_TYPES` lists, by its path
(``./P020230512.pdf``) or by a query value (``downfile.jsp?filename=a.doc``). Its title is
its text, unless that only says 下载 or 附件; then its ``title`` attribute or the file name.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from provarchive.attachments import attachment_suffix, file_name
from provarchive.importer.read.page import PageLink

_SPACES = re.compile(r"\s+")
_GENERIC = re.compile(r"^(?:点击|点此)?(?:附件)?(?:下载|查看|打开|浏览)?(?:附件|文件|原文|全文)?$")
"""Link texts that name no document: 下载, 点击下载, 附件下载, 查看原文 …"""
_LABEL = re.compile(r"^\s*(?:相关)?附\s*件(?:下载|列表)?\s*\d*\s*[:：]?")
"""The label of an 附件 block: 附件：, 附件下载：, 相关附件, 附件1："""
_NUMBER = re.compile(r"^\s*(?:附件\s*)?\d{1,2}\s*[.、．:：]\s*(?=\D)")
"""The number of a list item before a title: ``1.``, ``2、``, ``附件1：``."""
_NOT_FILES = ("javascript:", "mailto:", "#")


def attachment_link(node: LexborNode) -> PageLink | None:
    """The :class:`PageLink` of an ``<a>`` element offering a document, else None."""
    href = (node.attributes.get("href") or "").strip()
    if not href or href.lower().startswith(_NOT_FILES) or attachment_suffix(href) is None:
        return None
    text = _SPACES.sub(" ", node.text(deep=True, separator=" ")).strip()
    if not text or _GENERIC.match(text.replace(" ", "")):
        text = (node.attributes.get("title") or "").strip() or file_name(href)
    title = _NUMBER.sub("", text.replace("[", "").replace("]", "")) or text
    return PageLink(href=href, title=title)


def markdown_target(href: str) -> str:
    """``href`` as a Markdown link's target: spaces and parentheses percent-encoded."""
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def markdown_link(link: PageLink) -> str:
    """``[title](href)`` for the body text, the target written so Markdown reads it whole."""
    return f"[{link.title}]({markdown_target(link.href)})"


def labelled_links_after(region: LexborNode, levels: int = 4, limit: int = 3) -> list[PageLink]:
    """The attachment links of the elements right after ``region`` (or after one of its
    ``levels`` nearest ancestors) whose text starts with an 附件 label: a block a layout
    keeps apart from the article. ``limit`` elements are looked at after each."""
    found: list[PageLink] = []
    current: LexborNode | None = region
    while current is not None and current.tag not in ("body", "html") and levels > 0:
        levels -= 1
        node, left = current.next, limit
        while node is not None and left > 0:
            if node.tag not in ("-text", "-comment"):
                left -= 1
                if _LABEL.match(node.text(deep=True, separator=" ")):
                    found += [link for a in node.css("a") if (link := attachment_link(a))]
            node = node.next
        current = current.parent
    return found


def resolved(links: list[PageLink], page_url: str | None) -> tuple[PageLink, ...]:
    """``links`` each once (by target), with their full addresses where they can be known."""
    base = page_url if page_url and re.match(r"^https?://", page_url, re.I) else None
    kept: dict[str, PageLink] = {}
    for link in links:
        url = urljoin(base, link.href) if base else link.href
        full = url if re.match(r"^https?://[^/\s]", url, re.I) else None
        if link.href not in kept:
            kept[link.href] = PageLink(link.href, link.title, full)
    return tuple(kept.values())
