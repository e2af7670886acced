"""site.yaml: defaults, validation, and exact messages naming key and line."""

from __future__ import annotations

import pytest

from provarchive.config import load_config
from provarchive.errors import ConfigError, ErrorGroup, ProvarchiveError
from provarchive.model import DEFAULT_PERMALINK


def errors_for(tmp_path, text: str) -> list[str]:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    try:
        load_config(tmp_path)
    except ErrorGroup as group:
        return [str(error).replace(str(tmp_path) + "/", "") for error in group]
    except ProvarchiveError as error:
        return [str(error).replace(str(tmp_path) + "/", "")]
    return []


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.yaml").write_text("title: 档案\nbase_url: https://a.example/x\n")
    config = load_config(tmp_path)
    assert config.base_url == "https://a.example/x/"
    assert (config.language, config.timezone, config.per_page) == ("zh-CN", "Asia/Shanghai", 20)
    assert config.permalink == DEFAULT_PERMALINK == "{column}/{year}{month}/{slug}.html"
    assert (config.output, config.home_label) == ("public", "首页")
    assert config.markdown.html is False


def test_every_mistake_is_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (
        "title: 档案\n"
        "base_url: example.gov.cn\n"
        "per_page: 0\n"
        "timezone: Mars/Olympus\n"
        "permalink: '{column}/{yr}/{slug}.html'\n"
        "outptu: site\n"
        "markdown: {html: yes, xss: 1}\n"
    )
    assert errors_for(tmp_path, text) == [
        "site.yaml:2: error: 'base_url' must be the absolute address the site is published at, "
        "such as https://example.gov.cn/archive/, not 'example.gov.cn'",
        "site.yaml:3: error: 'per_page' must be a whole number of at least 1, not 0",
        "site.yaml:4: error: 'timezone' unknown time zone 'Mars/Olympus'; "
        "use a name such as Asia/Shanghai",
        "site.yaml:5: error: 'permalink' unknown token {yr} in permalink; "
        "use {column} {year} {month} {day} {slug}",
        "site.yaml:6: error: unknown key 'outptu' (did you mean 'output'?)",
        "site.yaml:7: error: 'markdown' has unknown key 'xss'",
    ]


def test_missing_required_keys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert errors_for(tmp_path, "language: zh-CN\n") == [
        "site.yaml:1: error: missing required key 'base_url'",
        "site.yaml:1: error: missing required key 'title'",
    ]


@pytest.mark.parametrize(
    ("permalink", "message"),
    [
        ("../{slug}.html", "permalink must not contain '.' or '..' segments: '../s.html'"),
        ("/{slug}.html", "permalink must be a relative path, not '/s.html'"),
        ("{column}/{year}.html", "permalink must contain {slug}, or articles would share one page"),
        ("a\\\\{slug}.html", "permalink contains a backslash; use / between folders"),
        ("%2e%2e/{slug}.html", "permalink must not contain '.' or '..' segments: '%2e%2e/s.html'"),
    ],
)
def test_permalinks_that_leave_the_output_are_refused(tmp_path, monkeypatch, permalink, message):
    monkeypatch.chdir(tmp_path)
    text = f'title: t\nbase_url: https://a.example/\npermalink: "{permalink}"\n'
    assert errors_for(tmp_path, text) == [f"site.yaml:3: error: 'permalink' {message}"]


def test_missing_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == (
        "site.yaml: error: no site.yaml here; run provarchive in a site folder or name one "
        "(provarchive build SITE)"
    )


def test_yaml_syntax_error_names_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert errors_for(tmp_path, "title: 档案\nbase_url: a: b\n") == [
        "site.yaml:2: error: site config: mapping values are not allowed in this context "
        "(a value contains ': '; put the whole value in quotes)"
    ]
