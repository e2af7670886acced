"""The documents of the search index: what it shows of each article, in index order.

Documents are numbered oldest first (see :mod:`provarchive.search`). The whole list is
a :class:`SearchDocs`, kept field by field: a saved plan holds it as a few tuples of
strings, which load in a fraction of the time of one record per article, and an edit
finds the documents whose text changed by comparing two tuples of file hashes, in C.
"""

from __future__ import annotations

import functools
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import compress, count
from operator import ne

from .graph import SiteGraph
from .model import Article

DATE_FORMAT = "%Y-%m-%d"
"""The date of a document: its article's day, by which the documents are in order."""


@dataclass(frozen=True)
class SearchDoc:
    """One article as the search index sees it."""

    id: str
    """The article id."""
    url: str
    """Site path of the article page."""
    title: str
    """The headline."""
    date: str
    """``YYYY-MM-DD``."""
    column: str
    """Title of the article's column."""
    key: str
    """Changes whenever the text changes (file hash and render settings)."""

    @functools.cached_property
    def digest(self) -> bytes:
        """A digest of every field the index stores."""
        fields = "\x00".join((self.id, self.url, self.title, self.date, self.column, self.key))
        return hashlib.blake2b(fields.encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True)
class SearchDocs:
    """The documents of the index by number, field by field; ``docs[n]`` is document
    ``n`` as a :class:`SearchDoc`. Made by :func:`search_docs` or :meth:`of`."""

    ids: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()
    """The content hash of each article's file: its text changes with it."""
    render_key: str = ""
    """The render settings of the bodies (the same for every document)."""
    digests: tuple[bytes, ...] = ()
    """Each document's :attr:`SearchDoc.digest`."""

    @classmethod
    def of(cls, docs: list[SearchDoc]) -> SearchDocs:
        """The documents ``docs``, numbered in their order; each key is the text's
        hash then ``:`` and the render key."""
        keys = [doc.key.partition(":") for doc in docs]
        made = cls(
            ids=tuple(doc.id for doc in docs),
            urls=tuple(doc.url for doc in docs),
            titles=tuple(doc.title for doc in docs),
            dates=tuple(doc.date for doc in docs),
            columns=tuple(doc.column for doc in docs),
            hashes=tuple(key[0] for key in keys),
            render_key=keys[0][2] if keys else "",
        )
        return replace(made, digests=tuple(doc.digest for doc in made))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, number: int) -> SearchDoc:
        return SearchDoc(
            self.ids[number],
            self.urls[number],
            self.titles[number],
            self.dates[number],
            self.columns[number],
            f"{self.hashes[number]}:{self.render_key}",
        )

    def __iter__(self) -> Iterator[SearchDoc]:
        return map(self.__getitem__, range(len(self.ids)))

    def body_keys(self) -> list[str]:
        """The key of each document's body in the body store, as :meth:`of` split it:
        the file's hash, ``:`` and the render key."""
        return [text_key(content_hash, self.render_key) for content_hash in self.hashes]

    def refreshed(self, hashes_by_id: Mapping[str, str]) -> SearchDocs:
        """These documents with the hash and digest of each article whose file changed
        since brought up to date (``hashes_by_id``: each document's file hash, by id)."""
        hashes = tuple(map(hashes_by_id.__getitem__, self.ids))
        if hashes == self.hashes:
            return self
        return self._with_hashes(hashes, compress(count(), map(ne, hashes, self.hashes)))

    def updated(self, fresh: Mapping[str, Article]) -> SearchDocs | None:
        """These documents with the hash and digest of each article read anew
        (``fresh``) brought up to date, the others' left as they are; None if one of
        them is not here under its date. Each is found by its date, in the order of
        the documents: no pass over every document (one took 0.1 s at 100,000)."""
        if not self.ids:  # no search index
            return self
        hashes = self.hashes
        changed: dict[int, str] = {}
        for article in fresh.values():
            number = self._number(article.id, article.date.strftime(DATE_FORMAT))
            if number is None:
                return None
            if hashes[number] != article.content_hash:
                changed[number] = article.content_hash
        if not changed:
            return self
        updated = list(hashes)
        for number, content_hash in changed.items():
            updated[number] = content_hash
        return self._with_hashes(tuple(updated), changed)

    def _number(self, article_id: str, date: str) -> int | None:
        """The number of the document of ``article_id``, dated ``date``; None if none."""
        dates = self.dates
        first = bisect_left(dates, date)
        try:
            return self.ids.index(article_id, first, bisect_right(dates, date, first))
        except ValueError:
            return None

    def _with_hashes(self, hashes: tuple[str, ...], changed: Iterable[int]) -> SearchDocs:
        """These documents with ``hashes``, which differ from theirs at ``changed``."""
        fresh = replace(self, hashes=hashes)
        digests = list(self.digests)
        for number in changed:
            digests[number] = fresh[number].digest
        return replace(fresh, digests=tuple(digests))


def text_key(content_hash: str, render_key: str) -> str:
    """The key of a document's text, which is its body's key in the body store
    (``cache.body_key``): the file's hash, ``:`` and the render key."""
    return f"{content_hash}:{render_key}"


def search_docs(graph: SiteGraph, render_key: str) -> SearchDocs:
    """Return the documents of the index, in document-number order (oldest first):
    by date, then by id, so that new articles are appended."""
    articles = sorted(graph.articles.values(), key=lambda a: (a.date.isoformat(), a.id))
    columns = graph.columns
    return SearchDocs.of(
        [
            SearchDoc(
                id=article.id,
                url=article.url,
                title=article.title,
                date=article.date.strftime(DATE_FORMAT),
                column=columns[article.column].title if article.column in columns else "",
                key=text_key(article.content_hash, render_key),
            )
            for article in articles
        ]
    )
