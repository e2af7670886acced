"""``provarchive new``: a new draft article, with its front matter, in an existing column."""

from __future__ import annotations

import argparse
import datetime as dt
import zoneinfo

import pytest

from conftest import column, run_cli
from provarchive import newarticle
from provarchive.articles import read_article_source
from provarchive.cli import make_parser
from provarchive.config import load_config
from provarchive.errors import ProvarchiveError
from provarchive.newarticle import PLACEHOLDER, create_article, yaml_text
from sitecheck import read_page

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 5, 8, 9, 30, tzinfo=SHANGHAI)


def wired(command: str) -> bool:
    """Whether ``command`` is a sub-command of cli.py's parser yet."""
    for action in make_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return command in action.choices
    return False


needs_cli = pytest.mark.skipif(not wired("new"), reason="not wired yet")


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯", 1),
            "content/zhxx/yywl/_column.yaml": column("要闻要论", 1),
            "content/zwgk/_column.yaml": column("政务公开", 2),
            "content/loose/a.md": "---\ntitle: 无栏目文件\ndate: 2024-01-01\n---\n",
        }
    )


def read_back(site, path):
    """The article a created file holds, read as the build reads it."""
    rel = path.relative_to(site / "content").as_posix()
    return read_article_source(path.read_bytes(), rel, str(path), load_config(site)).article


def test_creates_a_draft_with_every_field_in_the_column(site):
    path = create_article(site, "全县春耕生产有序推进", "zhxx/yywl", now=NOW)
    assert path == site / "content/zhxx/yywl/t20240508_001.md"
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        "title: 全县春耕生产有序推进\n"
        'date: "2024-05-08 09:30"\n'
        "kicker:\n"
        "subtitle:\n"
        "source:\n"
        "authors: []\n"
        "editor:\n"
        "tags: []\n"
        "draft: true\n"
        "---\n"
        "\n"
        f"{PLACEHOLDER}\n"
    )
    made = read_back(site, path)
    assert (made.title, made.draft, made.has_time) == ("全县春耕生产有序推进", True, True)
    assert made.date == NOW and made.authors == () and made.source is None


def test_default_date_is_now_in_the_site_time_zone(make_site):
    site = make_site(
        {"content/a/_column.yaml": column("甲")},
        config="title: 站\nbase_url: https://e.example/\ntimezone: America/New_York\n",
    )
    utc = dt.datetime(2024, 5, 8, 2, 15, tzinfo=dt.timezone.utc)  # 22:15 on the 7th in New York
    path = create_article(site, "标题", "a", now=utc)
    assert path.name == "t20240507_001.md"
    assert 'date: "2024-05-07 22:15"' in path.read_text(encoding="utf-8")
    new_york = zoneinfo.ZoneInfo("America/New_York")
    before = dt.datetime.now(new_york)
    path = create_article(site, "现在", "a")
    after = dt.datetime.now(new_york)
    assert path.name in {f"t{t:%Y%m%d}_001.md" for t in (before, after)}


def test_running_number_takes_the_first_free_one_of_the_day(site):
    folder = site / "content/zhxx/yywl"
    (folder / "t20240508_001.md").write_text("x", encoding="utf-8")
    (folder / "t20240508_003.md").write_text("x", encoding="utf-8")
    (folder / "t20240507_002.md").write_text("x", encoding="utf-8")
    names = [create_article(site, f"第{n}篇", "zhxx/yywl", now=NOW).name for n in range(3)]
    assert names == ["t20240508_002.md", "t20240508_004.md", "t20240508_005.md"]
    other_column = create_article(site, "别栏", "zwgk", now=NOW)
    assert other_column.name == "t20240508_001.md"


@pytest.mark.parametrize(
    ("given", "written", "has_time"),
    [
        ("2023-07-09", '"2023-07-09"', False),
        ("2023-07-09 15:33", '"2023-07-09 15:33"', True),
        ("2023-7-9 8:05", '"2023-07-09 08:05"', True),
    ],
)
def test_date_option_is_written_as_given(site, given, written, has_time):
    path = create_article(site, "标题", "zwgk", date=given, now=NOW)
    assert path.name == "t20230709_001.md"
    assert f"date: {written}\n" in path.read_text(encoding="utf-8")
    assert read_back(site, path).has_time is has_time


@pytest.mark.parametrize(
    "bad",
    [
        "2023/07/09",
        "July 9",
        "2023-02-30",
        "1800-01-01",
        "2023-07-09 25:00",
        "2023-07-09T15:33:00+08:00",
    ],
)
def test_bad_dates_are_refused(site, bad):
    with pytest.raises(ProvarchiveError, match="date"):
        create_article(site, "标题", "zwgk", date=bad)
    assert not list((site / "content/zwgk").glob("*.md"))


@pytest.mark.parametrize(
    "title",
    [
        "标题: 副标题",
        "第一 # 第二",
        "#话题",
        '他说"好"',
        "'单引号'开头",
        "“中文引号”",
        "[图文]春耕",
        "{专题}",
        "*重要*",
        "&符号",
        "!提示",
        "%百分",
        "@某人",
        "- 列表样",
        "? 问号",
        "| 竖线",
        "> 大于",
        "yes",
        "null",
        "2024",
        "1.5",
        "~",
        "true",
        "`反引号`",
        "标题\\反斜杠",
        "a: b: c",
        "末尾冒号:",
        "制表\t符",
        "  前后空格  ",
        "换行\n标题",
    ],
)
def test_titles_with_yaml_characters_read_back_exactly(site, title):
    path = create_article(site, title, "zwgk", now=NOW)
    expected = newarticle.clean_title(title)
    assert read_back(site, path).title == expected


def test_plain_titles_stay_unquoted_and_special_ones_are_quoted():
    assert yaml_text("全县春耕生产有序推进") == "全县春耕生产有序推进"
    assert yaml_text("标题: 副标题") == '"标题: 副标题"'
    assert yaml_text('他说"好"') == '"他说\\"好\\""'
    assert yaml_text("[图文]春耕") == '"[图文]春耕"'
    assert yaml_text("2024") == '"2024"'
    assert newarticle.clean_title("换行\n标题") == "换行标题"
    assert newarticle.clean_title("two\nlines") == "two lines"


@pytest.mark.parametrize("title", ["", "   ", "\n", "坏\x00字符"])
def test_empty_or_control_character_titles_are_refused(site, title):
    with pytest.raises(ProvarchiveError, match="title"):
        create_article(site, title, "zwgk", now=NOW)


def test_slug_names_the_file_and_is_validated(site):
    path = create_article(site, "标题", "zwgk", slug="chungeng", now=NOW)
    assert path == site / "content/zwgk/chungeng.md"
    assert create_article(site, "标题", "zwgk", slug="b.md", now=NOW).name == "b.md"
    for bad in ("a/b", "../x", ".hidden", "_skip", "a:b", ""):
        with pytest.raises(ProvarchiveError, match="slug"):
            create_article(site, "标题", "zwgk", slug=bad, now=NOW)


def test_never_overwrites(site):
    path = create_article(site, "第一篇", "zwgk", slug="same", now=NOW)
    with pytest.raises(ProvarchiveError, match="exists already and is never overwritten"):
        create_article(site, "第二篇", "zwgk", slug="same", now=NOW)
    assert "第一篇" in path.read_text(encoding="utf-8")


def test_unknown_column_lists_the_columns_with_titles(site, monkeypatch):
    monkeypatch.chdir(site)
    with pytest.raises(ProvarchiveError) as caught:
        create_article(site.relative_to(site), "标题", "zhxx/yw", now=NOW)
    assert str(caught.value) == (
        "content/zhxx/yw: error: no column 'zhxx/yw' (a column is a folder under content/ "
        "with a _column.yaml); use --column with one of:\n"
        "  zhxx       综合资讯\n"
        "  zhxx/yywl  要闻要论\n"
        "  zwgk       政务公开"
    )
    for bad in ("loose", "../zhxx", "", "zhxx/yywl/../../x"):
        with pytest.raises(ProvarchiveError, match="column"):
            create_article(site, "标题", bad, now=NOW)


def test_column_path_may_carry_content_prefix_and_slashes(site):
    path = create_article(site, "标题", "/content/zhxx/yywl/", now=NOW)
    assert path.parent == site / "content/zhxx/yywl"


def test_site_without_columns_says_how_to_make_one(make_site):
    site = make_site({})
    with pytest.raises(ProvarchiveError, match="the site has no columns yet"):
        create_article(site, "标题", "zhxx", now=NOW)


def test_missing_site_config_is_a_clean_error(tmp_path):
    with pytest.raises(ProvarchiveError, match=r"no site\.yaml here"):
        create_article(tmp_path, "标题", "zhxx", now=NOW)


@needs_cli
def test_cli_creates_prints_and_the_draft_builds(site, monkeypatch):
    monkeypatch.chdir(site)
    result = run_cli(
        "new", "标题: 带冒号的 #标题", "--column", "zhxx/yywl", "--date", "2024-05-08 09:30"
    )
    assert result.code == 0, result.err
    assert result.out == (
        "created content/zhxx/yywl/t20240508_001.md as a draft; set draft: false to publish it\n"
    )
    built = run_cli("build", ".", "--drafts")
    assert built.code == 0, built.err
    page = read_page(site / "public/zhxx/yywl/202405/t20240508_001.html")
    assert "标题: 带冒号的 #标题" in page.text and PLACEHOLDER in page.text
    assert run_cli("build", ".").code == 0
    assert not (site / "public/zhxx/yywl/202405/t20240508_001.html").exists()


@needs_cli
def test_cli_errors_exit_1_without_traceback(site, monkeypatch):
    monkeypatch.chdir(site)
    result = run_cli("new", "标题", "--column", "nope")
    assert result.code == 1
    assert result.err.startswith("content/nope: error: no column 'nope'")
    assert "zhxx/yywl  要闻要论" in result.err and "Traceback" not in result.err
    assert run_cli("new", "标题", "--column", "zwgk", "--slug", "x").code == 0
    again = run_cli("new", "标题", "--column", "zwgk", "--slug", "x")
    assert (again.code, again.err) == (
        1,
        "content/zwgk/x.md: error: the file exists already and is never overwritten; "
        "choose another --slug, or edit that file\n",
    )
    assert run_cli("new", "标题", "--column", "zwgk", "--date", "昨天").code == 1
    assert run_cli("new", "标题").code == 2  # --column is required
    helped = run_cli("new", "--help")
    assert helped.code == 0 and "draft" in helped.out and "--column" in helped.out


@needs_cli
def test_cli_site_option_names_the_site(site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "标题", "--site", "site", "--column", "zwgk", "--date", "2024-01-02")
    assert result.code == 0, result.err
    assert result.out.startswith("created site/content/zwgk/t20240102_001.md as a draft")
