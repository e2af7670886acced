"""The headline of an HTML page as elements: the element holding it, and its 引题/副题.

The element holding the headline is a heading or an element named as a title that
agrees with the head's title (``ArticleTitle``, ``og:title``, ``<title>``), else the
best headline-shaped one; the elements right beside it that are shaped as headline
parts (other headings, ``yt``/``ft``/``subtitle`` classes, ``<founder-subtitle>``) are
reported as evidence of a 引题 or 副题. Also the small element helpers the HTML
reader shares.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from provarchive.importer.read.text import compact
from provarchive.importer.read.titles import strip_site_suffix

_SPACES = re.compile(r"\s+")

_TITLE_TOKENS = ("title", "tit", "biaoti", "headline", "bt")
# Class or id words of the elements that hold a 引题 or 副题 beside the headline.


# Class or id words of the elements that hold a 引题 or 副题 beside the headline.
_PART_TOKENS = frozenset(
    [
        "yt",
        "ft",
        "fbt",
        "ybt",
        "yinti",
        "futi",
        "fubiaoti",
        "yinbiaoti",
        "subtitle",
        "subtit",
        "subhead",
        "subheading",
        "kicker",
        "pretitle",
        "supertitle",
        "introtitle",
        "overtitle",
        "vicetitle",
        "title2",
        "title3",
    ]
)


_PART_WORD = re.compile(
    r"(?:sub|pre|intro|vice|second)[-_]?(?:tit|head)|(?:tit|title|bt)[-_]?(?:sub|pre|intro|vice|2|3)$"
)
"""A class word naming a headline part (sub-title, title_pre, art-title2)."""
_HEADING_RANK = {"h1": 3, "h2": 2, "h3": 1}


_PART_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


def node_tokens(node: LexborNode) -> list[str]:
    """Return the lower-cased class and id tokens of ``node``, split at ``-`` and ``_`` too."""
    attrs = node.attributes
    raw = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
    words = raw.split()
    return words + [part for word in words for part in re.split(r"[-_]", word)[1:] if part]


def inline_text(node: LexborNode) -> str:
    """Return the text of ``node`` as one line."""
    return _SPACES.sub(" ", node.text(deep=True, separator="")).strip()


def title_node(
    body: LexborNode, hint: str | None, content: LexborNode | None = None
) -> tuple[int, LexborNode] | None:
    """Return the element holding the headline (a heading or ``title`` element matching the
    hint) and how well it agrees with the hint (4 equal, 2 part of it, 1 only its shape).

    Among equally good candidates a higher heading beats a lower one or another element
    (h2 headline, h3 副题), then the last one
    before the article text wins (a site logo in an ``h1`` or a sidebar title comes
    earlier); logos never count.
    """
    key = compact(hint or "")
    bare = compact(strip_site_suffix(hint)) if hint else ""
    best: tuple[int, int, LexborNode] | None = None
    for node in body.traverse():
        if node.tag in ("-text", "-comment"):
            continue
        if content is not None and node.mem_id == content.mem_id:
            break  # the headline stands before the text
        if _is_logo(node) or node.tag in ("nav", "header"):
            continue
        rank = _HEADING_RANK.get(node.tag, 0)
        heading = rank > 0
        named = any(t.startswith(_TITLE_TOKENS) for t in node_tokens(node)) or _is_title_tag(node)
        text = compact(inline_text(node))
        if len(text) < 4 or len(text) > 120:
            continue
        score = 0
        if key and text in (key, bare):
            score = 4 if heading or named else 3
        elif key and (heading or named) and (text in key or key in text):
            score = 2
        elif key and (heading or named) and _in_order(key, text):
            score = 2  # the <title> shortens the headline (举办农民丰收节 / 举办第七届农民丰收节)
        elif node.tag == "h1" or ((named or node.tag == "h2") and 8 <= len(text) <= 60):
            score = 1
        better = best is None or (score, rank) >= best[:2]
        if score and better and not _inside_logo(node):
            best = (score, rank, node)
    return (best[0], best[2]) if best else None


def _is_title_tag(node: LexborNode) -> bool:
    """Return True for a custom element named as a headline (``<founder-title>``), not as
    one of its parts (``<founder-subtitle>``, ``<founder-introtitle>``)."""
    tag = node.tag or ""
    return "-" in tag and tag.rsplit("-", 1)[-1] == "title"


def _is_logo(node: LexborNode) -> bool:
    """Return True for an element named as a logo (``logo``, ``site-logo``; not ``logout``)."""
    return any("logo" in token.replace("logout", "") for token in node_tokens(node))


def _inside_logo(node: LexborNode) -> bool:
    """Return True for a node inside a logo, header or nav element."""
    parent = node.parent
    while parent is not None:
        if parent.tag in ("nav", "header") or _is_logo(parent):
            return True
        parent = parent.parent
    return False


def _in_order(short: str, long: str) -> bool:
    """Return True when every character of ``short`` appears in ``long``, in order."""
    if len(short) < 6 or len(short) >= len(long):
        return False
    letters = iter(long)
    return all(char in letters for char in short)


def headline_evidence(
    chosen: tuple[int, LexborNode] | None,
) -> tuple[str | None, tuple[str, ...]]:
    """Return the headline element's text and its 引题/副题 neighbours."""
    if chosen is None:
        return None, ()
    return inline_text(chosen[1]), _headline_parts(chosen[1])


def _headline_parts(title: LexborNode) -> tuple[str, ...]:
    """Return the texts of the elements right above and below the headline that are shaped
    as headline parts: other headings, or elements named as a 引题 or 副题.

    A wrapper holding only the headline (``<div class=title><h1>``) is looked past.
    """
    node = title
    while node.parent is not None and _only_element(node.parent) and node.parent.tag != "body":
        node = node.parent
    parts: list[str] = []
    for forward in (False, True):
        sibling = node.next if forward else node.prev
        taken = 0
        while sibling is not None and taken < 2:
            text = inline_text(sibling) if sibling.tag != "-comment" else ""
            if sibling.tag in ("-text", "-comment") and not text:
                sibling = sibling.next if forward else sibling.prev
                continue
            if not _is_headline_part(sibling, text):
                break
            parts.append(text)
            taken += 1
            sibling = sibling.next if forward else sibling.prev
    return tuple(parts)


def _only_element(node: LexborNode) -> bool:
    """Return True when ``node`` holds one element and no other text."""
    children = [c for c in node.iter(include_text=True) if c.tag != "-comment"]
    elements = [c for c in children if c.tag != "-text"]
    texts = [c for c in children if c.tag == "-text" and (c.text_content or "").strip()]
    return len(elements) == 1 and not texts


def _is_headline_part(node: LexborNode, text: str) -> bool:
    """Return True for a short element shaped as a 引题 or 副题."""
    if node.tag in ("-text", "-comment") or not text or len(text) > 80:
        return False
    if node.tag in _PART_TAGS or ("-" in node.tag and "title" in node.tag.rsplit("-", 1)[-1]):
        return True
    return any(token in _PART_TOKENS or _PART_WORD.search(token) for token in node_tokens(node))
