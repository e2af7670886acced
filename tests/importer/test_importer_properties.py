"""Property tests: the importer raises nothing but ParseError, whatever it is given."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from provarchive.errors import ParseError
from provarchive.importer.read.decode import decode_page
from provarchive.importer.read.parse import ParsedPage, parse_page, parse_text

# Fragments real pages are made of, so that generated text reaches the deep rules.
FRAGMENTS = [
    "当前位置：",
    "首页",
    " > ",
    ">>",
    "->",
    "/",
    "›",
    "正文",
    "发布时间：",
    "2023-07-09",
    "10:04",
    "2023年7月9日",
    "来源：",
    "岚山日报",
    "作者：",
    "记者 王某",
    "通讯员",
    "(",
    ")",
    "（",
    "）",
    "责任编辑：",
    "责编:",
    "审核:",
    "编辑:",
    "——",
    "【字体：大 中 小】",
    "浏览次数:",
    "本报讯",
    "摄",
    "文/图",
    "一、",
    "。",
    "，",
    ":",
    "\n",
    "\n\n",
    "  ",
    "![a](b.jpg)",
    "## ",
    "原标题：",
    "<p>",
    "</p>",
    '<div class="nav">',
    "<h1>",
    "</h1>",
    "<br>",
    "<title>",
    "<html>",
    "&gt;",
    "今天是",
    "第01版",
    "播出时间",
    "\u3000",
    "\ufeff",
    "\r\n",
    "丨",
    "|",
    "[组图]",
    "佚名",
]
page_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map(
    "".join
)


def _check(parse, value) -> None:
    try:
        page = parse(value, "page.txt")
    except ParseError as error:
        assert error.path == "page.txt"
        return
    assert isinstance(page, ParsedPage)
    assert page.title
    assert all(isinstance(name, str) and name for name in page.authors)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_text)
def test_parse_text_raises_only_parse_error(text: str) -> None:
    _check(parse_text, text)


@settings(max_examples=examples(200), deadline=None)
@given(st.text())
def test_parse_text_on_any_text(text: str) -> None:
    _check(parse_text, text)


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=400))
def test_parse_page_on_any_bytes(data: bytes) -> None:
    _check(parse_page, data)


@settings(max_examples=examples(200), deadline=None)
@given(page_text, st.sampled_from(["utf-8", "gb18030", "big5", "utf-8-sig"]))
def test_parse_page_on_encoded_text(text: str, encoding: str) -> None:
    _check(parse_page, text.encode(encoding, errors="ignore"))


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=300))
def test_decode_page_always_returns_text(data: bytes) -> None:
    text, encoding = decode_page(data)
    assert isinstance(text, str) and encoding
    assert "\r" not in text


@settings(max_examples=examples(200), deadline=None)
@given(page_text)
def test_parse_page_on_html_like_pages(text: str) -> None:
    _check(parse_page, f"<html><body><div>{text}</div></body></html>".encode())
