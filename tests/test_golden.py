"""Golden pages: one page of every kind of the example archive, the feeds, the sitemap and
the redirect files, compared byte for byte.

After an intended change to templates or rendering, run ``make golden`` and review
the difference with ``git diff tests/golden``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REPO, run_cli

GOLDEN = Path(__file__).parent / "golden"
PAGES = [
    "index.html",  # home
    "zhxx/index.html",  # column with sub-columns, first page
    "zhxx/index_2.html",  # a later page of it
    "kjjy/kjcx/index.html",  # leaf column
    "zhxx/yywl/202307/t20230709_001.html",  # article
    "html/2024/yywl_0227.html",  # redirect page of a legacy address
    "archives/index.html",  # archives of the site: years
    "archives/2024/index.html",  # a year
    "archives/2024/03/index.html",  # a month
    "mssh/archives/index.html",  # archives of a column
    "mssh/archives/2024/index.html",  # a column's year
    "tags/index.html",  # a taxonomy's terms
    "tags/chan-ye-sheng-ji/index.html",  # a term
    "sources/lan-shan-ri-bao/index.html",
    "authors/chen-li-xin/index.html",
    "search.html",
    "404.html",
    "atom.xml",  # the site's feed
    "zhxx/atom.xml",  # a column's feed
    "sitemap.xml",
    "robots.txt",
    "_redirects",
    "nginx-redirects.conf",
    ".htaccess",
    "sitemap.html",  # the human-readable site map
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "public"
    result = run_cli("build", REPO, "-o", out)
    assert result.code == 0, result.err
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden_copy(built, page):
    produced = (built / page).read_bytes()
    golden = GOLDEN / page
    if os.environ.get("PROVARCHIVE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert golden.is_file(), f"no golden copy of {page}; run make golden"
    assert produced.decode("utf-8") == golden.read_text(encoding="utf-8"), (
        f"{page} differs from tests/golden/{page}; if intended, run make golden"
    )
