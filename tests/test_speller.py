"""Names spelled in pinyin in a process of their own, so that a build's process and its
page workers never hold pypinyin's dictionaries (provarchive.speller), and taken from
the newest build by ``check``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import article, column, snapshot, write_files
from provarchive.build import BuildOptions, build_site
from provarchive.cachefiles import CACHE_DIR
from provarchive.speller import speller, started_speller
from provarchive.urls import spell_here

FORKS = hasattr(os, "fork")

BUILD = """
import sys
from pathlib import Path
from provarchive.build import BuildOptions, build_site
build_site(BuildOptions(site_dir=Path(sys.argv[1]), jobs=2))
print("pypinyin" in sys.modules)
"""


CHECK = """
import sys
from pathlib import Path
from provarchive.check import check_site
report = check_site(Path(sys.argv[1]))
print(len(report.errors), "pypinyin" in sys.modules)
"""


COMMAND = """
import sys
from provarchive.cli import main
code = main(["build", *sys.argv[1:], "-q", "-j", "2"])
print(code, "pypinyin" in sys.modules)
"""


def _run(script: str, site: Path, *more: str | Path) -> list[str]:
    """Run ``script`` on ``site`` (and ``more`` arguments) in a new interpreter; the
    words it printed."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(site), *map(str, more)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def _built_with_pypinyin(site: Path) -> bool:
    """Build ``site`` in a new interpreter; whether pypinyin was imported into it."""
    return _run(BUILD, site)[-1] == "True"


@pytest.mark.skipif(not FORKS, reason="no fork on this system: names are spelled here")
def test_a_first_build_spells_its_names_in_another_process(make_site, tmp_path):
    site = make_site(
        {
            "content/news/_column.yaml": column("要闻"),
            "content/news/a.md": article("山城夜景", tags="[重庆, 长江]", source="本报"),
            "content/news/b.md": article("江上航运", date="2024-05-09", authors="[李华]"),
        }
    )
    assert not _built_with_pypinyin(site)
    tags = sorted(path.name for path in (site / "public" / "tags").iterdir() if path.is_dir())
    assert tags == ["chang-jiang", "chong-qing"]  # pinyin, 重 read in context
    assert (site / "public" / "authors" / "li-hua" / "index.html").is_file()

    # the next build spells only the name the last one did not hold, in the build's process
    write_files(site, {"content/news/c.md": article("储蓄新规", date="2024-05-10", tags="[银行]")})
    assert _built_with_pypinyin(site)
    assert (site / "public" / "tags" / "yin-hang" / "index.html").is_file()
    clean = tmp_path / "clean"
    build_site(BuildOptions(site_dir=site, output_dir=clean, use_cache=False))
    assert snapshot(site / "public") == snapshot(clean)


def test_check_takes_the_names_the_newest_build_spelled(make_site):
    site = make_site(
        {
            "content/news/_column.yaml": column("要闻"),
            "content/news/a.md": article("山城夜景", tags="[重庆]", authors="[李华]"),
        }
    )
    build_site(BuildOptions(site_dir=site))
    assert _run(CHECK, site) == ["0", "False"]  # every name spelled by that build

    write_files(site, {"content/news/b.md": article("储蓄新规", date="2024-05-10", tags="[银行]")})
    assert _run(CHECK, site) == ["0", "True"]  # a name no build spelled: spelled here


@pytest.mark.skipif(not FORKS, reason="no fork on this system: names are spelled here")
def test_the_command_spells_elsewhere_in_a_build_that_reads_no_cache(make_site, tmp_path):
    site = make_site(
        {
            "content/news/_column.yaml": column("要闻"),
            "content/news/a.md": article("山城夜景", tags="[重庆, 长江]", authors="[李华]"),
        }
    )
    assert not (site / CACHE_DIR).exists()
    assert _run(COMMAND, site) == ["0", "False"]  # the first build: no cache yet
    tags = sorted(path.name for path in (site / "public" / "tags").iterdir() if path.is_dir())
    assert tags == ["chang-jiang", "chong-qing"]
    clean = tmp_path / "clean"
    assert _run(COMMAND, site, "--no-cache", "-o", clean) == ["0", "False"]
    assert snapshot(site / "public") == snapshot(clean)


def test_the_speller_starts_with_the_command_only_when_no_cache_is_read(tmp_path):
    with started_speller(tmp_path, True, 2) as first:  # no cache folder: the first build
        assert first is not None
        assert first.run(["重庆", "长江"]) == {"重庆": "chong-qing", "长江": "chang-jiang"}
    (tmp_path / CACHE_DIR).mkdir()
    with started_speller(tmp_path, True, 2) as later:
        assert later is None
    with started_speller(tmp_path, False, 2) as clean:  # --no-cache
        assert clean is not None
        with speller(False, 2, clean) as spell:  # a build that does not need it after all
            assert spell is spell_here
