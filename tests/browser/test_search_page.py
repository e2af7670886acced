"""The search page in real Chromium: random substrings find their articles, what a query
downloads stays small, and a query whose candidates do not match stops and offers more.

The first test runs with the site served from the root and from ``/archive/``; the last
opens a built site straight from disk (``file://``), where index files load as scripts.
"""

from __future__ import annotations

import random
import re
import unicodedata

from conftest import REPO, article, run_cli
from provarchive.config import load_config
from provarchive.reading import read_content
from provarchive.search import document_text
from provarchive.walk import scan_content

RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def _substrings(count: int, seed: int = 17) -> list[tuple[str, str]]:
    """Random 2-4 character pieces of title and body runs, with the article's title.

    The body is the searchable text the build gives the index (its paragraphs), read
    from the example archive by provarchive itself.
    """
    rng = random.Random(seed)
    config = load_config(REPO)
    tree = read_content(REPO, config, scan_content(REPO), drafts=False, jobs=1)
    articles = list(tree.articles.values())
    picks = []
    while len(picks) < count:
        item = rng.choice(articles)
        source = item.title if rng.random() < 0.4 else document_text(item)
        runs = [r for r in RUN.findall(unicodedata.normalize("NFKC", source).lower()) if len(r) > 1]
        if runs:
            run = rng.choice(runs)
            length = rng.randint(2, min(4, len(run)))
            start = rng.randrange(len(run) - length + 1)
            picks.append((run[start : start + length], item.title))
    return picks


def _settle(page) -> str:
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status');"
        " return s && s.textContent && s.textContent.indexOf('正在搜索') < 0; }"
    )
    page.wait_for_load_state("networkidle")
    return page.locator("#search-status").inner_text()


def _find(page, title: str) -> bool:
    """Whether ``title`` is among the results, pressing "more" until it is or none are left."""
    results = page.locator("#search-results")
    more = page.locator("#search-more")
    for _ in range(200):
        if results.get_by_role("link", name=title, exact=True).count():
            return True
        if not more.is_visible():
            return False
        shown = results.locator("li").count()
        more.click()
        page.wait_for_function("() => !document.getElementById('search-more').disabled")
        assert results.locator("li").count() >= shown
    return False


def test_random_substrings_find_their_articles_and_download_little(open_tab, server):
    tab = open_tab()
    page = tab.page
    index_bytes: list[int] = []
    for query, title in _substrings(12):
        responses = []

        def record(response, seen=responses):
            seen.append(response)

        page.on("response", record)
        tab.goto(server.url("search.html") + "?q=" + query)
        status = _settle(page)
        page.remove_listener("response", record)
        index_bytes.append(
            sum(len(r.body()) for r in responses if "/search/" in r.url and r.status == 200)
        )
        assert _find(page, title), f"{query!r} did not find {title!r} ({status})"
        marks = page.locator("#search-results mark").all_inner_texts()
        assert marks, f"{query!r}: no highlighted match"
    # the example archive's whole index is larger; a query loads a few of its files
    assert max(index_bytes) < 120_000, index_bytes
    assert tab.problems == [], "\n".join(tab.problems)


def test_a_page_stops_after_its_chunks_and_more_finds_older_matches(browser, make_site, tmp_path):
    decoys = {
        f"content/a/d{n:03d}.md": article(
            f"公告{n}", f"2024-03-{n % 28 + 1:02d}", body="高速公交，公路。"
        )
        for n in range(160)
    }
    site = make_site(
        {
            "content/a/old.md": article("旧闻", "2020-01-01", body="修建高速公路一条。"),
            **decoys,
        }
    )
    assert run_cli("build", site, "-q").code == 0, "the site did not build"
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto((site / "public/search.html").as_uri() + "?q=高速公路", wait_until="load")
    status = _settle(page)
    chunks = [url for url in loaded if "/search/docs-" in url]
    assert "已查看" in status, status
    assert page.locator("#search-more").is_visible()
    assert 0 < len(chunks) <= 16, f"{len(chunks)} chunks for the first page"
    assert _find(page, "旧闻"), page.locator("#search-status").inner_text()
    assert page.locator("#search-results li").count() == 1
    assert errors == []
    context.close()
