"""Shared fixtures: real sites written to temporary folders and built through the CLI."""

from __future__ import annotations

import contextlib
import io
import os
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from provarchive.cli import main

# Property tests draw the same examples on every run of `make test` (profile "ci"), so a
# failure in CI is one the change introduced; `make test-deep` (profile "deep") draws
# new and many more examples, to look for bugs. HYPOTHESIS_PROFILE picks the profile.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("deep", deadline=None, max_examples=10_000, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count: int, deep: int = 10_000) -> int:
    """How many examples a property test draws: ``count`` in CI, ``deep`` under test-deep."""
    return max(count, deep) if PROFILE == "deep" else count


REPO = Path(__file__).resolve().parents[1]
"""The repository root (holds the example site)."""
SEEDS = REPO.parent / "shared" / "seeds"
"""Real pages saved by a crawler, beside the repository in this workplace only."""

DEFAULT_CONFIG = """\
title: 测试新闻网
base_url: https://news.example.gov.cn/archive/
per_page: 3
"""


@dataclass
class Result:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


def run_cli(*args: str | os.PathLike[str]) -> Result:
    """Run ``provarchive ARGS`` in this process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return Result(code, out.getvalue(), err.getvalue())


def article(
    title: str = "测试标题", date: str = "2024-05-08", body: str = "正文内容。", **meta
) -> str:
    """Return the text of an article file with the given front matter."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    for key, value in meta.items():
        lines.append(f"{key}: {value}")
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def column(title: str, weight: int = 0) -> str:
    """Return the text of a ``_column.yaml`` file."""
    return f"title: {title}\nweight: {weight}\n"


def write_files(site: Path, files: dict[str, str | bytes]) -> None:
    """Write ``files`` (path under ``site`` to text or bytes), making folders as needed."""
    for name, data in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Write a site to a temporary folder: ``make_site({"content/a/x.md": "..."})``."""

    def make(files: dict[str, str | bytes], config: str | None = DEFAULT_CONFIG) -> Path:
        site = tmp_path / "site"
        site.mkdir(exist_ok=True)
        if config is not None:
            (site / "site.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
        (site / "content").mkdir(exist_ok=True)
        write_files(site, files)
        return site

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` with its bytes, by relative path, and every
    folder (as ``path/`` with no bytes), so that a left-over empty folder counts too."""
    return {
        path.relative_to(folder).as_posix() + ("/" if path.is_dir() else ""): b""
        if path.is_dir()
        else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def date_back(folder: Path, seconds: float = 3600, *, itself: bool = True) -> None:
    """Make everything in ``folder`` (and, if ``itself``, the folder) look written
    ``seconds`` ago, as real edits are. An old output that a build left to a process of
    its own to remove may lose files as they are dated: those are skipped, as ``os.walk``
    skips a folder gone before it is listed."""
    when = time.time() - seconds
    paths = [folder] if itself else []
    for parent, folders, files in os.walk(folder):
        paths += [os.path.join(parent, name) for name in (*folders, *files)]
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.utime(path, (when, when))


def require_all() -> bool:
    """Whether skips for missing tools count as failures (set in CI)."""
    return os.environ.get("PROVARCHIVE_REQUIRE_ALL") == "1"
