"""Every kind of bad input: a clear path:line message, exit 1, no traceback, old output intact."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import DEFAULT_CONFIG, article, column, run_cli, snapshot, write_files

GOOD = {
    "content/zhxx/_column.yaml": column("综合资讯"),
    "content/zhxx/a.md": article("正常的文章", "2024-05-08"),
}

# (name, files to add or replace, expected message fragment with its location)
BAD_INPUTS = [
    (
        "yaml syntax",
        {"content/zhxx/b.md": "---\ntitle: [未闭合\ndate: 2024-01-01\n---\n"},
        "b.md:3: error: front matter:",
    ),
    (
        "front matter not closed",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 2024-01-01\n"},
        "b.md:1: error: front matter is not closed",
    ),
    ("no front matter", {"content/zhxx/b.md": "只有正文。\n"}, "b.md:1: error: no front matter"),
    (
        "python tag",
        {
            "content/zhxx/b.md": "---\ntitle: !!python/object/apply:os.system [ls]\n"
            "date: 2024-01-01\n---\n"
        },
        "b.md:2: error: front matter: YAML tags",
    ),
    (
        "billion laughs",
        {
            "content/zhxx/b.md": "---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
            "title: 甲\ndate: 2024-01-01\n---\n"
        },
        "b.md:3: error: anchors and aliases (& and *) are not allowed",
    ),
    (
        "duplicate key",
        {"content/zhxx/b.md": "---\ntitle: 甲\ntitle: 乙\ndate: 2024-01-01\n---\n"},
        "b.md:3: error: duplicate key 'title' (first on line 2)",
    ),
    (
        "missing title",
        {"content/zhxx/b.md": "---\ndate: 2024-01-01\n---\n"},
        "b.md:1: error: missing 'title'",
    ),
    (
        "empty title",
        {"content/zhxx/b.md": "---\ntitle: ''\ndate: 2024-01-01\n---\n"},
        "b.md:2: error: 'title' must not be empty",
    ),
    (
        "no date",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 去年\n---\n"},
        "b.md:3: error: 'date' must look like 2023-07-09",
    ),
    (
        "date out of range",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 3023-01-01\n---\n"},
        "b.md:3: error: 'date' year 3023 is out of range",
    ),
    (
        "authors: 5",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 2024-01-01\nauthors: 5\n---\n"},
        "b.md:4: error: 'authors' must be a list of text",
    ),
    (
        "tags: 科技",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 2024-01-01\ntags: 科技\n---\n"},
        "b.md:4: error: 'tags' must be a list of text",
    ),
    (
        "draft: 'no'",
        {"content/zhxx/b.md": '---\ntitle: 甲\ndate: 2024-01-01\ndraft: "no"\n---\n'},
        "b.md:4: error: 'draft' must be true or false",
    ),
    (
        "unknown key",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 2024-01-01\nsorce: 报\n---\n"},
        "b.md:4: error: unknown key 'sorce' (did you mean 'source'?)",
    ),
    (
        "not utf-8",
        {"content/zhxx/b.md": "---\ntitle: 甲\ndate: 2024-01-01\n---\n".encode("gbk")},
        "b.md:2: error: the file is not UTF-8 text",
    ),
    (
        "nul bytes",
        {"content/zhxx/b.md": b"---\ntitle: \x00\n---\n"},
        "b.md:1: error: the file contains NUL bytes",
    ),
    ("empty file", {"content/zhxx/b.md": ""}, "b.md:1: error: the file is empty"),
    (
        "same output path",
        {"content/zhxx/b.md": article("另一篇", "2024-05-08", slug="a")},
        "both write 'zhxx/202405/a.html' (the same file)",
    ),
    (
        "paths differing in case",
        {"content/zhxx/b.md": article("另一篇", "2024-05-08", slug="A")},
        "(names differing only in case)",
    ),
    (
        "alias equals a page",
        {"content/zhxx/b.md": article("另一篇", aliases="[/zhxx/202405/a.html]")},
        "both write 'zhxx/202405/a.html'",
    ),
    (
        "slug leaves output",
        {"content/zhxx/b.md": article("甲", slug="'../../x'")},
        "b.md:4: error: slug must be one name without '/'",
    ),
    (
        "alias leaves output",
        {"content/zhxx/b.md": article("甲", aliases="['/../../etc/x.html']")},
        "b.md:4: error: alias must not contain '.' or '..' segments",
    ),
    (
        "alias with %2e%2e",
        {"content/zhxx/b.md": article("甲", aliases="['/a/%2e%2e/%2e%2e/x.html']")},
        "b.md:4: error: alias must not contain '.' or '..' segments",
    ),
    (
        "alias with backslash",
        {"content/zhxx/b.md": article("甲", aliases="['/a\\\\..\\\\x.html']")},
        "b.md:4: error: alias contains a backslash",
    ),
    (
        "column file syntax",
        {"content/zhxx/_column.yaml": "title: [综合\n"},
        "_column.yaml:2: error: column file:",
    ),
    (
        "column file without title",
        {"content/zhxx/_column.yaml": "weight: 1\n"},
        "_column.yaml:1: error: missing or empty 'title'",
    ),
    (
        "site.yaml unknown key",
        {"site.yaml": DEFAULT_CONFIG + "titel: x\n"},
        "site.yaml:4: error: unknown key 'titel' (did you mean 'title'?)",
    ),
    (
        "site.yaml permalink escapes",
        {"site.yaml": DEFAULT_CONFIG + "permalink: '../{slug}.html'\n"},
        "site.yaml:4: error: 'permalink' permalink must not contain '.' or '..' segments",
    ),
    (
        "template syntax",
        {"templates/article.html": "{% for %}\n"},
        "templates/article.html:1: error: template syntax:",
    ),
    (
        "template undefined",
        {"templates/column.html": "<p>\n{{ nothing.here }}\n</p>\n"},
        "templates/column.html:2: error: 'nothing' is undefined (while rendering zhxx/index.html)",
    ),
]


@pytest.mark.parametrize(("name", "files", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_reported_and_the_output_kept(make_site, name, files, expected):
    site = make_site(dict(GOOD))
    assert run_cli("build", site, "-q").code == 0
    before = snapshot(site / "public")
    content_before = snapshot(site / "content")
    write_files(site, files)
    edited = snapshot(site / "content")
    result = subprocess.run(
        [sys.executable, "-m", "provarchive", "build", str(site)],
        capture_output=True,
        text=True,
        check=False,
        cwd=site,
    )
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site / "public") == before, "the previous output must stay as it was"
    assert snapshot(site / "content") == edited, "a build never modifies content"
    assert content_before.keys() <= edited.keys()


def test_symlinked_column_outside_content(make_site, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.md").write_text(article(), "utf-8")
    site = make_site(dict(GOOD))
    (site / "content/linked").symlink_to(outside)
    result = run_cli("build", site)
    assert result.code == 1 and "is a link to" in result.err


def test_all_errors_of_a_site_are_reported_together(make_site):
    files = dict(GOOD)
    for name, extra, _ in BAD_INPUTS[:12]:
        for path, data in extra.items():
            files[path.replace("b.md", f"{abs(hash(name)) % 10**8}.md")] = data
    site = make_site(files)
    result = run_cli("build", site)
    assert result.code == 1
    assert result.err.strip().endswith("12 errors; nothing was written")


def test_a_named_pipe_or_a_link_to_nothing_is_refused_not_waited_on(make_site):
    """Reading a named pipe waits for a writer that never comes: the walk refuses it
    (as an article or as a column file), with a link to nothing, and the build ends."""
    site = make_site(dict(GOOD))
    assert run_cli("build", site, "-q").code == 0
    before = snapshot(site / "public")
    os.mkfifo(site / "content/zhxx/pipe.md")
    (site / "content/qita").mkdir()
    os.mkfifo(site / "content/qita/_column.yaml")
    write_files(site, {"content/qita/b.md": article("另一篇", "2024-05-09")})
    (site / "content/zhxx/gone.md").symlink_to(site / "content/zhxx/missing.md")
    result = subprocess.run(
        [sys.executable, "-m", "provarchive", "build", str(site)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,  # a limit for a build that hangs, not a pace
    )
    refused = "error: this is not a regular file (a named pipe, a device, or a link to nothing)"
    assert result.returncode == 1
    assert f"content/zhxx/pipe.md: {refused}" in result.stderr
    assert f"content/zhxx/gone.md: {refused}" in result.stderr
    assert f"content/qita/_column.yaml: {refused}" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site / "public") == before


@pytest.mark.parametrize("where", ["site", "beside", "content"])
def test_mistakes_found_after_reading_name_files_from_the_working_folder(
    make_site, tmp_path, monkeypatch, where
):
    """Articles keep their files relative to the site folder, whatever folder the build
    runs in; a mistake found once they are read (a topic or a cover that is not there,
    an image that cannot be read) still names the file as seen from that folder, as a
    mistake found while reading does."""
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/a.md": article(topics="[wu]"),
            "content/zhxx/b.md": article(image="gone.jpg"),
            "content/zhxx/c.md": article(body="![图](bad.png)"),
            "content/zhxx/bad.png": b"not a picture",
            "content/zhxx/d.md": article(date="2024-13-01"),
        }
    )
    folder = {"site": site, "beside": tmp_path, "content": site / "content"}[where]
    monkeypatch.chdir(folder)
    shown = os.path.relpath(site / "content/zhxx", folder)
    result = run_cli("build", os.path.relpath(site, folder) if where != "site" else ".")
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert f"{shown}/d.md:3: error: " in result.err, result.err
    for expected in (
        f"{shown}/a.md: error: 'topics' names 'wu'",
        f"{shown}/b.md: error: 'image' names content/zhxx/gone.jpg, which does not exist",
        f"{shown}/bad.png: error: the image used by {shown}/c.md ",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, result.err)
