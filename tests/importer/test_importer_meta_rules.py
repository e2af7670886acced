"""Unit tests of the metadata rules: names, sign-off lines, stamps, split dates, editors."""

from __future__ import annotations

import pytest

from provarchive.importer.read.bylines import byline_line_names, choose_editor, credit_names
from provarchive.importer.read.dates import find_dates, join_split_dates
from provarchive.importer.read.labels import Kind, split_fields
from provarchive.importer.read.names import has_surname, is_person


@pytest.mark.parametrize(
    ("token", "vouched", "expected"),
    [
        ("邵闻溪", False, True),
        ("欧阳远帆", False, True),
        ("最新文章", False, False),
        ("秒拍精选", False, False),
        ("山风君", False, False),
        ("山风君", True, True),
        ("社区主任", True, False),
        ("小禾妈妈", True, False),
        ("校对", True, False),
        ("正文", True, False),
        ("清川日报", True, False),
    ],
)
def test_is_person(token: str, vouched: bool, expected: bool) -> None:
    assert is_person(token, vouched=vouched) is expected


def test_four_characters_need_a_compound_surname() -> None:
    assert has_surname("司马青禾")
    assert not has_surname("章导航页")


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("作者最新文章", None),
        ("视频新闻 秒拍精选", None),
        ("文章关键词： 夜市 老街", None),
        ("图片来源：摄影图库", None),
        ("编辑 柏青 校对 韶远", None),
        ("记者 孙 涛 摄", ["孙涛"]),
        ("执笔/山风君、苗二两&闻小舟", ["山风君", "苗二两", "闻小舟"]),
        ("《南港晚报》作者 蒋若溪", ["蒋若溪"]),
        ("▲南港日报全媒体记者甘念慈、车语桐摄", ["甘念慈", "车语桐"]),
    ],
)
def test_byline_lines(line: str, names: list[str] | None) -> None:
    assert byline_line_names(line) == names


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("孩子们在上课。 记者 孙 涛 摄", ["孙涛"]),
        ("工人在检修线路。 本报记者 欧阳 青 摄", ["欧阳青"]),
        ("（记者 孙 涛 王 梅 摄）", ["孙涛", "王梅"]),
    ],
)
def test_letter_spaced_names(line: str, names: list[str]) -> None:
    assert credit_names(line) == names


def test_credit_needs_a_person() -> None:
    assert credit_names("志愿者在雨中搬运物资。 小禾妈妈供图") == []
    assert credit_names("资料图：村民在安置点休息。清川社记者 阮明川 摄") == ["阮明川"]


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("编辑 柏青 校对 韶远", [(Kind.EDITOR, "柏青"), (Kind.REVIEW, "韶远")]),
        ("责编｜陈某某", [(Kind.EDITOR, "陈某某")]),
        ("护理部供稿 摄影/甘念慈 编辑/车语桐", [(Kind.AUTHOR, "甘念慈"), (Kind.EDITOR, "车语桐")]),
        (
            "发表于2021-03-18 14:05| | 来源DevNews| 作者滕远舟",
            [(Kind.DATE, "2021-03-18 14:05"), (Kind.SOURCE, "DevNews"), (Kind.AUTHOR, "滕远舟")],
        ),
        ("编辑部的故事很长", []),
        (
            "发布者:管理员来源:乙报发布时间:2018-06-01浏览次数:301",
            [
                (Kind.PUBLISHER, "管理员"),
                (Kind.SOURCE, "乙报"),
                (Kind.DATE, "2018-06-01"),
                (Kind.COUNTER, "301"),
            ],
        ),
        ("来源:发布者:管理员", [(Kind.SOURCE, ""), (Kind.PUBLISHER, "管理员")]),
        ("来源: 浏览量:12", [(Kind.SOURCE, ""), (Kind.COUNTER, "12")]),
        ("作者/来源：卜青岚/校团委", [(Kind.AUTHOR, "卜青岚"), (Kind.SOURCE, "校团委")]),
    ],
)
def test_label_grammar(line: str, fields: list[tuple[Kind, str]]) -> None:
    assert [(f.kind, f.value) for f in split_fields(line)[1]] == fields


@pytest.mark.parametrize(
    ("value", "editor"),
    [("庞立言 KX208", "庞立言 KX208"), ("宁远_NB1234", "宁远_NB1234"), ("Lena Zhou", "Lena Zhou")],
)
def test_editor_as_written(value: str, editor: str) -> None:
    assert choose_editor(list(split_fields(f"责任编辑：{value}")[1])) == editor


@pytest.mark.parametrize(
    ("text", "date", "time"),
    [
        ("发布时间：23-10-0619:05优质作者", "2023-10-06", "19:05"),
        ("发布时间：11-0212:30", None, "12:30"),
        ("2024-06-02T16:48:09+08:00", "2024-06-02", "16:48"),
    ],
)
def test_stamps(text: str, date: str | None, time: str) -> None:
    found = find_dates(text)
    assert [(m.date, m.time) for m in found] == [(date, time)]


@pytest.mark.parametrize("text", ["比分 3-2", "1-2 号楼", "第10-12页", "12-27"])
def test_no_stamp_without_a_time(text: str) -> None:
    assert find_dates(text) == []


def test_join_split_dates() -> None:
    assert join_split_dates("标题\n2024\n01/21\n07:40\n正文") == "标题\n2024-01-21 07:40\n正文"
    assert join_split_dates("2024年01月21日\n07:40:12") == "2024年01月21日 07:40:12"
    assert join_split_dates("2024\n年度总结") == "2024\n年度总结"
