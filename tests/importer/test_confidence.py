"""How sure a parse is of each field: evidence from the page, ``parse --json``, the review
list of ``import`` (terminal and ``import-report.csv``), and its calibration on real pages."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, SEEDS, examples, run_cli
from provarchive.errors import ProvarchiveError
from provarchive.importer.read.confidence import DEFAULT_THRESHOLD, score_fields
from provarchive.importer.read.evidence import PageEvidence, gather_evidence
from provarchive.importer.read.page import ParsedPage
from provarchive.importer.read.parse import parse_page, parse_text

PAGES = REPO / "tests" / "fixtures" / "import_sites"
REAL = REPO.parent / "shared" / "importer-real"
FIELDS = ("breadcrumb", "column", "title", "kicker", "subtitle", "date", "time")
FIELDS += ("source", "authors", "editor")
PIECES = [
    "当前位置：首页 > 新闻 > ",
    "\n",
    "岚山县召开会议",
    "发布时间：2023-07-09 10:04 ",
    "来源：",
    "岚山日报 ",
    "记者 林晓岚 ",
    "责任编辑：",
    "宋清和",
    "　　岚山县各地认真落实各项部署，持续推动重点工作取得新进展。",
    "<title>岚山县召开会议_岚山网</title>",
    "校对",
    "2023年7月9日",
]

HTML = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{head}_岚山县人民政府</title>
<meta property="og:title" content="{head}">
<meta name="PubDate" content="{pubdate}">
</head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xw/">新闻中心</a></div>
<h1>岚山县召开防汛工作会议</h1>
<div class="info">发布时间：2023-07-09 10:04　来源：岚山县融媒体中心　作者：记者 林晓岚</div>
<div class="content">
<p>　　7月8日，岚山县召开防汛工作会议，安排部署当前防汛重点工作，要求压实各级责任。</p>
<p>　　会议指出，各乡镇要加强值班值守，及时转移危险区域群众，确保安全度汛。</p>
</div>
<p>责任编辑：宋清和</p>
</body></html>
"""


def confidences(page: ParsedPage) -> dict[str, float]:
    return {c.field: c.confidence for c in page.confidence}


def test_head_agreement_raises_and_disagreement_lowers_confidence():
    agreeing = HTML.format(head="岚山县召开防汛工作会议", pubdate="2023-07-09 10:04")
    differing = HTML.format(head="青禾县举办秋季运动会", pubdate="2021-03-02 08:00")
    sure = confidences(parse_page(agreeing.encode(), "a.html"))
    unsure = confidences(parse_page(differing.encode(), "a.html"))
    assert sure["title"] >= 0.9 and sure["date"] >= 0.9 and sure["time"] >= 0.9
    assert unsure["title"] < DEFAULT_THRESHOLD
    assert unsure["date"] < sure["date"] and unsure["time"] < sure["time"]
    assert sure["source"] >= 0.8 and sure["editor"] >= 0.8 and sure["authors"] >= 0.7


def test_the_date_in_the_file_name_is_evidence():
    data = (PAGES / "bare.txt").read_bytes()
    same = confidences(parse_page(data, "pages/t20231203_123456.txt"))["date"]
    other = confidences(parse_page(data, "pages/t20220101_123456.txt"))["date"]
    assert same > other


def test_the_date_in_a_stated_address_is_evidence():
    line = "原文链接：http://www.example.gov.cn/xw/202307/t{}_88.shtml 发布时间：2023-07-09"
    same = gather_evidence(line.format("20230709"), "a.txt", is_html=False)
    other = gather_evidence(line.format("20190101"), "a.txt", is_html=False)
    assert same.url_dates == ("2023-07-09",) and other.url_dates == ("2019-01-01",)
    sure = {c.field: c.confidence for c in score_fields(page_with(), same)}
    unsure = {c.field: c.confidence for c in score_fields(page_with(), other)}
    assert sure["date"] > unsure["date"]


def page_with(**fields) -> ParsedPage:
    base = dict(
        breadcrumb=(),
        column=None,
        title="岚山县召开防汛工作会议",
        kicker=None,
        subtitle=None,
        date="2023-07-09",
        time=None,
        source=None,
        authors=(),
        editor=None,
        body="正文。",
        warnings=(),
        original_url=None,
        encoding="utf-8",
    )
    return ParsedPage(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"authors": ("林晓岚", "校对")}, "authors"),  # a label word is no name
        ({"authors": ("最新动态",)}, "authors"),  # widget text is no name
        ({"editor": "发布时间:2023"}, "editor"),
        ({"source": "来源:岚山日报 作者:林晓岚"}, "source"),
        ({"breadcrumb": ("首页", "新闻", "打印 | 关闭窗口")}, "breadcrumb"),
        ({"breadcrumb": ("首页", "新闻", "岚山县召开防汛工作会议")}, "breadcrumb"),
        ({"date": "1901-01-01"}, "date"),
        ({"title": "首页"}, "title"),
        ({"subtitle": "发布时间：2023-07-09 来源：岚山日报"}, "subtitle"),
    ],
)
def test_implausible_values_fall_below_the_threshold(fields, field):
    scored = {c.field: c for c in score_fields(page_with(**fields), PageEvidence())}
    assert scored[field].confidence < DEFAULT_THRESHOLD, scored[field]
    assert scored[field].reason


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"authors": ("林晓岚", "周子墨")}, "authors"),
        ({"editor": "宋清和"}, "editor"),
        ({"source": "岚山日报"}, "source"),
        ({"breadcrumb": ("首页", "新闻中心")}, "breadcrumb"),
    ],
)
def test_labelled_plausible_values_are_above_the_threshold(fields, field):
    text = "当前位置：首页 > 新闻中心 来源：岚山日报 记者 林晓岚 周子墨 责任编辑：宋清和"
    evidence = gather_evidence(text, "a.txt", is_html=False)
    scored = {c.field: c for c in score_fields(page_with(**fields), evidence)}
    assert scored[field].confidence >= DEFAULT_THRESHOLD, scored[field]


def test_a_long_byline_of_reporters_is_not_doubted_for_its_length():
    names = ("林晓岚", "周子墨", "宋清和", "吴若溪", "唐一苇", "何青山", "许安然")
    evidence = gather_evidence(f"全文完。（记者{' '.join(names)}）", "a.txt", is_html=False)
    scored = {c.field: c for c in score_fields(page_with(authors=names), evidence)}
    assert scored["authors"].confidence >= DEFAULT_THRESHOLD, scored["authors"]
    unsigned = gather_evidence("全文完。" + "、".join(names), "a.txt", is_html=False)
    scored = {c.field: c for c in score_fields(page_with(authors=names), unsigned)}
    assert scored["authors"].confidence < DEFAULT_THRESHOLD, scored["authors"]


def test_a_kicker_leading_to_the_headline_by_a_dash_is_believed():
    text = "全省干部群众热议全会精神—— 岚山县召开防汛工作会议"
    evidence = gather_evidence(text, "a.txt", is_html=False)
    page = page_with(kicker="全省干部群众热议全会精神")
    sure = {c.field: c.confidence for c in score_fields(page, evidence)}["kicker"]
    bare = {c.field: c.confidence for c in score_fields(page, PageEvidence())}["kicker"]
    assert sure > bare


@pytest.mark.skipif(not (SEEDS / "000_139d6f125a4d7ad2.txt").is_file(), reason="no shared seeds")
def test_no_field_of_the_seed_page_is_doubted():
    page = parse_page((SEEDS / "000_139d6f125a4d7ad2.txt").read_bytes(), "seed.txt")
    doubted = [c for c in page.confidence if c.confidence < DEFAULT_THRESHOLD]
    assert not doubted


def test_an_empty_field_the_page_shows_a_label_for_is_listed():
    evidence = gather_evidence("来源：岚山日报 责任编辑：宋清和", "a.txt", is_html=False)
    scored = {c.field: c for c in score_fields(page_with(), evidence)}
    assert scored["source"].confidence < DEFAULT_THRESHOLD
    assert "岚山日报" in scored["source"].reason
    assert scored["editor"].confidence < DEFAULT_THRESHOLD
    empty_label = gather_evidence("来源：发布时间：2023-07-09", "a.txt", is_html=False)
    assert "source" not in {c.field for c in score_fields(page_with(), empty_label)}


def test_parse_json_has_a_confidence_for_each_field_present():
    result = run_cli("parse", "--json", PAGES / "yywl_full.txt", PAGES / "county_news.html")
    assert result.code == 0, result.err
    for line in result.out.splitlines():
        record = json.loads(line)
        present = {key for key in FIELDS if record[key]}
        assert set(record["confidence"]) == present
        assert all(0 <= value <= 1 for value in record["confidence"].values())


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=30).map("".join))
def test_confidences_are_shares_for_fields_the_page_has(text):
    try:
        page = parse_text(text, "t20230709_1.txt")
    except ProvarchiveError:
        return
    for scored in page.confidence:
        assert 0.01 <= scored.confidence <= 0.99 and scored.reason
        value = getattr(page, scored.field)
        assert value or scored.confidence < DEFAULT_THRESHOLD
    assert [c.field for c in page.confidence] == [f for f in FIELDS if f in confidences(page)]


# --- the review list of import ----------------------------------------------------------


def import_county(make_site, *options):
    site = make_site({})
    page = HTML.format(head="青禾县举办秋季运动会", pubdate="2021-03-02 08:00")
    source = site.parent / "in" / "t20230709_5.html"
    source.parent.mkdir()
    source.write_text(page, "utf-8")
    return site, run_cli("import", source, "--site", site, "--column", "xw", *options)


def report_rows(site: Path) -> list[dict[str, str]]:
    assert (site / "import-report.csv").read_bytes().startswith(b"\xef\xbb\xbffile,")
    with (site / "import-report.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_import_lists_unsure_fields_and_writes_the_report(make_site):
    site, result = import_county(make_site)
    assert result.code == 0, result.err
    assert "field(s) to review on 1 of 1 page(s), confidence below 0.5" in result.out
    assert "content/xw/t20230709_5.md  title: 岚山县召开防汛工作会议  [0." in result.out
    rows = report_rows(site)
    assert list(rows[0]) == ["file", "field", "value", "confidence", "reason"]
    title = next(row for row in rows if row["field"] == "title")
    assert title["file"] == "content/xw/t20230709_5.md"
    assert title["value"] == "岚山县召开防汛工作会议"
    assert float(title["confidence"]) < 0.5 and title["reason"]
    assert {row["field"] for row in rows} <= {"title", "date", "time"}


def test_review_threshold_flag(make_site):
    site, result = import_county(make_site, "--review-below", "0")
    assert "no field below confidence 0 on 1 page(s)" in result.out
    assert report_rows(site) == []
    result = run_cli(
        "import", site.parent / "in", "--site", site, "--column", "xw", "--review-below", "1"
    )
    fields = {row["field"] for row in report_rows(site)}
    assert {"title", "date", "time", "source", "authors", "editor"} <= fields
    assert result.out.count("content/xw/t20230709_5.md  ") == len(report_rows(site))


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half"])
def test_review_threshold_must_be_a_share(make_site, value):
    site = make_site({})
    result = run_cli("import", PAGES / "bare.txt", "--site", site, "--review-below", value)
    assert result.code == 2 and "must be a number from 0 to 1" in result.err


def test_dry_run_and_failed_imports_write_no_report(make_site, tmp_path):
    site = make_site({})
    result = run_cli("import", PAGES / "county_news.html", "--site", site, "--dry-run")
    assert result.code == 0 and not (site / "import-report.csv").exists()
    result = run_cli("import", PAGES / "no_date.txt", "--site", site)
    assert result.code == 1 and not (site / "import-report.csv").exists()


# --- calibration on the real pages -------------------------------------------------------


def real_cells() -> list[tuple[str, str, float, bool]]:
    """Return (page, field, confidence, right) of every field a parse of a real page has."""
    spec = importlib.util.spec_from_file_location("score", REAL / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    cells = []
    for line in (REAL / "labels.jsonl").read_text("utf-8").splitlines():
        case = json.loads(line)
        try:
            page = parse_page((REAL / case["file"]).read_bytes(), case["file"])
        except ProvarchiveError:
            continue
        sure = confidences(page)
        for field in score.FIELDS:
            got = getattr(page, field)
            got = list(got) if isinstance(got, tuple) else got
            if field in (case.get("unscored") or []) or score.norm(got) is None:
                continue
            right = score.same(field, got, case["expected"].get(field))
            cells.append((case["file"], field, sure[field], right))
    return cells


@pytest.mark.skipif(not (REAL / "labels.jsonl").is_file(), reason="no ../shared/importer-real")
def test_the_review_list_finds_wrong_fields_on_real_pages():
    cells = real_cells()
    wrong = [c for c in cells if not c[3]]
    right = [c for c in cells if c[3]]
    caught = sum(c[2] < DEFAULT_THRESHOLD for c in wrong)
    false_alarms = sum(c[2] < DEFAULT_THRESHOLD for c in right)
    print(f"flagged: {caught}/{len(wrong)} wrong fields, {false_alarms}/{len(right)} right ones")
    assert false_alarms <= 0.05 * len(right)
    if len(wrong) >= 5:
        assert caught >= 0.6 * len(wrong)
    # fields usually right are flagged on evidence, not for their kind
    usual = {"breadcrumb", "title", "date", "time", "source", "editor"}
    wrong_usual = [c for c in wrong if c[1] in usual]
    if len(wrong_usual) >= 5:
        assert sum(c[2] < DEFAULT_THRESHOLD for c in wrong_usual) >= 0.6 * len(wrong_usual)
