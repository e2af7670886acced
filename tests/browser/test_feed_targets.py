"""Feeds, the sitemap, robots.txt and the redirect maps point only at files that exist.

Every URL under the site's ``base_url`` is mapped to a path in the output folder (a URL
ending in ``/`` to its ``index.html``); the file must be there.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from browser.support import site_config
from sitecheck import is_internal

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def base_url() -> str:
    return site_config()["base_url"]


def site_path(url: str) -> str | None:
    """The output path ``url`` names (``.../`` is ``.../index.html``); None outside the site."""
    base = base_url()
    if not url.startswith(base):
        return None
    path = unquote(urlsplit(url).path[len(urlsplit(base).path) :])
    return path + "index.html" if path == "" or path.endswith("/") else path


def missing_target(site: Path, url: str) -> str | None:
    """Why ``url`` does not lead to a file of the site, or None when it does."""
    path = site_path(url)
    if path is None:
        return f"{url} is not under base_url {base_url()}"
    if not (site / path).is_file():
        return f"{url}: no file {path}"
    return None


def feed_urls(feed) -> list[str]:
    """Every URL a parsed feed names: its own, and each entry's, links in content included."""
    urls = [link.href for link in feed.feed.get("links", [])]
    urls.append(feed.feed.get("id", ""))
    for entry in feed.entries:
        urls += [link.href for link in entry.get("links", [])]
        urls.append(entry.get("id", ""))
        for content in entry.get("content", []):
            tree = HTMLParser(content.value)
            for node in tree.css("[href], [src]"):
                for name in ("href", "src"):
                    link = node.attributes.get(name)
                    if link is not None and is_internal(link):
                        urls.append(urljoin(content.get("base") or entry.link, link))
    return urls


def test_every_feed_points_only_at_pages_that_exist(site):
    feeds = sorted(site.rglob("atom.xml"))
    assert len(feeds) > 1, "the site feed and the column feeds"
    wrong = []
    entries = 0
    for path in feeds:
        name = path.relative_to(site).as_posix()
        feed = feedparser.parse(path.read_bytes())
        if feed.bozo:
            wrong.append(f"{name}: not well-formed: {feed.bozo_exception}")
            continue
        entries += len(feed.entries)
        for url in feed_urls(feed):
            problem = missing_target(site, url.split("#")[0])
            if problem:
                wrong.append(f"{name}: {problem}")
    assert entries > 0
    assert wrong == [], "feeds pointing at missing pages:\n" + "\n".join(wrong)


def test_the_sitemap_lists_only_pages_that_exist(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [loc.text.strip() for loc in root.iter(f"{SITEMAP}loc")]
    assert len(locs) > 100
    wrong = [problem for url in locs if (problem := missing_target(site, url))]
    redirects = [
        url
        for url in locs
        if not missing_target(site, url)
        and 'http-equiv="refresh"' in (site / site_path(url)).read_text(encoding="utf-8")
    ]
    assert wrong == [], "sitemap entries without a page:\n" + "\n".join(wrong)
    assert redirects == [], "the sitemap lists redirect pages:\n" + "\n".join(redirects)
    assert base_url() + "404.html" not in locs, "the 404 page is not a page to index"
    assert len(set(locs)) == len(locs), "the sitemap repeats URLs"


def test_robots_txt_names_the_sitemap(site):
    lines = (site / "robots.txt").read_text(encoding="utf-8").splitlines()
    sitemaps = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == [base_url() + "sitemap.xml"]
    assert missing_target(site, sitemaps[0]) is None


def test_redirect_maps_lead_to_pages_that_exist(site):
    """``_redirects``, ``nginx-redirects.conf`` and ``.htaccess`` send old URLs to built
    articles (tests/test_redirects.py asks the real servers)."""
    base_path = urlsplit(base_url()).path
    pairs = []
    for line in (site / "_redirects").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            old, new, code = line.split()
            assert code in ("301!", "301"), line
            pairs.append(("_redirects", old, new))
    nginx = (site / "nginx-redirects.conf").read_text(encoding="utf-8")
    pairs += [
        ("nginx-redirects.conf", old, new)
        for old, new in re.findall(
            r'^location = "([^"]+)" \{ return 301 "([^"]+)"; \}$', nginx, re.MULTILINE
        )
    ]
    apache = (site / ".htaccess").read_text(encoding="utf-8")
    pairs += [
        (".htaccess", old, new.replace("\\%", "%"))
        for old, new in re.findall(
            r'^RewriteCond %\{REQUEST_URI\} "=([^"]+)"\nRewriteRule \^ "([^"]+)" \[R=301,L,NE\]$',
            apache,
            re.MULTILINE,
        )
    ]
    assert {source for source, _, _ in pairs} == {
        "_redirects",
        "nginx-redirects.conf",
        ".htaccess",
    }
    assert pairs, "the example archive has legacy URLs"
    wrong = []
    for source, old, new in pairs:
        problem = missing_target(site, urljoin(base_url(), new))
        if problem or not old.startswith(base_path):
            wrong.append(f"{source}: {old} -> {new}: {problem or 'old URL outside base_url'}")
    assert wrong == [], "\n".join(wrong)
