"""What a page is: the typed records of a page plan (:class:`PageSpec` and its parts).

A :class:`PageSpec` is small and refers to records by key (article ids, column paths),
so a plan can be compared, cached, fingerprinted and split among worker processes.
It holds what every page has (path, template, kind, title); what a kind of page adds
is its payload, one small record type per kind (:data:`PAYLOADS`), so that a page
carries no field that its kind does not use.
"""

from __future__ import annotations

import enum
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TypeVar

from .urls import index_path

PAGER_REACH = 2
"""A pager links the pages this close to the current one (besides the first and last)."""


class PageKind(str, enum.Enum):
    """What a page is: it says the type of the page's payload (:data:`PAYLOADS`), and
    the renderer makes its template context with the builder it keeps for the kind
    (``render.CONTEXT_BUILDERS``). Equal to its value, so templates may compare
    ``page.kind == "home"``."""

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


Item = TypeVar("Item")


def paginate(items: tuple[Item, ...], per_page: int) -> list[tuple[Item, ...]]:
    """Split ``items`` into pages of ``per_page``; an empty listing still has one page."""
    if not items:
        return [()]
    return [items[start : start + per_page] for start in range(0, len(items), per_page)]


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
class TermLink:
    """A term as an index page shows it."""

    name: str
    """The tag, source or reporter."""
    slug: str
    """Its URL name."""
    count: int
    """How many articles carry it."""


@dataclass(frozen=True)
class Plain:
    """The payload of a page made of the config and the columns alone (404, search
    page, robots.txt)."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows: none."""
        return ()


@dataclass(frozen=True)
class HomePayload:
    """The home page: latest news, pins, 图片新闻 and each top-level column's latest."""

    listing: tuple[str, ...]
    """The latest articles but the pinned ones, newest first."""
    pinned: tuple[str, ...] = ()
    """The articles pinned to the home page (置顶), shown before ``listing``."""
    photos: tuple[str, ...] = ()
    """Recent articles with a cover (图片新闻)."""
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Each top-level column with the ids of its latest articles."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        ids = [*self.listing, *self.pinned, *self.photos]
        ids += [i for _, section in self.sections for i in section]
        return tuple(ids)


@dataclass(frozen=True)
class ColumnPayload:
    """A page of a column's listing; the first page also shows pins and 图片新闻."""

    column: str
    """Path of the column."""
    listing: tuple[str, ...]
    """The articles of this page, in display order."""
    pager: Pager
    """Position in the column's listing."""
    pinned: tuple[str, ...] = ()
    """First page: the column's pinned articles (置顶), shown before ``listing``."""
    photos: tuple[str, ...] = ()
    """First page: recent articles of the column with a cover (图片新闻)."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        if self.pinned or self.photos:
            return (*self.listing, *self.pinned, *self.photos)
        return self.listing


Years = tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]
"""Years of a date archive: (year, articles, ((month, articles), ...)), newest first."""


@dataclass(frozen=True)
class ArchivesPayload:
    """The years of a date archive (of the site, or of a column)."""

    column: str | None
    """Path of the column, None for the site's archive."""
    years: Years
    """The years with their months (a column's archive shows only the years)."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows: none (it shows counts)."""
        return ()


@dataclass(frozen=True)
class ArchivePayload:
    """A page of a year's or a month's listing."""

    year: int
    """The year."""
    month: int | None
    """The month of a monthly page, None for a year."""
    column: str | None
    """Path of the column of a column's year page, None for the site's archive."""
    listing: tuple[str, ...]
    """The articles of this page, newest first."""
    pager: Pager
    """Position in the listing."""
    months: tuple[tuple[int, int], ...] = ()
    """The site's year pages: each month of the year with its articles, newest first
    (month pages and a column's year pages show none: a month page must not change when
    articles of other months arrive)."""

    @property
    def years(self) -> Years:
        """``months`` as page templates of earlier versions read it (``page.years``)."""
        return ((self.year, sum(n for _, n in self.months), self.months),) if self.months else ()

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        return self.listing


@dataclass(frozen=True)
class TermsPayload:
    """The index of a taxonomy's terms."""

    taxonomy: str
    """``tags``, ``sources`` or ``authors``."""
    terms: tuple[TermLink, ...]
    """Every term of the taxonomy."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows: none (it shows counts)."""
        return ()


@dataclass(frozen=True)
class TermPayload:
    """A page of a term's listing."""

    taxonomy: str
    """``tags``, ``sources`` or ``authors``."""
    term: str
    """The term's name."""
    listing: tuple[str, ...]
    """The articles of this page, newest first."""
    pager: Pager
    """Position in the term's listing."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        return self.listing


@dataclass(frozen=True)
class TopicsPayload:
    """The index of the 专题."""

    terms: tuple[TermLink, ...]
    """Every topic (title, slug, articles), in the topics' order."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows: none (it shows counts)."""
        return ()


@dataclass(frozen=True)
class TopicPayload:
    """A page of a topic's listing."""

    topic: str
    """The topic's slug."""
    listing: tuple[str, ...]
    """The articles of this page, newest first."""
    pager: Pager
    """Position in the topic's listing."""

    @property
    def term(self) -> str:
        """``topic`` by the name page templates know it (``page.term``)."""
        return self.topic

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        return self.listing


@dataclass(frozen=True)
class SiteMapPayload:
    """The 网站地图: every column with its count, and the years of the date archive."""

    terms: tuple[TermLink, ...]
    """Every column as (title, path, articles of it and its sub-columns), in tree order."""
    years: Years
    """The years of the site's date archive, without months."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows: none (it shows counts)."""
        return ()


@dataclass(frozen=True)
class ArticlePayload:
    """An article's page."""

    article: str
    """Id of the article."""
    column: str | None
    """Path of its column (None for an article outside any column)."""
    earlier: str | None = None
    """The earlier article of the same column."""
    later: str | None = None
    """The later article of the same column."""
    related: tuple[str, ...] = ()
    """Related articles, most related first."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        ids = (*self.related, self.article)
        if self.earlier is not None:
            ids += (self.earlier,)
        if self.later is not None:
            ids += (self.later,)
        return ids


@dataclass(frozen=True)
class RedirectPayload:
    """A page that sends an old address on to its article."""

    article: str
    """Id of the article."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        return (self.article,)


@dataclass(frozen=True)
class FeedPayload:
    """An Atom feed: of the site, a column or a topic."""

    listing: tuple[str, ...]
    """The articles of the feed, newest first."""
    column: str | None = None
    """Path of the column of a column's feed."""
    topic: str | None = None
    """Slug of the topic of a topic's feed."""

    @property
    def term(self) -> str | None:
        """``topic`` by the name page templates know it (``page.term``)."""
        return self.topic

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows."""
        return self.listing


@dataclass(frozen=True)
class LinksPayload:
    """A machine-readable list of site paths: sitemap.xml, a redirect file."""

    links: tuple[tuple[str, str], ...]
    """(site path, last change) in the sitemap, (alias path, article path) in redirect
    files."""

    def article_ids(self) -> tuple[str, ...]:
        """Every article the page shows: none (the links change with the plan)."""
        return ()


Payload = (
    Plain
    | HomePayload
    | ColumnPayload
    | ArchivesPayload
    | ArchivePayload
    | TermsPayload
    | TermPayload
    | TopicsPayload
    | TopicPayload
    | SiteMapPayload
    | ArticlePayload
    | RedirectPayload
    | FeedPayload
    | LinksPayload
)
"""What a page shows besides what every page has, by kind (see :data:`PAYLOADS`)."""

Listing = HomePayload | ColumnPayload | ArchivePayload | TermPayload | TopicPayload | FeedPayload
"""The payloads of pages that list articles (``listing``, in display order)."""

PAYLOADS: dict[PageKind, type[Payload]] = {
    PageKind.HOME: HomePayload,
    PageKind.NOTFOUND: Plain,
    PageKind.SEARCH: Plain,
    PageKind.SITE_MAP: SiteMapPayload,
    PageKind.COLUMN: ColumnPayload,
    PageKind.ARCHIVES: ArchivesPayload,
    PageKind.ARCHIVE: ArchivePayload,
    PageKind.TERMS: TermsPayload,
    PageKind.TERM: TermPayload,
    PageKind.ARTICLE: ArticlePayload,
    PageKind.REDIRECT: RedirectPayload,
    PageKind.FEED: FeedPayload,
    PageKind.SITEMAP: LinksPayload,
    PageKind.ROBOTS: Plain,
    PageKind.REDIRECTS: LinksPayload,
    PageKind.TOPICS: TopicsPayload,
    PageKind.TOPIC: TopicPayload,
}
"""The payload type of each kind of page."""


@dataclass(frozen=True)
class PageSpec:
    """One output file to render: where it goes, with which template, showing what.

    What every page has is a field; what its kind adds is its ``payload``, of the type
    :data:`PAYLOADS` names for the kind.
    """

    path: str
    """Site path of the output file (e.g. ``zhxx/index_2.html``)."""
    template: str
    """Template name (e.g. ``column.html``)."""
    kind: PageKind
    """What the page is."""
    payload: Payload
    """What the page shows, by kind."""
    title: str = ""
    """The page's own title (empty for the home page and machine files)."""
    origin: str = ""
    """The content file or rule that asked for this page, for messages."""

    def article_ids(self) -> tuple[str, ...]:
        """Return every article the page shows: with the spec, all a page is made from
        (besides columns, config and templates)."""
        return self.payload.article_ids()

    def shows_any(self, ids: AbstractSet[str]) -> bool:
        """Whether the page shows one of the articles ``ids``."""
        return not ids.isdisjoint(self.payload.article_ids())
