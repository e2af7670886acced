"""Folded ASCII punctuation in Chinese text restored to full width, and nothing else touched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS, examples, run_cli
from provarchive.frontmatter import split_front_matter
from provarchive.importer.write.punctuation import FOLDED, restore

HAN = "岚山县新闻发布会议召开表示记者日月年"
FULL = "，：；（）！？。、“”"
LATIN = "abcXYZ"
DIGITS = "0123456789"
_HAN_CHAR = re.compile("[\u3400-\u9fff]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7月5日至7日,县长表示:“要抓紧!”", "7月5日至7日，县长表示：“要抓紧！”"),
        ("会议于15:30开始,到会1,000人", "会议于15:30开始，到会1,000人"),
        ("水位上涨3.5米;请注意", "水位上涨3.5米；请注意"),
        ("真的吗?!", "真的吗？！"),
        ("岚山县(试点)名单", "岚山县（试点）名单"),
        ("岚山县(Lanshan)发布", "岚山县（Lanshan）发布"),
        ("(一)总体要求", "（一）总体要求"),
        ("(1)坚持问题导向", "（1）坚持问题导向"),
        ("来源: 岚山日报", "来源：岚山日报"),
        ("请发邮件至office@example.gov.cn,谢谢", "请发邮件至office@example.gov.cn，谢谢"),
        ("![岚山(远景)](图片,一.jpg)", None),
        ("He said: Hello, world! (yes)", None),
        ("会议纪要：已完成。（附件）", None),
        ("时间:2023-07-09 10:04", "时间：2023-07-09 10:04"),
        ("比分2:1,领先", "比分2:1，领先"),
    ],
)
def test_restore(text, expected):
    assert restore(text) == (text if expected is None else expected)


def test_urls_keep_their_marks_and_a_trailing_comma_is_the_sentence_s():
    text = "详见http://www.example.gov.cn/a?b=1,c=(2),请查阅"
    assert restore(text) == "详见http://www.example.gov.cn/a?b=1,c=(2)，请查阅"


def _has_mark_next_to_han(text: str) -> bool:
    for index, char in enumerate(text):
        if char in FOLDED:
            neighbours = text[max(index - 1, 0) : index] + text[index + 1 : index + 2]
            if _HAN_CHAR.search(neighbours):
                return True
    return False


plain_text = st.text(alphabet=HAN + FULL + LATIN + DIGITS + FOLDED + " .\n@/", max_size=60)


@settings(max_examples=examples(500), deadline=None)
@given(plain_text)
def test_text_without_folded_marks_next_to_han_is_unchanged(text):
    if not _has_mark_next_to_han(text):
        assert restore(text) == text


def _only_marks_changed(text: str, restored: str) -> bool:
    """Return True when ``restored`` is ``text`` with folded marks made full-width and
    spaces dropped, and nothing else changed."""
    full = str.maketrans(FOLDED, "，：；（）！？")
    i = j = 0
    while i < len(text):
        if j < len(restored) and restored[j] in (text[i], text[i].translate(full)):
            i, j = i + 1, j + 1
        elif text[i] == " ":
            i += 1
        else:
            return False
    return j == len(restored)


@settings(max_examples=examples(300), deadline=None)
@given(plain_text)
def test_only_folded_marks_change_and_restoring_twice_changes_nothing_more(text):
    once = restore(text)
    assert _only_marks_changed(text, once)
    assert restore(once) == once


TOKENS = st.sampled_from(
    [
        "1,000",
        "12,345,678",
        "3.5",
        "15:30",
        "08:05:59",
        "2:1",
        "http://www.example.gov.cn/a/b.shtml?x=1&y=(2)",
        "https://example.com/p,q;r!s",
        "www.example.org/x(y)z",
        "office@example.gov.cn",
        "a.b-c+d@mail.example.com",
        "![图](图,片(1).jpg)",
        "[链接](http://a.example/(x),y)",
    ]
)
context = st.text(alphabet=HAN + FOLDED + " ", max_size=6)


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.tuples(context, TOKENS), min_size=1, max_size=4), context)
def test_digits_times_urls_and_addresses_are_never_touched(pieces, tail):
    text = "".join(before + token for before, token in pieces) + tail
    # a token keeps its marks wherever it stands, whatever Han text and marks surround it
    restored = restore(text)
    for _, token in pieces:
        assert token in restored, (text, restored)
    assert re.findall(r"\d", restored) == re.findall(r"\d", text)


@pytest.mark.skipif(not (SEEDS / "000_139d6f125a4d7ad2.txt").is_file(), reason="no shared seeds")
def test_the_seed_crawl_gets_full_width_marks_and_keeps_its_numbers():
    text = (SEEDS / "000_139d6f125a4d7ad2.txt").read_text("utf-8")
    restored = restore(text)
    assert not _has_mark_next_to_han(restored)
    assert _has_mark_next_to_han(text)
    assert re.findall(r"\d+", restored) == re.findall(r"\d+", text)


# --- on import ---------------------------------------------------------------------------

FOLDED_PAGE = """\
当前位置:首页 > 综合资讯 > 要闻要论

防汛不松劲,岚山县召开专题会议

发布时间:2023-07-09 15:30　来源:岚山县融媒体中心　作者:林晓岚,周子墨

　　7月8日,岚山县召开防汛工作会议.会议强调:要压实责任,确保安全!全县共转移群众1,200人,水位最高达3.5米.
　　详情见http://www.lanshan-example.gov.cn/fx/a.html?id=1,咨询邮箱fx@lanshan-example.gov.cn.
"""


def _import(make_site, tmp_path, *options):
    site = make_site({})
    source = tmp_path / "in" / "t20230709_77.txt"
    source.parent.mkdir(exist_ok=True)
    source.write_text(FOLDED_PAGE, "utf-8")
    result = run_cli("import", source, "--site", site, "--column", "fx", *options)
    assert result.code == 0, result.err
    return result, (site / "content/fx/t20230709_77.md").read_text("utf-8")


def test_import_restores_full_width_punctuation_and_says_so(make_site, tmp_path):
    result, text = _import(make_site, tmp_path)
    assert "full-width punctuation restored on 1 page " in result.out
    assert "title: 防汛不松劲，岚山县召开专题会议" in text
    assert "source: 岚山县融媒体中心" in text
    assert 'date: "2023-07-09 15:30"' in text
    assert "7月8日，岚山县召开防汛工作会议.会议强调：要压实责任，确保安全！" in text
    assert "共转移群众1,200人，水位最高达3.5米." in text
    assert (
        "http://www.lanshan-example.gov.cn/fx/a.html?id=1，咨询邮箱fx@lanshan-example.gov.cn."
        in text
    )


def test_keep_punctuation_imports_the_text_as_crawled(make_site, tmp_path):
    result, text = _import(make_site, tmp_path, "--keep-punctuation")
    assert "punctuation restored" not in result.out
    assert "title: 防汛不松劲,岚山县召开专题会议" in text
    assert "7月8日,岚山县召开防汛工作会议.会议强调:要压实责任,确保安全!" in text


def test_pages_with_full_width_marks_are_not_counted(make_site, tmp_path):
    site = make_site({})
    source = tmp_path / "a.txt"
    source.write_text(restore(FOLDED_PAGE), "utf-8")
    result = run_cli("import", source, "--site", site)
    assert result.code == 0 and "punctuation restored" not in result.out


@pytest.mark.skipif(not (SEEDS / "000_139d6f125a4d7ad2.txt").is_file(), reason="no shared seeds")
def test_the_seed_page_imports_with_full_width_marks(make_site):
    site = make_site({})
    result = run_cli("import", SEEDS / "000_139d6f125a4d7ad2.txt", "--site", site)
    assert result.code == 0, result.err
    assert "full-width punctuation restored on 1 page " in result.out
    (article,) = (site / "content").rglob("t2023*.md")
    meta = split_front_matter(article.read_text("utf-8"), str(article))
    values = [v for v in meta.meta.values() if isinstance(v, str)] + meta.meta["authors"]
    assert not any(_has_mark_next_to_han(text) for text in [meta.body, *values])
    assert meta.meta["date"] == "2023-07-09"
