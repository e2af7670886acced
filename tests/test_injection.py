"""Hostile strings in content reach pages as text: checked in real Chromium, which runs the pages."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from conftest import require_all, run_cli

MARK = "document.documentElement.setAttribute('data-pwned', '1')"
PAYLOADS = {
    "script": f"<script>{MARK}</script>",
    "attribute": f'"><img src=x onerror="{MARK}">',
    "single": f'\'><svg onload="{MARK}">',
    "closing": f"</title></textarea><script>{MARK}</script>",
}


def hostile(kind: str) -> str:
    return f"甲{PAYLOADS[kind]}乙"


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if require_all():
            pytest.fail("chromium is required (PROVARCHIVE_REQUIRE_ALL=1)")
        pytest.skip("chromium is not installed: the injection test runs pages in a real browser")
    return found


def dom_after_scripts(browser: str, url: str, profile: Path) -> str:
    """Load ``url`` in headless Chromium, let scripts run, and return the resulting DOM."""
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("hostile")
    (site / "content/zhxx").mkdir(parents=True)
    (site / "site.yaml").write_text(
        f"title: {quoted(hostile('closing'))}\nbase_url: https://x.example.gov.cn/\n"
        f"description: {quoted(hostile('attribute'))}\n",
        "utf-8",
    )
    (site / "content/zhxx/_column.yaml").write_text(
        f"title: {quoted(hostile('attribute'))}\ndescription: {quoted(hostile('script'))}\n",
        "utf-8",
    )
    meta = {
        "title": hostile("script"),
        "kicker": hostile("attribute"),
        "subtitle": hostile("single"),
        "source": hostile("attribute"),
        "editor": hostile("closing"),
        "summary": hostile("attribute"),
    }
    front = "\n".join(f"{key}: {quoted(value)}" for key, value in meta.items())
    lists = (
        f"authors: [{quoted(hostile('attribute'))}]\n"
        f"tags: [{quoted(hostile('script'))}, {quoted(hostile('single'))}]\n"
    )
    body = (
        f"正文{PAYLOADS['script']}段落。\n\n{PAYLOADS['attribute']}\n\n"
        f"[点我](javascript:{MARK}) [再点](JAVASCRIPT:alert(1)) [数据](data:text/html,x)\n\n"
        f'<iframe src="javascript:{MARK}"></iframe>\n'
    )
    (site / "content/zhxx/x.md").write_text(
        f"---\n{front}\ndate: 2024-05-08\n{lists}---\n\n{body}", "utf-8"
    )
    result = run_cli("build", site, "-q")
    assert result.code == 0, result.err
    return site / "public"


def test_no_script_runs_on_any_page(hostile_site, tmp_path):
    browser = chromium()
    pages = [
        "index.html",
        "zhxx/index.html",
        "zhxx/202405/x.html",
        "tags/index.html",
        "archives/2024/05/index.html",
        "search.html?q=%E7%94%B2",
        "404.html",
    ]
    pages += [
        p.relative_to(hostile_site).as_posix() for p in (hostile_site / "tags").glob("*/index.html")
    ]
    for page in pages:
        url = (hostile_site / page.split("?")[0]).as_uri() + (
            "?" + page.split("?")[1] if "?" in page else ""
        )
        dom = dom_after_scripts(browser, url, tmp_path / "profile")
        found = elements(dom)
        assert found[0][0] == "html" and "data-pwned" not in found[0][1], f"a payload ran on {page}"
        for tag, attrs in found:
            assert not (tag == "img" and attrs.get("src") == "x"), f"an <img> broke out on {page}"
            assert tag not in ("svg", "iframe"), f"a <{tag}> broke out on {page}"
            for name, value in attrs.items():
                assert not name.startswith("on"), f"{page}: <{tag} {name}> in the page"
                assert not (value or "").lower().lstrip().startswith(("javascript:", "data:")), (
                    f"{page}: <{tag} {name}={value!r}>"
                )
    search = dom_after_scripts(
        browser, (hostile_site / "search.html").as_uri() + "?q=%E7%94%B2", tmp_path / "profile"
    )
    assert "正文" in search and "&lt;script&gt;" in search, "search results show payloads as text"


def test_payloads_are_shown_as_text(hostile_site):
    html = (hostile_site / "zhxx/202405/x.html").read_text("utf-8")
    assert "甲&lt;script&gt;document.documentElement" in html
    assert "<script>document" not in html
    assert 'onerror="document' not in html


def test_feeds_carry_payloads_as_text(hostile_site):
    feed = feedparser.parse((hostile_site / "atom.xml").read_bytes())
    assert feed.bozo == 0
    assert feed.entries[0].title == hostile("script")


def test_script_urls_in_front_matter_are_refused(make_site):
    site = make_site(
        {
            "content/a/x.md": "---\ntitle: 标题\ndate: 2024-01-01\n"
            "original_url: 'javascript:alert(1)'\n---\n"
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert "'original_url' must be a full http:// or https:// address" in result.err
