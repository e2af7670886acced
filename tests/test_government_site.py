"""Government site identity: the site.yaml keys, the footer that shows them, the standard
<meta name=...> tags of every page, and the 网站地图 page."""

from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import REPO, article, column, run_cli
from provarchive.config import load_config
from sitecheck import is_html
from test_config import errors_for

IDENTITY = """\
title: 青禾县人民政府
base_url: https://archive.qinghe.example/news/
per_page: 3
organization: 青禾县人民政府办公室
organizer: 青禾县融媒体中心
site_id_code: BM99000001
icp: 禾ICP备99000002号-3
police_record: 禾公网安备 99020003000004号
party_government_badge: {link: "https://badge.example/show?id=1&k=2", image: "https://img.example/red.png"}
contact: {phone: 0999-7654321, email: office@qinghe.example, address: 青禾县文昌路8号}
domain: www.qinghe.example
"""

FILES = {
    "content/xw/_column.yaml": column("新闻") + "description: 县内要闻\n",
    "content/xw/bm/_column.yaml": column("部门动态"),
    "content/xw/bm/a.md": article(
        title='县里召开"春耕"<动员>会 & 部署',
        date='"2024-03-05 09:07"',
        source="青禾县融媒体中心",
        authors="[王一, 李二]",
        tags="[春耕, 农业]",
        summary="会议部署春耕备耕工作。",
    ),
    "content/xw/b.md": article(title="县城新增两处口袋公园", date="2024-04-01"),
    "content/xw/c.md": article(title="青禾县举办读书节", date="2023-11-20"),
}


def metas(page: Path) -> dict[str, list[str]]:
    """Every ``<meta name=...>`` of a page, by name (a list, to catch repeats)."""
    found: dict[str, list[str]] = {}
    for node in LexborHTMLParser(page.read_text("utf-8")).css("meta[name]"):
        found.setdefault(node.attributes["name"] or "", []).append(node.attributes["content"])
    return found


def build(make_site, files: dict[str, str], config: str) -> Path:
    site = make_site(files, config=config)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    return site / "public"


@pytest.fixture
def identity_site(make_site) -> Path:
    return build(make_site, FILES, IDENTITY)


def test_every_page_names_the_site(identity_site):
    pages = [p for p in identity_site.rglob("*.html") if is_html(p)]
    assert len(pages) > 15
    for page in pages:
        found = metas(page)
        assert found["SiteName"] == ["青禾县人民政府"], page
        assert found["SiteDomain"] == ["www.qinghe.example"], page
        assert found["SiteIDCode"] == ["bm99000001"], page


def test_article_pages_carry_the_article_metas_escaped(identity_site):
    page = next(identity_site.glob("xw/bm/*/a.html"))
    found = metas(page)
    assert {name: values for name, values in found.items() if name[0].isupper()} == {
        "SiteName": ["青禾县人民政府"],
        "SiteDomain": ["www.qinghe.example"],
        "SiteIDCode": ["bm99000001"],
        "ArticleTitle": ['县里召开"春耕"<动员>会 & 部署'],
        "PubDate": ["2024-03-05 09:07"],
        "ContentSource": ["青禾县融媒体中心"],
        "Keywords": ["春耕,农业"],
        "Author": ["王一,李二"],
        "Description": ["会议部署春耕备耕工作。"],
        "Url": ["https://archive.qinghe.example/news/xw/bm/202403/a.html"],
    }
    assert 'content="县里召开&#34;春耕&#34;&lt;动员&gt;会 &amp; 部署"' in page.read_text("utf-8")


def test_absent_values_leave_their_tags_out(identity_site):
    found = metas(next(identity_site.glob("xw/*/b.html")))
    assert found["PubDate"] == ["2024-04-01"]  # no time given: none is made up
    for name in ("ContentSource", "Keywords", "Author"):
        assert name not in found
    assert all(value.strip() for values in found.values() for value in values)


def test_column_and_list_pages_carry_the_column_metas(identity_site):
    top = metas(identity_site / "xw/index.html")
    assert (top["ColumnName"], top["ColumnDescription"], top["ColumnKeywords"]) == (
        ["新闻"],
        ["县内要闻"],
        ["新闻"],
    )
    assert top["ColumnType"] == ["新闻"]
    sub = metas(identity_site / "xw/bm/index.html")
    assert (sub["ColumnName"], sub["ColumnKeywords"], sub["ColumnType"]) == (
        ["部门动态"],
        ["新闻,部门动态"],
        ["新闻"],
    )
    assert "ColumnDescription" not in sub  # the sub-column has none
    tag = metas(next(identity_site.glob("tags/*/index.html")))
    assert tag["ColumnType"] == ["标签"] and tag["ColumnName"][0].startswith("标签：")
    month = metas(identity_site / "archives/2024/03/index.html")
    assert (month["ColumnName"], month["ColumnType"]) == (["2024年3月"], ["日期归档"])
    assert "ArticleTitle" not in month and "ColumnName" not in metas(identity_site / "index.html")


def test_the_footer_shows_who_runs_the_site(identity_site):
    tree = LexborHTMLParser((identity_site / "xw/bm/index.html").read_text("utf-8"))
    footer = tree.css_first("footer.site-footer")
    text = footer.text(separator=" ")
    for part in (
        "主办单位：青禾县人民政府办公室",
        "承办单位：青禾县融媒体中心",
        "网站标识码：bm99000001",
        "电话：0999-7654321",
        "地址：青禾县文昌路8号",
    ):
        assert part in text
    links = {a.text(): a.attributes["href"] for a in footer.css("a")}
    assert links["禾ICP备99000002号-3"] == "https://beian.miit.gov.cn/"
    assert links["禾公网安备 99020003000004号"] == (
        "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=99020003000004"
    )
    assert links["office@qinghe.example"] == "mailto:office@qinghe.example"
    assert links["网站地图"] == "../../sitemap.html"
    assert links["联系我们"] == "../../sitemap.html#contact"
    badge = footer.css_first("a.badge-dzjg")
    assert badge.attributes["href"] == "https://badge.example/show?id=1&k=2"
    assert badge.css_first("img").attributes["src"] == "https://img.example/red.png"


def test_a_site_without_identity_keys_shows_none(make_site):
    out = build(make_site, FILES, "title: 测试\nbase_url: https://news.example.gov.cn:8443/a/\n")
    found = metas(out / "index.html")
    assert found["SiteDomain"] == ["news.example.gov.cn:8443"]
    assert "SiteIDCode" not in found
    html = (out / "index.html").read_text("utf-8")
    assert "site-identity" not in html and "联系我们" not in html
    assert "网站地图" in html


def test_the_default_badge_image_is_the_themes(make_site):
    config = "title: 测试\nbase_url: https://a.example/\nparty_government_badge: {link: https://b.example/}\n"
    out = build(make_site, FILES, config)
    img = LexborHTMLParser((out / "xw/index.html").read_text("utf-8")).css_first(".badge-dzjg img")
    assert img.attributes["src"] == "../static/dzjg.svg"
    assert (out / "static/dzjg.svg").is_file()


def test_identity_keys_are_validated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (
        "title: t\n"
        "base_url: https://a.example/\n"
        "site_id_code: 13040000\n"
        "icp: 12345678\n"
        "police_record: 京公网安备 1101号\n"
        "domain: https://www.a.example/\n"
        "contact: {phone: 1, mail: x}\n"
        "party_government_badge: {image: ../badge.png}\n"
        "organization: ''\n"
    )
    assert errors_for(tmp_path, text) == [
        "site.yaml:3: error: 'site_id_code' must be the 10-character 政府网站标识码: "
        "ten digits (1304000009) or bm and eight digits (bm17000009), not 13040000",
        "site.yaml:4: error: 'icp' must be an ICP备案号 such as 京ICP备12345678号-1, not '12345678'",
        "site.yaml:5: error: 'police_record' must be a 公安机关备案号 with its 14-digit record "
        "code, such as 京公网安备 11010502000001号, not '京公网安备 1101号'",
        "site.yaml:6: error: 'domain' must be a host name such as www.example.gov.cn "
        "(no http://), not 'https://www.a.example/'",
        "site.yaml:7: error: 'contact' has unknown key 'mail' (did you mean 'email'?)",
        "site.yaml:8: error: 'party_government_badge' needs a link: the address of the "
        "site's registration page",
        "site.yaml:9: error: 'organization' must not be empty",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("site_id_code: '130400000X'", "'site_id_code' must be the 10-character"),
        ("contact: {email: not-an-address}", "'contact' email must be an address such as"),
        ("contact: [a]", "'contact' must be a mapping such as"),
        (
            "party_government_badge: {link: 'javascript:alert(1)'}",
            "'party_government_badge' link must be an absolute http:// or https:// address",
        ),
        (
            "party_government_badge: {link: 'https://b.example/', image: /etc/x.png}",
            "'party_government_badge' image must be a relative path",
        ),
    ],
)
def test_more_identity_mistakes(tmp_path, monkeypatch, line, message):
    monkeypatch.chdir(tmp_path)
    errors = errors_for(tmp_path, f"title: t\nbase_url: https://a.example/\n{line}\n")
    assert len(errors) == 1 and errors[0].startswith(f"site.yaml:3: error: {message}"), errors


def sub_column_item(tree: LexborHTMLParser):
    """The site map's list item of the sub-column 部门动态."""
    return next(li for li in tree.css(".map-columns li") if li.css_first("a").text() == "部门动态")


def test_the_site_map_lists_columns_counts_archives_feeds_and_search(identity_site):
    tree = LexborHTMLParser((identity_site / "sitemap.html").read_text("utf-8"))
    assert tree.css_first("h1").text() == "网站地图"
    top = tree.css_first(".map-columns > ul > li")
    assert top.css_first("a").text() == "新闻" and "3 篇" in top.text()
    sub = sub_column_item(tree)
    assert sub.css_first("a").attributes["href"] == "xw/bm/index.html" and "1 篇" in sub.text()
    hrefs = {a.attributes["href"] for a in tree.css("main a")}
    assert {
        "xw/index.html",
        "xw/atom.xml",
        "xw/bm/atom.xml",
        "archives/index.html",
        "archives/2024/index.html",
        "archives/2023/index.html",
        "tags/index.html",
        "atom.xml",
        "search.html",
        "sitemap.xml",
    } <= hrefs
    contact = tree.css_first("#contact").text()
    assert "0999-7654321" in contact and "青禾县文昌路8号" in contact
    assert "sitemap.html" in (identity_site / "sitemap.xml").read_text("utf-8")


def test_the_site_map_counts_follow_new_articles(make_site):
    site = make_site(FILES, config=IDENTITY)
    assert run_cli("build", site).code == 0
    (site / "content/xw/bm/d.md").write_text(article(title="新文章", date="2024-05-01"), "utf-8")
    assert run_cli("build", site).code == 0
    incremental = (site / "public/sitemap.html").read_text("utf-8")
    assert run_cli("build", site, "--no-cache", "-o", site / "clean").code == 0
    assert incremental == (site / "clean/sitemap.html").read_text("utf-8")
    assert "2 篇" in sub_column_item(LexborHTMLParser(incremental)).text()


def test_the_example_archive_sets_every_identity_key():
    config = load_config(REPO)
    assert all(
        (config.organization, config.organizer, config.site_id_code, config.icp),
    )
    assert config.police_record_code == "99010002000001"
    assert config.party_government_badge is not None and config.domain
    assert config.contact.phone and config.contact.email and config.contact.address
