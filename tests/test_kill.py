"""A build killed at any moment leaves the old output or the new one, complete; never a mix."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import article, column, run_cli, snapshot

ARTICLES = 240


def write_version(site: Path, version: int) -> None:
    """Version 1 and 2 of a site differ on every page (the site title) and in one article."""
    (site / "site.yaml").write_text(
        f"title: 版本{version}档案\nbase_url: https://k.example.gov.cn/\nper_page: 10\n", "utf-8"
    )
    extra = site / "content/zhxx/extra.md"
    if version == 2:
        extra.write_text(article("第二版新增", "2024-06-01"), "utf-8")
    else:
        extra.unlink(missing_ok=True)


def test_killed_builds_leave_old_or_new_output(make_site, tmp_path):
    files = {"content/zhxx/_column.yaml": column("综合资讯")}
    for n in range(ARTICLES):
        files[f"content/zhxx/a{n:03d}.md"] = article(
            f"第{n}篇新闻",
            f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            tags=f"[标签{n % 7}]",
            body="这是正文。" * 40,
        )
    site = make_site(files)
    references = {}
    for version in (1, 2):
        write_version(site, version)
        out = tmp_path / f"ref{version}"
        assert run_cli("build", site, "--no-cache", "-o", out, "-q").code == 0
        references[version] = snapshot(out)
    write_version(site, 1)
    started = time.perf_counter()
    assert run_cli("build", site, "-q").code == 0
    duration = time.perf_counter() - started

    rng = random.Random(5)
    for attempt in range(12):
        write_version(site, 2 if attempt % 2 == 0 else 1)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "provarchive",
                "build",
                str(site),
                "-q",
                "-j",
                "2",
                *(["--no-cache"] if attempt % 3 == 0 else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0, duration * 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = snapshot(site / "public")
        matches = [v for v, files in references.items() if files == now]
        assert matches, f"attempt {attempt}: the output is neither version after a kill"
    assert run_cli("build", site, "-q").code == 0
    final = 2 if 11 % 2 == 0 else 1
    assert snapshot(site / "public") == references[final]
