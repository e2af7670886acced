"""The site graph to a page plan: every output file declared before anything is written.

A :class:`PageSpec` is small and refers to records by key, so a plan can be
compared, cached and split among worker processes. Output-path collisions
(also those that differ only in letter case, which collide on Windows and macOS)
are found here.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, fields, replace

from .errors import ContentError, ErrorGroup, ProvarchiveError
from .featured import Featured
from .graph import SiteGraph
from .model import SiteConfig, restore
from .taxonomy import TAXONOMIES
from .urls import alias_path, archive_folder, index_path

HOME_PER_COLUMN = 6
"""Articles shown for each top-level column on the home page."""
HOME_LATEST = 10
"""Articles in the home page's list of latest news."""
FEED_LENGTH = 20
"""Articles in each Atom feed."""
STATIC_DIR = "static"
"""Output folder of the theme's assets (CSS, scripts)."""


PAGER_REACH = 2
"""A pager links the pages this close to the current one (besides the first and last)."""


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
    kind: str
    """What the page is: ``home``, ``column``, ``article``, ``redirect``, ``archives``,
    ``archive``, ``terms``, ``term``, ``search``, ``notfound``, ``feed``, ``sitemap``,
    ``robots`` or ``redirects``."""
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

    def key(self) -> tuple:
        """Return every field as plain values (tuples, strings, numbers), field order kept:
        what :mod:`provarchive.digest` hashes."""
        pager = self.pager
        return (
            self.path,
            self.template,
            self.kind,
            self.title,
            self.column,
            self.article,
            self.listing,
            (pager.number, pager.count, pager.folder) if pager else None,
            self.taxonomy,
            self.term,
            self.year,
            self.month,
            self.links,
            self.earlier,
            self.later,
            self.related,
            self.sections,
            self.years,
            tuple((term.name, term.slug, term.count) for term in self.terms),
            self.origin,
            self.pinned,
            self.photos,
        )

    @classmethod
    def from_key(cls, key: tuple) -> PageSpec:
        """Return the spec whose :meth:`key` is ``key`` (the cache keeps plans as keys:
        loading them and making specs takes about two thirds of the time of unpickling
        the specs, measured at 20,000 articles)."""
        spec = restore(cls, _SPEC_FIELDS, key)
        values = spec.__dict__
        if values["pager"] is not None:
            values["pager"] = restore(Pager, _PAGER_FIELDS, values["pager"])
        if values["terms"]:
            values["terms"] = tuple(TermLink(*term) for term in values["terms"])
        return spec

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


_SPEC_FIELDS = tuple(field.name for field in fields(PageSpec))
"""PageSpec's fields in order: the order of :meth:`PageSpec.key`."""
_PAGER_FIELDS = tuple(field.name for field in fields(Pager))
"""Pager's fields in order: the order a spec's :meth:`PageSpec.key` gives them in."""


def paginate(ids: tuple[str, ...], per_page: int) -> list[tuple[str, ...]]:
    """Split ``ids`` into pages of ``per_page``; an empty listing still has one page."""
    if not ids:
        return [()]
    return [ids[start : start + per_page] for start in range(0, len(ids), per_page)]


def paginated(folder: str, ids: tuple[str, ...], per_page: int, **fields) -> list[PageSpec]:
    """Return the pages of a listing in ``folder``: ``index.html``, ``index_2.html``..."""
    chunks = paginate(ids, per_page)
    return [
        PageSpec(
            path=index_path(folder, number),
            listing=chunk,
            pager=Pager(number=number, count=len(chunks), folder=folder),
            **fields,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


def plan_pages(
    graph: SiteGraph,
    config: SiteConfig,
    topic_pages: tuple[list[PageSpec], list[PageSpec]] = ([], []),
) -> list[PageSpec]:
    """Return every output file of the site but static files, in a fixed order;
    ``topic_pages`` are the topics' pages and feeds (see :mod:`provarchive.topicplan`)."""
    featured = Featured.of(graph.articles)
    home_pins = featured.pins(graph.order, home=True)
    pages = [
        PageSpec(
            path="index.html",
            template="index.html",
            kind="home",
            pinned=home_pins,
            photos=featured.photos(graph.order),
            listing=tuple(i for i in graph.order[:HOME_LATEST] if i not in home_pins),
            sections=tuple(
                (path, graph.listings[path][:HOME_PER_COLUMN]) for path in graph.top_columns
            ),
            origin="home page",
        ),
        PageSpec(
            path="404.html",
            template="404.html",
            kind="notfound",
            title="页面未找到",
            origin="404 page",
        ),
    ]
    if config.search:
        pages.append(
            PageSpec(
                path="search.html",
                template="search.html",
                kind="search",
                title="站内搜索",
                origin="search page",
            )
        )
    for path in _columns_in_tree_order(graph):
        column = graph.columns[path]
        origin = column.source_path or f"content/{path}"
        listing = paginated(
            path,
            graph.listings[path],
            config.per_page,
            template="column.html",
            kind="column",
            title=column.title,
            column=path,
            origin=origin,
        )
        pages += [_first_page(graph, listing[0], featured), *listing[1:]]
        pages += _archive_pages(
            graph.column_months[path],
            config,
            column=path,
            title=f"{column.title}归档",
            origin=origin,
        )
    pages += _archive_pages(
        graph.months, config, column="", title="日期归档", origin="date archives"
    )
    for taxonomy, name in TAXONOMIES.items():
        pages.append(
            PageSpec(
                path=index_path(taxonomy),
                template="terms.html",
                kind="terms",
                title=f"{name}索引",
                taxonomy=taxonomy,
                origin=f"{name} index",
                terms=tuple(
                    TermLink(t.name, t.slug, len(t.article_ids)) for t in graph.terms[taxonomy]
                ),
            )
        )
        for term in graph.terms[taxonomy]:
            pages += paginated(
                f"{taxonomy}/{term.slug}",
                term.article_ids,
                config.per_page,
                template="list.html",
                kind="term",
                title=f"{name}：{term.name}",
                taxonomy=taxonomy,
                term=term.name,
                origin=f"{name} {term.name}",
            )
    pages += topic_pages[0]
    for article_id in graph.order:
        article = graph.articles[article_id]
        earlier, later = graph.neighbours.get(article_id, (None, None))
        pages.append(
            PageSpec(
                path=article.url,
                template="article.html",
                kind="article",
                title=article.title,
                column=article.column or None,
                article=article_id,
                earlier=earlier,
                later=later,
                related=graph.related.get(article_id, ()),
                origin=article.source_path,
            )
        )
    redirects: list[tuple[str, str]] = []
    for article_id in graph.order:
        article = graph.articles[article_id]
        for alias in article.aliases:
            target = alias_path(alias)
            redirects.append((target, article.url))
            pages.append(
                PageSpec(
                    path=target,
                    template="redirect.html",
                    kind="redirect",
                    title=article.title,
                    article=article_id,
                    origin=f"{article.source_path} (alias {alias})",
                )
            )
    pages += _machine_files(graph, pages, tuple(sorted(redirects)))
    return pages + topic_pages[1]


def _first_page(graph: SiteGraph, page: PageSpec, featured: Featured) -> PageSpec:
    """The first page of a column: its pinned articles first, then the rest of the page
    (so that later pages list what they would without pins), and its 图片新闻."""
    ids = graph.listings[page.column or ""]
    pins = featured.pins(ids)
    listing = tuple(i for i in page.listing if i not in pins)
    return replace(page, pinned=pins, listing=listing, photos=featured.photos(ids))


def _archive_pages(
    months: dict[int, dict[int, tuple[str, ...]]],
    config: SiteConfig,
    *,
    column: str,
    title: str,
    origin: str,
) -> list[PageSpec]:
    """Return the date archive of a column (or of the site, for ``column=""``)."""
    base = f"{column}/archives" if column else "archives"
    years = tuple(
        (
            year,
            sum(len(ids) for ids in by_month.values()),
            tuple((month, len(ids)) for month, ids in by_month.items()),
        )
        for year, by_month in months.items()
    )
    pages = [
        PageSpec(
            path=index_path(base),
            template="archives.html",
            kind="archives",
            title=title,
            column=column or None,
            years=years,
            origin=origin,
        )
    ]
    for (year, by_month), (_, _, month_counts) in zip(months.items(), years, strict=True):
        year_ids = tuple(i for ids in by_month.values() for i in ids)
        # per-column year pages and month pages show no month list: a month page must not
        # change when articles of other months arrive
        counts = () if column else ((year, len(year_ids), month_counts),)
        pages += paginated(
            archive_folder(year, column=column),
            year_ids,
            config.per_page,
            template="list.html",
            kind="archive",
            title=f"{year}年",
            year=year,
            column=column or None,
            years=counts,
            origin=origin,
        )
        if column:
            continue  # per-column archives stop at years; the site's go down to months
        for month, ids in by_month.items():
            pages += paginated(
                archive_folder(year, month),
                ids,
                config.per_page,
                template="list.html",
                kind="archive",
                title=f"{year}年{month}月",
                year=year,
                month=month,
                origin=origin,
            )
    return pages


def _machine_files(
    graph: SiteGraph, pages: list[PageSpec], redirects: tuple[tuple[str, str], ...]
) -> list[PageSpec]:
    """Return the feeds, sitemap, robots.txt and server redirect maps."""
    files = [
        PageSpec(
            path="atom.xml",
            template="atom.xml",
            kind="feed",
            title="",
            listing=graph.order[:FEED_LENGTH],
            origin="site feed",
        )
    ]
    for path in _columns_in_tree_order(graph):
        files.append(
            PageSpec(
                path=f"{path}/atom.xml",
                template="atom.xml",
                kind="feed",
                title=graph.columns[path].title,
                column=path,
                listing=graph.listings[path][:FEED_LENGTH],
                origin=path,
            )
        )
    entries = tuple(
        (page.path, _last_change(graph, page))
        for page in pages
        if page.kind not in ("redirect", "notfound", "search")
    )
    files += [
        PageSpec(
            path="sitemap.xml",
            template="sitemap.xml",
            kind="sitemap",
            links=entries,
            origin="sitemap",
        ),
        PageSpec(path="robots.txt", template="robots.txt", kind="robots", origin="robots.txt"),
        PageSpec(
            path="_redirects",
            template="_redirects",
            kind="redirects",
            links=redirects,
            origin="redirect map",
        ),
        PageSpec(
            path="nginx-redirects.conf",
            template="nginx-redirects.conf",
            kind="redirects",
            links=redirects,
            origin="nginx redirect map",
        ),
    ]
    return files


def _last_change(graph: SiteGraph, page: PageSpec) -> str:
    """The date the page last changed: that of the newest article it shows."""
    if page.article:
        ids: tuple[str, ...] = (page.article,)
    elif page.listing:
        ids = page.listing[:1]
    else:
        ids = graph.order[:1]
    dates = [graph.articles[i].date for i in ids]
    return max(dates).date().isoformat() if dates else ""


def _columns_in_tree_order(graph: SiteGraph) -> list[str]:
    ordered: list[str] = []
    stack = list(reversed(graph.top_columns))
    while stack:
        path = stack.pop()
        ordered.append(path)
        stack.extend(reversed(graph.columns[path].children))
    return ordered


def check_collisions(pages: Iterable[PageSpec], files: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`ErrorGroup` if two outputs would land on one file (ignoring case).

    ``files`` are other outputs as (site path, origin), such as copied assets.
    A file whose path is also needed as a folder collides too.
    """
    owners: dict[str, tuple[str, str]] = {}
    errors: list[ProvarchiveError] = []
    outputs = [(page.path, page.origin) for page in pages] + list(files)
    for path, origin in outputs:
        key = path.casefold()
        if key in owners:
            other_path, other_origin = owners[key]
            same = "the same file" if other_path == path else "names differing only in case"
            errors.append(
                ContentError(
                    f"{origin} and {other_origin} both write {path!r} ({same}); "
                    "give one of them another slug, alias or name",
                    _file_of(origin),
                )
            )
        else:
            owners[key] = (path, origin)
    folders: dict[str, str] = {}
    for path, origin in outputs:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folders.setdefault("/".join(parts[:depth]).casefold(), origin)
    for key, (path, origin) in owners.items():
        if key in folders:
            errors.append(
                ContentError(
                    f"{origin} writes the file {path!r}, but {folders[key]} needs a folder "
                    "of that name; change one of the paths",
                    _file_of(origin),
                )
            )
    if errors:
        raise ErrorGroup(errors)


def _file_of(origin: str) -> str | None:
    """The file part of an origin such as ``content/a.md (alias /x.html)``."""
    first = origin.split(" (", 1)[0]
    return first if "/" in first or first.endswith((".md", ".yaml")) else None
