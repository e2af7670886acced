"""Machine-readable output: Atom feeds, sitemap, robots.txt, and legacy-URL redirects."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser

from conftest import article, column, run_cli, snapshot
from sitecheck import crawl, read_page

BASE = "https://news.example.gov.cn/archive/"


def feed_site(make_site, count=25):
    files = {
        "content/zhxx/_column.yaml": column("综合资讯"),
        "content/zwgk/_column.yaml": column("政务公开"),
        "content/zwgk/n.md": article("政务公开一则", "2023-01-01"),
    }
    for n in range(1, count + 1):
        files[f"content/zhxx/t{n:02d}.md"] = article(
            f"新闻第{n}篇",
            f"2024-02-{(n % 28) + 1:02d} 08:{n:02d}",
            authors="[王明]",
            tags="[科技]",
            body=f"第{n}篇正文。\n\n![图](img.svg)",
        )
    files["content/zhxx/img.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"/>'
    return make_site(files)


def test_site_feed_has_latest_twenty_with_full_content(make_site):
    site = feed_site(make_site)
    assert run_cli("build", site).code == 0
    feed = feedparser.parse((site / "public/atom.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "测试新闻网"
    assert len(feed.entries) == 20
    assert [e.published_parsed for e in feed.entries] == sorted(
        (e.published_parsed for e in feed.entries), reverse=True
    )
    entry = feed.entries[0]
    assert entry.link.startswith(BASE + "zhxx/202402/")
    assert "正文。" in entry.content[0].value
    assert 'src="https://news.example.gov.cn/archive/zhxx/img.svg"' in entry.content[0].value
    assert entry.author == "王明" and entry.tags[0].term == "科技"


def test_column_feeds_and_links_to_them(make_site):
    site = feed_site(make_site, count=3)
    assert run_cli("build", site).code == 0
    feed = feedparser.parse((site / "public/zwgk/atom.xml").read_bytes())
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["政务公开一则"]
    html = (site / "public/zwgk/index.html").read_text("utf-8")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="测试新闻网" href="../atom.xml">'
        in html
    )
    assert 'href="../zwgk/atom.xml"' in html


def test_unchanged_content_gives_byte_identical_feeds(make_site):
    site = feed_site(make_site, count=3)
    assert run_cli("build", site).code == 0
    first = snapshot(site / "public")
    assert run_cli("build", site).code == 0
    assert snapshot(site / "public") == first


def test_sitemap_lists_every_page_with_lastmod(make_site):
    site = feed_site(make_site, count=4)
    assert run_cli("build", site).code == 0
    tree = ET.parse(site / "public/sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {
        u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
        for u in tree.getroot()
    }
    assert urls[BASE] == "2024-02-05"
    assert urls[BASE + "zwgk/202301/n.html"] == "2023-01-01"
    assert BASE + "zhxx/" in urls and BASE + "tags/ke-ji/" in urls
    for loc in urls:
        path = loc[len(BASE) :] or "index.html"
        path = path + "index.html" if path.endswith("/") else path
        assert (site / "public" / path).is_file(), loc
    robots = (site / "public/robots.txt").read_text("utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(path) -> dict[str, str | None]:
    """The addresses of a sitemap file (``urlset``) with their last change."""
    root = ET.parse(path).getroot()
    assert root.tag == SITEMAP + "urlset"
    return {u.findtext(SITEMAP + "loc"): u.findtext(SITEMAP + "lastmod") for u in root}


def test_a_sitemap_past_its_limit_is_an_index_of_parts(make_site):
    site = feed_site(make_site, count=4)
    assert run_cli("build", site).code == 0
    whole = sitemap_entries(site / "public/sitemap.xml")
    config = site / "site.yaml"
    config.write_text(config.read_text("utf-8") + "sitemap_urls: 5\n", "utf-8")
    assert run_cli("build", site).code == 0
    index = ET.parse(site / "public/sitemap.xml").getroot()
    assert index.tag == SITEMAP + "sitemapindex"
    parts = [(s.findtext(SITEMAP + "loc"), s.findtext(SITEMAP + "lastmod")) for s in index]
    count = -(-len(whole) // 5)
    assert [loc for loc, _ in parts] == [f"{BASE}sitemap-{n}.xml" for n in range(1, count + 1)]
    found: dict[str, str | None] = {}
    for loc, lastmod in parts:
        entries = sitemap_entries(site / "public" / loc[len(BASE) :])
        assert 1 <= len(entries) <= 5 and lastmod == max(filter(None, entries.values()))
        found.update(entries)
    assert found == whole  # every address once, with its last change
    robots = (site / "public/robots.txt").read_text("utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    # an edit: the parts and the index are those of a clean build
    (site / "content/zwgk/n.md").write_text(article("政务公开一则", "2024-03-09"), "utf-8")
    assert run_cli("build", site).code == 0
    assert run_cli("build", site, "--no-cache", "-o", site / "clean").code == 0
    cleanly = sorted(path.name for path in (site / "clean").glob("sitemap*.xml"))
    assert sorted(path.name for path in (site / "public").glob("sitemap*.xml")) == cleanly
    for path in sorted((site / "clean").glob("sitemap*.xml")):
        assert (site / "public" / path.name).read_bytes() == path.read_bytes(), path.name
    # under the limit again: one file, and the parts are gone
    config.write_text(config.read_text("utf-8").replace("sitemap_urls: 5", ""), "utf-8")
    assert run_cli("build", site).code == 0
    assert [p.name for p in (site / "public").glob("sitemap*.xml")] == ["sitemap.xml"]
    assert run_cli("build", site, "--no-cache", "-o", site / "clean-again").code == 0
    single = (site / "clean-again/sitemap.xml").read_bytes()
    assert (site / "public/sitemap.xml").read_bytes() == single
    assert len(sitemap_entries(site / "public/sitemap.xml")) > 5


def test_aliases_of_every_kind_lead_to_their_article(make_site):
    aliases = [
        "/zhxx/yywl/202307/t20230709_123456.shtml",
        "/old/news/2023/0709/1.htm",
        "/html/2024/a.html",
        "/old/folder/",
        "legacy/no-slash.asp",
    ]
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/x.md": article(
                "迁移的文章", "2023-07-09", aliases="[" + ", ".join(aliases) + "]"
            ),
        }
    )
    assert run_cli("build", site).code == 0
    public = site / "public"
    for alias, path in zip(
        aliases,
        [
            "zhxx/yywl/202307/t20230709_123456.shtml",
            "old/news/2023/0709/1.htm",
            "html/2024/a.html",
            "old/folder/index.html",
            "legacy/no-slash.asp",
        ],
        strict=False,
    ):
        html = (public / path).read_text("utf-8")
        walk = crawl(public, path)
        assert walk.broken == [] and "zhxx/202307/x.html" in walk.reached, alias
        assert (
            'http-equiv="refresh"' in html
            and f'<link rel="canonical" href="{BASE}zhxx/202307/x.html">' in html
        )
        assert "迁移的文章" in read_page(public / path).text
    redirects = (public / "_redirects").read_text("utf-8").splitlines()
    assert "/archive/old/folder/ /archive/zhxx/202307/x.html 301!" in redirects
    assert (
        "/archive/zhxx/yywl/202307/t20230709_123456.shtml /archive/zhxx/202307/x.html 301!"
        in redirects
    )
    nginx = (public / "nginx-redirects.conf").read_text("utf-8")
    assert (
        'location = "/archive/old/news/2023/0709/1.htm" '
        '{ return 301 "/archive/zhxx/202307/x.html"; }' in nginx
    )
    apache = (public / ".htaccess").read_text("utf-8")
    assert 'RewriteCond %{REQUEST_URI} "=/archive/old/news/2023/0709/1.htm"' in apache


def test_alias_colliding_with_a_page_names_both_files(make_site):
    site = make_site(
        {
            "content/a/x.md": article("一", "2024-05-08"),
            "content/b/y.md": article("二", aliases="[/a/202405/x.html]"),
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert (
        "content/a/x.md" in result.err and "content/b/y.md (alias /a/202405/x.html)" in result.err
    )


def test_robots_txt_of_a_site_in_a_subfolder_gets_one_note(make_site):
    files = {
        "content/a/_column.yaml": column("甲"),
        "content/a/x.md": article("一", "2024-05-08", source="本站"),
    }
    site = make_site(files)  # base_url https://news.example.gov.cn/archive/
    for build in ("first", "nothing changed"):
        result = run_cli("build", site)
        assert result.code == 0, build
        notes = [line for line in result.err.splitlines() if "note:" in line]
        assert notes == [
            f"{site / 'site.yaml'}: note: base_url has a path (/archive/), but crawlers read robots.txt "
            "only at the root of a host (https://news.example.gov.cn/robots.txt): add the "
            "lines of the robots.txt this build wrote to that file"
        ], build
        assert "warning" not in result.err and "0 warnings" in result.out
    assert run_cli("check", site, "--strict").code == 0
    assert "note:" not in run_cli("build", site, "-q", "--no-cache").err
    at_root = make_site(files, config="title: 站\nbase_url: https://news.example.gov.cn\n")
    assert "note:" not in run_cli("build", at_root, "--no-cache").err
