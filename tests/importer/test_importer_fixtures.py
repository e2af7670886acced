"""Every fixture page parses to exactly its expected fields; the seed page too."""

from __future__ import annotations

import json

import pytest
from importer_cases import FIELDS, SEEDS, cases, field_accuracy, format_accuracy

from provarchive.importer.read.page import JSON_KEYS
from provarchive.importer.read.parse import page_to_json, parse_page

CASES = cases()


def test_there_are_enough_fixtures() -> None:
    assert len(CASES) >= 30
    assert sum(case.page.suffix == ".html" for case in CASES) >= 4


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_fields(case) -> None:
    page = parse_page(case.page.read_bytes(), case.page.name)
    actual = page_to_json(page, case.page.name)
    actual["original_url"] = page.original_url
    actual["encoding"] = page.encoding
    wrong = {
        field: {"expected": expected, "actual": actual[field]}
        for field, expected in case.expected.items()
        if actual[field] != expected
    }
    assert not wrong, json.dumps(wrong, ensure_ascii=False, indent=2)


def test_expected_files_name_every_field() -> None:
    for case in CASES:
        assert set(FIELDS) <= set(case.expected), case.name


def test_accuracy_report_counts_every_fixture() -> None:
    figures = field_accuracy(CASES)
    assert figures["title"][1] == len(CASES)
    assert "title" in format_accuracy(figures)


def test_page_to_json_keys_in_order() -> None:
    page = parse_page(CASES[0].page.read_bytes(), "x.txt")
    assert tuple(page_to_json(page, "x.txt")) == JSON_KEYS


SEED = SEEDS / "000_139d6f125a4d7ad2.txt"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds folder is absent")
def test_seed_page() -> None:
    page = parse_page(SEED.read_bytes(), SEED.name)
    assert page.breadcrumb == ("本站首页", "综合资讯", "要闻要论")
    assert page.column == "要闻要论"
    assert page.kicker == "习近平总书记在江苏考察时重要讲话激励我省广大干部群众"
    assert page.title == "依靠创新驱动推动高质量发展"
    assert page.subtitle is None
    assert page.date == "2023-07-09"
    assert page.time is None
    assert page.source == "山西日报"
    assert page.authors == ("沈佳", "李林霞", "杨彧", "贺锴", "贾力军", "李家鸣", "周明飞")
    assert page.editor is None
    headings = [b for b in page.body.split("\n\n") if b.startswith("## ")]
    assert len(headings) == 3
    assert "(记者" not in page.body and "周明飞" not in page.body
    assert page.body.rstrip().endswith("”")
    assert page.encoding == "utf-8"
