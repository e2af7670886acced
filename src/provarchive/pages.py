"""What a page is: the typed records of a page plan (:class:`PageSpec` and its parts).

A :class:`PageSpec` is small and refers to records by key (article ids, column paths),
so a plan can be compared, cached, fingerprinted and split among worker processes.
"""

from __future__ import annotations

import enum
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .urls import index_path

PAGER_REACH = 2
"""A pager links the pages this close to the current one (besides the first and last)."""


class PageKind(str, enum.Enum):
    """What a page is; its template context is made by the builder the renderer keeps
    for the kind (``render.CONTEXT_BUILDERS``). Equal to its value, so templates may
    compare ``page.kind == "home"``."""

    HOME = "home"
    """the home page"""
    NOTFOUND = "notfound"
    """the 404 page"""
    SEARCH = "search"
    """the search page"""
    SITE_MAP = "sitemap_page"
    """the 网站地图 page"""
    COLUMN = "column"
    """a page of a column's listing"""
    ARCHIVES = "archives"
    """the years of a date archive"""
    ARCHIVE = "archive"
    """a page of a year's or a month's listing"""
    TERMS = "terms"
    """the index of a taxonomy's terms"""
    TERM = "term"
    """a page of a term's listing"""
    ARTICLE = "article"
    """an article"""
    REDIRECT = "redirect"
    """a page that sends an old address to its article"""
    FEED = "feed"
    """an Atom feed"""
    SITEMAP = "sitemap"
    """sitemap.xml"""
    ROBOTS = "robots"
    """robots.txt"""
    REDIRECTS = "redirects"
    """a redirect file for a server or host"""
    TOPICS = "topics"
    """the index of the 专题 (topics)"""
    TOPIC = "topic"
    """a page of a topic's listing"""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Pager:
    """Where a page stands in a paginated listing.

    It names the listing's folder, not every page's path, so that a page's spec
    (and fingerprint) stays small however long the listing grows.
    """

    number: int
    """This page's number, from 1."""
    count: int
    """How many pages the listing has."""
    folder: str
    """Site folder of the listing (``""`` for the site root)."""

    def path(self, number: int) -> str:
        """Return the site path of page ``number`` of the listing (1 for the first)."""
        return index_path(self.folder, number)

    @property
    def first(self) -> str:
        """Site path of the listing's first page."""
        return self.path(1)

    @property
    def last(self) -> str:
        """Site path of the listing's last page."""
        return self.path(self.count)

    @property
    def previous(self) -> str | None:
        """Site path of the page before this one (None on the first page)."""
        return self.path(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        """Site path of the page after this one (None on the last page)."""
        return self.path(self.number + 1) if self.number < self.count else None

    @property
    def window(self) -> tuple[int | None, ...]:
        """The page numbers a pager shows: the first, the last and those within
        :data:`PAGER_REACH` of this one, in order, with None where numbers are left out."""
        low = max(2, self.number - PAGER_REACH)
        high = min(self.count - 1, self.number + PAGER_REACH)
        shown: list[int | None] = [1]
        if low > 2:
            shown.append(None)
        shown += range(low, high + 1)
        if high < self.count - 1:
            shown.append(None)
        if self.count > 1:
            shown.append(self.count)
        return tuple(shown)

    @property
    def paths(self) -> tuple[str, ...]:
        """Site path of every page of the listing, page 1 first (long for long listings:
        prefer :meth:`path` and :attr:`window`)."""
        return tuple(self.path(n) for n in range(1, self.count + 1))


@dataclass(frozen=True)
class PageSpec:
    """One output file to render: where it goes, with which template, showing what."""

    path: str
    """Site path of the output file (e.g. ``zhxx/index_2.html``)."""
    template: str
    """Template name (e.g. ``column.html``)."""
    kind: PageKind
    """What the page is."""
    title: str = ""
    """The page's own title (empty for the home page)."""
    column: str | None = None
    """Path of the column the page belongs to."""
    article: str | None = None
    """Id of the article shown (article and redirect pages)."""
    listing: tuple[str, ...] = ()
    """Ids of the articles listed on the page, in display order."""
    pager: Pager | None = None
    """Position in a paginated listing."""
    taxonomy: str | None = None
    """``tags``, ``sources`` or ``authors`` for term pages."""
    term: str | None = None
    """The term's name on a term page."""
    year: int | None = None
    """The year of a date archive page."""
    month: int | None = None
    """The month of a monthly archive page."""
    links: tuple[tuple[str, str], ...] = ()
    """Pairs a machine-readable file lists: (site path, last change) in the sitemap,
    (alias path, article path) in redirect maps."""
    earlier: str | None = None
    """Article pages: the earlier article of the same column."""
    later: str | None = None
    """Article pages: the later article of the same column."""
    related: tuple[str, ...] = ()
    """Article pages: related articles, most related first."""
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Home page: each top-level column with the ids of its latest articles."""
    years: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...] = ()
    """Archive pages: (year, articles, ((month, articles), ...)), newest first."""
    terms: tuple[TermLink, ...] = ()
    """Term index pages: every term of the taxonomy."""
    origin: str = ""
    """The content file or rule that asked for this page, for messages."""
    pinned: tuple[str, ...] = ()
    """Home and first column pages: the pinned articles (置顶), shown before ``listing``."""
    photos: tuple[str, ...] = ()
    """Home and first column pages: recent articles with a cover (图片新闻)."""

    def article_ids(self) -> tuple[str, ...]:
        """Return every article the page shows: with the spec, all a page is made from
        (besides columns, config and templates)."""
        ids = [*self.listing, *self.related, *self.pinned, *self.photos]
        ids += [i for i in (self.article, self.earlier, self.later) if i]
        ids += [i for _, section in self.sections for i in section]
        return tuple(ids)

    def shows_any(self, ids: AbstractSet[str]) -> bool:
        """Whether the page shows one of the articles ``ids``: whether
        :meth:`article_ids` meets ``ids``, without building it."""
        return not (
            ids.isdisjoint(self.listing)
            and ids.isdisjoint(self.related)
            and ids.isdisjoint(self.pinned)
            and ids.isdisjoint(self.photos)
            and self.article not in ids
            and self.earlier not in ids
            and self.later not in ids
            and all(ids.isdisjoint(section) for _, section in self.sections)
        )


@dataclass(frozen=True)
class TermLink:
    """A term as an index page shows it."""

    name: str
    """The tag, source or reporter."""
    slug: str
    """Its URL name."""
    count: int
    """How many articles carry it."""
