"""The order in which a build renders its pages: by the newest article each shows,
newest first, the site-wide lists of links apart (see :func:`render_order`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import attrgetter, not_

from .graph import SiteGraph
from .pages import (
    ArchivePayload,
    ArticlePayload,
    ColumnPayload,
    LinksPayload,
    PageSpec,
    Payload,
    TermPayload,
    TopicPayload,
)


@dataclass(frozen=True)
class RenderOrder:
    """Pages in the order they are rendered (see :func:`render_order`)."""

    workers: list[PageSpec]
    """The pages the workers render, in that order."""
    own: list[PageSpec]
    """The site-wide lists of links, which this process renders."""
    places: list[int]
    """The place of each of ``workers`` and then ``own`` in the pages given."""

    def page(self, number: int) -> PageSpec:
        """The page rendered ``number``-th: one of ``workers``, then of ``own``."""
        workers = len(self.workers)
        return self.workers[number] if number < workers else self.own[number - workers]


def render_order(pages: list[PageSpec], graph: SiteGraph) -> RenderOrder:
    """Split ``pages`` into those the workers render, in the order they render them,
    and the site-wide lists of links (sitemap.xml, the redirect files) this process
    renders once they are done.

    Workers render pages by the newest article each shows, newest first (pages that
    show none first, the plan's order kept among equals): the pages that list an
    article (its column's, its tags', its month's...) are thus rendered close together,
    and ``memo()``, which keeps the most recently used list items only (see
    :data:`render.MEMO_ENTRIES`), still has its item; and each worker reads the
    records of the articles of its own years only. A list of links reads the paths of
    every page: in a worker, each memory page holding them would be copied (see
    :func:`writing._own_work`).
    """
    newest = _newest_by_records(graph) if len(pages) * 8 <= len(graph.order) else _newest(graph)
    payloads = list(map(_PAYLOAD, pages))
    links = list(map(isinstance, payloads, repeat(LinksPayload)))
    shown = list(compress(count(), map(not_, links)))
    newest_shown = list(map(newest, map(payloads.__getitem__, shown)))
    # a sort by number keys, stable (the plan's order kept among equals): at 185,000
    # pages (100,000 articles), 0.03 s, where counting them into 100,000 places took 0.07 s
    order = sorted(range(len(shown)), key=newest_shown.__getitem__)
    places = [*map(shown.__getitem__, order), *compress(count(), links)]
    return RenderOrder(
        list(map(pages.__getitem__, places[: len(order)])),
        list(compress(pages, links)),
        places,
    )


def _newest(graph: SiteGraph) -> Callable[[Payload], int]:
    """The place of the newest article a page shows, newest first, from 1 (0 for pages
    that show none)."""
    position = dict(zip(graph.order, count(1)))

    def newest(payload: Payload) -> int:
        if type(payload) is ArticlePayload:
            return position[payload.article]
        ids = newest_candidates(payload)
        return min(map(position.__getitem__, ids)) if ids else 0

    return newest


def _newest_by_records(graph: SiteGraph) -> Callable[[Payload], tuple[float, str]]:
    """What :func:`_newest` orders by, for a few pages (an edit's): the key of the
    order of the articles (see :func:`graph.newest_first`) read from the records of
    those pages' articles, not a place for every article (0.05 s of an edit at 100,000
    articles)."""
    articles = graph.articles

    def key(article_id: str) -> tuple[float, str]:
        return (-articles[article_id].date.timestamp(), article_id)

    def newest(payload: Payload) -> tuple[float, str]:
        if type(payload) is ArticlePayload:
            return key(payload.article)
        return min(map(key, newest_candidates(payload)), default=(-math.inf, ""))

    return newest


_PAYLOAD = attrgetter("payload")
_NEWEST_FIRST = (ArchivePayload, TermPayload, TopicPayload)
"""Payloads whose ``listing`` is all they show, newest first."""


def newest_candidates(payload: Payload) -> tuple[str, ...]:
    """Articles among which is the newest that ``payload`` shows: the first of a listing
    kept newest first (with a column page's pins and photos), else every one. (A list
    page shows ``per_page`` articles, 20 by default: looking each up made
    ``render_order`` cost 2.2 times as much per page at 100,000 articles as at 5,000.)"""
    if isinstance(payload, _NEWEST_FIRST):
        return payload.listing[:1]
    if isinstance(payload, ColumnPayload):  # a page of the column's listing, newest first
        return (*payload.listing[:1], *payload.pinned, *payload.photos)
    return payload.article_ids()
