"""Golden pages: a few pages of the example archive, compared byte for byte.

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
    "index.html",
    "zhxx/index.html",
    "zhxx/index_2.html",
    "zhxx/yywl/202307/t20230709_001.html",
    "kjjy/kjcx/index.html",
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
