"""Markdown rendering: CJK line breaks, safety, anchors, link resolution, summaries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from provarchive.markup import (
    ODD_WHITESPACE,
    MarkdownRenderer,
    join_lines,
    make_summary,
    render_prose,
)
from provarchive.model import MarkdownOptions

SAFE = MarkdownRenderer(MarkdownOptions(html=False))


def test_soft_breaks_between_chinese_disappear():
    body = SAFE.render("全省科技战线\n干部群众热议\n创新发展。\nSee\nalso")
    assert "<p>全省科技战线干部群众热议创新发展。See\nalso</p>" in body.html


def test_soft_break_next_to_one_cjk_side_also_disappears():
    assert "<p>使用Python编写</p>" in SAFE.render("使用\nPython编写").html


def test_raw_html_is_escaped_by_default_and_allowed_when_trusted():
    source = '<script>alert(1)</script>\n\n段落<b onclick="x()">粗</b>'
    assert "<script>" not in SAFE.render(source).html
    assert "&lt;script&gt;" in SAFE.render(source).html
    trusted = MarkdownRenderer(MarkdownOptions(html=True))
    assert "<script>alert(1)</script>" in trusted.render(source).html


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "vbscript:msgbox",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
    ],
)
def test_dangerous_link_schemes_are_not_links(target):
    html = SAFE.render(f"[点我]({target}) ![图]({target})").html
    assert "href=" not in html and "src=" not in html


def test_headings_get_ids_from_their_text_and_a_toc():
    body = SAFE.render(
        "## 企业成为创新主力军\n\n文。\n\n## 企业成为创新主力军\n\n### 1. 数据，AI 应用\n"
    )
    assert '<h2 id="企业成为创新主力军">' in body.html
    assert '<h2 id="企业成为创新主力军-2">' in body.html
    assert body.toc == (
        (2, "企业成为创新主力军", "企业成为创新主力军"),
        (2, "企业成为创新主力军-2", "企业成为创新主力军"),
        (3, "1-数据ai-应用", "1. 数据，AI 应用"),
    )


def test_tables_are_wrapped_to_scroll_on_phones():
    html = SAFE.render("| 项目 | 数量 |\n|---|---|\n| 甲 | 1 |\n").html
    assert html.startswith('<div class="table-wrap" tabindex="0"><table>')
    assert html.rstrip().endswith("</table>\n</div>")


def test_relative_links_go_through_the_resolver():
    seen = []

    def resolve(target):
        seen.append(target)
        return "../x.html" if target == "b.md" else None

    body = SAFE.render("[甲](b.md) [乙](https://a.example/) [丙](#top) ![图](img/a.svg)", resolve)
    assert seen == ["b.md", "img/a.svg"]
    assert body.links == ("b.md", "img/a.svg")
    assert 'href="../x.html"' in body.html
    assert 'src="img/a.svg"' in body.html and 'loading="lazy"' in body.html


def test_text_facts_count_cjk_characters():
    body = SAFE.render("## 小标题\n\n一二三四五。\n\n六七 eight\n")
    assert body.text == "一二三四五。\n六七 eight"
    assert body.text_length == 3 + 6 + 2 + 5


def test_summary_keeps_short_text_whole():
    assert make_summary("短短的一句话。") == "短短的一句话。"


def test_summary_cuts_at_the_sentence_end_nearest_120():
    text = "甲" * 70 + "。" + "乙" * 45 + "。" + "丙" * 80 + "。"
    assert make_summary(text) == "甲" * 70 + "。" + "乙" * 45 + "。"


def test_summary_keeps_closing_quote_with_its_sentence():
    text = "“" + "甲" * 110 + "。”" + "乙" * 100
    assert make_summary(text) == "“" + "甲" * 110 + "。”"


def test_summary_keeps_closing_quotes_that_go_on_past_a_line_break():
    """The summary reads only the start of a long body, but not up to a closing quote:
    the quotes after a sentence end are kept even where the next line begins with more."""
    text = "甲" * 8 + "。」\n」」" + "乙" * 400 + "\n丙丙。"
    assert make_summary(text, 7) == "甲" * 8 + "。」」」"
    assert make_summary(text, 7) == _summary_by_hand(text, 7)


def test_summary_without_sentence_end_is_cut_and_marked():
    assert make_summary("甲" * 300) == "甲" * 120 + "……"


def test_join_lines_joins_chinese_without_spaces():
    assert join_lines("增长4.6%。\n上半年  全省 a\nb") == "增长4.6%。上半年 全省 a b"


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("**一、总体要求。**全面推进", "<p><strong>一、总体要求。</strong>全面推进</p>"),
        ("正文**“引号”**正文", "<p>正文<strong>“引号”</strong>正文</p>"),
        ("中文**（括号）**中文", "<p>中文<strong>（括号）</strong>中文</p>"),
        ("**bold** text and *em*", "<p><strong>bold</strong> text and <em>em</em></p>"),
        ("snake_case_name", "<p>snake_case_name</p>"),
    ],
)
def test_emphasis_next_to_chinese_punctuation(source, html):
    assert SAFE.render(source).html.strip() == html


# Plain prose: rendered without the parser, and exactly as the parser renders it.

_PROSE_PIECES = st.sampled_from(
    [
        "省",
        "发展",
        "创新驱动",
        "。",
        "，",
        "“",
        "”",
        "：",
        "（",
        "）",
        "、",
        "！",
        "？",
        "a",
        "B",
        "x1",
        "4.6%",
        "2023年",
        "1.",
        "2)",
        "10",
        " ",
        "  ",
        "#",
        "## ",
        "### ",
        "####### ",
        "=",
        "-",
        "+",
        ":",
        '"',
        "'",
        "!",
        "]",
        "/",
        ".",
        ")",
        "\n",
        "\n\n",
        "\n## ",
        "\n1. ",
        "\n- ",
        "\n===",
        "\n    ",
        "\n ",
        " \n",
    ]
)
_ANY_PIECES = _PROSE_PIECES | st.sampled_from(
    [
        "*",
        "**",
        "_",
        "~~",
        "`",
        "[",
        "](a.md)",
        "<b>",
        "&amp;",
        "|",
        "\\",
        "\t",
        "\u3000",
        "\r\n",
        "\u00a0",
        "\x00",
        "\u2028",
    ]
)


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(_PROSE_PIECES, max_size=40).map("".join))
def test_prose_renders_as_the_parser_does(body):
    fast = render_prose(body)
    assert fast is None or fast == SAFE.render_parsed(body)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_ANY_PIECES, max_size=30).map("".join))
def test_prose_declines_what_only_the_parser_can_read(body):
    fast = render_prose(body)
    assert fast is None or fast == SAFE.render_parsed(body)
    assert fast is None or fast == MarkdownRenderer(MarkdownOptions(html=True)).render_parsed(body)


def test_typical_news_bodies_take_the_prose_path():
    body = (
        "岚山省今年新建高标准农田八十万亩，\n粮食总产连续三年稳定。\n\n"
        "## 一、科技赋能\n\n全省推广新品种 12 个，亩产提高 4.6%。\n\n"
        '2023年以来，"智慧农机"覆盖 36 个县。\n'
    )
    fast = render_prose(body)
    assert fast is not None and fast == SAFE.render_parsed(body)
    assert fast.toc == ((2, "一科技赋能", "一、科技赋能"),)
    assert fast.html.startswith("<p>岚山省今年新建高标准农田八十万亩，粮食总产连续三年稳定。</p>")


@pytest.mark.parametrize(
    "body",
    [
        "**一、总体要求**",
        "a  \nb",
        "1. 条目",
        "- 条目",
        "## 标题 ##",
        "#话题#",
        "　　缩进",
        "甲\n===",
        "    代码",
        "| 甲 | 乙 |\n|---|---|",
        "[链接](a.md)",
        "a & b",
        "<b>粗</b>",
    ],
)
def test_prose_path_declines_markdown_syntax(body):
    assert render_prose(body) is None


def test_odd_whitespace_lists_every_space_but_space_and_newline():
    spaces = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert set(ODD_WHITESPACE) == spaces - {" ", "\n"}


def _summary_by_hand(text: str, length: int) -> str:
    """make_summary's rule, character by character: the sentence end (with its closing
    quotes) nearest ``length`` between 2/3 and 4/3 of it, else a cut marked ``……``."""
    text = join_lines(text)
    if len(text) <= length:
        return text
    ends = []
    for index, char in enumerate(text[: (4 * length) // 3]):
        if char in "。！？!?…" and index + 1 >= (2 * length) // 3:
            end = index + 1
            while end < len(text) and text[end] in "”’」』）)】":
                end += 1
            ends.append(end)
    if ends:
        return text[: min(ends, key=lambda end: abs(end - length))]
    return text[:length].rstrip() + "……"


@settings(max_examples=examples(300), deadline=None)
@given(
    text=st.text(st.sampled_from("甲乙 a\n。！？!?…”’」』）)】"), max_size=400),
    length=st.integers(0, 200),
)
def test_summary_follows_its_rule(text, length):
    assert make_summary(text, length) == _summary_by_hand(text, length)
