"""Our importer reads our own pages perfectly: every built article page of the example
archive parses back to the fields its Markdown file gave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from provarchive.config import load_config
from provarchive.model import Article, Column
from provarchive.reading import read_content
from provarchive.walk import scan_content


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The example archive built into a temporary folder."""
    out = tmp_path_factory.mktemp("roundtrip") / "public"
    result = run_cli("build", REPO, "-o", out)
    assert result.code == 0, result.err
    return out


def expected(article: Article, columns: dict[str, Column], home: str) -> dict:
    """The fields ``parse --json`` must give back for ``article``."""
    trail, path = [], article.column
    while path:
        trail.insert(0, columns[path].title)
        path = columns[path].parent or ""
    return {
        "title": article.title,
        "kicker": article.kicker,
        "subtitle": article.subtitle,
        "date": article.date.strftime("%Y-%m-%d"),
        "time": article.date.strftime("%H:%M") if article.has_time else None,
        "source": article.source,
        "authors": list(article.authors),
        "editor": article.editor,
        "breadcrumb": [home, *trail],
        "column": None,
    }


def test_every_article_of_the_example_parses_back_exactly(example):
    config = load_config(REPO)
    tree = read_content(REPO, config, scan_content(REPO), drafts=False, jobs=1)
    assert not tree.errors
    articles = sorted(tree.articles.values(), key=lambda a: a.url)
    assert len(articles) >= 60
    pages = [example / article.url for article in articles]
    result = run_cli("parse", "--json", *pages)
    assert result.code == 0, result.err
    parsed = [json.loads(line) for line in result.out.splitlines()]
    assert len(parsed) == len(articles)
    wrong = []
    for article, found in zip(articles, parsed, strict=True):
        want = expected(article, tree.columns, config.home_label)
        got = {key: found[key] for key in want}
        if got != want:
            wrong.append((article.id, {k: (want[k], got[k]) for k in want if want[k] != got[k]}))
    assert wrong == [], "\n".join(map(str, wrong))
