"""A build killed at any moment leaves the old output or the new one, complete; never a mix."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: its parent's id and its state letter (R, S, Z...), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
            found[int(entry.name)] = (int(parent), state)
    return found


def _wait_until(condition, limit: float, step: float = 0.005) -> bool:
    """Whether ``condition()`` became true within ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_workers_end_with_their_build(make_site, ending):
    files = {"content/zhxx/_column.yaml": column("综合资讯")}
    for n in range(2000):
        files[f"content/zhxx/a{n:04d}.md"] = article(
            f"第{n}篇", f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}", body="正文。" * 60
        )
    site = make_site(files)
    build = subprocess.Popen(
        [sys.executable, "-m", "provarchive", "build", str(site), "-q", "-j", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = site / f".public.staging-{build.pid}"
    workers: list[int] = []

    def rendering() -> bool:  # three jobs: the build's process renders beside two workers
        workers[:] = [pid for pid, (parent, _) in _processes().items() if parent == build.pid]
        return len(workers) == 2 and any(staging.glob("zhxx/*/*.html"))

    try:
        assert _wait_until(lambda: rendering() or build.poll() is not None, 120)
        assert build.poll() is None, "the build ended before it was seen rendering"
    finally:
        build.send_signal(ending)
        build.wait()
    died = time.monotonic()

    def running() -> list[int]:  # a zombie is dead; whoever adopted it reaps it
        states = _processes()
        return [pid for pid in workers if pid in states and states[pid][1] != "Z"]

    if ending == signal.SIGTERM:  # the build ends its workers and waits for them first
        assert not [pid for pid in workers if pid in _processes()], "workers outlived a SIGTERM"
    assert _wait_until(lambda: not running(), 5), f"workers {running()} still run"
    assert time.monotonic() - died < 1.0, "workers outlived their build by over a second"
