"""Fingerprints of pages: equal fingerprints mean a page would render the same.

A page is made from its :class:`PageSpec`, the articles the spec names, the columns,
the config and the templates (:meth:`PageRenderer.context` reads nothing else). So a
page's fingerprint digests the spec, the digests of those articles, and a site salt
covering the rest. An article's digest covers what it is made from, not its fields:
its file's hash, where it lives, the links its body resolved to and the slugs of its
terms; so a cached article without its body digests like a freshly rendered one, and
no page context has to be built to know that a page is unchanged.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterable

from .codec import UNSHARED, encode
from .model import Article, Column
from .pages import PageSpec


def _blake(*parts: bytes) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(len(part).to_bytes(4, "little"))
        hasher.update(part)
    return hasher.digest()


def _plain_bytes(value: object) -> bytes:
    """Serialize plain values (tuples, strings, numbers, None) the same way every time.

    marshal's version 2 has no back-references, so the bytes depend on the values only,
    never on which objects happen to be shared; it is several times faster than repr.
    """
    return marshal.dumps(value, UNSHARED)


ARTICLE_DIGEST_SIZE = 16
"""Bytes of an :func:`article_digest`."""
TermSlugs = tuple[dict[str, str], dict[str, str], dict[str, str]]
"""The slugs of tags, of authors and of sources, by name (see :func:`term_slug_maps`)."""


def term_slug_maps(term_slugs: dict[str, dict[str, str]]) -> TermSlugs:
    """The slugs :func:`article_digest` reads, from a graph's ``term_slugs``."""
    tags, authors, sources = (term_slugs.get(name, {}) for name in ("tags", "authors", "sources"))
    return tags, authors, sources


def article_digest(article: Article, slugs: TermSlugs, media: bytes = b"") -> bytes:
    """Return the digest of an article: file hash, paths, resolved links, the slugs of
    its terms (``slugs``, see :func:`term_slug_maps`), and ``media``, the digest of the
    images and attachments it shows."""
    tags, authors, sources = slugs
    names = [tags.get(name, "") for name in article.tags]
    names += [authors.get(name, "") for name in article.authors]
    if article.source:
        names.append(sources.get(article.source, ""))
    facts = (
        article.id,
        article.source_path,
        article.url,
        article.content_hash,
        article.links,
        tuple(names),
        media,
    )
    return hashlib.blake2b(_plain_bytes(facts), digest_size=ARTICLE_DIGEST_SIZE).digest()


STRUCTURE_FIELDS = (
    "id",
    "column",
    "date",
    "url",
    "title",
    "tags",
    "authors",
    "source",
    "aliases",
    "source_path",
    "image",
    "pinned",
    "pinned_home",
    "topics",
)
"""The article fields the site graph and the page plan are made from (besides the
columns and the config): when none changed, the previous graph and plan still hold."""


def site_structure(config: object, columns: dict[str, Column], topics: object = ()) -> bytes:
    """Return the digest of the config, the columns and the topics (the part of the
    structure that is not articles)."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(repr(config).encode("utf-8"))
    hasher.update(repr(topics).encode("utf-8"))
    hasher.update(repr(sorted(columns.items())).encode("utf-8"))
    return hasher.digest()


def structure_facts(article: Article) -> tuple:
    """The :data:`STRUCTURE_FIELDS` of ``article``, in order, as plain values."""
    a = article
    return (
        a.id,
        a.column,
        a.date.isoformat(),
        a.url,
        a.title,
        a.tags,
        a.authors,
        a.source,
        a.aliases,
        a.source_path,
        a.image,
        a.pinned,
        a.pinned_home,
        a.topics,
    )


def structure_digest(site: bytes, articles: Iterable[Article]) -> bytes:
    """Return the digest of everything :func:`graph.build_graph` and
    :func:`plan.plan_pages` read: the config and the columns (``site``, from
    :func:`site_structure`) and each article's :data:`STRUCTURE_FIELDS`."""
    hasher = hashlib.blake2b(site, digest_size=16)
    hasher.update(_plain_bytes([structure_facts(a) for a in articles]))
    return hasher.digest()


def site_salt(
    version: str,
    render_key: str,
    config: object,
    templates: Iterable[tuple[str, str]],
    columns: dict[str, Column],
    top_columns: tuple[str, ...],
    topics: object = (),
) -> bytes:
    """Return the digest of what every page depends on: version, config, templates,
    columns, and ``topics`` (their records and banner images)."""
    parts = (
        repr(topics),
        version,
        render_key,
        repr(config),
        sorted(templates),
        [repr(column) for _, column in sorted(columns.items())],
        top_columns,
    )
    # ``columns`` must be the columns as templates see them (render.visible_columns)
    return _blake(repr(parts).encode("utf-8"))


FINGERPRINT_SIZE = 16
"""The bytes of a page's fingerprint."""


def page_fingerprint(salt: bytes, page: PageSpec, articles: dict[str, bytes]) -> bytes:
    """Return the fingerprint of ``page`` given the digests of the site's articles."""
    hasher = hashlib.blake2b(salt, digest_size=FINGERPRINT_SIZE)
    hasher.update(_plain_bytes(encode(page)))
    hasher.update(b"".join([articles[article_id] for article_id in page.article_ids()]))
    return hasher.digest()
