"""Faults of the machine, arranged for real: a full disk (a small tmpfs), a read-only file
system (a read-only bind mount) and no permission (the CLI run as the user nobody).

Each ends in one ``path: error: ...`` line and exit status 1, the previous output intact
and nothing left behind that breaks the next build. Mounting needs root (CI runs as
root); where a fault cannot be arranged the test skips, or fails under
``PROVARCHIVE_REQUIRE_ALL=1``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import article, column, require_all, run_cli, snapshot, write_files
from provarchive.output import MARKER

NOBODY = 65534
SETPRIV = shutil.which("setpriv")
PYTHON = (sys.executable, "-m", "provarchive")


def cannot_arrange(reason: str) -> None:
    """Skip: the fault cannot be arranged here (a failure when every test must run)."""
    if require_all():
        pytest.fail(f"PROVARCHIVE_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


def mount(*args: str | os.PathLike[str]) -> None:
    """Run ``mount ARGS``, or skip when this machine does not let us."""
    if os.geteuid() != 0:
        cannot_arrange("mounting a tmpfs or a read-only bind mount needs root")
    result = subprocess.run(["mount", *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        cannot_arrange(f"mount {' '.join(map(str, args))} failed: {result.stderr.strip()}")


def unmount(point: Path) -> None:
    subprocess.run(["umount", str(point)], capture_output=True)
    if os.path.ismount(point):  # still busy: detach it now, it goes when unused
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


@contextlib.contextmanager
def small_disk(point: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``point`` (made), unmounted at the end."""
    point.mkdir(parents=True, exist_ok=True)
    mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", point)
    try:
        yield point
    finally:
        unmount(point)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` bind-mounted read-only over itself, for the duration."""
    mount("--bind", folder, folder)
    try:
        mount("-o", "remount,bind,ro", folder)
        yield folder
    finally:
        unmount(folder)


def news_files(count: int, body: str = "这是正文。" * 30) -> dict[str, str]:
    files = {"content/zhxx/_column.yaml": column("综合资讯")}
    for n in range(count):
        files[f"content/zhxx/a{n:03d}.md"] = article(
            f"第{n}篇新闻", f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}", body=body
        )
    return files


def one_error(result, pattern: str) -> None:
    """The run failed with exactly one line on stderr, matching ``pattern``."""
    assert result.code == 1, (result.code, result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert re.fullmatch(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.err


def leftovers(folder: Path) -> list[str]:
    """Staging, trash or temporary files a failed run must not leave in ``folder``."""
    return [
        str(path)
        for path in folder.rglob("*")
        if re.search(r"\.(staging|trash)-|\.tmp$", path.name)
    ]


def same_site(a: Path, b: Path) -> bool:
    """Whether two outputs hold the same files (marker files aside)."""
    return {k: v for k, v in snapshot(a).items() if k != MARKER} == {
        k: v for k, v in snapshot(b).items() if k != MARKER
    }


def test_disk_full_while_writing_the_new_site(make_site, tmp_path):
    site = make_site(news_files(5))
    with small_disk(tmp_path / "disk") as disk:
        out = disk / "public"
        assert run_cli("build", site, "-o", out, "-q").code == 0
        before = snapshot(out)
        write_files(site, news_files(400))
        one_error(
            run_cli("build", site, "-o", out),
            re.escape(str(out)) + r": error: no space left on the device while writing the "
            r"new site; the previous site is unchanged; free some space and try again",
        )
        assert snapshot(out) == before
        assert not leftovers(disk)
        for path in (site / "content/zhxx").glob("a*.md"):  # back to the five articles
            if path.name >= "a005.md":
                path.unlink()
        assert run_cli("build", site, "-o", out, "-q").code == 0
        assert run_cli("build", site, "--no-cache", "-o", tmp_path / "clean", "-q").code == 0
        assert same_site(out, tmp_path / "clean")


def test_disk_full_while_saving_the_build_cache(tmp_path):
    with small_disk(tmp_path / "disk", "16m") as disk:
        site = disk / "site"
        site.mkdir()
        (site / "site.yaml").write_text("title: 满盘\nbase_url: https://f.example.cn/\n", "utf-8")
        write_files(site, news_files(3))
        out = tmp_path / "public"  # the output is elsewhere: only the cache lacks room
        assert run_cli("build", site, "-o", out, "-q").code == 0
        before = snapshot(out)
        write_files(site, news_files(60, body="很长的正文。" * 2000))  # 36 KB a body
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * (free - 256 * 1024))
        result = run_cli("build", site, "-o", out)
        one_error(
            result,
            re.escape(str(site / ".provarchive-cache")) + r": error: no space left on the "
            r"device while saving the build cache; free some space and try again",
        )
        assert snapshot(out) == before
        assert not leftovers(disk) and not leftovers(tmp_path)
        (disk / "filler").unlink()
        assert run_cli("build", site, "-o", out, "-q").code == 0
        assert run_cli("build", site, "--no-cache", "-o", tmp_path / "clean", "-q").code == 0
        assert same_site(out, tmp_path / "clean")


def test_read_only_output_folder_and_site_folder(make_site, tmp_path):
    site = make_site(news_files(5))
    place = tmp_path / "www"
    place.mkdir()
    out = place / "public"
    assert run_cli("build", site, "-o", out, "-q").code == 0
    before = snapshot(out)
    (site / "content/zhxx/new.md").write_text(article("新的一篇", "2024-06-01"), "utf-8")
    with read_only(place):
        one_error(
            run_cli("build", site, "-o", out),
            re.escape(str(out)) + r": error: the file system is read-only while writing the "
            r"new site; the previous site is unchanged; remount it writable",
        )
    assert snapshot(out) == before and not leftovers(place)
    with read_only(site):
        one_error(
            run_cli("build", site, "-o", out),
            re.escape(str(site / ".provarchive-cache")) + r": error: the file system is "
            r"read-only while taking the build lock; nothing was built; remount it writable",
        )
    assert snapshot(out) == before
    assert run_cli("build", site, "-o", out, "-q").code == 0
    assert (out / "zhxx/202406/new.html").is_file()


def test_read_only_site_for_serve_new_and_import(make_site, tmp_path):
    site = make_site(news_files(2))
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>导入的一篇</title></head><body><h1>导入的一篇</h1>"
        "<p>发布时间：2024-05-08</p><p>导入的正文，足够长的一段文字。</p></body></html>",
        "utf-8",
    )
    with read_only(site):
        served = subprocess.run(
            [sys.executable, "-m", "provarchive", "serve", str(site), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert served.returncode == 1, served
        assert served.stderr.count("\n") == 1 and "Traceback" not in served.stderr
        assert re.fullmatch(
            r".*\.provarchive-cache/serve: error: the file system is read-only while preparing "
            r"the folder the site is served from; remount it writable\n",
            served.stderr,
        ), served.stderr
        one_error(
            run_cli("new", "--site", site, "--column", "zhxx", "新闻标题"),
            r".*content/zhxx/\S+\.md: error: the file system is read-only while creating the "
            r"article; remount it writable",
        )
        imported = run_cli("import", page, "--site", site, "--column", "zhxx")
        assert imported.code == 1 and "Traceback" not in imported.err
        assert re.fullmatch(
            r".*\.md: error: the file system is read-only while writing into content/; nothing "
            r"was imported; remount it writable\n",
            imported.err,
        ), imported.err
    assert sorted(p.name for p in (site / "content/zhxx").iterdir()) == [
        "_column.yaml",
        "a000.md",
        "a001.md",
    ]


def test_disk_full_while_writing_a_new_article_leaves_no_empty_file(make_site, tmp_path):
    with small_disk(tmp_path / "disk", "1m") as disk:
        site = disk / "site"
        site.mkdir()
        (site / "site.yaml").write_text("title: 满盘\nbase_url: https://f.example.cn/\n", "utf-8")
        write_files(site, news_files(1))
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * free)
        result = run_cli("new", "--site", site, "--column", "zhxx", "新闻标题")
        assert result.code == 1 and len(result.err.splitlines()) == 1, result.err
        assert "error: no space left on the device while " in result.err
        assert sorted(p.name for p in (site / "content/zhxx").iterdir()) == [
            "_column.yaml",
            "a000.md",
        ]


@contextlib.contextmanager
def nobodys_folder() -> Iterator[Path]:
    """A folder that the user nobody owns (the CLI runs as nobody in it), removed after."""
    if os.geteuid() != 0 or SETPRIV is None:
        cannot_arrange("running the CLI as another user needs root and setpriv")
    folder = Path(tempfile.mkdtemp(prefix="provarchive-nobody-"))
    try:
        os.chmod(folder, 0o755)
        os.chown(folder, NOBODY, NOBODY)
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):  # root can, but make every folder writable
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def as_nobody(*args: str | os.PathLike[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``provarchive ARGS`` as the user nobody, in ``cwd``."""
    return subprocess.run(
        [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *PYTHON, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=300,
    )


def nobodys_site(folder: Path, count: int = 5) -> Path:
    site = folder / "site"
    write_files(site, {"site.yaml": "title: 权限\nbase_url: https://p.example.cn/\n"})
    write_files(site, news_files(count))
    for path in (folder, *folder.rglob("*")):
        os.chown(path, NOBODY, NOBODY)
    return site


def test_no_permission_beside_the_output_or_in_the_site(tmp_path):
    with nobodys_folder() as folder:
        site = nobodys_site(folder)
        www = folder / "www"
        www.mkdir()
        os.chown(www, NOBODY, NOBODY)
        built = as_nobody("build", "site", "-o", "www/public", "-q", cwd=folder)
        assert built.returncode == 0, built.stderr
        before = snapshot(www / "public")
        os.chmod(www, 0o555)  # the output stays writable, the folder it is in does not
        (site / "content/zhxx/a000.md").write_text(article("改了", "2024-01-01"), "utf-8")
        failed = as_nobody("build", "site", "-o", "www/public", cwd=folder)
        assert failed.returncode == 1 and failed.stderr.count("\n") == 1, failed.stderr
        assert failed.stderr == (
            "www/public: error: no permission to write in www while writing the new site; "
            "the previous site is unchanged; make it writable for this user\n"
        )
        assert snapshot(www / "public") == before and not leftovers(www)
        os.chmod(site, 0o555)  # a site folder nobody may not write in: no cache folder
        shutil.rmtree(site / ".provarchive-cache")
        os.chmod(www, 0o755)
        failed = as_nobody("build", "site", "-o", "www/public", cwd=folder)
        assert failed.stderr == (
            "site/.provarchive-cache: error: no permission to write in site while taking the "
            "build lock; nothing was built; make it writable for this user\n"
        )
        assert failed.returncode == 1 and snapshot(www / "public") == before


def test_an_old_copy_that_cannot_be_removed_is_reported_and_removed_later(tmp_path):
    with nobodys_folder() as folder:
        site = nobodys_site(folder)
        assert as_nobody("build", "site", "-q", cwd=folder).returncode == 0
        os.chmod(site / "public/zhxx", 0o555)  # its files cannot be deleted by nobody
        replaced = as_nobody("build", "site", "--no-cache", cwd=folder)
        assert replaced.returncode == 0, replaced.stderr
        trash = [path.name for path in site.glob(".public.trash-*")]
        assert len(trash) == 1, list(site.iterdir())
        warning = (
            f"site/{trash[0]}: warning: no permission to write in site/{trash[0]}/zhxx while "
            "removing an old copy of the site; make it writable for this user, or delete "
            "the folder; the next build tries again"
        )
        assert replaced.stderr.splitlines() == [warning]
        assert "1 warning," in replaced.stdout
        an_hour_ago = time.time() - 3600  # nothing changed since: the shortcut retries too
        for path in (site / "content", *(site / "content").rglob("*"), site / "site.yaml"):
            os.utime(path, (an_hour_ago, an_hour_ago))
        again = as_nobody("build", "site", cwd=folder)
        assert again.returncode == 0 and again.stderr.splitlines() == [warning], again
        os.chmod(site / trash[0] / "zhxx", 0o755)
        last = as_nobody("build", "site", cwd=folder)
        assert last.returncode == 0 and last.stderr == "", last.stderr
        assert not list(site.glob(".public.trash-*"))
        assert (site / "public/zhxx/index.html").is_file()


def test_a_read_only_output_folder_is_replaced_and_its_copy_reported(tmp_path):
    with nobodys_folder() as folder:
        site = nobodys_site(folder)
        assert as_nobody("build", "site", "-q", cwd=folder).returncode == 0
        os.chmod(site / "public", 0o555)  # nobody may not delete its files
        for n in (1, 2):
            page = site / "content/zhxx/a000.md"
            page.write_text(article(f"第{n}次改动", "2024-01-01"), "utf-8")
            built = as_nobody("build", "site", cwd=folder)
            assert built.returncode == 0, built.stderr
            assert f"第{n}次改动" in (site / "public/zhxx/202401/a000.html").read_text("utf-8")
        # the read-only copy was the spare after build 1; build 2 could not start from it
        trash = [path.name for path in site.glob(".public.trash-*")]
        assert len(trash) == 1, list(site.iterdir())
        assert built.stderr.splitlines() == [
            f"site/{trash[0]}: warning: no permission to write in site/{trash[0]} while "
            "removing an old copy of the site; make it writable for this user, or delete "
            "the folder; the next build tries again"
        ]
        os.chmod(site / trash[0], 0o755)
        last = as_nobody("build", "site", "--no-cache", cwd=folder)
        assert last.returncode == 0 and last.stderr == "", last.stderr
        assert not list(site.glob(".public.trash-*"))


def test_an_unreadable_column_folder_is_an_error_on_every_path():
    """A folder the build cannot list is one error line, on a clean build and after a
    good build alike (the no-change shortcut never hides it)."""
    with nobodys_folder() as folder:
        site = nobodys_site(folder)
        assert as_nobody("build", "site", "-q", cwd=folder).returncode == 0
        before = snapshot(site / "public")
        os.chmod(site / "content/zhxx", 0o300)  # nobody may enter it but not list it
        expected = (
            "site/content/zhxx: error: cannot read this folder (Permission denied); "
            "make it readable (chmod) or move it out of content/\n"
        )
        for flags in ([], ["--no-cache"]):
            failed = as_nobody("build", "site", *flags, cwd=folder)
            assert (failed.returncode, failed.stderr) == (1, expected)
        assert snapshot(site / "public") == before
