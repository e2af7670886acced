"""Cached article records, decoded only when a build asks for them.

A one-article edit of a 20,000-article archive reuses 19,999 cached records, but the
pages it renders show a few dozen of them. The cache keeps each article as the bytes
of its :mod:`codec` tuple (:attr:`CachedArticle.encoded`), beside the few facts that
the passes over every article read (its file's hash, URL, draft flag, topics, and
whether it shows media or links); :class:`ArticleMap` decodes a record the first time
it is asked for. Loading the cache then makes one bytes object an article instead of
every string of its record: the 20,000 entries of the bench's archive took 0.22 s to
unmarshal and decode as records (0.13 s and 0.09 s), and take 0.05-0.08 s as entries.
A build that makes every entry anew (a clean one) pays for it: each record is
marshal'd on its own, 0.04 s more at 5,000 articles. Whatever a build asks of the
map, it gets the records a clean build reads.
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter
from typing import Any

from .codec import decode, encode
from .model import Article, Signature


@dataclass(frozen=True, slots=True)
class CachedArticle:
    """What the last build learned from one article file."""

    signature: Signature
    """The file's signature when it was read."""
    content_hash: str
    """sha1 of the file's bytes."""
    url: str
    """The article's :attr:`Article.url`."""
    draft: bool
    """The article's :attr:`Article.draft`."""
    topics: tuple[str, ...]
    """The article's :attr:`Article.topics`."""
    has_links: bool
    """Whether the body has relative links (resolved again when articles move)."""
    shows_media: bool
    """Whether the article has a cover, attachments or relative links."""
    encoded: bytes
    """The article, its body left empty (see the body store): ``m`` and its marshal'd
    codec values, or ``p`` and the pickled record when a value of its ``extra`` is one
    marshal does not know (a date, say)."""

    @classmethod
    def of(cls, signature: Signature, article: Article) -> CachedArticle:
        """The entry of ``article`` (without its body), read from a file of ``signature``."""
        return cls(
            signature,
            article.content_hash,
            article.url,
            article.draft,
            article.topics,
            bool(article.links),
            shows_media(article),
            _encoded(article),
        )

    def article(self) -> Article:
        """The article record, decoded anew."""
        kind, data = self.encoded[:1], memoryview(self.encoded)[1:]
        if kind == b"m":
            return decode(Article, marshal.loads(data))
        found = pickle.loads(data)
        if not isinstance(found, Article):
            raise TypeError(f"a cached record holds {type(found).__name__}")
        return found


def _encoded(article: Article) -> bytes:
    """See :attr:`CachedArticle.encoded`."""
    try:
        return b"m" + marshal.dumps(encode(article))
    except ValueError:
        return b"p" + pickle.dumps(article, pickle.HIGHEST_PROTOCOL)


def shows_media(article: Article) -> bool:
    """Whether ``article`` may show an image or a file of the site (its pages then
    depend on the media, and the media stage looks at it)."""
    return bool(article.image or article.links or article.attachments)


class ArticleMap(Mapping[str, Article]):
    """Articles by id, in a given order: those read in this build as they are, the
    cached ones decoded when first asked for (and kept)."""

    __slots__ = ("_cached", "_fresh", "_ids", "_ready")

    def __init__(
        self,
        ids: Iterable[str],
        cached: Mapping[str, CachedArticle],
        fresh: Mapping[str, Article],
        ready: dict[str, Article] | None = None,
    ):
        """``ids`` in order: each one is in ``fresh`` (the records read in this build) or
        has an entry in ``cached`` (whose entries of ``fresh`` articles are out of date).
        ``ready`` holds the records at hand, added to as cached ones are decoded."""
        self._ids = dict.fromkeys(ids)
        self._cached = cached
        self._fresh = fresh
        self._ready = dict(fresh) if ready is None else ready

    @classmethod
    def of(cls, articles: Mapping[str, Article]) -> ArticleMap:
        """A map of records all at hand (a build without a cache)."""
        return cls(articles, {}, articles)

    def __getitem__(self, article_id: str) -> Article:
        found = self._ready.get(article_id)
        if found is None:
            if article_id not in self._ids:
                raise KeyError(article_id)
            found = self._ready[article_id] = self._cached[article_id].article()
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._ids

    def keys(self) -> KeysView[str]:
        """The ids, as a plain dictionary's keys (compared and subtracted in C)."""
        return self._ids.keys()

    def reordered(self, ids: Iterable[str]) -> ArticleMap:
        """The same articles in the order of ``ids`` (which must be all of them), sharing
        the records decoded so far and those decoded from now on."""
        found = ArticleMap(ids, self._cached, self._fresh, self._ready)
        if found.keys() != self.keys():
            raise ValueError("reordered() needs the same ids")
        return found

    def hashes(self) -> dict[str, str]:
        """Each article's file hash, by id, without decoding a record."""
        found = self._entry_facts("content_hash", "")
        found.update(zip(self._fresh, map(_CONTENT_HASH, self._fresh.values()), strict=True))
        return found

    def with_topics(self) -> dict[str, Article]:
        """The articles that name a topic (the others have nothing to check)."""
        named = self._entry_facts("topics", ())
        named.update(zip(self._fresh, map(_TOPICS, self._fresh.values()), strict=True))
        return self._chosen(named)

    def with_media(self) -> dict[str, Article]:
        """The articles with a cover, attachments or relative links (see
        :func:`shows_media`): the only ones whose pages show media."""
        showing = self._entry_facts("shows_media", False)
        showing.update(zip(self._fresh, map(shows_media, self._fresh.values()), strict=True))
        return self._chosen(showing)

    def _entry_facts(self, name: str, default: object) -> dict[str, Any]:
        """The field ``name`` of each article's cache entry (``default`` for a new
        article), by id in order, in C loops: 20,000 of them at each edit. The fresh
        articles' values are the caller's to put in."""
        ids = self._ids
        entries = map(self._cached.get, ids)
        return dict(zip(ids, map(getattr, entries, repeat(name), repeat(default)), strict=True))

    def _chosen(self, flags: dict[str, Any]) -> dict[str, Article]:
        """The articles whose value in ``flags`` is true, in order."""
        chosen = list(compress(flags, flags.values()))
        return dict(zip(chosen, map(self.__getitem__, chosen), strict=True))


_CONTENT_HASH = attrgetter("content_hash")
_TOPICS = attrgetter("topics")
