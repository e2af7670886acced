"""``provarchive check``: one QA report of a site's content, with build errors and warnings."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import sqlite3
import sys
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, article, column, run_cli, snapshot
from provarchive import check, newarticle
from provarchive.check import check_site
from provarchive.cli import make_parser
from provarchive.newarticle import create_article


def wired(command: str) -> bool:
    """Whether ``command`` is a sub-command of cli.py's parser yet."""
    for action in make_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return command in action.choices
    return False


needs_cli = pytest.mark.skipif(not wired("check"), reason="not wired yet")

COLUMNS = {
    "content/zhxx/_column.yaml": column("综合资讯", 1),
    "content/zhxx/yywl/_column.yaml": column("要闻要论", 1),
    "content/zwgk/_column.yaml": column("政务公开", 2),
}
SOURCE = "source: 岚山日报"


def good(title: str, date: str = "2024-05-08", body: str = "正文内容。", **meta) -> str:
    """An article with a 来源, which check has nothing to say about."""
    return article(title, date, body, source="岚山日报", **meta)


def report_lines(site: Path, monkeypatch) -> list[str]:
    """The lines ``check`` prints for ``site``, paths relative to the site folder."""
    monkeypatch.chdir(site)
    report = check_site(Path("."))
    return [str(problem) for problem in report.problems] + [report.summary()]


def test_clean_site_has_nothing_to_report(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zhxx/yywl/a.md": good("甲"),
            "content/zwgk/b.md": good("乙", "2024-05-09 10:00"),
        }
    )
    assert report_lines(site, monkeypatch) == ["0 errors, 0 warnings in 2 articles"]
    assert check_site(site).exit_status(strict=True) == 0


def test_article_without_source_is_a_warning(make_site, monkeypatch):
    site = make_site({**COLUMNS, "content/zwgk/a.md": article("无来源")})
    assert report_lines(site, monkeypatch) == [
        "content/zwgk/a.md:1: warning: no 来源: add a line such as 'source: 岚山日报' to the "
        "front matter, naming the publication or body the article comes from",
        "0 errors, 1 warning in 1 article",
    ]


def test_folder_without_column_file_is_reported_once(make_site, monkeypatch):
    site = make_site(
        {**COLUMNS, "content/zwgk/tzgg/a.md": good("甲"), "content/zwgk/tzgg/b.md": good("乙")}
    )
    assert report_lines(site, monkeypatch) == [
        "content/zwgk/tzgg: warning: no _column.yaml here; the column is titled 'tzgg'. "
        "Add the file with a line 'title: 栏目名称'",
        "0 errors, 1 warning in 2 articles",
    ]


def test_same_title_on_the_same_day_warns_on_each_naming_the_other(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zhxx/yywl/a.md": good("全省春耕", "2024-05-08 08:00"),
            "content/zwgk/b.md": "---\n"
            + SOURCE
            + "\ntitle: 全省春耕\ndate: 2024-05-08 17:30\n---\n\n文。\n",
            "content/zwgk/c.md": good("全省春耕", "2024-05-09"),  # another day: fine
            "content/zwgk/d.md": good("全省春耕 ", "2024-05-10"),
        }
    )
    assert report_lines(site, monkeypatch) == [
        "content/zhxx/yywl/a.md:2: warning: content/zwgk/b.md has the same title on the same "
        "day (2024-05-08); if it is the same article, remove one of them, else make the titles "
        "differ",
        "content/zwgk/b.md:3: warning: content/zhxx/yywl/a.md has the same title on the same "
        "day (2024-05-08); if it is the same article, remove one of them, else make the titles "
        "differ",
        "0 errors, 2 warnings in 4 articles",
    ]


LINKS_BODY = """\
第一段，见[已有报道](../zhxx/yywl/a.md)与[缺失报道](../zhxx/yywl/gone.md)。

![示意图](images/chart.svg)
![缺图](images/missing.png)

[页面地址](../../zhxx/yywl/202405/a.html)，[坏地址](../202307/x.html)，[栏目](../index.html)。

[站内绝对](/zhxx/yywl/202405/a.html)、[站内坏链](/zhxx/202307/x.html)、[旧址](/old/a.shtml)。

[外链](https://www.example.com/x.html)、[全址坏链](https://news.example.gov.cn/archive/zhxx/none.html)。

![导入图](/upload/2023/a.jpg)
![已复制](/zwgk/images/chart.svg)
[附件](/upload/a.pdf)
"""


def test_broken_links_and_missing_images_name_their_line(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zhxx/yywl/a.md": good("甲", aliases="[/old/a.shtml]"),
            "content/zwgk/b.md": good("乙", body=LINKS_BODY),
            "content/zwgk/images/chart.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        }
    )
    lines = report_lines(site, monkeypatch)
    assert lines == [
        "content/zwgk/b.md:7: warning: link '../zhxx/yywl/gone.md' leads to no article: there is no "
        "content/zhxx/yywl/gone.md; correct the path, or remove the link",
        "content/zwgk/b.md:10: warning: image 'images/missing.png' not found: there is no "
        "content/zwgk/images/missing.png; put the image there, or correct the path",
        "content/zwgk/b.md:12: warning: link '../202307/x.html' leads to no page or file of the "
        "site; link to the article's Markdown file instead (such as ../yywl/t20240508_001.md), "
        "or correct the address",
        "content/zwgk/b.md:14: warning: link '/zhxx/202307/x.html' is an address on this site "
        "that leads to no page; link to the article's Markdown file instead (such as "
        "../yywl/t20240508_001.md), or correct the address",
        "content/zwgk/b.md:16: warning: link 'https://news.example.gov.cn/archive/zhxx/none.html' "
        "is an address on this site that leads to no page; link to the article's Markdown file "
        "instead (such as ../yywl/t20240508_001.md), or correct the address",
        "content/zwgk/b.md:18: warning: image '/upload/2023/a.jpg' is not in the site: imported "
        "images must be copied into content/ beside the article (as content/zwgk/a.jpg) and the "
        "link made relative (![图](a.jpg))",
        "content/zwgk/b.md:19: warning: image '/zwgk/images/chart.svg' is written from the site "
        "root, which breaks when the site is opened from disk or a subfolder; write it relative "
        "to the Markdown file: ![图](images/chart.svg)",
        "content/zwgk/b.md:20: warning: link '/upload/a.pdf' leads to no file of the site: copy "
        "the file into content/ beside the article and make the link relative",
        "0 errors, 8 warnings in 2 articles",
    ]


def test_each_use_of_a_broken_link_is_reported_on_its_line(make_site, monkeypatch):
    body = "甲[一](x.md)。\n\n乙。\n\n丙[二](x.md)，![图](%E5%9B%BE.png)。\n"
    site = make_site({**COLUMNS, "content/zwgk/a.md": good("甲", body=body)})
    lines = report_lines(site, monkeypatch)
    assert [line.split(" warning: ")[0] for line in lines[:-1]] == [
        "content/zwgk/a.md:7:",
        "content/zwgk/a.md:11:",
        "content/zwgk/a.md:11:",
    ]
    assert "image '图.png' not found: there is no content/zwgk/图.png" in lines[1]


def test_links_to_drafts_warn_from_published_articles_only(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zwgk/draft.md": good("草稿", draft="true"),
            "content/zwgk/a.md": good("正式", body="见[草稿](draft.md)。"),
            "content/zwgk/b.md": good("另一草稿", draft="true", body="见[草稿](draft.md)。"),
        }
    )
    assert report_lines(site, monkeypatch) == [
        "content/zwgk/a.md:7: warning: link 'draft.md' leads to content/zwgk/draft.md, which is "
        "a draft (draft: true): the link is broken on the published site until that article is "
        "published",
        "0 errors, 1 warning in 3 articles",
    ]


def test_colliding_aliases_are_errors_with_their_lines(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zwgk/a.md": good("甲", aliases="\n  - /old/1.shtml\n  - /zwgk/202405/c.html"),
            "content/zwgk/b.md": good("乙", aliases="[/old/1.shtml]"),
            "content/zwgk/c.md": good("丙"),
            "content/zwgk/d.md": good("丁", aliases="[/zwgk/202405/d.html, /zwgk/index.html]"),
        }
    )
    lines = report_lines(site, monkeypatch)
    assert lines == [
        "content/zwgk/a.md:6: error: alias '/old/1.shtml' and alias '/old/1.shtml' of "
        "content/zwgk/b.md are one address: an old address can lead to one article only; "
        "remove one of them",
        "content/zwgk/a.md:7: error: alias '/zwgk/202405/c.html' is the address of the page of "
        "content/zwgk/c.md; remove the alias",
        "content/zwgk/b.md:5: error: alias '/old/1.shtml' and alias '/old/1.shtml' of "
        "content/zwgk/a.md are one address: an old address can lead to one article only; "
        "remove one of them",
        "content/zwgk/d.md:5: error: alias '/zwgk/202405/d.html' is the address of this "
        "article's own page; remove the alias",
        "content/zwgk/d.md:5: error: alias '/zwgk/index.html' is the address of the site's own "
        "page 'zwgk/index.html' (content/zwgk/_column.yaml); remove the alias",
        "5 errors, 0 warnings in 4 articles",
    ]
    assert run_cli("build", site).code == 1  # the build refuses them too


def test_two_articles_on_one_page_address_is_an_error(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zwgk/a.md": good("甲", slug="same"),
            "content/zwgk/b.md": good("乙", slug="same"),
        }
    )
    lines = report_lines(site, monkeypatch)
    assert lines[-1] == "1 error, 0 warnings in 2 articles"
    assert lines[0].startswith(
        "content/zwgk/b.md: error: content/zwgk/b.md and "
        "content/zwgk/a.md both write 'zwgk/202405/same.html'"
    )


def test_empty_summary_is_a_warning(make_site, monkeypatch):
    body = "## 小标题\n\n![图](chart.svg)\n"
    site = make_site(
        {
            **COLUMNS,
            "content/zwgk/a.md": good("甲", body=body),
            "content/zwgk/chart.svg": "<svg/>",
            "content/zwgk/b.md": good("乙", body=body, summary="编辑写的摘要"),
            "content/zwgk/c.md": good("丙", body="## 只有标题\n\n![](chart.svg)\n"),
            "content/zwgk/d.md": good("丁", body="![图](chart.svg)\n\n图下有文字。"),
        }
    )
    assert report_lines(site, monkeypatch) == [
        "content/zwgk/a.md:6: warning: the summary is only the images' descriptions (the body "
        "has no paragraph text, only images, headings or tables); add a paragraph, or a line "
        "'summary: ...' to the front matter",
        "content/zwgk/c.md:6: warning: the summary is empty (the body has no paragraph text, "
        "only images, headings or tables); add a paragraph, or a line 'summary: ...' to the "
        "front matter",
        "0 errors, 2 warnings in 4 articles",
    ]


def test_broken_files_are_errors_and_the_rest_is_still_checked(make_site, monkeypatch):
    site = make_site(
        {
            **COLUMNS,
            "content/zwgk/a.md": "---\ntitle: 无日期\n---\n\n正文。\n",
            "content/zwgk/b.md": article("乙", colour="红"),
            "content/zwgk/c.md": "没有前言。\n",
            "content/zwgk/d.md": article("丁", body="[坏](none.md)"),
            "content/zhxx/_column.yaml": "weight: 1\n",
        }
    )
    lines = report_lines(site, monkeypatch)
    assert lines == [
        "content/zhxx/_column.yaml:1: error: missing or empty 'title': give the column's "
        "display name, e.g. 'title: 要闻要论'",
        "content/zwgk/a.md:1: error: missing 'date': add a line such as 'date: 2023-07-09' or "
        "'date: 2023-07-09 15:33'",
        "content/zwgk/b.md:4: error: unknown key 'colour'; put custom data under 'extra:'",
        "content/zwgk/c.md:1: error: no front matter: an article must start with a line '---', "
        "then 'title: ...' and 'date: ...' lines, then a line '---'",
        "content/zwgk/d.md:1: warning: no 来源: add a line such as 'source: 岚山日报' to the "
        "front matter, naming the publication or body the article comes from",
        "content/zwgk/d.md:6: warning: link 'none.md' leads to no article: there is no "
        "content/zwgk/none.md; correct the path, or remove the link",
        "4 errors, 2 warnings in 4 articles",
    ]
    assert check_site(site).exit_status() == 1


def test_broken_site_config_is_reported_not_raised(make_site, monkeypatch):
    site = make_site({}, config="title: 站\nbase_ur: https://e.example/\n")
    assert report_lines(site, monkeypatch) == [
        "site.yaml:1: error: missing required key 'base_url'",
        "site.yaml:2: error: unknown key 'base_ur' (did you mean 'base_url'?)",
        "2 errors, 0 warnings in 0 articles",
    ]


def test_new_article_placeholder_is_flagged(make_site, monkeypatch):
    site = make_site(COLUMNS)
    now = dt.datetime(2024, 5, 8, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    create_article(site, "新稿", "zwgk", now=now)
    lines = report_lines(site, monkeypatch)
    assert lines == [
        "content/zwgk/t20240508_001.md:1: warning: no 来源: add a line such as 'source: 岚山日报' "
        "to the front matter, naming the publication or body the article comes from",
        "content/zwgk/t20240508_001.md:13: warning: the body still holds the placeholder "
        "'正文从这里开始。' written by provarchive new; replace it with the article text",
        "0 errors, 2 warnings in 1 article",
    ]


def test_placeholder_is_the_one_new_writes():
    assert check.PLACEHOLDER == newarticle.PLACEHOLDER


def test_exit_status_with_and_without_strict(make_site):
    warned = make_site({**COLUMNS, "content/zwgk/a.md": article("无来源")})
    report = check_site(warned)
    assert (report.exit_status(), report.exit_status(strict=True)) == (0, 1)


def test_example_archive_has_no_errors(monkeypatch):
    monkeypatch.chdir(REPO)
    report = check_site(Path("."))
    assert report.errors == [], "\n".join(map(str, report.errors))
    assert report.articles == len(list((REPO / "content").rglob("*.md")))
    print("\n".join(map(str, report.problems)) + "\n" + report.summary())


@needs_cli
def test_cli_prints_the_report_and_exits_by_level(make_site, monkeypatch):
    site = make_site({**COLUMNS, "content/zwgk/a.md": article("无来源")})
    monkeypatch.chdir(site)
    result = run_cli("check")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "content/zwgk/a.md:1: warning: no 来源: add a line such as 'source: 岚山日报' to the "
        "front matter, naming the publication or body the article comes from\n"
        "0 errors, 1 warning in 1 article\n"
    )
    assert run_cli("check", ".", "--strict").code == 1
    (site / "content/zwgk/b.md").write_text(article("乙", colour="红"), encoding="utf-8")
    broken = run_cli("check", site)
    assert broken.code == 1 and "Traceback" not in broken.err
    assert broken.out.endswith("1 error, 1 warning in 2 articles\n")
    helped = run_cli("check", "--help")
    assert helped.code == 0 and "--strict" in helped.out


def test_check_pauses_the_collector_and_leaves_it_as_it_found_it(make_site):
    site = make_site({**COLUMNS, "content/zwgk/a.md": good("甲"), "content/zwgk/b.md": good("乙")})
    collections: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(seen)
    try:
        assert check_site(site).problems == ()
    finally:
        gc.callbacks.remove(seen)
    assert collections == [2]  # none while it ran; what it made, collected as it ended
    assert gc.isenabled()
    assert run_cli("check", site).code == 0
    assert gc.isenabled()  # off for the command, then as it was


@needs_cli
def test_cli_on_the_example_archive_exits_0():
    result = run_cli("check", REPO)
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1].startswith("0 errors, ")


_OPENED: list[list[str]] = []
"""Where :func:`_record_opens` puts the paths the process opens, while a test listens."""


def _record_opens(event: str, args: tuple) -> None:
    if event == "open" and _OPENED and isinstance(args[0], str | bytes | os.PathLike):
        _OPENED[-1].append(os.path.abspath(os.fsdecode(args[0])))


sys.addaudithook(_record_opens)  # an audit hook stays for the process: inert unless listened to


def opened_articles(site: Path, report: Callable[[], object]) -> tuple[object, set[str]]:
    """What ``report()`` returns, and the article files (under content/) it opened."""
    _OPENED.append([])
    try:
        result = report()
    finally:
        paths = _OPENED.pop()
    content = os.path.join(site.resolve(), "content") + os.sep
    return result, {p[len(content) :] for p in paths if p.startswith(content) and p.endswith(".md")}


def aged(site: Path) -> None:
    """Date the site's files an hour back, well before the next build's scan."""
    when = time.time() - 3600
    for path in (site / "content").rglob("*"):
        os.utime(path, (when, when))


PROBLEMS_OF_EVERY_KIND = {
    **COLUMNS,
    **{f"content/zhxx/yywl/t{n}.md": good(f"第{n}篇", body=f"第{n}篇的正文。") for n in range(5)},
    "content/zwgk/b.md": good("乙", body=LINKS_BODY),
    "content/zwgk/images/chart.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/zwgk/draft.md": good("草稿", draft="true"),
    "content/zwgk/c.md": good("丙", body="见[草稿](draft.md)。"),
    "content/zwgk/d.md": article("无来源", body="![只有图](images/chart.svg)"),
    "content/zwgk/e.md": good("第1篇", "2024-05-08", body="同题。"),
}
"""Ten articles, five of them clean, and a problem of each kind ``check`` tells."""


def test_check_after_a_build_takes_unchanged_articles_from_its_cache(make_site, monkeypatch):
    """``check`` reads only the article files that changed since the newest build (and
    the files whose problems it tells by line), the others with their bodies from the
    build cache, and reports what a check without the cache reports; it changes no
    file of the cache."""
    site = make_site(PROBLEMS_OF_EVERY_KIND)
    aged(site)
    without_cache = report_lines(site, monkeypatch)
    assert len(without_cache) > 5  # the site has problems of every kind to tell
    assert run_cli("build", site, "-q").code == 0
    cache = site / ".provarchive-cache"
    kept = {
        path: (data, os.stat(cache / path).st_mtime_ns) for path, data in snapshot(cache).items()
    }

    lines, opened = opened_articles(site, lambda: report_lines(site, monkeypatch))

    assert lines == without_cache
    # the draft (a build leaves drafts out of its cache), and the files whose problems
    # are told by line (d.md's link is sound, its problems are on lines known without it)
    told = {"zwgk/b.md", "zwgk/c.md", "zhxx/yywl/t1.md", "zwgk/e.md"}
    assert opened == {"zwgk/draft.md", *told}
    assert {p: (d, os.stat(cache / p).st_mtime_ns) for p, d in snapshot(cache).items()} == kept

    # an article changed since the build is read again
    (site / "content/zhxx/yywl/t3.md").write_text(article("第3篇"), "utf-8")
    lines, opened = opened_articles(site, lambda: report_lines(site, monkeypatch))
    assert "zhxx/yywl/t3.md" in opened
    assert "content/zhxx/yywl/t3.md:1: warning: no 来源" in "\n".join(lines)
    shutil.move(cache, site.parent / "set-aside")
    assert report_lines(site, monkeypatch) == lines
    shutil.move(site.parent / "set-aside", cache)

    # bodies the store lost are rendered again
    with sqlite3.connect(cache / "bodies.sqlite") as store:
        store.execute("DELETE FROM bodies")
    assert report_lines(site, monkeypatch) == lines


def test_check_reads_the_bodies_kept_in_the_cache_in_workers(make_site, monkeypatch):
    """After a build of a site large enough for workers, ``check`` reads the bodies kept
    in the build cache in workers, a chunk at a time, and reports what a check without
    the cache reports; an article whose body the store lost and whose file no longer
    reads (changed with its size and time kept) is an error, and the others are still
    checked."""
    many = {
        f"content/zwgk/m{n:03d}.md": (
            article(f"第{n}号", body=f"第{n}号正文，见[缺失](gone{n}.md)。")
            if n % 9 == 0
            else good(
                f"第{n}号", body=f"![图{n}](images/chart.svg)" if n % 10 == 0 else f"第{n}号。"
            )
        )
        for n in range(90)
    }
    site = make_site({**PROBLEMS_OF_EVERY_KIND, **many})
    aged(site)
    without_cache = report_lines(site, monkeypatch)
    assert sum(": warning: " in line for line in without_cache) > 30
    assert run_cli("build", site, "-q").code == 0
    assert report_lines(site, monkeypatch) == without_cache

    broken = site / "content/zhxx/yywl/t2.md"
    before = broken.stat()
    broken.write_bytes(b"\xff" * before.st_size)  # not UTF-8, its signature kept
    os.utime(broken, ns=(before.st_atime_ns, before.st_mtime_ns))
    with sqlite3.connect(site / ".provarchive-cache/bodies.sqlite") as store:
        store.execute("DELETE FROM bodies")
    lines = report_lines(site, monkeypatch)

    told = [line for line in lines if line.startswith("content/zhxx/yywl/t2.md:")]
    assert len(told) == 1 and ": error: " in told[0]
    assert [line for line in lines if line not in told][:-1] == without_cache[:-1]
    assert lines[-1].startswith("1 error, ")


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_makes_the_facts_of_bodies_where_it_renders_them(make_site, jobs):
    """Read through :func:`checkbodies.settle_facts`, in the workers that render them (or
    here, with one job), the articles come back without their bodies, each with the
    facts of its whole body, those of a second pass (a link to another article) too."""
    from provarchive.checkbodies import body_facts, settle_facts
    from provarchive.config import load_config
    from provarchive.content import PLACEHOLDER
    from provarchive.reading import read_content
    from provarchive.walk import scan_content

    many = {
        f"content/zwgk/m{n:03d}.md": good(
            f"第{n}号",
            body=(
                f"第{n}号，见[前一号](m{n - 1:03d}.md)与[缺失](gone{n}.md)。"
                if n % 3 == 0
                else f"![图{n}](images/chart.svg)"
                if n % 3 == 1
                else f"第{n}号正文。\n\n{PLACEHOLDER}"
            ),
        )
        for n in range(1, 81)  # enough articles for workers (64 or more)
    }
    site = make_site({**PROBLEMS_OF_EVERY_KIND, **many})
    config = load_config(site)
    scan = scan_content(site)
    whole = read_content(site, config, scan, drafts=True, jobs=jobs)
    settled = read_content(site, config, scan, drafts=True, jobs=jobs, sink=settle_facts)
    assert settled.articles.keys() == whole.articles.keys()
    assert all(not a.body_html and not a.text for a in settled.articles.values())
    facts = {article_id: body_facts(a) for article_id, a in whole.fresh.items()}
    assert settled.made == facts
    assert any(facts[f"zwgk/m{n:03d}.md"].targets for n in (3, 4))  # facts to tell apart
    assert any(fact.placeholder for fact in facts.values())
