"""The template variables of a page: those every page gets, and what its kind adds from
its payload (:data:`CONTEXT_BUILDERS`, one builder per :class:`pages.PageKind`).

Variables are made from the page spec, the articles it names, the columns, the topics
and the config only: that is what lets :mod:`provarchive.digest` fingerprint a page
without building its context.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .graph import SiteGraph
from .model import Article, Column, SiteConfig, Topic
from .pages import (
    ArchivePayload,
    ArchivesPayload,
    ArticlePayload,
    ColumnPayload,
    FeedPayload,
    HomePayload,
    PageKind,
    Pager,
    PageSpec,
    Payload,
    Plain,
    RedirectPayload,
    SiteMapPayload,
    TermPayload,
    TermsPayload,
    TopicPayload,
    TopicsPayload,
)
from .taxonomy import TAXONOMIES
from .topics import TOPICS_DIR
from .urls import archive_folder, index_path, root_prefix

Context = dict[str, Any]
"""The variables a template is rendered with."""

FORMER_PAGE_FIELDS: dict[str, Any] = {
    "column": None,
    "article": None,
    "listing": (),
    "pager": None,
    "taxonomy": None,
    "term": None,
    "year": None,
    "month": None,
    "links": (),
    "earlier": None,
    "later": None,
    "related": (),
    "sections": (),
    "years": (),
    "terms": (),
    "pinned": (),
    "photos": (),
}
"""The fields a page spec had for every kind before kinds had payloads, with the value
of a kind that did not use one: templates still find them all on ``page``."""


class TemplatePage:
    """``page`` as templates see it: the spec's fields (``path``, ``kind``, ``title``,
    ``payload``...) and its payload's, each as an attribute; a name of
    :data:`FORMER_PAGE_FIELDS` that the payload lacks is None or empty, as it was, so
    that a site's templates written for one flat page record keep working."""

    def __init__(self, spec: PageSpec):
        payload = spec.payload
        lacking, derived = _FORMER_BY_PAYLOAD[type(payload)]
        fields = self.__dict__
        fields.update(lacking)
        fields.update(vars(payload))
        for name in derived:
            fields[name] = getattr(payload, name)
        fields.update(vars(spec))

    def __repr__(self) -> str:
        return f"TemplatePage({self.__dict__!r})"


def _former_names(cls: type) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The former page fields payloads of ``cls`` lack (with the value they had then),
    and those ``cls`` computes from its own fields (properties such as ``years``)."""
    fields = {field.name for field in dataclasses.fields(cls)}
    former = {name: empty for name, empty in FORMER_PAGE_FIELDS.items() if name not in fields}
    lacking = {name: empty for name, empty in former.items() if not hasattr(cls, name)}
    derived = tuple(name for name in former if name not in lacking)
    return lacking, derived


_FORMER_BY_PAYLOAD = {cls: _former_names(cls) for cls in typing.get_args(Payload)}


@dataclass(frozen=True)
class Crumb:
    """One link of a breadcrumb trail."""

    label: str
    """Text shown."""
    path: str
    """Site path linked to."""
    current: bool = False
    """Whether the crumb stands for the page being shown."""


class PageContexts:
    """Makes the template variables of the pages of one site graph."""

    def __init__(
        self,
        graph: SiteGraph,
        config: SiteConfig,
        columns: dict[str, Column],
        topics: dict[str, Topic],
    ):
        self.graph = graph
        self.config = config
        self.columns = columns
        """Columns as templates see them (``render.visible_columns``)."""
        self.topics = topics
        self._bodies: dict[str, Article] = {}
        """Articles with bodies for the page at hand (see :meth:`context`)."""
        self._base_path = urlsplit(config.base_url).path
        self._nav = [columns[path] for path in graph.top_columns]
        self._trails: dict[tuple[str, bool], tuple[Crumb, ...]] = {}
        """The breadcrumb trail of each column path (and whether it is the page's)."""
        self._tops: dict[str, str | None] = {}
        """The top-level column of each column path."""

    def context(self, page: PageSpec, bodies: dict[str, Article] | None = None) -> Context:
        """Return the template variables of ``page``: those of every page, and what the
        builder of its kind (:data:`CONTEXT_BUILDERS`) adds from its payload.

        ``bodies`` holds the articles the page shows with their bodies, where the graph
        has them without (see :class:`reading.Bodies`).
        """
        self._bodies = bodies or {}
        context: Context = {
            "site": self.config,
            "page": TemplatePage(page),
            "root": self._base_path if page.kind is PageKind.NOTFOUND else root_prefix(page.path),
            "nav": list(self._nav),
            "columns": self.columns,
            "current_top": None,
            "crumbs": [],
            "feed_path": None,
            "articles": [],
            "pinned": [],
            "photos": [],
            "pager": None,
            "base_path": self._base_path,
        }
        builder = CONTEXT_BUILDERS[page.kind]
        if builder is not None:
            builder(self, page, page.payload, context)
        return context

    def _in_column(self, column: str | None, context: Context) -> None:
        """The variables of a page that belongs to ``column``: its feed and top column."""
        if column:
            if column not in self._tops:
                trail = self.graph.column_trail(column)
                self._tops[column] = trail[0].path if trail else None
            context["current_top"] = self._tops[column]
            context["feed_path"] = f"{column}/atom.xml"

    def _listed(self, listing: tuple[str, ...], pager: Pager, context: Context) -> None:
        """The variables of a page of a paginated listing."""
        context["articles"] = self._articles(listing)
        context["pager"] = pager

    def _titled_crumbs(self, page: PageSpec) -> list[Crumb]:
        """The trail of a page of the site's own, under the home page."""
        return [*self._crumbs("", current=False), Crumb(page.title, page.path, current=True)]

    def _context_home(self, page: PageSpec, payload: HomePayload, context: Context) -> None:
        context["articles"] = self._articles(payload.listing)
        context["pinned"] = self._articles(payload.pinned)
        context["photos"] = self._articles(payload.photos)
        context["latest"] = context["articles"]
        context["sections"] = [
            (self.columns[path], self._articles(ids)) for path, ids in payload.sections
        ]

    def _context_column(self, page: PageSpec, payload: ColumnPayload, context: Context) -> None:
        self._in_column(payload.column, context)
        self._listed(payload.listing, payload.pager, context)
        context["pinned"] = self._articles(payload.pinned)
        context["photos"] = self._articles(payload.photos)
        column = self.columns[payload.column]
        context["column"] = column
        context["children"] = [self.columns[path] for path in column.children]
        context["crumbs"] = self._crumbs(column.path, current=True)

    def _context_article(self, page: PageSpec, payload: ArticlePayload, context: Context) -> None:
        self._in_column(payload.column, context)
        articles = self.graph.articles
        article = self._bodies.get(payload.article) or articles[payload.article]
        context["article"] = article
        context["earlier"] = articles[payload.earlier] if payload.earlier else None
        context["later"] = articles[payload.later] if payload.later else None
        context["related"] = self._articles(payload.related)
        context["crumbs"] = [
            *self._crumbs(article.column, current=False),
            Crumb("正文", article.url, current=True),
        ]

    def _context_redirect(self, page: PageSpec, payload: RedirectPayload, context: Context) -> None:
        self._context_article(page, ArticlePayload(payload.article, None), context)

    def _context_archives(self, page: PageSpec, payload: ArchivesPayload, context: Context) -> None:
        self._in_column(payload.column, context)
        context["years"] = [(year, count, list(months)) for year, count, months in payload.years]
        context["crumbs"] = [
            *self._crumbs(payload.column or "", current=False),
            Crumb(page.title, page.path, current=True),
        ]

    def _context_archive(self, page: PageSpec, payload: ArchivePayload, context: Context) -> None:
        self._in_column(payload.column, context)
        self._listed(payload.listing, payload.pager, context)
        column, year, month = payload.column or "", payload.year, payload.month
        context["months"] = list(payload.months)
        trail = self._crumbs(column, current=False)
        trail.append(
            Crumb(
                f"{self.columns[column].title}归档" if column else "日期归档",
                index_path(f"{column}/archives" if column else "archives"),
            )
        )
        if month:
            trail.append(Crumb(f"{year}年", index_path(archive_folder(year))))
        trail.append(
            Crumb(f"{month}月" if month else f"{year}年", payload.pager.first, current=True)
        )
        context["crumbs"] = trail

    def _context_terms(self, page: PageSpec, payload: TermsPayload, context: Context) -> None:
        context["terms"] = list(payload.terms)
        context["crumbs"] = self._titled_crumbs(page)

    def _context_term(self, page: PageSpec, payload: TermPayload, context: Context) -> None:
        self._listed(payload.listing, payload.pager, context)
        context["crumbs"] = [
            *self._crumbs("", current=False),
            Crumb(f"{TAXONOMIES[payload.taxonomy]}索引", index_path(payload.taxonomy)),
            Crumb(payload.term, payload.pager.first, current=True),
        ]

    def _context_topics(self, page: PageSpec, payload: TopicsPayload, context: Context) -> None:
        context["entries"] = [(self.topics[t.slug], t.count) for t in payload.terms]
        context["crumbs"] = self._titled_crumbs(page)

    def _context_topic(self, page: PageSpec, payload: TopicPayload, context: Context) -> None:
        self._listed(payload.listing, payload.pager, context)
        topic = self.topics[payload.topic]
        context["topic"] = topic
        context["crumbs"] = [
            *self._crumbs("", current=False),
            Crumb("专题", index_path(TOPICS_DIR)),
            Crumb(topic.title, payload.pager.first, current=True),
        ]

    def _context_search(self, page: PageSpec, payload: Plain, context: Context) -> None:
        context["crumbs"] = self._titled_crumbs(page)

    def _context_sitemap_page(
        self, page: PageSpec, payload: SiteMapPayload, context: Context
    ) -> None:
        context["column_counts"] = {term.slug: term.count for term in payload.terms}
        context["crumbs"] = self._titled_crumbs(page)

    def _context_feed(self, page: PageSpec, payload: FeedPayload, context: Context) -> None:
        self._in_column(payload.column, context)
        articles = context["articles"] = self._articles(payload.listing)
        context["updated"] = max((a.date for a in articles), default=None)
        context["feed_column"] = self.columns[payload.column] if payload.column else None
        context["feed_topic"] = self.topics.get(payload.topic) if payload.topic else None

    def _articles(self, ids: tuple[str, ...]) -> list[Article]:
        articles, bodies = self.graph.articles, self._bodies
        if bodies:
            return [bodies.get(article_id) or articles[article_id] for article_id in ids]
        return [articles[article_id] for article_id in ids]

    def _crumbs(self, column_path: str, *, current: bool) -> list[Crumb]:
        """The trail from the home page down to the column at ``column_path`` (made
        once per column: many pages share it)."""
        trail = self._trails.get((column_path, current))
        if trail is None:
            crumbs = [Crumb(self.config.home_label, "index.html")]
            columns: tuple[Column, ...] = self.graph.column_trail(column_path)
            for index, column in enumerate(columns):
                last = index == len(columns) - 1
                crumbs.append(Crumb(column.title, index_path(column.path), current and last))
            trail = self._trails[(column_path, current)] = tuple(crumbs)
        return list(trail)


ContextBuilder = Callable[[PageContexts, PageSpec, Any, Context], None]
"""Adds what a page's payload shows to the variables every page gets."""

CONTEXT_BUILDERS: dict[PageKind, ContextBuilder | None] = {
    PageKind.HOME: PageContexts._context_home,
    PageKind.NOTFOUND: None,
    PageKind.SEARCH: PageContexts._context_search,
    PageKind.SITE_MAP: PageContexts._context_sitemap_page,
    PageKind.COLUMN: PageContexts._context_column,
    PageKind.ARCHIVES: PageContexts._context_archives,
    PageKind.ARCHIVE: PageContexts._context_archive,
    PageKind.TERMS: PageContexts._context_terms,
    PageKind.TERM: PageContexts._context_term,
    PageKind.ARTICLE: PageContexts._context_article,
    PageKind.REDIRECT: PageContexts._context_redirect,
    PageKind.FEED: PageContexts._context_feed,
    PageKind.SITEMAP: None,
    PageKind.ROBOTS: None,
    PageKind.REDIRECTS: None,
    PageKind.TOPICS: PageContexts._context_topics,
    PageKind.TOPIC: PageContexts._context_topic,
}
"""What each kind of page adds to the variables every page gets (None: nothing), from
the payload of the kind's type (:data:`pages.PAYLOADS`)."""
