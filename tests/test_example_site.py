"""The example archive in the repository: it builds, meets the brief, and every link works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli
from sitecheck import crawl, read_page


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The example archive built into a temporary folder."""
    out = tmp_path_factory.mktemp("example") / "public"
    result = run_cli("build", REPO, "-o", out)
    assert result.code == 0, result.err
    said = [line for line in result.err.splitlines() if ": note: " not in line]
    assert said == [], "the example archive must build without warnings"
    return out


def articles_by_column() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted((REPO / "content").rglob("*.md")):
        found.setdefault(path.parent.relative_to(REPO / "content").as_posix(), []).append(path)
    return found


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def test_archive_meets_the_brief():
    by_column = articles_by_column()
    assert sum(len(paths) for paths in by_column.values()) >= 60
    tops = [p for p in (REPO / "content").iterdir() if (p / "_column.yaml").is_file()]
    assert len(tops) >= 3
    for top in tops:
        subs = [p for p in top.iterdir() if (p / "_column.yaml").is_file()]
        assert len(subs) >= 2, top
    metas = [front_matter(p) for paths in by_column.values() for p in paths]
    assert sum("kicker" in m for m in metas) >= 10
    assert sum("subtitle" in m for m in metas) >= 5
    assert all(m.get("source") and m.get("authors") for m in metas)
    assert sum(bool(m.get("tags")) for m in metas) >= 50


def test_every_page_is_reachable_and_no_link_is_broken(example):
    result = crawl(example)
    assert result.broken == []
    html_files = {
        p.relative_to(example).as_posix()
        for p in example.rglob("*.html")
        if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")  # legacy-URL redirects
    }
    assert html_files - {"404.html"} <= result.reached
    redirects = [
        p for p in example.rglob("*.*htm*") if p.relative_to(example).as_posix() not in html_files
    ]
    assert redirects, "the example archive has aliases"
    for redirect in redirects:
        walk = crawl(example, redirect.relative_to(example).as_posix())
        assert walk.broken == [] and len(walk.reached) > 1, redirect


def test_every_article_and_column_page_exists(example):
    for column_dir in (REPO / "content").rglob("_column.yaml"):
        rel = column_dir.parent.relative_to(REPO / "content").as_posix()
        assert (example / rel / "index.html").is_file(), rel
    for paths in articles_by_column().values():
        for path in paths:
            meta = front_matter(path)
            if meta.get("draft"):
                continue
            date = str(meta["date"])
            column = path.parent.relative_to(REPO / "content").as_posix()
            page = example / column / f"{date[:4]}{date[5:7]}" / f"{path.stem}.html"
            assert page.is_file(), page
            assert meta["title"] in read_page(page).text


def test_a_column_index_has_several_pages(example):
    pages = sorted(example.glob("*/index_*.html"))
    assert pages, "some top-level column should need more than one page"
    numbers = {int(re.search(r"index_(\d+)", p.name).group(1)) for p in pages}
    assert 2 in numbers


def test_drafts_are_not_published(example):
    drafts = [
        path
        for paths in articles_by_column().values()
        for path in paths
        if front_matter(path).get("draft")
    ]
    assert drafts, "the example archive keeps a draft to show they are left out"
    for path in drafts:
        assert not list(example.rglob(f"{path.stem}.html"))
