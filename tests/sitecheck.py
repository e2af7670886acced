"""Reading built sites the way a browser would: links, ids, and a crawl from the home page."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

HTML_SUFFIXES = (".html", ".htm", ".shtml")
"""File endings that are HTML pages (legacy redirects keep their old endings)."""


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) is not None and not (
                tag == "link" and values.get("rel") in ("canonical", "alternate")
            ):
                self.links.append(values[name])

    def handle_data(self, data):
        self.texts.append(data)


@dataclass
class Page:
    """What a test needs of one HTML page."""

    links: list[str]
    ids: set[str]
    text: str


def read_page(path: Path) -> Page:
    """Parse the HTML file at ``path``."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return Page(parser.links, parser.ids, "".join(parser.texts))


def is_html(path: Path) -> bool:
    """Whether the file is an HTML page (by its ending, or by its start for legacy endings)."""
    if path.name.endswith(HTML_SUFFIXES):
        return True
    with open(path, "rb") as handle:
        return handle.read(15).lower() == b"<!doctype html>"


def is_internal(link: str) -> bool:
    """Whether ``link`` points into the site (no scheme, no network path)."""
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc


def resolve(root: Path, page: str, link: str, mount: str = "/") -> tuple[str | None, str]:
    """Return (site path of the file ``link`` on ``page`` leads to, fragment).

    ``mount`` is the URL path the site is served under, for root-relative links.
    None when the link leaves the site.
    """
    parts = urlsplit(link)
    path = unquote(parts.path)
    if path.startswith("/"):
        if not path.startswith(mount):
            return None, parts.fragment
        target = path[len(mount) :]
    elif path == "":
        target = page
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target.startswith("../") or target == "..":
        return None, parts.fragment
    if target in ("", ".") or target.endswith("/") or (root / target).is_dir():
        target = posixpath.join(target, "index.html") if target not in ("", ".") else "index.html"
    return target, unquote(parts.fragment)


@dataclass
class Crawl:
    """The outcome of following every internal link from a start page."""

    reached: set[str] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)


def crawl(root: Path, start: str = "index.html", mount: str = "/") -> Crawl:
    """Follow every internal href/src from ``start``; record reached files and broken links."""
    result = Crawl()
    queue = [start]
    pages: dict[str, Page] = {}
    while queue:
        current = queue.pop()
        if current in result.reached:
            continue
        result.reached.add(current)
        if not is_html(root / current):
            continue
        pages[current] = read_page(root / current)
        for link in pages[current].links:
            if not is_internal(link):
                continue
            target, fragment = resolve(root, current, link, mount)
            if target is None or not (root / target).is_file():
                result.broken.append(f"{current}: {link}")
                continue
            if fragment and target.endswith(HTML_SUFFIXES):
                ids = pages[target].ids if target in pages else read_page(root / target).ids
                if fragment not in ids:
                    result.broken.append(f"{current}: {link} (no id {fragment!r})")
            queue.append(target)
    return result
