"""Every internal href and src of every page leads to a file, every #fragment to an id.

Checked on the files (with tests/sitecheck.py) and over HTTP, with the site served from
the root of a server and from the subfolder ``/archive/``. Absolute links under the
site's ``base_url`` (canonical links) are checked as links into the served site, and a
redirect page's meta refresh counts as a link.

The 404 page alone links by absolute path (``/archive/...``, from ``base_url``) so that it
works at any depth; it is checked where the site is served at that path.
"""

from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from browser.support import MOUNT, SiteServer, site_config
from sitecheck import is_html, is_internal, read_page, resolve


def html_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and is_html(p)
    )


@pytest.mark.parametrize("mount", ["/", MOUNT])
def test_every_link_leads_to_a_file(site, mount):
    broken = []
    pages = html_pages(site)
    ids: dict[str, set[str]] = {}
    for page in pages:
        if page == "404.html" and mount != MOUNT:
            continue
        for link in read_page(site / page).links:
            if not is_internal(link):
                continue
            target, fragment = resolve(site, page, link, mount)
            if target is None or not (site / target).is_file():
                broken.append(f"{page}: {link}")
            elif fragment:
                if target not in ids:
                    ids[target] = read_page(site / target).ids
                if unquote(fragment) not in ids[target]:
                    broken.append(f"{page}: {link} (no id {fragment!r} in {target})")
    assert broken == [], f"{len(broken)} broken links (mount {mount}):\n" + "\n".join(broken)


class Fetcher:
    """GET requests against one server, each URL once."""

    def __init__(self, server: SiteServer):
        self.server = server
        self.cache: dict[str, tuple[int, str, bytes]] = {}

    def get(self, url: str) -> tuple[int, str, bytes]:
        """(status, content type, body) of ``url`` (no fragment), redirects not followed."""
        if url not in self.cache:
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                path = quote(parts.path, safe="/%")  # as a browser sends it
                connection.request("GET", path + (f"?{parts.query}" if parts.query else ""))
                response = connection.getresponse()
                self.cache[url] = (
                    response.status,
                    response.getheader("Content-Type", ""),
                    response.read(),
                )
            finally:
                connection.close()
        return self.cache[url]


REFRESH = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*(.+?)\s*$", re.IGNORECASE)


def links_and_ids(body: bytes) -> tuple[list[str], set[str]]:
    """Every href, src, meta-refresh target and search index (``data-index``) of an HTML
    document, and its ids."""
    tree = HTMLParser(body.decode("utf-8"))
    links = []
    for node in tree.css("[href], [src], [data-index]"):
        for name in ("href", "src", "data-index"):
            value = node.attributes.get(name)
            if value is not None:
                links.append(value)
    for node in tree.css("meta[http-equiv]"):
        if (node.attributes.get("http-equiv") or "").lower() == "refresh":
            match = REFRESH.match(node.attributes.get("content") or "")
            assert match, f"unreadable meta refresh: {node.html}"
            links.append(match.group(1))
    ids = {node.attributes["id"] for node in tree.css("[id]") if node.attributes.get("id")}
    return links, ids


def check_page(fetch: Fetcher, page_url: str, body: bytes, base_url: str) -> list[str]:
    """The broken links of the page at ``page_url``."""
    server = fetch.server
    site_root = server.url()
    broken = []
    links, own_ids = links_and_ids(body)
    for link in links:
        if link.startswith(base_url):  # an absolute link into the site: check it here
            absolute = site_root + link[len(base_url) :]
        elif is_internal(link):
            absolute = urljoin(page_url, link)
        else:
            continue
        target, _, fragment = absolute.partition("#")
        name = server.site_path(page_url)
        if not target.startswith(site_root):
            broken.append(f"{name}: {link} leaves the site (to {target})")
            continue
        if target == page_url.partition("#")[0]:  # a place on this page (its status may be 404)
            if fragment and unquote(fragment) not in own_ids:
                broken.append(f"{name}: {link} (no id {fragment!r} on the page)")
            continue
        status, kind, data = fetch.get(target)
        if status != 200:
            broken.append(f"{name}: {link} -> HTTP {status} for {target}")
        elif fragment and (
            not kind.startswith("text/html") or unquote(fragment) not in links_and_ids(data)[1]
        ):
            broken.append(f"{name}: {link} (no id {fragment!r} in {target})")
    return broken


def test_every_link_resolves_over_http(server, site):
    base_url = site_config()["base_url"]
    fetch = Fetcher(server)
    broken = []
    pages = html_pages(site)
    for page in pages:
        if page == "404.html" and server.mount != MOUNT:
            continue
        url = server.url(page)
        status, kind, body = fetch.get(url)
        assert status == 200 and kind.startswith("text/html"), f"{url}: {status} {kind}"
        broken += check_page(fetch, url, body, base_url)
    assert broken == [], (
        f"{len(broken)} broken links among {len(pages)} pages served at {server.url()}:\n"
        + "\n".join(broken)
    )


@pytest.mark.parametrize("missing", ["gone.html", "zhxx/yywl/2099/01/gone.shtml"])
def test_the_404_page_links_work_at_any_depth(sub_server, missing):
    url = sub_server.url(missing)
    fetch = Fetcher(sub_server)
    status, _, body = fetch.get(url)
    assert status == 404 and "页面未找到".encode() in body, f"{url}: HTTP {status}"
    broken = check_page(fetch, url, body, site_config()["base_url"])
    assert broken == [], f"broken links on the 404 page at {url}:\n" + "\n".join(broken)
