"""The site graph to a page plan: every output file declared before anything is written.

A :class:`PageSpec` is small and refers to records by key, so a plan can be
compared, cached and split among worker processes. Output-path collisions
(also those that differ only in letter case, which collide on Windows and macOS)
are found here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import ContentError, ErrorGroup, ProvarchiveError
from .graph import SiteGraph
from .model import SiteConfig
from .urls import alias_path, column_index_path

HOME_PER_COLUMN = 6
"""Articles shown for each top-level column on the home page."""
HOME_LATEST = 10
"""Articles in the home page's list of latest news."""
STATIC_DIR = "static"
"""Output folder of the theme's assets (CSS, scripts)."""


@dataclass(frozen=True)
class Pager:
    """Where a page stands in a paginated listing."""

    number: int
    """This page's number, from 1."""
    count: int
    """How many pages the listing has."""
    paths: tuple[str, ...]
    """Site path of every page of the listing, page 1 first."""


@dataclass(frozen=True)
class PageSpec:
    """One output file to render: where it goes, with which template, showing what."""

    path: str
    """Site path of the output file (e.g. ``zhxx/index_2.html``)."""
    template: str
    """Template name (e.g. ``column.html``)."""
    kind: str
    """What the page is: ``home``, ``column``, ``article``, ``redirect`` or ``notfound``."""
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
    origin: str = ""
    """The content file or rule that asked for this page, for messages."""


def paginate(ids: tuple[str, ...], per_page: int) -> list[tuple[str, ...]]:
    """Split ``ids`` into pages of ``per_page``; an empty listing still has one page."""
    if not ids:
        return [()]
    return [ids[start : start + per_page] for start in range(0, len(ids), per_page)]


def plan_pages(graph: SiteGraph, config: SiteConfig) -> list[PageSpec]:
    """Return every page of the site, home first, then columns, articles and redirects."""
    pages = [
        PageSpec(
            path="index.html",
            template="index.html",
            kind="home",
            listing=graph.order[:HOME_LATEST],
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
    for path in _columns_in_tree_order(graph):
        column = graph.columns[path]
        chunks = paginate(graph.listings[path], config.per_page)
        paths = tuple(column_index_path(path, n) for n in range(1, len(chunks) + 1))
        for number, chunk in enumerate(chunks, start=1):
            pages.append(
                PageSpec(
                    path=paths[number - 1],
                    template="column.html",
                    kind="column",
                    title=column.title,
                    column=path,
                    listing=chunk,
                    pager=Pager(number=number, count=len(chunks), paths=paths),
                    origin=column.source_path or f"content/{path}",
                )
            )
    for article_id in graph.order:
        article = graph.articles[article_id]
        pages.append(
            PageSpec(
                path=article.url,
                template="article.html",
                kind="article",
                title=article.title,
                column=article.column or None,
                article=article_id,
                origin=article.source_path,
            )
        )
    for article_id in graph.order:
        article = graph.articles[article_id]
        for alias in article.aliases:
            pages.append(
                PageSpec(
                    path=alias_path(alias),
                    template="redirect.html",
                    kind="redirect",
                    title=article.title,
                    article=article_id,
                    origin=f"{article.source_path} (alias {alias})",
                )
            )
    return pages


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
