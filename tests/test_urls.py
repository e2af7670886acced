"""Slugs, URLs and output paths."""

from __future__ import annotations

import datetime as dt
import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provarchive.urls import (
    absolute_url,
    alias_path,
    article_path,
    check_site_path,
    check_slug,
    index_path,
    relative_url,
    root_prefix,
    slugify_text,
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("综合资讯", "zong-he-zi-xun"),
        ("重庆", "chong-qing"),
        ("银行行长", "yin-hang-hang-zhang"),
        ("科技创新 2023", "ke-ji-chuang-xin-2023"),
        ("COVID-19 防控", "covid-19-fang-kong"),
        ("Hello World", "hello-world"),
    ],
)
def test_slugify_text_uses_pinyin_in_context(text, slug):
    assert slugify_text(text) == slug


def test_slug_is_never_empty():
    slug = slugify_text("！！！")
    assert slug.startswith("x-") and len(slug) == 10
    assert slugify_text("！！！") == slug
    assert slugify_text("？？？") != slug


def test_article_path_from_permalink():
    date = dt.datetime(2023, 7, 9, 15, 33)
    pattern = "{column}/{year}{month}/{slug}.html"
    assert article_path(pattern, "zhxx/yywl", date, "t1") == "zhxx/yywl/202307/t1.html"
    assert article_path(pattern, "", date, "t1") == "202307/t1.html"
    assert (
        article_path("{year}/{month}/{day}/{slug}/", "a", date, "t1") == "2023/07/09/t1/index.html"
    )


def test_index_paths():
    assert index_path("zhxx") == "zhxx/index.html"
    assert index_path("zhxx/yywl", 3) == "zhxx/yywl/index_3.html"


def test_relative_urls_between_pages():
    assert relative_url("zhxx/yywl/202307/a.html", "zhxx/index.html") == "../../index.html"
    assert relative_url("index.html", "zhxx/index.html") == "zhxx/index.html"
    assert relative_url("zhxx/index.html", "static/style.css") == "../static/style.css"
    assert root_prefix("zhxx/yywl/index.html") == "../../"


def test_absolute_urls_drop_index_html():
    base = "https://example.gov.cn/archive/"
    assert absolute_url(base, "index.html") == base
    assert absolute_url(base, "zhxx/index.html") == base + "zhxx/"
    assert absolute_url(base, "zhxx/a.html") == base + "zhxx/a.html"


@pytest.mark.parametrize(
    ("alias", "path"),
    [
        ("/zhxx/yywl/202307/t20230709_123456.shtml", "zhxx/yywl/202307/t20230709_123456.shtml"),
        ("/old/news/", "old/news/index.html"),
        ("html/2024/a.htm", "html/2024/a.htm"),
    ],
)
def test_alias_paths(alias, path):
    assert alias_path(alias) == path


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("/../etc/passwd", "alias must not contain '.' or '..' segments"),
        ("/a/%2e%2e/%2e%2e/x.html", "alias must not contain '.' or '..' segments"),
        ("/a\\b.html", "alias contains a backslash"),
        ("/a\x00.html", "alias contains a NUL character"),
        ("/show.asp?id=3", "has a query or fragment"),
        ("http://other.example/a.html", "must be a path on this site"),
        ("//other.example/a.html", "must be a relative path"),
        ("/", "would replace the home page"),
    ],
)
def test_aliases_that_escape_are_refused(alias, message):
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace("(", r"\(")):
        alias_path(alias)


@pytest.mark.parametrize("slug", ["a/b", "..", ".hidden", "a%2fb", "a:b", ""])
def test_bad_slugs(slug):
    with pytest.raises(ValueError):
        check_slug(slug)


segment = st.sampled_from(["a", "b", "zhxx", "yywl", "202307"])


@given(st.lists(segment, max_size=4), st.lists(segment, max_size=4))
def test_relative_url_agrees_with_posixpath(from_dirs, to_dirs):
    from_path = "/".join([*from_dirs, "page.html"])
    to_path = "/".join([*to_dirs, "target.html"])
    expected = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    assert relative_url(from_path, to_path) == expected


def test_safe_site_path_passes():
    assert check_site_path("zhxx/yywl/202307/a.html", "path") == "zhxx/yywl/202307/a.html"
