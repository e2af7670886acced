"""Headline parts an HTML page marks by class: the 引题 element just before the headline
element and the 副题 element just after it.

Text alone cannot tell a short 引题 from a column label above the headline, and a
headline block of more than three lines is cut; a page whose markup names the parts
(``class="kicker"``, ``class="subtitle"``, as provarchive's own theme writes them) settles
both. Only the element siblings of the headline element count, so a sidebar's
``subtitle`` is never taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborNode

from provarchive.importer.read.text import compact
from provarchive.importer.read.titles import Headline

_KICKER_CLASSES = frozenset({"kicker", "yinti", "pretitle"})
_SUBTITLE_CLASSES = frozenset({"subtitle", "futi", "subtitles"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MarkedHeadline:
    """The kicker and subtitle the markup names; None where it names none."""

    kicker: str | None = None
    """引题, its lines (split at ``<br>``) joined with ``\\n``."""
    subtitle: str | None = None
    """副题, its lines joined with ``\\n``."""


def marked_headline(title: LexborNode | None) -> MarkedHeadline:
    """Return the parts marked by class beside the headline element ``title``."""
    if title is None:
        return MarkedHeadline()
    before = _element_sibling(title, forward=False)
    after = _element_sibling(title, forward=True)
    return MarkedHeadline(
        kicker=_lines(before) if _classed(before, _KICKER_CLASSES) else None,
        subtitle=_lines(after) if _classed(after, _SUBTITLE_CLASSES) else None,
    )


def _element_sibling(node: LexborNode, *, forward: bool) -> LexborNode | None:
    """Return the next (or previous) sibling that is an element, skipping text and comments."""
    sibling = node.next if forward else node.prev
    while sibling is not None and sibling.tag in ("-text", "-comment"):
        if (sibling.text_content or "").strip():
            return None  # loose text between them: not a marked part
        sibling = sibling.next if forward else sibling.prev
    return sibling


def _classed(node: LexborNode | None, names: frozenset[str]) -> bool:
    """Return True when one of ``node``'s class names is in ``names``."""
    if node is None:
        return False
    return any(name in names for name in (node.attributes.get("class") or "").lower().split())


def _lines(node: LexborNode | None) -> str | None:
    """Return the text of ``node``, one line for each run between ``<br>`` elements."""
    if node is None:
        return None
    lines: list[str] = []
    current: list[str] = []
    for child in node.traverse(include_text=True):
        if child.tag == "br":
            lines.append("".join(current))
            current = []
        elif child.tag == "-text":
            current.append(child.text_content or "")
    lines.append("".join(current))
    kept = [_SPACES.sub(" ", line).strip() for line in lines]
    return "\n".join(line for line in kept if line) or None


def apply_marks(
    headline: Headline, column: str | None, marked: MarkedHeadline | None
) -> tuple[Headline, str | None]:
    """Return the headline with the parts the markup names put in, and the column line's
    text (None when it was the marked kicker, taken for a column label)."""
    if marked is None or (marked.kicker is None and marked.subtitle is None):
        return headline, column
    kicker = marked.kicker
    if column is not None and kicker is not None and compact(column) == compact(kicker):
        column = None
    return (
        replace(
            headline,
            kicker=marked.kicker or headline.kicker,
            subtitle=marked.subtitle or headline.subtitle,
        ),
        column,
    )
