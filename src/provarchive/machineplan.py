"""The machine-readable files of the page plan: the Atom feeds, the sitemap (an index
of parts past ``sitemap_urls`` addresses), robots.txt and the redirect files for
servers and hosts; and what the user must do by hand for them to work."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from .errors import site_file
from .graph import SiteGraph, columns_in_tree_order
from .model import CONFIG_FILE, SiteConfig
from .pages import (
    ArticlePayload,
    FeedPayload,
    LinksPayload,
    Listing,
    PageKind,
    PageSpec,
    Plain,
    paginate,
)

FEED_LENGTH = 20
"""Articles in each Atom feed."""


def machine_files(
    graph: SiteGraph,
    pages: list[PageSpec],
    redirects: tuple[tuple[str, str], ...],
    sitemap_urls: int,
) -> list[PageSpec]:
    """Return the feeds, sitemap, robots.txt and the redirects of old paths for servers
    and hosts: ``_redirects`` (Netlify, Cloudflare Pages), ``nginx-redirects.conf`` and
    ``.htaccess`` (Apache)."""
    files = [
        PageSpec(
            path="atom.xml",
            template="atom.xml",
            kind=PageKind.FEED,
            payload=FeedPayload(listing=graph.order[:FEED_LENGTH]),
            origin="site feed",
        )
    ]
    for path in columns_in_tree_order(graph):
        files.append(
            PageSpec(
                path=f"{path}/atom.xml",
                template="atom.xml",
                kind=PageKind.FEED,
                title=graph.columns[path].title,
                payload=FeedPayload(listing=graph.listings[path][:FEED_LENGTH], column=path),
                origin=path,
            )
        )
    days: dict[str, str] = {}
    entries = tuple(
        (page.path, _last_change(graph, page, days))
        for page in pages
        if page.kind not in (PageKind.REDIRECT, PageKind.NOTFOUND, PageKind.SEARCH)
    )
    files += sitemaps(entries, sitemap_urls)
    files += [
        PageSpec(
            path="robots.txt",
            template="robots.txt",
            kind=PageKind.ROBOTS,
            payload=Plain(),
            origin="robots.txt",
        ),
        PageSpec(
            path="_redirects",
            template="_redirects",
            kind=PageKind.REDIRECTS,
            payload=LinksPayload(redirects),
            origin="redirect rules (_redirects)",
        ),
        PageSpec(
            path="nginx-redirects.conf",
            template="nginx-redirects.conf",
            kind=PageKind.REDIRECTS,
            payload=LinksPayload(tuple(sorted(redirects, key=_nginx_order))),
            origin="redirect rules (nginx)",
        ),
        PageSpec(
            path=".htaccess",
            template="apache-redirects.conf",
            kind=PageKind.REDIRECTS,
            payload=LinksPayload(redirects),
            origin="redirect rules (Apache)",
        ),
    ]
    return files


def sitemaps(entries: tuple[tuple[str, str], ...], per_file: int) -> list[PageSpec]:
    """Return ``sitemap.xml`` listing ``entries`` (site path, last change); beyond
    ``per_file`` of them, ``sitemap.xml`` is a sitemap index of ``sitemap-1.xml``,
    ``sitemap-2.xml``..., each listing ``per_file`` entries at most, in their order,
    with the last change of its newest entry."""
    if len(entries) <= per_file:
        return [_sitemap("sitemap.xml", "sitemap.xml", entries, "sitemap")]
    chunks = paginate(entries, per_file)
    parts = [
        _sitemap(f"sitemap-{number}.xml", "sitemap.xml", chunk, f"sitemap, part {number}")
        for number, chunk in enumerate(chunks, 1)
    ]
    index = tuple(
        (part.path, _newest_change(chunk)) for part, chunk in zip(parts, chunks, strict=True)
    )
    return [_sitemap("sitemap.xml", "sitemap-index.xml", index, "sitemap index"), *parts]


def _sitemap(path: str, template: str, links: tuple[tuple[str, str], ...], origin: str) -> PageSpec:
    return PageSpec(
        path=path,
        template=template,
        kind=PageKind.SITEMAP,
        payload=LinksPayload(links),
        origin=origin,
    )


def _newest_change(links: tuple[tuple[str, str], ...]) -> str:
    """The newest last change among ``links`` (site path, last change)."""
    return max((day for _, day in links if day), default="")


def _nginx_order(link: tuple[str, str]) -> str:
    """Sort key of an alias in the order nginx sorts locations ('/' before every other
    character). nginx 1.22 sorts them by insertion, so a file already in that order loads
    in linear time: 20,000 aliases took 0.16 s of CPU in this order, 13.7 s scrambled."""
    return link[0].replace("/", "\x00")


def machine_file_notes(config: SiteConfig, site_dir: Path) -> tuple[str, ...]:
    """Return what the user must do by hand for the machine files to work: with a
    ``base_url`` that has a path, robots.txt must be copied to the host's root. Each
    note is about the ``site.yaml`` in ``site_dir``, named as messages name files."""
    parts = urlsplit(config.base_url)
    if parts.path in ("", "/"):
        return ()
    root = f"{parts.scheme}://{parts.netloc}/robots.txt"
    return (
        f"{site_file(site_dir, CONFIG_FILE)}: note: base_url has a path ({parts.path}), "
        f"but crawlers read robots.txt only at the root of a host ({root}): add the lines "
        "of the robots.txt this build wrote to that file",
    )


def _last_change(graph: SiteGraph, page: PageSpec, days: dict[str, str]) -> str:
    """The date the page last changed: that of the newest article it shows. ``days``
    keeps each article's date once made (list pages share their newest articles)."""
    payload = page.payload
    if isinstance(payload, ArticlePayload):
        newest = payload.article
    elif isinstance(payload, Listing) and payload.listing:
        newest = payload.listing[0]
    elif graph.order:
        newest = graph.order[0]
    else:
        return ""
    day = days.get(newest)
    if day is None:
        day = days[newest] = graph.articles[newest].date.date().isoformat()
    return day
