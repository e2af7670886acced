"""A reader in real Chromium: clicking through the example archive, searching, old URLs, 404.

Every walk runs twice: with the site served from the root of a local HTTP server and
from its subfolder ``/archive/``. At 375 px wide, no page may scroll sideways and every
top-level column must be reachable from the navigation bar.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.support import (
    article_with_image,
    column_title,
    example_articles,
    paged_column,
    search_target,
    site_config,
    top_columns,
)
from conftest import REPO

PHONE = {"width": 375, "height": 812}


def follow(page, link) -> None:
    """Click ``link`` as a reader would and wait for the next page to load."""
    with page.expect_navigation(wait_until="load"):
        link.click()


def h1(page) -> str:
    return page.locator("h1").inner_text().strip()


def test_reader_walks_to_an_article_and_back_by_the_breadcrumb(open_tab, server, site):
    tab = open_tab()
    page = tab.page
    column = paged_column(site)
    title = column_title(column)

    tab.goto(server.url("index.html"))
    assert h1(page) == site_config()["title"], "the home page's h1 is the site title"

    nav = page.get_by_role("navigation", name="栏目导航")
    follow(page, nav.get_by_role("link", name=title, exact=True))
    assert server.site_path(page.url) == f"{column}/index.html", page.url
    assert h1(page) == title

    pager = page.get_by_role("navigation", name="分页")
    follow(page, pager.get_by_role("link", name="2", exact=True))
    assert server.site_path(page.url) == f"{column}/index_2.html", page.url
    assert h1(page).startswith(title) and "第 2 页" in h1(page), h1(page)

    first = page.locator("main .items .item-title a").first
    headline = first.inner_text().strip()
    follow(page, first)
    article_path = server.site_path(page.url)
    assert article_path and article_path.startswith(f"{column}/"), page.url
    assert h1(page) == headline, f"the article page {page.url} should be titled {headline!r}"

    breadcrumb = page.get_by_role("navigation", name="当前位置")
    labels = [text.strip() for text in breadcrumb.get_by_role("link").all_inner_texts()]
    assert len(labels) >= 3, f"the article's breadcrumb is too short: {labels}"
    walked = [article_path]
    for step in reversed(range(len(labels) - 1)):
        crumb = page.get_by_role("navigation", name="当前位置").get_by_role(
            "link", name=labels[step], exact=True
        )
        follow(page, crumb)
        walked.append(server.site_path(page.url))
        if step == 0:
            assert h1(page) == site_config()["title"], f"crumb {labels[0]!r} leads home"
            assert walked[-1] == "index.html", walked
        else:
            assert h1(page) == labels[step], f"crumb {labels[step]!r} led to {page.url}"
            current = page.locator(".breadcrumb a[aria-current=page]").inner_text().strip()
            assert current == labels[step], f"{page.url}: current crumb is {current!r}"
    assert tab.problems == [], "\n".join(tab.problems)


def test_header_search_finds_an_article_by_a_two_character_word(open_tab, server, site):
    target, word = search_target()
    tab = open_tab()
    page = tab.page
    tab.goto(server.url("index.html"))

    box = page.get_by_role("searchbox", name="站内搜索")
    box.fill(word)
    with page.expect_navigation(wait_until="load"):
        box.press("Enter")
    assert server.site_path(page.url) == "search.html", page.url
    results = page.locator("#search-results")
    link = results.get_by_role("link", name=target.title, exact=True)
    link.wait_for()
    status = page.locator("#search-status").inner_text()
    assert "找到" in status, f"search status for {word!r}: {status!r}"
    assert page.locator("#site-search-q").input_value() == word
    assert results.locator("mark", has_text=word).count() >= 1, "the word is highlighted"

    follow(page, link)
    assert server.site_path(page.url) == target.page(site), page.url
    assert h1(page) == target.title
    assert tab.problems == [], "\n".join(tab.problems)


def test_legacy_aliases_land_on_their_articles(open_tab, server, site):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    aliased = [(alias, item) for item in example_articles() for alias in item.aliases]
    assert aliased, "the example archive has articles with aliases"
    assert any(alias.endswith((".shtml", ".htm")) for alias, _ in aliased)
    tab = open_tab()
    page = tab.page
    wrong = []
    for alias, item in aliased:
        expected = server.url(item.page(site))
        tab.goto(server.url(alias))
        try:
            page.wait_for_url(expected, timeout=5000)
            page.wait_for_load_state("load")
        except PlaywrightTimeout:
            wrong.append(f"{alias}: stayed at {page.url}, expected {expected}")
            continue
        if h1(page) != item.title:
            wrong.append(f"{alias}: landed on a page titled {h1(page)!r}, not {item.title!r}")
    assert wrong == [], "legacy URLs that do not land on their article:\n" + "\n".join(wrong)
    assert tab.problems == [], "\n".join(tab.problems)


@pytest.mark.parametrize("missing_path", ["no-such-page.html", "zhxx/2099/01/gone.shtml"])
def test_missing_page_shows_the_404_page(open_tab, sub_server, missing_path):
    """Served under the path of ``base_url`` (the 404 page links by absolute path)."""
    tab = open_tab()
    page = tab.page
    tab.goto(sub_server.url(missing_path), status=404)
    assert h1(page) == "页面未找到"
    background = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)", "the 404 page's stylesheet did not load"
    first = page.locator(".notfound ul a").first
    title = first.inner_text().strip()
    follow(page, first)
    assert sub_server.site_path(page.url).endswith("/index.html"), page.url
    assert h1(page) == title
    assert tab.problems == [], "\n".join(tab.problems)


# ---- phones and screenshots --------------------------------------------------------------


def layout_pages(site: Path) -> list[str]:
    """Every kind of page: home, every column, every article, lists, search, 404."""
    _, word = search_target()
    columns = sorted(
        p.parent.relative_to(REPO / "content").as_posix()
        for p in (REPO / "content").rglob("_column.yaml")
    )
    pages = ["index.html"]
    pages += [f"{column}/index.html" for column in columns]
    pages += [p.relative_to(site).as_posix() for p in sorted(site.glob("*/index_2.html"))]
    pages += [item.page(site) for item in example_articles()]
    tag = sorted(site.glob("tags/*/index.html"))[0].relative_to(site).as_posix()
    pages += ["archives/index.html", "tags/index.html", tag, f"search.html?q={word}"]
    pages += ["404.html"]
    return pages


def overflow(page) -> dict:
    """The page's width against the window's, and elements that stick out on the right."""
    return page.evaluate(
        """() => {
          const inner = window.innerWidth;
          const wide = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width > 0 && box.right > inner + 0.5) {
              wide.push(`${el.tagName.toLowerCase()}.${el.className} (right edge ${Math.round(box.right)})`);
            }
          }
          return {scroll: document.documentElement.scrollWidth, inner, wide: wide.slice(0, 4)};
        }"""
    )


def test_no_page_scrolls_sideways_at_375px(open_tab, sub_server, site):
    tab = open_tab(**PHONE)
    page = tab.page
    wide = []
    for path in layout_pages(site):
        tab.goto(sub_server.url(path))
        if path.startswith("search.html"):
            page.locator("#search-results li").first.wait_for()
        found = overflow(page)
        if found["scroll"] > found["inner"]:
            wide.append(
                f"{path}: {found['scroll']} px wide in a {found['inner']} px window; "
                f"sticking out: {', '.join(found['wide'])}"
            )
    assert wide == [], "pages that scroll sideways at 375 px:\n" + "\n".join(wide)
    assert tab.problems == [], "\n".join(tab.problems)


def test_every_top_level_column_is_reachable_from_the_nav_at_375px(open_tab, root_server):
    tab = open_tab(**PHONE)
    page = tab.page
    wrong = []
    for column in top_columns():
        title = column_title(column)
        tab.goto(root_server.url("index.html"))
        link = page.get_by_role("navigation", name="栏目导航").get_by_role(
            "link", name=title, exact=True
        )
        if not link.is_visible():
            wrong.append(f"{title}: not visible")
            continue
        box = link.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"]:
            wrong.append(f"{title}: outside the window horizontally ({box})")
        if box["width"] < 24 or box["height"] < 24:
            wrong.append(f"{title}: target smaller than 24×24 px ({box})")
        on_top = link.evaluate(
            """(a) => {
              const r = a.getBoundingClientRect();
              const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
              return hit !== null && a.contains(hit);
            }"""
        )
        if not on_top:
            wrong.append(f"{title}: covered by another element")
            continue
        follow(page, link)
        if root_server.site_path(page.url) != f"{column}/index.html" or h1(page) != title:
            wrong.append(f"{title}: led to {page.url} titled {h1(page)!r}")
    assert wrong == [], "navigation problems at 375 px:\n" + "\n".join(wrong)
    assert tab.problems == [], "\n".join(tab.problems)


def test_screenshots_of_home_column_article_and_search(open_tab, root_server, site, screenshot_dir):
    _, word = search_target()
    with_image = article_with_image(site)
    shots = {
        "home": "index.html",
        "column": f"{paged_column(site)}/index.html",
        "article": with_image.page(site),
        "search": f"search.html?q={word}",
    }
    written = []
    for width in (1280, 375):
        tab = open_tab(width=width, height=900 if width > 375 else PHONE["height"])
        for name, path in shots.items():
            tab.goto(root_server.url(path))
            if name == "search":
                tab.page.locator("#search-results li").first.wait_for()
            target = screenshot_dir / f"{name}-{width}.png"
            tab.page.screenshot(path=str(target), full_page=True)
            written.append(target)
        assert tab.problems == [], "\n".join(tab.problems)
    print(f"screenshots written to {screenshot_dir}")
    for target in written:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{target} is not a PNG"
