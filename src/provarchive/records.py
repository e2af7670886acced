"""Cached article records, decoded only when a build asks for them.

A one-article edit of a 20,000-article archive reuses 19,999 cached records, but the
pages it renders show a few dozen of them. The cache keeps each article as the bytes
of its :mod:`codec` tuple (:attr:`CachedArticle.encoded`), beside the few facts that
the passes over every article read (its file's hash, URL, draft flag, topics, and
whether it shows media or links); :class:`ArticleMap` decodes a record the first time
it is asked for. Loading the cache then makes one bytes object an article instead of
every string of its record: the 20,000 entries of the bench's archive took 0.22 s to
unmarshal and decode as records (0.13 s and 0.09 s), and take 0.05-0.08 s as entries.
A build that makes every entry anew (a clean one) marshals each record on its own;
its cache-file stage took about 0.04 s more at 5,000 articles, though encoding
100,000 entries either way outside a build took about the same time. Whatever a
build asks of the map, it gets the records a clean build reads.
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter, ge, itemgetter
from types import MappingProxyType
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

    __slots__ = ("_cached", "_fresh", "_hashes", "_ids", "_ready")

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
        self._hashes: Mapping[str, str] | None = None

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

    def all_fresh(self) -> bool:
        """Whether every article was read in this build (none is a cached entry)."""
        return self._ids.keys() <= self._fresh.keys()

    def added_to(self, entries: Mapping[str, object]) -> int:
        """How many of the ids ``entries`` does not hold. When they are this map's own
        cache entries, only records read in this build can be missing from them: one
        pass over those, not a set difference of every id (0.05 s of an edit at
        100,000 articles)."""
        if entries is self._cached:
            ids = self._ids
            return sum(1 for i in self._fresh if i in ids and i not in entries)
        return len(self._ids.keys() - entries.keys())

    def keys(self) -> KeysView[str]:
        """The ids, as a plain dictionary's keys (compared and subtracted in C)."""
        return self._ids.keys()

    def reordered(self, ids: Iterable[str], *, known_same: bool = False) -> ArticleMap:
        """The same articles in the order of ``ids`` (which must be all of them), sharing
        the records decoded so far and those decoded from now on. With ``known_same``
        (the caller knows they are these ids: a structure digest covers every id), only
        their number is checked: comparing every id took 0.02-0.04 s of an edit at
        100,000 articles."""
        found = ArticleMap(ids, self._cached, self._fresh, self._ready)
        if len(found) != len(self) or not (known_same or found.keys() == self.keys()):
            raise ValueError("reordered() needs the same ids")
        return found

    def hashes(self) -> Mapping[str, str]:
        """Each article's file hash, by id (in no given order), without decoding a
        record; made once (an edit asks twice: 70-75 ms each at 100,000 articles),
        read-only. Every id has a cache entry or a fresh record, so when they are as
        many as the ids, they are the ids: then no dictionary is made in the ids'
        order (in a profile of an edit at 100,000 articles, most of this method's time)."""
        if self._hashes is None:
            found = entry_facts(self._cached, _CONTENT_HASH)
            found.update(zip(self._fresh, map(_CONTENT_HASH, self._fresh.values()), strict=True))
            ids = self._ids
            if len(found) != len(ids):  # entries of articles gone: keep only the ids'
                found = dict(zip(ids, map(found.__getitem__, ids), strict=True))
            self._hashes = MappingProxyType(found)
        return self._hashes

    def distinct_hashes(self) -> set[str]:
        """The distinct file hashes of the articles. When every article was read in
        this build and no other is at hand, one pass over the records read (the
        dictionary of :meth:`hashes` took 0.1 s more at 100,000 articles)."""
        if self._hashes is None and self._ids.keys() == self._fresh.keys():
            return set(map(_CONTENT_HASH, self._fresh.values()))
        return set(self.hashes().values())

    def with_topics(self) -> dict[str, Article]:
        """The articles that name a topic (the others have nothing to check)."""
        return self._chosen(_TOPICS, _TOPICS)

    def with_media(self) -> dict[str, Article]:
        """The articles with a cover, attachments or relative links (see
        :func:`shows_media`): the only ones whose pages show media."""
        return self._chosen(_SHOWS_MEDIA, shows_media)

    def _chosen(
        self, entry_fact: Callable[[CachedArticle], Any], record_fact: Callable[[Article], Any]
    ) -> dict[str, Article]:
        """The articles for which ``entry_fact`` of their cache entry (or, read in this
        build, ``record_fact`` of their record) is true, in order."""
        cached, fresh = self._cached, self._fresh
        found = set(compress(cached, map(entry_fact, cached.values())))
        found.difference_update(fresh)
        found.update(compress(fresh, map(record_fact, fresh.values())))
        ids = self._ids
        chosen = list(compress(ids, map(found.__contains__, ids)))
        return dict(zip(chosen, map(self.__getitem__, chosen), strict=True))


def entry_facts(cached: Mapping[str, CachedArticle], fact: Callable[[CachedArticle], Any]) -> dict:
    """``fact`` of every cache entry, by id, in the cache's order, which is the order of
    the entries in memory: a pass in the order of the articles' ids met a CPU cache
    miss at nearly every entry (in cProfile at 100,000 articles, 71 ms a pass against
    16 ms). Each pass is a C loop; the entries of articles no longer in the site are
    there too, for the caller to leave out."""
    return dict(zip(cached, map(fact, cached.values()), strict=True))


@dataclass(frozen=True)
class EntryFacts:
    """The facts of the cache entries that the read stage looks at for every article,
    each gathered in one pass (see :func:`entry_facts`). A build gathers them as it
    loads the entries, while the walk of ``content/`` still runs (see
    :meth:`incremental.PreviousBuild.with_articles`). With them, the read stage of a
    one-article edit at 100,000 articles went from 0.62-0.79 s to 0.16-0.28 s (on a
    slow day of the development machine), most of it passes it no longer makes."""

    signatures: dict[str, Signature]
    """Each entry's file signature, by id."""
    urls: dict[str, str]
    """Each entry's article URL, by id."""
    drafts: frozenset[str]
    """The ids of the drafts (most archives have none)."""
    linking: frozenset[str]
    """The ids of the articles whose bodies have relative links (see
    :attr:`CachedArticle.has_links`)."""
    racy: frozenset[str]
    """The ids of the entries whose file was modified too close to the scan that read
    it for its signature to be trusted (see ``reading.RACY_NS``): a file whose
    signature is still the entry's has the entry's modification time, so the files
    to compare by content are known before the walk ends."""
    walked: WalkSplit | None = None
    """The article files of a walk made ahead, split by these facts (``serve`` splits
    its walk while it waits for an edit; see ``reading.split_files``)."""

    @classmethod
    def of(cls, cached: Mapping[str, CachedArticle], trusted_before: int) -> EntryFacts:
        """The facts of ``cached``, whose signatures are trusted when their file was
        modified before ``trusted_before`` (nanoseconds)."""
        entries = cached.values()
        signatures = entry_facts(cached, _SIGNATURE)
        modified = map(itemgetter(0), signatures.values())
        return cls(
            signatures,
            entry_facts(cached, _URL),
            frozenset(compress(cached, map(_DRAFT, entries))),
            frozenset(compress(cached, map(_HAS_LINKS, entries))),
            frozenset(compress(signatures, map(ge, modified, repeat(trusted_before)))),
        )


@dataclass(frozen=True)
class WalkSplit:
    """The article files of one walk (``markdown``, the walk's own dictionary, by which
    the split is known) split into those whose signature is their entry's
    (``unchanged``) and those to read."""

    markdown: dict[str, Signature]
    unchanged: tuple[str, ...]
    to_read: tuple[str, ...]


_CONTENT_HASH = attrgetter("content_hash")
_SIGNATURE = attrgetter("signature")
_URL = attrgetter("url")
_DRAFT = attrgetter("draft")
_HAS_LINKS = attrgetter("has_links")
_TOPICS = attrgetter("topics")
_SHOWS_MEDIA = attrgetter("shows_media")
