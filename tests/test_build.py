"""Site tests: small real sites built through the command line."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import article, column, examples, run_cli, snapshot
from provarchive.build import CACHE_DIR, BuildOptions, build_site
from provarchive.errors import ErrorGroup
from provarchive.output import MARKER, build_lock
from provarchive.plan import check_collisions
from sitecheck import crawl, read_page


def news_site(make_site, count: int = 7):
    """A site with two columns (one nested) and ``count`` articles in the sub-column."""
    files = {
        "content/zhxx/_column.yaml": column("综合资讯", 1),
        "content/zhxx/yywl/_column.yaml": column("要闻要论", 1),
        "content/zwgk/_column.yaml": column("政务公开", 2),
        "content/zwgk/a1.md": article("政务公开第一篇", "2024-01-05"),
    }
    for n in range(1, count + 1):
        files[f"content/zhxx/yywl/t{n}.md"] = article(f"要闻第{n}篇", f"2024-03-{n:02d} 09:00")
    return make_site(files)


def test_a_build_leaves_no_garbage_cycles_behind(make_site):
    """``serve`` builds in one process for hours: the cycles each build makes must not
    pile up (each edit at 20,000 articles left 38 MiB while they did)."""
    site = news_site(make_site)
    options = BuildOptions(site_dir=site)
    assert gc.isenabled()
    assert build_site(options).written > 0
    assert gc.collect() == 0
    edited = site / "content/zhxx/yywl/t3.md"
    edited.write_text(article("改过的第3篇", "2024-03-03 09:00"), "utf-8")
    assert build_site(options).written > 0
    assert gc.collect() == 0
    assert "改过的第3篇" in (site / "public/zhxx/yywl/202403/t3.html").read_text("utf-8")
    # the command line leaves the collecting to its process's end, and the collector
    # as it found it
    edited.write_text(article("又改的第3篇", "2024-03-03 09:00"), "utf-8")
    assert run_cli("build", site).code == 0
    assert gc.isenabled()


def test_build_writes_home_columns_articles_and_reports(make_site):
    site = news_site(make_site)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert result.out.startswith("built 8 articles into ")
    public = site / "public"
    for path in (
        "index.html",
        "404.html",
        "zhxx/index.html",
        "zhxx/yywl/index.html",
        "zwgk/index.html",
        "zhxx/yywl/202403/t1.html",
        "zwgk/202401/a1.html",
        "static/style.css",
        MARKER,
    ):
        assert (public / path).is_file(), path
    assert not list(site.glob(".public.staging*"))


def test_timings_name_each_stage_in_order_and_add_up_to_the_build(make_site):
    result = run_cli("build", news_site(make_site), "--timings")
    assert result.code == 0, result.err
    laps = re.findall(r"^  (\S.*?) +(\d+\.\d{4}) s$", result.out, re.MULTILINE)
    assert [stage for stage, _ in laps] == [
        "read articles, measure images",
        "site graph and page plan",
        "fingerprints",
        "pages, search index, cache files",
        "fingerprints, output token",
        "swap",
        "cache",
    ]
    total = float(re.search(r"([\d.]+) s$", result.out.splitlines()[0]).group(1))
    assert 0 < sum(float(seconds) for _, seconds in laps) <= total + 0.005


def test_column_lists_descendants_newest_first_in_pages(make_site):
    site = news_site(make_site)
    assert run_cli("build", site).code == 0
    public = site / "public"
    assert sorted(p.name for p in (public / "zhxx").glob("index*.html")) == [
        "index.html",
        "index_2.html",
        "index_3.html",
    ]
    first = read_page(public / "zhxx/index.html").text
    assert first.index("要闻第7篇") < first.index("要闻第6篇") < first.index("要闻第5篇")
    assert "要闻第4篇" not in first
    last = read_page(public / "zhxx/index_3.html")
    assert "要闻第1篇" in last.text
    # links climb to the site root and back down (as Hugo's relativeURLs do), so a
    # piece of a page links the same from every page at its depth
    assert "../zhxx/index_2.html" in last.links and "../zhxx/index.html" in last.links
    assert "第 3 页，共 3 页" in last.text


def test_article_page_shows_breadcrumb_meta_and_neighbours(make_site):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/yywl/_column.yaml": column("要闻要论"),
            "content/zhxx/yywl/a.md": article("较早一篇", "2023-07-08"),
            "content/zhxx/yywl/b.md": article(
                "依靠创新驱动推动高质量发展",
                "2023-07-09 15:33",
                kicker="我省干部群众热议创新",
                subtitle="各地加快成果转化",
                source="岚山日报",
                authors="[王明, 李华]",
                editor="张青",
                tags="[科技创新]",
            ),
            "content/zhxx/yywl/c.md": article("较晚一篇", "2023-07-10"),
        }
    )
    assert run_cli("build", site).code == 0
    page_path = site / "public/zhxx/yywl/202307/b.html"
    html = page_path.read_text(encoding="utf-8")
    page = read_page(page_path)
    crumbs = html[
        html.index('class="breadcrumb') : html.index("</nav>", html.index('class="breadcrumb'))
    ]
    assert '<a href="../../../index.html">首页</a>' in crumbs
    assert '<a href="../../../zhxx/index.html">综合资讯</a>' in crumbs
    assert '<a href="../../../zhxx/yywl/index.html">要闻要论</a>' in crumbs
    assert (
        crumbs.index("首页")
        < crumbs.index("综合资讯")
        < crumbs.index("要闻要论")
        < crumbs.index("正文")
    )
    assert html.index("我省干部群众热议创新") < html.index("<h1") < html.index("各地加快成果转化")
    for text in (
        "发布日期：2023-07-09 15:33",
        "来源：岚山日报",
        "记者：王明 李华",
        "责任编辑：张青",
        "科技创新",
    ):
        assert text in page.text
    assert '<a href="../../../zhxx/yywl/202307/a.html" rel="prev">较早一篇</a>' in html
    assert '<a href="../../../zhxx/yywl/202307/c.html" rel="next">较晚一篇</a>' in html
    assert '<html lang="zh-CN">' in html


def test_drafts_are_left_out_unless_asked_for(make_site):
    site = make_site(
        {
            "content/a/x.md": article("草稿", draft="true"),
            "content/a/y.md": article("正式", date="2024-01-01"),
        }
    )
    assert run_cli("build", site).code == 0
    assert not (site / "public/a/202405/x.html").exists()
    assert run_cli("build", site, "--drafts").code == 0
    assert (site / "public/a/202405/x.html").exists()


def test_every_error_is_reported_and_the_old_output_is_kept(make_site):
    site = news_site(make_site, count=2)
    assert run_cli("build", site).code == 0
    before = snapshot(site / "public")
    (site / "content/zhxx/yywl/t1.md").write_text("---\ntitle: 甲\ndate: 昨天\n---\n", "utf-8")
    (site / "content/zhxx/yywl/t2.md").write_text("---\ntitle: [乙\n---\n", "utf-8")
    (site / "content/zwgk/_column.yaml").write_text("titel: 政务\n", "utf-8")
    (site / "content/zwgk/bad.md").write_bytes("---\ntitle: 丙\n---\n".encode("gb18030"))
    result = run_cli("build", site)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[-1] == "5 errors; nothing was written"
    assert any("t1.md:3: error: 'date' must look like" in line for line in lines)
    assert any("t2.md:3: error: front matter:" in line for line in lines)
    assert any(
        "_column.yaml:1: error: unknown key 'titel' (did you mean 'title'?)" in line
        for line in lines
    )
    assert any("bad.md:2: error: the file is not UTF-8 text" in line for line in lines)
    assert "Traceback" not in result.err
    assert snapshot(site / "public") == before
    assert not list(site.glob(".public.staging*"))


def test_content_files_are_never_modified_by_a_build(make_site):
    site = news_site(make_site, count=3)
    before = snapshot(site / "content")
    assert run_cli("build", site).code == 0
    assert snapshot(site / "content") == before


def test_no_traceback_reaches_the_user(make_site):
    site = make_site({"content/a/x.md": "---\ntitle: x\ndate: 2024-13-01\nauthors: 3\n---\n"})
    result = subprocess.run(
        [sys.executable, "-m", "provarchive", "build", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "x.md:3: error: 'date' '2024-13-01' is not a real date" in result.stderr
    assert "x.md:4: error: 'authors' must be a list of text" in result.stderr


def test_usage_error_exits_2():
    assert run_cli("build", "--no-such-flag").code == 2


def test_site_templates_override_the_theme_file_by_file(make_site):
    site = make_site(
        {
            "content/a/_column.yaml": column("栏目"),
            "content/a/x.md": article("标题一"),
            "templates/article.html": (
                '{% extends "base.html" %}{% block main %}<p class="mine">{{ article.title }}</p>'
                "{% endblock %}"
            ),
            "templates/static/extra.css": "p{}",
        }
    )
    assert run_cli("build", site).code == 0
    html = (site / "public/a/202405/x.html").read_text("utf-8")
    assert '<p class="mine">标题一</p>' in html
    assert "site-header" in html  # base.html still from the theme
    assert (site / "public/static/extra.css").is_file()
    assert (site / "public/static/style.css").is_file()


def test_template_syntax_error_names_template_and_line(make_site):
    site = make_site(
        {"content/a/x.md": article(), "templates/article.html": "line one\n{% if %}\n"}
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert result.err.strip().endswith(
        "templates/article.html:2: error: template syntax: Expected an expression, got 'end of statement block'"
    )


def test_undefined_variable_names_template_line_and_page(make_site):
    site = make_site(
        {"content/a/x.md": article(), "templates/article.html": "<p>\n{{ article.titel }}\n</p>\n"}
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert (
        "templates/article.html:2: error: 'provarchive.model.Article object' has no attribute "
        "'titel' (while rendering a/202405/x.html)" in result.err
    )


def test_two_articles_on_one_path_collide(make_site):
    site = make_site(
        {
            "content/a/x.md": article("一", slug="same"),
            "content/a/y.md": article("二", slug="same"),
            "content/a/z.md": article("三", slug="SAME"),
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert "both write 'a/202405/same.html' (the same file)" in result.err
    assert "(names differing only in case)" in result.err
    assert not (site / "public").exists()


def test_alias_on_a_page_collides(make_site):
    site = make_site(
        {
            "content/a/x.md": article("一"),
            "content/a/y.md": article("二", aliases="[/a/202405/x.html]"),
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert "(alias /a/202405/x.html) and " in result.err or "and content" in result.err
    assert "both write 'a/202405/x.html'" in result.err


def test_a_page_on_a_path_another_needs_as_a_folder_collides(make_site):
    site = make_site(
        {
            "content/a/x.md": article("一"),
            "content/a/y.md": article("二", aliases="[/a/202405/X.html/old.html]"),
            "content/a/z.md": article("三", aliases="[/a/202405/x.html/older.html]"),
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    found = [line for line in result.err.splitlines() if "needs a folder" in line]
    assert len(found) == 1, result.err  # one error a file, naming the first page to need it
    assert "content/a/x.md: error: " in found[0]
    assert "writes the file 'a/202405/x.html', but " in found[0]
    assert "content/a/y.md (alias /a/202405/X.html/old.html) needs a folder" in found[0]
    assert not (site / "public").exists()


def collides(paths: list[str]) -> bool:
    """Two of ``paths`` name one file ignoring case, or one is a folder of another."""
    keys = [path.casefold() for path in paths]
    folders = {key[:at] for key in keys for at, char in enumerate(key) if char == "/"}
    return len(set(keys)) < len(keys) or bool(folders & set(keys))


@settings(max_examples=examples(300, deep=5000), deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["a", "A", "b.html", "B.HTML", "ß", "ss"]), min_size=1, max_size=3
        ).map("/".join),
        max_size=6,
    )
)
def test_outputs_collide_exactly_when_two_are_one_file_or_one_is_a_folder_of_another(paths):
    """The quick check of every output path (C loops) lets a build through only when
    none collides, and then the full check finds each collision."""
    files = [(path, f"文件{number}") for number, path in enumerate(paths)]
    try:
        check_collisions([], files, Path("."))
    except ErrorGroup as group:
        assert collides(paths) and group.errors
    else:
        assert not collides(paths)


def test_images_and_article_links_resolve_relative_to_the_markdown_file(make_site):
    site = make_site(
        {
            "content/a/_column.yaml": column("甲"),
            "content/b/_column.yaml": column("乙"),
            "content/a/images/chart.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
            "content/a/x.md": article(
                "一", body="![图表](images/chart.svg)\n\n[另一篇](../b/y.md#第二段)"
            ),
            "content/b/y.md": article("二", body="## 第二段\n\n文字。"),
        }
    )
    assert run_cli("build", site).code == 0
    html = (site / "public/a/202405/x.html").read_text("utf-8")
    assert 'src="../images/chart.svg"' in html
    assert 'href="../../b/202405/y.html#%E7%AC%AC%E4%BA%8C%E6%AE%B5"' in html
    assert (site / "public/a/images/chart.svg").is_file()
    assert crawl(site / "public").broken == []


def test_every_link_resolves_from_a_subfolder_and_from_disk(make_site):
    site = news_site(make_site)
    assert run_cli("build", site).code == 0
    result = crawl(site / "public")
    assert result.broken == []
    expected = {
        p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("*.html")
    }
    assert expected - {"404.html"} <= result.reached
    for path in expected - {"404.html"}:  # the 404 page is served at any depth
        for link in read_page(site / "public" / path).links:
            assert not link.startswith("/"), f"{path}: {link} depends on the server root"


def test_output_folder_safety(make_site, tmp_path):
    site = news_site(make_site, count=1)
    result = run_cli("build", site, "-o", site)
    assert result.code == 1 and "would contain the site itself" in result.err
    result = run_cli("build", site, "-o", site / "content" / "out")
    assert result.code == 1 and "inside the site's content/ folder" in result.err
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    result = run_cli("build", site, "-o", foreign)
    assert result.code == 1 and "holds files provarchive did not write" in result.err
    assert (foreign / "notes.txt").read_text() == "mine"
    assert run_cli("build", site, "-o", foreign, "--force").code == 0
    assert not (foreign / "notes.txt").exists()
    assert (foreign / MARKER).exists()


def test_a_second_build_at_once_is_refused(make_site):
    site = news_site(make_site, count=1)
    with build_lock(site / CACHE_DIR):
        result = subprocess.run(
            [sys.executable, "-m", "provarchive", "build", str(site)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 1
    assert f"another build of this site is running (process {os.getpid()})" in result.stderr


def test_column_folder_linked_from_outside_is_refused(make_site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(article())
    site = make_site({"content/a/y.md": article()})
    (site / "content/linked").symlink_to(outside)
    result = run_cli("build", site)
    assert result.code == 1
    assert "content/linked: error: this folder is a link to" in result.err


def test_folder_without_column_file_warns_and_builds(make_site):
    site = make_site({"content/misc/x.md": article()})
    result = run_cli("build", site)
    assert result.code == 0
    assert "misc: warning: no _column.yaml here; the column is titled 'misc'" in result.err


def test_huge_file_is_refused_with_a_message(make_site):
    config = "title: t\nbase_url: https://a.example/\nmax_file_size: 1000\n"
    site = make_site({"content/a/x.md": article(body="字" * 2000)}, config=config)
    size = (site / "content/a/x.md").stat().st_size
    result = run_cli("build", site)
    assert result.code == 1
    assert f"x.md: error: the file is {size:,} bytes, over the limit of 1,000" in result.err


def test_rebuild_replaces_output_whole(make_site):
    site = news_site(make_site, count=2)
    assert run_cli("build", site).code == 0
    (site / "content/zhxx/yywl/t2.md").unlink()
    assert run_cli("build", site).code == 0
    assert not (site / "public/zhxx/yywl/202403/t2.html").exists()
    assert (site / "public/zhxx/yywl/202403/t1.html").exists()


def test_unknown_front_matter_key_suggests_the_nearest(make_site):
    site = make_site({"content/a/x.md": article(auther="王明")})
    result = run_cli("build", site)
    assert result.code == 1
    assert "x.md:4: error: unknown key 'auther' (did you mean 'authors'?)" in result.err


@pytest.mark.parametrize("slug", ["../../escape", "a\\b", "%2e%2e"])
def test_slugs_that_leave_the_output_are_refused(make_site, slug):
    site = make_site({"content/a/x.md": article(slug=f'"{slug}"')})
    result = run_cli("build", site)
    assert result.code == 1
    assert "x.md:4: error: slug" in result.err
    assert not Path(site.parent / "escape.html").exists()


def test_build_writes_nothing_outside_output_staging_and_cache(make_site, tmp_path):
    site = news_site(make_site, count=2)
    (tmp_path / "neighbour.txt").write_text("keep", "utf-8")
    before = snapshot(tmp_path)
    assert run_cli("build", site, "-q").code == 0
    assert run_cli("build", site, "-q", "--no-cache").code == 0
    # the replaced output is removed by a detached process: wait for it to be gone (on a
    # loaded machine the snapshot could otherwise walk into a folder as it is removed)
    deadline = time.monotonic() + 60
    while any(site.glob(".public.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    after = snapshot(tmp_path)
    for name in set(before) | set(after):
        if before.get(name) != after.get(name):
            assert name.startswith(("site/public/", "site/.provarchive-cache/", "site/.public.")), (
                f"the build changed {name}"
            )
    assert after["neighbour.txt"] == b"keep"


def test_nul_bytes_and_empty_files_are_errors(make_site):
    site = make_site(
        {"content/a/x.md": "---\ntitle: 甲\x00\ndate: 2024-01-01\n---\n", "content/a/y.md": ""}
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert "x.md:1: error: the file contains NUL bytes; it is not a text file" in result.err
    assert "y.md:1: error: the file is empty;" in result.err


def test_progress_bar_reports_stages_and_clears(make_site):
    import io

    from provarchive.build import BuildOptions, build_site
    from provarchive.cli import ProgressBar

    site = news_site(make_site, count=3)
    stream = io.StringIO()
    bar = ProgressBar(stream, delay=0)
    build_site(BuildOptions(site_dir=site, progress=bar, jobs=1))
    bar.clear()
    shown = stream.getvalue()
    assert "读取文章 [" in shown and "生成页面 [" in shown
    assert shown.endswith("\r\x1b[K")


def test_no_progress_bar_when_not_a_terminal(make_site):
    site = news_site(make_site, count=3)
    result = run_cli("build", site)
    assert "[" not in result.err and "\r" not in result.out + result.err


@pytest.mark.parametrize("command", ["build", "parse", "import", "serve", "new", "check"])
def test_every_command_has_help(command, capsys):
    from provarchive.cli import main

    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert f"usage: provarchive {command}" in text and len(text) > 300


def test_version():
    from provarchive import __version__

    result = run_cli("--version")
    assert result.code == 0 and result.out.strip() == f"provarchive {__version__}"


def test_long_listings_show_a_pager_window_with_gaps(make_site):
    site = make_site(
        {  # 12 pages of 3
            "content/zhxx/_column.yaml": column("综合资讯", 1),
            "content/zhxx/yywl/_column.yaml": column("要闻要论", 1),
            **{
                f"content/zhxx/yywl/t{n}.md": article(f"要闻第{n}篇", f"2024-03-01 09:{n:02d}")
                for n in range(36)
            },
        }
    )
    assert run_cli("build", site).code == 0
    page = read_page(site / "public/zhxx/yywl/index_6.html")
    pager = page.text[page.text.index("上一页") : page.text.index("第 6 页，")].split()
    assert pager == ["上一页", "1", "…", "4", "5", "6", "7", "8", "…", "12", "下一页", "尾页"]
    assert "../../zhxx/yywl/index_5.html" in page.links
    assert "../../zhxx/yywl/index_12.html" in page.links
    assert "../../zhxx/yywl/index_9.html" not in page.links
    first = read_page(site / "public/zhxx/yywl/index.html").text
    assert "上一页" not in first and "下一页" in first and "共 12 页" in first
    last = read_page(site / "public/zhxx/yywl/index_12.html").text
    assert "下一页" not in last and "上一页" in last


def test_memo_output_links_right_from_every_depth_even_nested(make_site):
    macros = (
        "{% macro inner(a) %}<a class='in' href=\"{{ a.url | url }}\">{{ a.title }}</a>{% endmacro %}"
        "{% macro outer(a) %}<a class='out' href=\"{{ url('index.html') }}\">首页</a>"
        "{{ memo(inner, a) }}{% endmacro %}"
    )
    site = make_site(
        {
            "content/a/_column.yaml": column("栏目"),
            "content/a/b/_column.yaml": column("子栏目"),
            "content/a/x.md": article("标题一", "2024-05-08", tags="[共同]"),
            "content/a/b/y.md": article("标题二", "2024-05-09", tags="[共同]"),
            "templates/article.html": (
                '{% extends "base.html" %}' + macros + "{% block main %}"
                "{% for a in [article] + related %}<p>{{ memo(outer, a) }}"
                "<a class='plain' href=\"{{ a.url | url }}\">{{ a.title }}</a></p>{% endfor %}"
                "{% endblock %}"
            ),
        }
    )
    assert run_cli("build", site).code == 0
    for page, root in (("a/202405/x.html", "../../"), ("a/b/202405/y.html", "../../../")):
        html = (site / "public" / page).read_text("utf-8")
        assert f"<a class='out' href=\"{root}index.html\">" in html
        for href in re.findall(r"class='in' href=\"([^\"]+)\"", html):
            assert href.startswith(root) and f"class='plain' href=\"{href}\"" in html
        assert "\x1a" not in html
    nested = (site / "public/a/b/202405/y.html").read_text("utf-8")
    assert "class='in' href=\"../../../a/202405/x.html\"" in nested


HOLD_LOCK = (
    "import fcntl, os, sys\n"
    "descriptor = os.open(sys.argv[1], os.O_RDONLY)\n"
    "fcntl.flock(descriptor, fcntl.LOCK_EX)\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)
"""A process standing for the detached remover of an earlier build: it holds the lock
on the folder it removes until its input ends."""


@pytest.mark.skipif(sys.platform == "win32", reason="folder locks are POSIX")
def test_an_old_copy_still_being_removed_is_left_to_its_remover(make_site):
    """The next build neither waits for nor repeats the removal of an old copy that an
    earlier build's remover still holds; one that no remover holds (a killed one's) it
    removes."""
    site = news_site(make_site, count=2)
    assert run_cli("build", site, "-q").code == 0
    trash = site / ".public.trash-1-feedbeef"
    (trash / "zhxx").mkdir(parents=True)
    (trash / "zhxx/old.html").write_text("旧的", "utf-8")
    remover = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(trash)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert remover.stdout.readline() == "holding\n"
        assert run_cli("build", site, "-q", "--no-cache").code == 0
        assert (trash / "zhxx/old.html").is_file()
    finally:
        remover.stdin.close()
        remover.wait()
    result = run_cli("build", site, "-q", "--no-cache")
    assert result.code == 0 and result.err == ""
    assert not trash.exists()
