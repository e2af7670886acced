"""The site graph to a page plan: every output file declared before anything is written.

The plan is a list of :class:`pages.PageSpec`, in a fixed order that keeps pages of a
kind together (workers then share their list items). Output-path collisions (also
those that differ only in letter case, which collide on Windows and macOS) are found
here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path

from .errors import ContentError, ErrorGroup, ProvarchiveError, display_path, site_file
from .featured import Featured
from .graph import SiteGraph, columns_in_tree_order
from .machineplan import machine_files
from .model import SiteConfig
from .pages import (
    ArchivePayload,
    ArchivesPayload,
    ArticlePayload,
    ColumnPayload,
    HomePayload,
    PageKind,
    Pager,
    PageSpec,
    Payload,
    Plain,
    RedirectPayload,
    SiteMapPayload,
    TermLink,
    TermPayload,
    TermsPayload,
    paginate,
)
from .taxonomy import TAXONOMIES
from .urls import alias_path, archive_folder, index_path

HOME_PER_COLUMN = 6
"""Articles shown for each top-level column on the home page."""
HOME_LATEST = 10
"""Articles in the home page's list of latest news."""
STATIC_DIR = "static"
"""Output folder of the theme's assets (CSS, scripts)."""


def paginated(
    folder: str,
    ids: tuple[str, ...],
    per_page: int,
    payload: Callable[..., Payload],
    **fields,
) -> list[PageSpec]:
    """Return the pages of a listing in ``folder``: ``index.html``, ``index_2.html``...;
    each page's payload is ``payload(listing=..., pager=...)``."""
    chunks = paginate(ids, per_page)
    return [
        PageSpec(
            path=index_path(folder, number),
            payload=payload(
                listing=chunk, pager=Pager(number=number, count=len(chunks), folder=folder)
            ),
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
    pages = _front_pages(graph, config, featured)
    pages += _column_pages(graph, config, featured)
    pages += _archive_pages(
        graph.months, config, column="", title="日期归档", origin="date archives"
    )
    pages += _taxonomy_pages(graph, config)
    pages += topic_pages[0]
    pages += _article_pages(graph)
    redirects = _redirect_pages(graph)
    pages += redirects
    links = tuple(
        sorted(
            (page.path, graph.articles[page.payload.article].url)
            for page in redirects
            if isinstance(page.payload, RedirectPayload)
        )
    )
    pages += machine_files(graph, pages, links, config.sitemap_urls)
    return pages + topic_pages[1]


def _front_pages(graph: SiteGraph, config: SiteConfig, featured: Featured) -> list[PageSpec]:
    """The home page, the 404 page, the search page and the 网站地图."""
    home_pins = featured.pins(graph.order, home=True)
    pages = [
        PageSpec(
            path="index.html",
            template="index.html",
            kind=PageKind.HOME,
            payload=HomePayload(
                listing=tuple(i for i in graph.order[:HOME_LATEST] if i not in home_pins),
                pinned=home_pins,
                photos=featured.photos(graph.order),
                sections=tuple(
                    (path, graph.listings[path][:HOME_PER_COLUMN]) for path in graph.top_columns
                ),
            ),
            origin="home page",
        ),
        PageSpec(
            path="404.html",
            template="404.html",
            kind=PageKind.NOTFOUND,
            payload=Plain(),
            title="页面未找到",
            origin="404 page",
        ),
    ]
    if config.search:
        pages.append(
            PageSpec(
                path="search.html",
                template="search.html",
                kind=PageKind.SEARCH,
                payload=Plain(),
                title="站内搜索",
                origin="search page",
            )
        )
    pages.append(_site_map(graph))
    return pages


def _column_pages(graph: SiteGraph, config: SiteConfig, featured: Featured) -> list[PageSpec]:
    """Every column's paginated listing and date archive, in tree order."""
    pages: list[PageSpec] = []
    for path in columns_in_tree_order(graph):
        column = graph.columns[path]
        origin = column.source_path or f"content/{path}"
        listing = paginated(
            path,
            graph.listings[path],
            config.per_page,
            partial(ColumnPayload, column=path),
            template="column.html",
            kind=PageKind.COLUMN,
            title=column.title,
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
    return pages


def _first_page(graph: SiteGraph, page: PageSpec, featured: Featured) -> PageSpec:
    """The first page of a column: its pinned articles first, then the rest of the page
    (so that later pages list what they would without pins), and its 图片新闻."""
    payload = page.payload
    assert isinstance(payload, ColumnPayload)
    ids = graph.listings[payload.column]
    pins = featured.pins(ids)
    listing = tuple(i for i in payload.listing if i not in pins)
    first = replace(payload, pinned=pins, listing=listing, photos=featured.photos(ids))
    return replace(page, payload=first)


def _taxonomy_pages(graph: SiteGraph, config: SiteConfig) -> list[PageSpec]:
    """The index of each taxonomy and the paginated listing of each term."""
    pages: list[PageSpec] = []
    for taxonomy, name in TAXONOMIES.items():
        pages.append(
            PageSpec(
                path=index_path(taxonomy),
                template="terms.html",
                kind=PageKind.TERMS,
                title=f"{name}索引",
                payload=TermsPayload(
                    taxonomy=taxonomy,
                    terms=tuple(
                        TermLink(t.name, t.slug, len(t.article_ids)) for t in graph.terms[taxonomy]
                    ),
                ),
                origin=f"{name} index",
            )
        )
        for term in graph.terms[taxonomy]:
            pages += paginated(
                f"{taxonomy}/{term.slug}",
                term.article_ids,
                config.per_page,
                partial(TermPayload, taxonomy=taxonomy, term=term.name),
                template="list.html",
                kind=PageKind.TERM,
                title=f"{name}：{term.name}",
                origin=f"{name} {term.name}",
            )
    return pages


def _article_pages(graph: SiteGraph) -> list[PageSpec]:
    """One page per article, newest first, with its neighbours and related articles."""
    pages = []
    for article_id in graph.order:
        article = graph.articles[article_id]
        earlier, later = graph.neighbours.get(article_id, (None, None))
        pages.append(
            PageSpec(
                path=article.url,
                template="article.html",
                kind=PageKind.ARTICLE,
                title=article.title,
                payload=ArticlePayload(
                    article=article_id,
                    column=article.column or None,
                    earlier=earlier,
                    later=later,
                    related=graph.related.get(article_id, ()),
                ),
                origin=article.source_path,
            )
        )
    return pages


def _redirect_pages(graph: SiteGraph) -> list[PageSpec]:
    """A page at every old address of an article, sending readers on to it."""
    pages = []
    for article_id in graph.order:
        article = graph.articles[article_id]
        for alias in article.aliases:
            pages.append(
                PageSpec(
                    path=alias_path(alias),
                    template="redirect.html",
                    kind=PageKind.REDIRECT,
                    title=article.title,
                    payload=RedirectPayload(article=article_id),
                    origin=f"{article.source_path} (alias {alias})",
                )
            )
    return pages


def _site_map(graph: SiteGraph) -> PageSpec:
    """The 网站地图 readers browse: every column with its articles (sub-columns' included),
    as terms (title, path, count) in tree order, and the years of the date archive."""
    return PageSpec(
        path="sitemap.html",
        template="sitemap.html",
        kind=PageKind.SITE_MAP,
        title="网站地图",
        payload=SiteMapPayload(
            terms=tuple(
                TermLink(graph.columns[path].title, path, len(graph.listings[path]))
                for path in columns_in_tree_order(graph)
            ),
            years=tuple(
                (year, sum(len(ids) for ids in by_month.values()), ())
                for year, by_month in graph.months.items()
            ),
        ),
        origin="site map",
    )


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
            kind=PageKind.ARCHIVES,
            title=title,
            payload=ArchivesPayload(column=column or None, years=years),
            origin=origin,
        )
    ]
    for (year, by_month), (_, _, month_counts) in zip(months.items(), years, strict=True):
        year_ids = tuple(i for ids in by_month.values() for i in ids)
        pages += paginated(
            archive_folder(year, column=column),
            year_ids,
            config.per_page,
            partial(
                ArchivePayload,
                year=year,
                month=None,
                column=column or None,
                months=() if column else month_counts,  # see ArchivePayload.months
            ),
            template="list.html",
            kind=PageKind.ARCHIVE,
            title=f"{year}年",
            origin=origin,
        )
        if column:
            continue  # per-column archives stop at years; the site's go down to months
        for month, ids in by_month.items():
            pages += paginated(
                archive_folder(year, month),
                ids,
                config.per_page,
                partial(ArchivePayload, year=year, month=month, column=None),
                template="list.html",
                kind=PageKind.ARCHIVE,
                title=f"{year}年{month}月",
                origin=origin,
            )
    return pages


def check_collisions(
    pages: Sequence[PageSpec],
    files: Iterable[tuple[str, str]],
    site_dir: Path,
    paths: Sequence[str] | None = None,
) -> None:
    """Raise :class:`ErrorGroup` if two outputs would land on one file (ignoring case).

    ``files`` are other outputs as (site path, origin as messages show it), such as
    copied assets; the pages' origins are shown from ``site_dir``.
    A file whose path is also needed as a folder collides too. ``paths``, when given,
    are those of ``pages`` (a plan keeps them apart from the specs, which are then read
    only if two outputs may collide). At 185,000 pages the check took 0.11-0.12 s
    reading each spec's path; 0.09 s with the plan's paths and paths already lower
    case not folded again.
    """
    files = list(files)
    paths = list(map(_PATH, pages)) if paths is None else paths
    if not _may_collide([*paths, *map(_FIRST, files)]):
        return
    owners: dict[str, tuple[str, str]] = {}
    errors: list[ProvarchiveError] = []
    outputs = [(page.path, shown_origin(page.origin, site_dir)) for page in pages] + files
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
    folders: dict[str, str] = {}  # each folder an output needs, with the first origin
    for path, origin in outputs:
        folder = path.rpartition("/")[0]
        while folder and (key := folder.casefold()) not in folders:
            folders[key] = origin  # and on to its parent: the rest were met before
            folder = folder.rpartition("/")[0]
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


_PATH, _FIRST = attrgetter("path"), itemgetter(0)


def check_outputs(
    pages: Sequence[PageSpec],
    paths: Sequence[str],
    files: Iterable[tuple[str, Path]],
    index_paths: Iterable[str],
    site_dir: Path,
) -> None:
    """:func:`check_collisions` of every output of a build: its ``pages`` (``paths``
    theirs), the ``files`` it copies (output path, source) and its search index."""
    origins = [(path, display_path(source)) for path, source in files]
    origins += [(path, "the search index") for path in index_paths]
    check_collisions(pages, origins, site_dir, paths)


def _may_collide(paths: list[str]) -> bool:
    """Whether two of ``paths`` are one file (ignoring case), or one is another's folder:
    the check of :func:`check_collisions` without its messages, by C loops over the
    paths (206,000 of them at 100,000 articles) and Python ones over their few folders."""
    joined = "\n".join(paths)  # most sites' paths are all lower case: kept as they are
    keys = paths if joined.casefold() == joined else list(map(str.casefold, paths))
    files = set(keys)
    if len(files) != len(keys):
        return True
    folders, todo = set(), set(map(_FIRST, map(str.rpartition, keys, repeat("/"))))
    while todo:
        folders |= todo
        todo = {folder.rpartition("/")[0] for folder in todo} - folders
    folders.discard("")
    return not files.isdisjoint(folders)


def shown_origin(origin: str, site_dir: Path) -> str:
    """A page's ``origin`` as messages show it: its file (kept relative to the site
    folder, see :data:`model.CONTENT_DIR`) as :func:`errors.site_file` shows it."""
    file = _file_of(origin)
    return origin if file is None else site_file(site_dir, file) + origin[len(file) :]


def _file_of(origin: str) -> str | None:
    """The file part of an origin such as ``content/a.md (alias /x.html)``."""
    first = origin.split(" (", 1)[0]
    return first if "/" in first or first.endswith((".md", ".yaml")) else None
