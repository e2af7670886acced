"""What ``check`` reads of an article's body (:class:`BodyFacts`), made where the body
is: in the workers that read and render the article files (:func:`settle_facts`), and in
those that read the bodies a build keeps in its body store, so that bodies never gather
in one process (see :meth:`check._SiteCheck.stored_facts`)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .bodystore import BodyStore
from .cache import without_body
from .content import PLACEHOLDER
from .errors import ProvarchiveError
from .model import Article
from .reading import Bodies, Settled

_HTML_TARGET = re.compile(r'<(a|img)\b[^>]*?\s(href|src)="([^"]*)"', re.IGNORECASE)
_IMG_ALT = re.compile(r'<img\b[^>]*?\salt="([^"]*)"', re.IGNORECASE)


def _only_alt_text(body_html: str, text: str) -> bool:
    """Whether the body's paragraph text is nothing but the descriptions of its images."""
    alts = [html.unescape(alt) for alt in _IMG_ALT.findall(body_html)]
    for alt in sorted(filter(None, alts), key=len, reverse=True):
        text = text.replace(alt, "")
    return bool(alts) and not text.strip()


@dataclass(frozen=True)
class BodyFacts:
    """What ``check`` reads of an article's body (see :func:`body_facts`), made where
    the body is: bodies rendered anew, in the workers that render them
    (:func:`settle_facts`); bodies taken from the build cache, in workers that read them
    a chunk at a time. Only the facts come back."""

    only_alt_text: bool
    """The body's paragraph text is nothing but the descriptions of its images."""
    placeholder: bool
    """The body still holds the placeholder that ``provarchive new`` writes."""
    targets: tuple[tuple[bool, str], ...]
    """Each link and image of the body's HTML, in order: whether an image, and its
    address."""


def body_facts(article: Article) -> BodyFacts:
    """The facts ``check`` reads of the body of ``article``."""
    return _facts(article.body_html, article.text)


def _facts(body_html: str, text: str) -> BodyFacts:
    """The facts of a body: its HTML, and its plain text."""
    targets = tuple(
        (match[1].lower() == "img", html.unescape(match[3]))
        for match in _HTML_TARGET.finditer(body_html)
    )
    return BodyFacts(_only_alt_text(body_html, text), PLACEHOLDER in text, targets)


def settle_facts(results: list[object]) -> list[object]:
    """A :data:`reading.Sink`: makes the facts of each body where it is rendered, in the
    workers that read the article files, and passes the article on without it (a check
    of 100,000 articles without a build cache held every body at once: 917 MiB)."""
    return [
        Settled(without_body(result), body_facts(result)) if isinstance(result, Article) else result
        for result in results
    ]


def stored_facts(store: BodyStore, keys: Sequence[str]) -> list[BodyFacts | None]:
    """The facts of the bodies stored under ``keys``, read in one query; None for those
    the store lost."""
    stored = store.get(keys)
    return [_facts(*stored[key]) if key in stored else None for key in keys]


def rendered_facts(bodies: Bodies, ids: list[str]) -> dict[str, BodyFacts | ProvarchiveError]:
    """The facts of the bodies of ``ids``, read and rendered again (the store lost
    them); for one whose file no longer reads (it changed or went since the scan),
    the error."""
    try:
        whole = bodies.whole(ids)
    except ProvarchiveError:
        return {article_id: _rendered_fact(bodies, article_id) for article_id in ids}
    finally:
        bodies.again.clear()  # not kept past the chunk
    return {article_id: body_facts(article) for article_id, article in whole.items()}


def _rendered_fact(bodies: Bodies, article_id: str) -> BodyFacts | ProvarchiveError:
    try:
        return body_facts(bodies.whole([article_id])[article_id])
    except ProvarchiveError as exc:
        return exc
