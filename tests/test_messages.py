"""What the commands say: counts that match what was printed, in proper English."""

from __future__ import annotations

import os
import re
import time

from conftest import article, column, run_cli

TWO_MISTAKES = "---\ntitle: [1]\ndate: 明天\n---\n正文。\n"
"""One article file with two mistakes (an empty title and a date that is no date)."""


def test_one_article_and_one_warning_are_singular(make_site):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/bumen/a.md": article("唯一一篇", "2024-05-08"),  # no _column.yaml: a warning
        }
    )
    an_hour_ago = time.time() - 3600  # well before the build: no file is "racy"
    for path in site.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    result = run_cli("build", site)
    assert result.code == 0, result.err
    # one warning line (the site.yaml notes about files to copy by hand are not warnings)
    assert len([line for line in result.err.splitlines() if ": warning: " in line]) == 1
    assert re.match(
        r"built 1 article into .*: \d+ pages \(.*\), \d+ other files, 1 warning, ", result.out
    )
    again = run_cli("build", site)
    assert again.out.startswith("nothing changed: 1 article, "), again.out


def test_many_are_plural(make_site):
    files = {"content/zhxx/_column.yaml": column("综合资讯")}
    files.update({f"content/zhxx/a{n}.md": article(f"第{n}篇", "2024-05-08") for n in range(3)})
    result = run_cli("build", make_site(files))
    assert result.code == 0, result.err
    assert re.match(r"built 3 articles into .*, 0 warnings, ", result.out), result.out


def test_the_count_of_errors_is_the_count_of_lines_printed(make_site):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/a.md": TWO_MISTAKES,
            "content/zhxx/b.md": "---\ntitle: 好的\ndate: 后天\n---\n正文。\n",
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    *errors, count = result.err.splitlines()
    assert len(errors) == 3 and all(": error: " in line for line in errors), result.err
    assert count == "3 errors; nothing was written"
