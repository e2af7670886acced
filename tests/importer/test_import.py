"""The import step: legacy pages to Markdown articles and column folders in content/.

Every test imports into a real temporary site (``make_site``) by calling
:func:`import_pages` / :func:`plan_import`. Pages are invented (岚山省 is fictional);
the fixtures are in ``tests/fixtures/import_sites/``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SEEDS, column, examples, run_cli, snapshot
from provarchive.articles import validate_front_matter
from provarchive.errors import OutputError, ProvarchiveError
from provarchive.frontmatter import split_front_matter
from provarchive.importer.write import write
from provarchive.importer.write.store import (
    ImportReport,
    format_report,
    import_pages,
    page_paths,
    plan_import,
    plan_pages,
)
from provarchive.importer.write.store_existing import scan_content
from provarchive.importer.write.store_records import ImportOptions
from provarchive.importer.write.store_text import (
    article_text,
    clean_line,
    clean_lines,
    clean_names,
    escape_body,
    is_unmodified,
    without_hash_line,
)
from provarchive.markup import MarkdownRenderer
from provarchive.model import MarkdownOptions, SiteConfig
from provarchive.yamlfile import load_mapping

PAGES = REPO / "tests" / "fixtures" / "import_sites"
FULL = PAGES / "yywl_full.txt"
COUNTY = PAGES / "county_news.html"
CONFIG = SiteConfig(title="测试", base_url="https://news.example.gov.cn/archive/")
PARAGRAPH = "岚山省各地认真落实各项部署，持续推动重点工作取得新进展，群众获得感不断增强。"


def page(
    title: str = "岚山省召开秋季农业生产工作会议",
    crumbs: tuple[str, ...] = ("首页", "综合资讯", "要闻要论"),
    date: str = "2023-07-09",
    url: str | None = None,
    body: str = PARAGRAPH,
) -> bytes:
    """Return a crawled text page with the given fields."""
    lines = [f"原文链接：{url}"] if url else []
    if crumbs:
        lines.append("当前位置：" + " > ".join(crumbs))
    lines += ["", title, "", f"发布时间：{date}　来源：岚山日报", ""]
    lines += [f"　　{paragraph}" for paragraph in body.split("\n\n")]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_pages(folder: Path, pages: dict[str, bytes]) -> list[Path]:
    """Write pages into ``folder`` and return their paths, in the given order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in pages.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def md_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in (site / "content").rglob("*.md"))


def meta_of(path: Path) -> dict:
    """Return the validated front matter of an article file, as the build reads it."""
    split = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    validate_front_matter(split.meta, str(path), CONFIG)
    return dict(split.meta)


def expect_ok(report: ImportReport) -> ImportReport:
    assert not report.errors, [str(e) for e in report.errors]
    return report


def short_hash(title: str, date: str) -> str:
    return hashlib.sha1((title + date).encode()).hexdigest()[:6]


# --- column folders ---------------------------------------------------------------


def test_breadcrumb_columns_get_pinyin_folders(make_site, tmp_path):
    site = make_site({})
    (source,) = write_pages(tmp_path / "in", {"a.txt": page()})
    report = expect_ok(import_pages([source], site))
    name = f"t20230709_{short_hash('岚山省召开秋季农业生产工作会议', '2023-07-09')}.md"
    assert [e.content_path for e in report.created] == [
        "content/zong-he-zi-xun/_column.yaml",
        "content/zong-he-zi-xun/yao-wen-yao-lun/_column.yaml",
        f"content/zong-he-zi-xun/yao-wen-yao-lun/{name}",
    ]
    content = site / "content"
    assert (content / "zong-he-zi-xun/_column.yaml").read_text("utf-8") == "title: 综合资讯\n"
    assert (content / "zong-he-zi-xun/yao-wen-yao-lun/_column.yaml").read_text("utf-8") == (
        "title: 要闻要论\n"
    )
    assert report.created[-1].source == str(source)


def test_existing_column_folders_are_reused_by_title(make_site, tmp_path):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/yywl/_column.yaml": column("要闻要论"),
        }
    )
    (source,) = write_pages(tmp_path / "in", {"a.txt": page()})
    report = expect_ok(import_pages([source], site))
    assert [e.kind for e in report.created] == ["article"]
    assert report.created[0].content_path.startswith("content/zhxx/yywl/t20230709_")


def test_reuse_stops_where_titles_stop_matching(make_site, tmp_path):
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")})
    (source,) = write_pages(tmp_path / "in", {"a.txt": page()})
    report = expect_ok(import_pages([source], site))
    assert report.created[0].content_path == "content/zhxx/yao-wen-yao-lun/_column.yaml"


def test_legacy_url_segments_name_new_folders(make_site):
    site = make_site({})
    report = expect_ok(import_pages([FULL], site))
    assert [e.content_path for e in report.created] == [
        "content/zhxx/_column.yaml",
        "content/zhxx/yywl/_column.yaml",
        "content/zhxx/yywl/t20230709_123456.md",
    ]
    assert (site / "content/zhxx/_column.yaml").read_text("utf-8") == "title: 综合资讯\n"
    assert (site / "content/zhxx/yywl/_column.yaml").read_text("utf-8") == "title: 要闻要论\n"


def test_url_argument_gives_the_legacy_address(make_site, tmp_path):
    site = make_site({})
    (source,) = write_pages(tmp_path / "in", {"a.txt": page()})
    url = "http://www.lanshan-example.gov.cn/zhxx/yywl/2023-07/09/content_4321.htm"
    report = expect_ok(import_pages([source], site, url=url))
    assert report.created[-1].content_path == "content/zhxx/yywl/t20230709_4321.md"
    meta = meta_of(site / report.created[-1].content_path)
    assert meta["original_url"] == url
    assert meta["aliases"] == ["/zhxx/yywl/2023-07/09/content_4321.htm"]


def test_url_argument_is_for_one_page_only(make_site, tmp_path):
    site = make_site({})
    sources = write_pages(tmp_path / "in", {"a.txt": page(), "b.txt": page(title="另一篇文章标题")})
    report = import_pages(sources, site, url="http://www.lanshan-example.gov.cn/a/1.html")
    assert report.blocked and "one page" in str(report.errors[0])
    assert md_files(site) == []


def test_legacy_segments_are_used_only_when_they_line_up(make_site, tmp_path):
    site = make_site({})
    url = "http://www.lanshan-example.gov.cn/news/2023/07/09/987.html"
    (source,) = write_pages(tmp_path / "in", {"a.txt": page(url=url)})
    report = expect_ok(import_pages([source], site))
    assert (
        report.created[-1].content_path == "content/zong-he-zi-xun/yao-wen-yao-lun/t20230709_987.md"
    )


def test_taken_and_reserved_folder_names_are_not_reused(make_site, tmp_path):
    site = make_site({"content/zong-he-zi-xun/_column.yaml": column("其他栏目")})
    url = "http://www.lanshan-example.gov.cn/tags/202307/t20230709_77.shtml"
    sources = write_pages(
        tmp_path / "in",
        {
            "a.txt": page(),
            "b.txt": page(title="岚山省发布最新标签新闻", crumbs=("首页", "标签新闻"), url=url),
        },
    )
    report = expect_ok(import_pages(sources, site))
    paths = [e.content_path for e in report.created if e.kind == "article"]
    assert paths[0].startswith("content/zong-he-zi-xun-2/yao-wen-yao-lun/")
    assert paths[1] == "content/biao-qian-xin-wen/t20230709_77.md"  # not content/tags/


def test_traditional_home_crumb_is_dropped(make_site, tmp_path):
    site = make_site({})
    (source,) = write_pages(tmp_path / "in", {"a.txt": page(crumbs=("網站首頁", "新聞中心"))})
    report = expect_ok(import_pages([source], site))
    assert report.created[0].content_path == "content/xin-wen-zhong-xin/_column.yaml"


def test_column_option_wins(make_site):
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")})
    report = expect_ok(import_pages([FULL, COUNTY], site, column="/zhxx/"))
    assert [e.content_path for e in report.created] == [
        "content/zhxx/t20230709_123456.md",
        "content/zhxx/t20231012_765432.md",
    ]


def test_column_option_creates_missing_folders_titled_by_name(make_site):
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")})
    report = expect_ok(import_pages([FULL], site, column="zhxx/yywl"))
    assert report.created[0].content_path == "content/zhxx/yywl/_column.yaml"
    assert (site / "content/zhxx/yywl/_column.yaml").read_text("utf-8") == "title: yywl\n"
    assert [str(w) for w in report.warnings] == [
        "content/zhxx/yywl: warning: new column titled 'yywl'; "
        "give it its display name in _column.yaml"
    ]


@pytest.mark.parametrize("bad", ["../outside", "a/../b", "", "_hidden", ".git", "a//b"])
def test_column_option_must_be_a_folder_under_content(make_site, bad):
    site = make_site({})
    report = import_pages([FULL], site, column=bad)
    assert report.blocked and "--column" in str(report.errors[0])
    assert not (site / "content").exists() or md_files(site) == []
    assert not (site.parent / "outside").exists()


def test_column_line_names_the_column_without_breadcrumb(make_site):
    site = make_site({})
    report = expect_ok(import_pages([PAGES / "column_line.txt"], site))
    assert report.created[0].content_path == "content/tong-zhi-gong-gao/_column.yaml"
    assert (site / "content/tong-zhi-gong-gao/_column.yaml").read_text(
        "utf-8"
    ) == "title: 通知公告\n"


def test_pages_naming_no_column_go_to_imported(make_site):
    site = make_site({})
    report = expect_ok(import_pages([PAGES / "bare.txt"], site))
    assert report.created[0].content_path == "content/imported/_column.yaml"
    assert (site / "content/imported/_column.yaml").read_text("utf-8") == "title: 导入文章\n"


# --- file names and front matter ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://a.example.gov.cn/x/202307/t20230701_555.shtml", "t20230701_555.md"),
        ("http://a.example.gov.cn/x/content_98765.htm", "t20230709_98765.md"),
        ("http://a.example.gov.cn/x/art_12_3456.html", "t20230709_3456.md"),
        ("http://a.example.gov.cn/x/show.asp?id=5", None),
        (None, None),
    ],
)
def test_file_names(make_site, tmp_path, url, name):
    site = make_site({})
    (source,) = write_pages(tmp_path / "in", {"a.txt": page()})
    plan = plan_import([source], site, ImportOptions(column="x", url=url))
    expected = name or f"t20230709_{short_hash('岚山省召开秋季农业生产工作会议', '2023-07-09')}.md"
    assert plan.files[-1].content_path == f"content/x/{expected}"


@pytest.mark.parametrize(
    ("saved", "name"),
    [
        ("t20240412_5566.html", "t20240412_5566.md"),
        ("content_98765.htm", "t20230709_98765.md"),
        ("art_12_3456.shtml", "t20230709_3456.md"),
        ("000_139d6f125a4d7ad2.txt", None),  # a crawler's hash, not a legacy id
        ("page1.txt", None),
    ],
)
def test_file_names_from_the_saved_file_without_url(make_site, tmp_path, saved, name):
    site = make_site({})
    (source,) = write_pages(tmp_path / "in", {saved: page()})
    plan = plan_import([source], site, ImportOptions(column="x"))
    expected = name or f"t20230709_{short_hash('岚山省召开秋季农业生产工作会议', '2023-07-09')}.md"
    assert plan.files[-1].content_path == f"content/x/{expected}"


def test_a_legacy_url_id_wins_over_the_saved_file_name(make_site, tmp_path):
    site = make_site({})
    (source,) = write_pages(tmp_path / "in", {"t20240412_5566.html": page()})
    url = "http://a.example.gov.cn/x/202307/t20230701_555.shtml"
    plan = plan_import([source], site, ImportOptions(column="x", url=url))
    assert plan.files[-1].content_path == "content/x/t20230701_555.md"


def test_every_front_matter_field(make_site):
    site = make_site({})
    expect_ok(import_pages([FULL], site))
    text = (site / "content/zhxx/yywl/t20230709_123456.md").read_text("utf-8")
    head, _, body = text.partition("\n---\n\n")
    digest = re.search(r"import_hash: ([0-9a-f]{40})", head).group(1)
    assert head.split("\n") == [
        "---",
        "title: 凝心聚力推动岚山高质量发展",
        "kicker: 全省上下干部群众热议省委全会精神",
        "subtitle: 来自各市县的报道",
        'date: "2023-07-09 15:33"',
        "source: 岚山日报",
        "authors: [林晓岚, 周子墨]",
        "editor: 宋清和",
        "original_url: http://www.lanshan-example.gov.cn/zhxx/yywl/202307/t20230709_123456.shtml",
        "aliases: [/zhxx/yywl/202307/t20230709_123456.shtml]",
        f"import_hash: {digest}",
    ]
    assert body.startswith("7月8日，省委全会胜利闭幕。") and body.endswith("根本遵循。\n")
    meta = meta_of(site / "content/zhxx/yywl/t20230709_123456.md")
    assert meta["authors"] == ["林晓岚", "周子墨"]


def test_alias_left_out_when_the_article_page_is_at_the_legacy_address(make_site):
    site = make_site({})
    report = expect_ok(import_pages([COUNTY], site))
    assert report.created[-1].content_path == "content/xwzx/xqdt/t20231012_765432.md"
    meta = meta_of(site / "content/xwzx/xqdt/t20231012_765432.md")
    assert "aliases" not in meta  # the permalink gives xwzx/xqdt/202310/t20231012_765432.html
    assert meta["original_url"].endswith("/xwzx/xqdt/202310/t20231012_765432.html")
    assert meta["date"] == "2023-10-12"


def test_alias_already_used_by_another_article_is_left_out(make_site, tmp_path):
    alias = "/zhxx/yywl/202307/t20230709_123456.shtml"
    site = make_site(
        {"content/a/x.md": f"---\ntitle: 旧文\ndate: 2020-01-01\naliases: [{alias}]\n---\n"}
    )
    report = expect_ok(import_pages([FULL], site))
    meta = meta_of(site / report.created[-1].content_path)
    assert "aliases" not in meta
    assert "already used by content/a/x.md" in str(report.warnings[0])


@pytest.mark.parametrize(
    "value",
    ["2023", "2023-07-09", "yes", "null", "on", "1.5", "- 岚山", "岚山: 新闻", "#1", "'引号'"],
)
def test_values_that_look_like_other_types_stay_text(value):
    fields = {
        "title": value,
        "kicker": f"{value}\n{value}",
        "date": "2023-07-09",
        "source": value,
        "authors": [value, "王明"],
        "editor": value,
    }
    text = article_text(fields, "正文。")
    meta = split_front_matter(text, "a.md").meta
    validate_front_matter(meta, "a.md", CONFIG)
    assert meta["title"] == meta["source"] == meta["editor"] == value
    assert meta["kicker"] == f"{value}\n{value}"
    assert meta["authors"] == [value, "王明"]
    assert meta["date"] == "2023-07-09"


def test_import_hash_is_the_hash_of_the_text_without_its_line(make_site):
    site = make_site({})
    expect_ok(import_pages([FULL], site))
    text = (site / "content/zhxx/yywl/t20230709_123456.md").read_text("utf-8")
    rest, recorded = without_hash_line(text)
    assert "import_hash" not in rest and recorded == hashlib.sha1(rest.encode()).hexdigest()
    assert meta_of(site / "content/zhxx/yywl/t20230709_123456.md")["import_hash"] == recorded
    assert is_unmodified(text) and not is_unmodified(text.replace("岚山日报", "岚山晚报"))
    assert plan_import([FULL], site).files[0].text == text  # byte-stable


# --- re-import -----------------------------------------------------------------------


def test_reimport_of_the_same_page_is_unchanged(make_site):
    site = make_site({})
    expect_ok(import_pages([FULL], site))
    before = snapshot(site / "content")
    report = expect_ok(import_pages([FULL], site))
    assert [(e.action, e.content_path) for e in report.entries] == [
        ("unchanged", "content/zhxx/yywl/t20230709_123456.md")
    ]
    assert snapshot(site / "content") == before


def test_reimport_updates_an_unmodified_article_in_place(make_site, tmp_path):
    site = make_site({})
    url = "http://www.lanshan-example.gov.cn/zhxx/yywl/202307/t20230709_42.shtml"
    (first,) = write_pages(tmp_path / "v1", {"a.txt": page(url=url)})
    (second,) = write_pages(
        tmp_path / "v2", {"a.txt": page(url=url, body=PARAGRAPH + "\n\n" + PARAGRAPH)}
    )
    expect_ok(import_pages([first], site))
    report = expect_ok(import_pages([second], site))
    assert [(e.action, e.content_path) for e in report.entries] == [
        ("update", "content/zhxx/yywl/t20230709_42.md")
    ]
    body = (site / "content/zhxx/yywl/t20230709_42.md").read_text("utf-8").partition("\n---\n\n")[2]
    assert body == f"{PARAGRAPH}\n\n{PARAGRAPH}\n"
    assert is_unmodified((site / "content/zhxx/yywl/t20230709_42.md").read_text("utf-8"))


def test_reimport_finds_a_moved_article_by_original_url(make_site):
    site = make_site({"content/archive2023/_column.yaml": column("二〇二三年")})
    expect_ok(import_pages([FULL], site))
    moved = site / "content/archive2023/renamed.md"
    (site / "content/zhxx/yywl/t20230709_123456.md").rename(moved)
    report = expect_ok(import_pages([FULL], site))
    assert [(e.action, e.content_path) for e in report.entries] == [
        ("unchanged", "content/archive2023/renamed.md")
    ]
    assert md_files(site) == ["content/archive2023/renamed.md"]


def test_edited_article_is_not_overwritten_unless_forced(make_site, tmp_path):
    site = make_site({})
    url = "http://www.lanshan-example.gov.cn/zhxx/yywl/202307/t20230709_42.shtml"
    (first,) = write_pages(tmp_path / "v1", {"a.txt": page(url=url)})
    (second,) = write_pages(
        tmp_path / "v2",
        {"a.txt": page(url=url, body="更新后的正文内容，岚山省各地持续推进重点工作。")},
    )
    expect_ok(import_pages([first], site))
    target = site / "content/zhxx/yywl/t20230709_42.md"
    edited = (
        target.read_text("utf-8")
        .replace("来源", "来源")
        .replace(PARAGRAPH, PARAGRAPH + "（编者补充）")
    )
    target.write_text(edited, encoding="utf-8")

    report = expect_ok(import_pages([second], site))
    assert [(e.action, e.content_path) for e in report.entries] == [
        ("skip", "content/zhxx/yywl/t20230709_42.md")
    ]
    assert [str(w) for w in report.warnings] == [
        f"{target}: warning: edited since it was imported; not overwritten (use --force to replace it)"
    ]
    assert target.read_text("utf-8") == edited

    report = expect_ok(import_pages([second], site, force=True))
    assert [e.action for e in report.entries] == ["update"]
    assert "更新后的正文内容" in target.read_text("utf-8")


def test_hand_written_article_at_the_same_path_is_not_overwritten(make_site, tmp_path):
    name = f"t20230709_{short_hash('岚山省召开秋季农业生产工作会议', '2023-07-09')}.md"
    hand = "---\ntitle: 手写的文章\ndate: 2023-07-09\n---\n\n编辑手写。\n"
    site = make_site({f"content/x/{name}": hand})
    (source,) = write_pages(tmp_path / "in", {"a.txt": page()})
    report = expect_ok(import_pages([source], site, column="x"))
    assert [e.action for e in report.entries] == ["skip"]
    assert "has no import_hash" in str(report.warnings[0])
    assert (site / f"content/x/{name}").read_text("utf-8") == hand


def test_two_pages_for_one_file_get_a_numbered_suffix(make_site, tmp_path):
    site = make_site({})
    sources = write_pages(
        tmp_path / "in",
        {
            "a.txt": page(),
            "b.txt": page(body="另一篇内容完全不同的文章正文，讲述岚山省的另一件事情。"),
        },
    )
    report = expect_ok(import_pages(sources, site, column="x"))
    stem = f"t20230709_{short_hash('岚山省召开秋季农业生产工作会议', '2023-07-09')}"
    assert [e.content_path for e in report.created if e.kind == "article"] == [
        f"content/x/{stem}.md",
        f"content/x/{stem}_2.md",
    ]
    assert run_cli("build", site).code == 0


def test_same_original_url_twice_the_later_page_wins(make_site, tmp_path):
    site = make_site({})
    url = "http://www.lanshan-example.gov.cn/zhxx/yywl/202307/t20230709_42.shtml"
    sources = write_pages(
        tmp_path / "in",
        {
            "a.txt": page(url=url),
            "b.txt": page(
                url=url, date="2023-07-10", body="后抓取的版本正文，岚山省各地持续推进重点工作。"
            ),
        },
    )
    report = expect_ok(import_pages(sources, site))
    assert [e.content_path for e in report.created if e.kind == "article"] == [
        "content/zhxx/yywl/t20230709_42.md"
    ]
    assert "后抓取的版本" in (site / "content/zhxx/yywl/t20230709_42.md").read_text("utf-8")
    assert [str(w) for w in report.warnings] == [
        f"{sources[0]}: warning: {sources[1]} has the same original_url ({url}); "
        "only that later page is imported"
    ]


# --- dry run, errors, atomicity ------------------------------------------------------------


def test_dry_run_writes_nothing(make_site):
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")})
    before = snapshot(site)
    report = expect_ok(import_pages([FULL, COUNTY], site, dry_run=True))
    assert snapshot(site) == before
    assert format_report(report, dry_run=True).splitlines() == [
        "would create content/zhxx/yywl/_column.yaml",
        "would create content/zhxx/yywl/t20230709_123456.md",
        "would create content/xwzx/_column.yaml",
        "would create content/xwzx/xqdt/_column.yaml",
        "would create content/xwzx/xqdt/t20231012_765432.md",
        "dry run, nothing written: would import 2 pages: 2 new, 0 updated, 0 unchanged, "
        "0 skipped as edited; 3 new columns",
    ]


def test_format_report_after_a_run(make_site):
    site = make_site({})
    expect_ok(import_pages([FULL], site))
    report = expect_ok(import_pages([FULL, COUNTY], site))
    assert format_report(report).splitlines() == [
        "unchanged content/zhxx/yywl/t20230709_123456.md",
        "created content/xwzx/_column.yaml",
        "created content/xwzx/xqdt/_column.yaml",
        "created content/xwzx/xqdt/t20231012_765432.md",
        "imported 2 pages: 1 new, 0 updated, 1 unchanged, 0 skipped as edited; 2 new columns",
    ]


def make_previous_import(make_site, tmp_path) -> tuple[Path, list[Path]]:
    """Return a site with one imported article, and pages that update it, add one, and fail."""
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")})
    url = "http://www.lanshan-example.gov.cn/zhxx/yywl/202307/t20230709_42.shtml"
    (first,) = write_pages(tmp_path / "v1", {"a.txt": page(url=url)})
    expect_ok(import_pages([first], site))
    sources = write_pages(
        tmp_path / "v2",
        {
            "a.txt": page(url=url, body="更新后的正文内容，岚山省各地持续推进重点工作。"),
            "b.txt": page(title="岚山省新建城市书房一百家", crumbs=("首页", "文化", "阅读")),
            "c.txt": b"   \n\n  ",
        },
    )
    return site, sources


def test_failed_import_leaves_content_as_it_was(make_site, tmp_path):
    site, sources = make_previous_import(make_site, tmp_path)
    before = snapshot(site / "content")
    report = import_pages(sources, site)
    assert report.blocked and report.entries == ()
    assert [str(e) for e in report.errors] == [f"{sources[2]}: error: empty page"]
    assert snapshot(site / "content") == before
    assert sorted(p.name for p in (site / "content").iterdir()) == ["zhxx"]
    assert format_report(report).startswith(
        "nothing was imported: 1 error (fix them, or pass --keep-going"
    )


def test_keep_going_imports_the_other_pages(make_site, tmp_path):
    site, sources = make_previous_import(make_site, tmp_path)
    report = import_pages(sources, site, keep_going=True)
    assert len(report.errors) == 1 and not report.blocked
    assert [(e.action, e.content_path) for e in report.entries if e.kind == "article"] == [
        ("update", "content/zhxx/yywl/t20230709_42.md"),
        (
            "create",
            f"content/wen-hua/yue-du/t20230709_{short_hash('岚山省新建城市书房一百家', '2023-07-09')}.md",
        ),
    ]
    assert format_report(report).endswith("2 new columns; 1 error")


def test_write_failure_midway_is_undone(make_site, tmp_path, monkeypatch):
    site, sources = make_previous_import(make_site, tmp_path)
    before = snapshot(site / "content")
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return shutil.move(source, target)

    monkeypatch.setattr(write, "_replace", failing_replace)
    report = import_pages(sources[:2], site)
    assert report.blocked and len(calls) == 3
    (error,) = report.errors
    assert isinstance(error, OutputError)
    assert "no space left on the device while writing into content/; nothing was imported" in str(
        error
    )
    assert snapshot(site / "content") == before  # the updated article is restored
    assert sorted(p.name for p in (site / "content").iterdir()) == ["zhxx"]  # new folders removed
    assert not list((site / "content").rglob(".*.tmp"))


def test_never_writes_outside_content(make_site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "_column.yaml").write_text(column("综合资讯"), encoding="utf-8")
    site = make_site({})
    (site / "content/zhxx").symlink_to(outside, target_is_directory=True)
    report = import_pages([FULL], site)
    assert report.blocked and "outside content/" in str(report.errors[0])
    assert sorted(p.name for p in outside.iterdir()) == ["_column.yaml"]


def test_content_folder_is_created_for_a_new_site_and_removed_on_failure(make_site, monkeypatch):
    site = make_site({})
    (site / "content").rmdir()
    report = import_pages([FULL], site, dry_run=True)
    assert len(report.created) == 3 and not (site / "content").exists()

    def failing_replace(source, target):
        raise OSError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(write, "_replace", failing_replace)
        report = import_pages([FULL], site)
    assert report.blocked and not (site / "content").exists()
    expect_ok(import_pages([FULL], site))
    assert md_files(site) == ["content/zhxx/yywl/t20230709_123456.md"]


def test_page_without_a_date_is_an_error(make_site):
    site = make_site({})
    report = import_pages([PAGES / "no_date.txt", FULL], site)
    (error,) = report.errors
    shown = str(PAGES / "no_date.txt")
    assert str(error).startswith(f"{shown}: error: no publish date found")
    assert f"provarchive parse {shown}" in str(error) and "by hand" in str(error)
    assert md_files(site) == []


def test_missing_source_and_missing_site(make_site, tmp_path):
    site = make_site({})
    report = import_pages([tmp_path / "nope.txt"], site)
    assert [str(e) for e in report.errors] == [
        f"{tmp_path / 'nope.txt'}: error: no such file or folder"
    ]
    report = import_pages([FULL], tmp_path / "empty-dir-that-is-missing")
    assert "no such site folder" in str(report.errors[0])


def test_pages_read_in_workers_plan_as_in_one_process(make_site, tmp_path):
    site = make_site({})
    pages = {
        f"p{n:03d}.txt": page(f"岚山省第{n}次工作会议召开", date=f"2023-{n % 12 + 1:02d}-09")
        for n in range(80)  # enough for workers (parallel.MIN_ITEMS)
    }
    pages["unreadable.txt"] = "发布时间：2023-07-09".encode()  # no title: an error
    write_pages(tmp_path / "in", pages)
    alone = plan_import([tmp_path / "in"], site, ImportOptions(jobs=1))
    told: list[tuple[str, int, int]] = []
    workers = plan_import(
        [tmp_path / "in"],
        site,
        ImportOptions(jobs=2, progress=lambda *args: told.append(args)),
    )
    assert workers.files == alone.files and len(workers.files) > 80
    assert [str(e) for e in workers.errors] == [str(e) for e in alone.errors] != []
    assert workers.review == alone.review
    assert told and told[-1] == ("读取页面", 81, 81)


def test_existing_articles_read_in_workers_are_those_read_in_one_process(make_site):
    """An import reads the front matter of every article of the site (in workers from
    64 of them): the same facts, in the same order, as one process reads."""
    files = {
        f"content/zhxx/yywl/t{n:03d}.md": (
            f"---\ntitle: 第{n}篇\ndate: 2024-05-08\n"
            f"original_url: http://www.example.gov.cn/art/{n % 40}.html\n"
            f"aliases: [/old/{n}.html, /OLD/{n}.html]\n---\n\n正文。\n"
        )
        for n in range(90)
    }
    files["content/zwgk/broken.md"] = "---\ntitle: [不成\n---\n"
    files["content/zwgk/_draft-notes.md"] = "---\ntitle: 不算\n---\n"
    files["content/.git/x.md"] = "---\ntitle: 不算\n---\n"
    content = make_site(files) / "content"
    alone = scan_content(content, 1)
    workers = scan_content(content, 2)
    assert workers == alone
    assert len(alone.files) == 91 and "zwgk/broken.md" not in alone.articles
    assert alone.by_url["http://www.example.gov.cn/art/3.html"] == [
        "zhxx/yywl/t003.md",
        "zhxx/yywl/t043.md",
        "zhxx/yywl/t083.md",
    ]
    assert alone.alias_owners["old/7.html"] == "zhxx/yywl/t007.md"  # OLD/7.html folds into it


def test_folders_are_walked_sorted_for_page_files(tmp_path):
    write_pages(tmp_path / "in" / "sub", {"d": b"x", "e.SHTML": b"x", "f.md": b"x"})
    write_pages(
        tmp_path / "in", {"b.html": b"x", "a.txt": b"x", ".hidden.txt": b"x", "c.jpg": b"x"}
    )
    write_pages(tmp_path / "in" / ".git", {"g.txt": b"x"})
    paths, errors = page_paths(
        [tmp_path / "in", tmp_path / "in" / "a.txt", tmp_path / "in" / "c.jpg"]
    )
    names = [path.relative_to(tmp_path / "in").as_posix() for path in paths]
    assert names == ["a.txt", "b.html", "sub/d", "sub/e.SHTML", "c.jpg"] and errors == []


# --- HTML in bodies, and the built site ------------------------------------------------


def test_escape_body():
    body = "a <b> & c\n\n![图 <1>](/images/a&b.jpg)\n\n\\> 引用\n\n代码 `x<y` 与 \\\\<z"
    assert escape_body(body).split("\n") == [
        "a &lt;b&gt; &amp; c",
        "",
        "![图 <1>](/images/a&b.jpg)",
        "",
        "&gt; 引用",
        "",
        "代码 \\`x&lt;y\\` 与 \\\\&lt;z",
    ]


def test_raw_html_is_shown_as_text_even_when_the_site_allows_html(make_site):
    site = make_site(
        {}, config="title: 测试\nbase_url: https://x.example.gov.cn/\nmarkdown: {html: true}\n"
    )
    expect_ok(import_pages([FULL, COUNTY], site))
    text = (site / "content/zhxx/yywl/t20230709_123456.md").read_text("utf-8")
    assert '&lt;script&gt;alert("岚山")&lt;/script&gt;' in text and "A&amp;B" in text
    assert "<script>" not in text
    assert run_cli("build", site).code == 0
    html = (site / "public/zhxx/yywl/202307/t20230709_123456.html").read_text("utf-8")
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert "A&amp;B两条技术路线" in html
    county = (site / "public/xwzx/xqdt/202310/t20231012_765432.html").read_text("utf-8")
    assert '<img src="/uploads/2023/10/qinghe-zhishu.jpg" alt="南山脚下的植树现场"' in county


def test_imported_site_builds_and_shows_every_field(make_site):
    site = make_site({})
    sources = [FULL, COUNTY, PAGES / "column_line.txt", PAGES / "bare.txt"]
    expect_ok(import_pages(sources, site))
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert "warning" not in result.err
    html = (site / "public/zhxx/yywl/202307/t20230709_123456.html").read_text("utf-8")
    for shown in [
        '<p class="kicker">全省上下干部群众热议省委全会精神</p>',
        '<h1 class="article-title">凝心聚力推动岚山高质量发展</h1>',
        '<p class="subtitle">来自各市县的报道</p>',
        ">2023-07-09 15:33</time>",
        ">岚山日报</a>",
        ">林晓岚</a>",
        ">周子墨</a>",
        "责任编辑：宋清和",
    ]:
        assert shown in html
    redirect = site / "public/zhxx/yywl/202307/t20230709_123456.shtml"
    assert "t20230709_123456.html" in redirect.read_text("utf-8")
    column_page = (site / "public/zhxx/yywl/index.html").read_text("utf-8")
    assert "要闻要论" in column_page and "凝心聚力推动岚山高质量发展" in column_page


@pytest.mark.skipif(not (SEEDS / "000_139d6f125a4d7ad2.txt").is_file(), reason="no shared seeds")
def test_seed_page_imports_and_builds(make_site):
    site = make_site({})
    report = expect_ok(import_pages([SEEDS / "000_139d6f125a4d7ad2.txt"], site))
    article = site / report.created[-1].content_path
    assert report.created[-1].content_path.startswith(
        "content/zong-he-zi-xun/yao-wen-yao-lun/t20230709_"
    )
    meta = meta_of(article)
    assert meta["kicker"] == "习近平总书记在江苏考察时重要讲话激励我省广大干部群众"
    assert meta["date"] == "2023-07-09"
    assert run_cli("build", site).code == 0


# --- properties --------------------------------------------------------------------------

FRAGMENTS = [
    "当前位置：",
    "首页",
    " > ",
    ">>",
    "正文",
    "发布时间：",
    "2023-07-09",
    "10:04",
    "2023年7月9日",
    "来源：",
    "岚山日报",
    "作者：",
    "记者 王某",
    "责任编辑：",
    "原文链接：",
    "http://a.example.gov.cn/",
    "zhxx/202307/t20230709_1.shtml",
    "栏目：",
    "——",
    "。",
    "，",
    "\n",
    "\n\n",
    "　　",
    "<p>",
    "</p>",
    "<script>",
    "&",
    "`",
    "\\",
    "![a](b.jpg)",
    "## ",
    "- ",
    "#",
    ": ",
    "'",
    '"',
    "\x00",
    "\u2028",
    "\ufeff",
    "\r\n",
    "yes",
    "null",
    "1.5",
    "---",
    "...",
    "archives",
    "_",
    "..",
    "/",
]
page_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=10)), max_size=40).map(
    "".join
)
short_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=6).map(
    "".join
)
shaped_page = st.builds(
    lambda title, crumbs, body, url: page(title, tuple(crumbs), "2023-07-09", url, body).decode(),
    title=short_text.map(lambda text: f"岚山{text}新闻"),
    crumbs=st.lists(short_text, max_size=4),
    body=page_text.map(lambda text: PARAGRAPH + text),
    url=st.none()
    | st.sampled_from(FRAGMENTS).map(
        lambda f: f"http://www.lanshan-example.gov.cn/{f}/x/202307/t20230709_1.shtml"
    ),
)


@pytest.fixture(scope="module")
def property_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("property") / "site"
    (site / "content/zhxx").mkdir(parents=True)
    (site / "content/zhxx/_column.yaml").write_text(column("综合资讯"), encoding="utf-8")
    (site / "site.yaml").write_text("title: 测试\nbase_url: https://x.example/\n", encoding="utf-8")
    return site


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    texts=st.lists(page_text | shaped_page, min_size=1, max_size=3),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
)
def test_planning_any_text_raises_only_our_errors(property_site, texts, encoding):
    pages = [(f"p{i}.txt", text.encode(encoding, errors="ignore")) for i, text in enumerate(texts)]
    try:
        plan = plan_pages(pages, property_site)
    except ProvarchiveError:
        return
    assert all(isinstance(error, ProvarchiveError) for error in plan.errors)
    renderer = MarkdownRenderer(MarkdownOptions(html=True))
    for planned in plan.files:
        assert planned.path.is_relative_to(property_site / "content")
        if planned.kind == "column":
            title = load_mapping(planned.text, planned.content_path)["title"]
            assert isinstance(title, str) and title == title.strip() != ""
            continue
        split = split_front_matter(planned.text, planned.content_path)
        validate_front_matter(split.meta, planned.content_path, CONFIG)
        assert is_unmodified(planned.text)
        tags = set(re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", renderer.render(split.body).html))
        assert tags <= {
            "p",
            "/p",
            "h2",
            "/h2",
            "img",
            "br",
            "em",
            "/em",
            "strong",
            "/strong",
            "a",
            "/a",
            "del",
            "/del",
            "hr",
            "ul",
            "/ul",
            "ol",
            "/ol",
            "li",
            "/li",
            "h1",
            "/h1",
            "blockquote",
            "/blockquote",
        }, tags


@settings(max_examples=examples(300), deadline=None)
@given(value=st.text(), lines=st.text(), names=st.lists(st.text(max_size=8), max_size=4))
def test_front_matter_values_round_trip(value, lines, names):
    title = clean_line(value) or "标题"
    fields = {
        "title": title,
        "kicker": clean_lines(lines),
        "date": "2023-07-09",
        "source": clean_line(value),
        "authors": clean_names(names),
    }
    meta = split_front_matter(article_text(fields, escape_body(value)), "a.md").meta
    validate_front_matter(meta, "a.md", CONFIG)
    assert meta["title"] == title
    assert meta.get("kicker", "") == fields["kicker"]
    assert meta.get("source", "") == fields["source"]
    assert meta.get("authors", []) == fields["authors"]


def test_import_command_line_reports_and_exits(make_site):
    site = make_site({})
    result = run_cli("import", str(FULL), "--site", site, "--dry-run")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith("would create content/")
    assert not list((site / "content").rglob("*.md"))
    result = run_cli("import", str(FULL), "--site", site)
    assert result.code == 0 and result.out.startswith("created content/")
    assert run_cli("build", site, "-q").code == 0
    bad = site.parent / "empty.txt"
    bad.write_text("", "utf-8")
    result = run_cli("import", str(bad), str(FULL), "--site", site)
    assert result.code == 1
    assert "empty.txt: error:" in result.err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("title: 站\nbase_url: https://a.example/\npermalinks: x\n", "site.yaml:3: error:"),
        ("title: [站\n", "site.yaml:"),
        ("title: 站\nbase_url: https://a.example/\npermalink: '{nope}.html'\n", "site.yaml:3:"),
    ],
)
def test_a_broken_site_yaml_stops_the_import_as_it_stops_a_build(
    make_site, tmp_path, config, message
):
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")})
    (site / "site.yaml").write_text(config, "utf-8")
    before = snapshot(site / "content")
    result = run_cli("import", FULL, "--site", site)
    assert result.code == 1
    assert message in result.err and "Traceback" not in result.err
    assert run_cli("build", site).err.splitlines()[0] in result.err
    assert snapshot(site / "content") == before
