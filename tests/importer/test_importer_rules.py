"""Unit tests of the importer's rules, one module at a time, with exact values."""

from __future__ import annotations

import pytest

from provarchive.errors import ParseError
from provarchive.importer.read.body import find_subheadings, is_caption, to_markdown
from provarchive.importer.read.breadcrumb import drop_title_crumb, parse_breadcrumb
from provarchive.importer.read.bylines import (
    byline_line_names,
    choose_editor,
    credit_names,
    dateline_names,
    trailing_byline,
)
from provarchive.importer.read.chrome import is_chrome_line, is_issue_line, strip_chrome
from provarchive.importer.read.dates import find_dates
from provarchive.importer.read.decode import decode_page
from provarchive.importer.read.html import html_to_text, looks_like_html
from provarchive.importer.read.labels import Kind, split_fields
from provarchive.importer.read.page import format_summary
from provarchive.importer.read.parse import parse_page, parse_text
from provarchive.importer.read.titles import split_headline, strip_title_tags


@pytest.mark.parametrize(
    ("line", "crumbs"),
    [
        (
            "当前位置: 本站首页 >> 综合资讯 >> 要闻要论 >> 正文",
            ("本站首页", "综合资讯", "要闻要论"),
        ),
        ("您当前的位置：首 页 > 政务公开 >", ("首页", "政务公开")),
        ("您现在的位置:首页->新闻->本地", ("首页", "新闻", "本地")),
        ("所在位置 首页 - > 工作动态", ("首页", "工作动态")),
        ("位置：首页/新闻/正文", ("首页", "新闻")),
        ("位置 首页 › 要闻", ("首页", "要闻")),
        ("首页»要闻»县区", ("首页", "要闻", "县区")),
        ("首页 › 新闻 › 正文", ("首页", "新闻")),
        ("您現在的位置：首頁 > 新聞", ("首頁", "新聞")),
    ],
)
def test_breadcrumbs(line: str, crumbs: tuple[str, ...]) -> None:
    assert parse_breadcrumb(line) == crumbs


@pytest.mark.parametrize("line", ["文/图 王某", "2023/7/9", "位置优越的岚山村", "公开 > 信息"])
def test_not_breadcrumbs(line: str) -> None:
    assert parse_breadcrumb(line) is None


@pytest.mark.parametrize(
    ("line", "named", "crumbs"),
    [
        ("岚山号 > 青禾发布", True, ("岚山号", "青禾发布")),  # named element: one separator
        ("岚山网 > 正文", False, ("岚山网",)),  # a trail to 正文
        ("首页 > 政府公报 > 2024年第5号 超大 | 打印 |", False, ("首页", "政府公报", "2024年第5号")),
        ("网站首页 > 部门动态 > 正文申请入驻", False, ("网站首页", "部门动态")),
        ("订阅本栏目 岚山网首页 > 科技", True, ("岚山网首页", "科技")),
        (
            "首页 > 要闻 > 青禾县召开会议，部署春耕！",
            False,
            ("首页", "要闻", "青禾县召开会议，部署春耕！"),
        ),
    ],
)
def test_breadcrumb_shapes(line: str, named: bool, crumbs: tuple[str, ...]) -> None:
    assert parse_breadcrumb(line, named=named) == crumbs


def test_final_crumb_ending_with_the_title_is_dropped() -> None:
    crumbs = ("首页", "要闻", "[某品牌]青禾县召开春耕生产动员会")
    assert drop_title_crumb(crumbs, "青禾县召开春耕生产动员会") == ("首页", "要闻")


def test_final_crumb_repeating_title_is_dropped() -> None:
    crumbs = ("首页", "要闻", "岚山县召开春耕...")
    assert drop_title_crumb(crumbs, "岚山县召开春耕生产动员会") == ("首页", "要闻")
    assert drop_title_crumb(("首页", "要闻"), "岚山县召开会议") == ("首页", "要闻")


@pytest.mark.parametrize(
    ("text", "date", "time"),
    [
        ("2023-07-09", "2023-07-09", None),
        ("发布时间：2023-07-09 10:20:33", "2023-07-09", "10:20"),
        ("2023/7/9", "2023-07-09", None),
        ("2023年07月09日", "2023-07-09", None),
        ("2018年05月10日10:04", "2018-05-10", "10:04"),
        ("2023 年 9 月 6 日 星期三", "2023-09-06", None),
        ("2023年7月9日 20時23分", "2023-07-09", "20:23"),
        ("２０２３年７月９日", "2023-07-09", None),
        ("2023年7月9日下午3:05", "2023-07-09", "15:05"),
    ],
)
def test_dates(text: str, date: str, time: str | None) -> None:
    found = find_dates(text)[0]
    assert (found.date, found.time) == (date, time)


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("2023-13-40") == []


def test_fields_split_at_labels() -> None:
    prefix, fields = split_fields("来源: 发布日期:2020-05-08 审核:编辑:")
    assert prefix == ""
    assert [(f.kind, f.label, f.value) for f in fields] == [
        (Kind.SOURCE, "来源", ""),
        (Kind.DATE, "发布日期", "2020-05-08"),
        (Kind.REVIEW, "审核", ""),
        (Kind.EDITOR, "编辑", ""),
    ]


def test_labels_need_a_word_boundary_and_tolerate_letter_spacing() -> None:
    assert split_fields("图片来源:岚山日报")[1] == ()
    _, fields = split_fields("来　源：岚山日报　作　者：王晓岚")
    assert [(f.label, f.value) for f in fields] == [("来源", "岚山日报"), ("作者", "王晓岚")]


def test_chrome_fragments_are_removed() -> None:
    line = "【字体：大 中 小】 发表时间:2022-04-07 浏览次数: 放大 缩小 默认 【打印本页】"
    assert strip_chrome(line) == "发表时间:2022-04-07"


@pytest.mark.parametrize(
    "line",
    [
        "字号: 大 中 小",
        "打印本页 关闭窗口",
        "分享到:",
        "【纠错】",
        "扫一扫在手机打开当前页",
        "首页 | 新闻 | 政务 | 服务",
        "版权所有：岚山省人民政府",
        "今天是2024年5月8日 星期三",
        "抓取时间：2024-05-08 12:00:00",
        "岚山省人民政府门户网站",
        "点击数:",
        "手机版",
        "版面导航",
        "上一版 下一版",
        "标题导航",
        "往期回顾 返回目录",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(strip_chrome(line) or " ")


def test_epaper_issue_line() -> None:
    assert is_issue_line("2023年07月09日 第01版")
    assert not is_issue_line("发布时间：2023-07-09")


def test_bylines() -> None:
    assert byline_line_names("本报记者 王晓岚 通讯员 李明轩") == ["王晓岚", "李明轩"]
    assert byline_line_names("文/图 韩梅") == ["韩梅"]
    assert byline_line_names("新华社记者") == []
    assert byline_line_names("王晓岚 李明轩") is None
    assert trailing_byline("全文结束。(文/邓子墨 摄/许安然)") == (
        "全文结束。",
        ["邓子墨", "许安然"],
    )
    assert trailing_byline("全文结束。（钱多多）") == ("全文结束。", ["钱多多"])
    assert trailing_byline("全文结束。（岚山日报）") is None
    assert trailing_byline("全文结束。(完)") is None


def test_datelines() -> None:
    assert dateline_names("本报讯（记者 王晓岚 通讯员 李明轩）3月7日，") == ["王晓岚", "李明轩"]
    assert dateline_names("岚州5月8日电(通讯员赵小明)今天") == ["赵小明"]
    assert dateline_names("新华社岚州5月8日电 记者王大明 李某某 报道:近日") == ["王大明", "李某某"]
    assert dateline_names("岚州网讯 近日，") == []


def test_photo_credits() -> None:
    assert credit_names("图为村民在田间插秧 记者 王晓岚 摄") == ["王晓岚"]
    assert credit_names("游客体验手工艺。（陆晨阳 摄）") == ["陆晨阳"]
    assert credit_names("图为村民晒秋。摄影/钱多多") == ["钱多多"]
    assert credit_names("唐一苇在实验室。岚山大学供图") == []


def test_editor_priority() -> None:
    _, fields = split_fields("编辑：韩梅 责编：曹文博、彭语嫣 审核：沈星河")
    assert choose_editor(list(fields)) == "曹文博、彭语嫣"
    _, fields = split_fields("编审：沈星河 终审：叶知秋")
    assert choose_editor(list(fields)) is None


def test_title_tags() -> None:
    assert (
        strip_title_tags("【快讯】岚山观察丨青禾县跻身十强 -- 岚山新闻网")
        == "岚山观察丨青禾县跻身十强"
    )
    assert strip_title_tags("[组图]云溪古镇迎来旅游高峰") == "云溪古镇迎来旅游高峰"
    assert strip_title_tags("云溪古镇迎来旅游高峰（图）") == "云溪古镇迎来旅游高峰"


def test_headline_dash_forms() -> None:
    long_kicker = split_headline(["学习贯彻全省经济工作会议精神激励广大干部群众—— 奋力前行"], [])
    assert (long_kicker.kicker, long_kicker.title) == (
        "学习贯彻全省经济工作会议精神激励广大干部群众",
        "奋力前行",
    )
    elaboration = split_headline(["扎根深山的乡村教师——记石门小学教师何青山"], [])
    assert (elaboration.title, elaboration.subtitle) == (
        "扎根深山的乡村教师",
        "记石门小学教师何青山",
    )
    hinted = split_headline(["岚州召开大会——推动营商环境再优化"], ["推动营商环境再优化"])
    assert (hinted.kicker, hinted.title, hinted.warnings) == (
        "岚州召开大会",
        "推动营商环境再优化",
        (),
    )
    unsure = split_headline(["岚州市召开优化营商环境大会——推动民营经济实现高质量发展"], [])
    assert unsure.title == "岚州市召开优化营商环境大会" and unsure.warnings


def test_subheadings() -> None:
    long = "这是一段足够长的正文内容，用来确认前后都是正文段落而不是标题行，所以要写得长一些。"
    lines = [
        long,
        "一、抓好农资储备供应",
        long,
        "图为村民插秧。记者 王晓岚 摄",
        long,
        "集聚创新要素,充分激发创新活力",
        long,
        "他说：",
        long,
        "地点：岚州市图书馆",
        long,
    ]
    assert find_subheadings(lines) == {1, 5}
    assert is_caption("▲ 村民在插秧")
    hashed = "#岚州 这是一段以井号开头的很长的正文内容，确认它在 Markdown 里会被转义。"
    assert to_markdown([long, hashed]) == long + "\n\n\\" + hashed


def test_decode_encodings() -> None:
    text = "当前位置：首页 > 新闻\n岚州市召开会议\n"
    assert decode_page(text.encode("gb18030")) == (text, "gb18030")
    assert decode_page(text.encode("utf-8-sig"))[1] == "utf-8-sig"
    assert decode_page(text.encode("utf-8")) == (text, "utf-8")
    traditional = "您現在的位置：首頁 > 新聞中心\r\n嵐山縣舉辦傳統手工藝展覽\r\n"
    assert decode_page(traditional.encode("big5")) == (traditional.replace("\r\n", "\n"), "big5")


def test_decode_meta_charset_gbk() -> None:
    html = '<html><head><meta charset="gbk"><title>岚州</title></head><body>岚州新闻</body></html>'
    assert decode_page(html.encode("gb18030"))[1] == "gb18030"


def test_html_region_and_canonical() -> None:
    html = (
        "<html><head><title>岚州市召开会议_岚州市政府</title>"
        '<link rel="canonical" href="https://example.org/a.html"></head><body>'
        '<nav>首页 新闻</nav><div class="position">当前位置：首页 &gt; 新闻</div>'
        '<div class="art"><h1>岚州市召开会议</h1><div>发布时间：2023-07-09</div>'
        '<div class="con"><p>第一段正文内容比较长，讲述会议的主要情况和安排。</p>'
        "<p>第二段正文内容也比较长，说明下一步的工作要求。</p></div></div>"
        '<script>document.write("x")</script><footer>版权所有</footer></body></html>'
    )
    assert looks_like_html(html)
    page = html_to_text(html)
    assert page.canonical_url == "https://example.org/a.html"
    assert page.text.split("\n") == [
        "当前位置：首页 > 新闻",
        "岚州市召开会议",
        "发布时间：2023-07-09",
        "第一段正文内容比较长，讲述会议的主要情况和安排。",
        "第二段正文内容也比较长，说明下一步的工作要求。",
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\n", "【打印本页】\n【关闭窗口】".encode()])
def test_empty_pages_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse_page(data, "empty.txt")
    assert raised.value.path == "empty.txt"


def test_summary_has_chinese_labels() -> None:
    page = parse_text(
        "岚州市召开会议\n发布时间：2023-07-09\n正文内容足够长，这是第一段正文。", "a.txt"
    )
    summary = format_summary(page, "a.txt")
    assert summary.splitlines()[:5] == [
        "文件: a.txt",
        "面包屑: —",
        "栏目: —",
        "引题: —",
        "主题: 岚州市召开会议",
    ]
    assert "日期: 2023-07-09" in summary


def test_short_original_link_line_gives_the_original_url():
    page = parse_text(
        "当前位置：首页 > 要闻\n全省春耕生产全面展开\n发布时间：2024-03-02 09:30  来源：岚山日报\n"
        "原文链接：http://a.example.gov.cn/x/content_98765.htm\n\n全省各地抢抓农时，春耕生产全面展开。\n",
        "u.txt",
    )
    assert page.original_url == "http://a.example.gov.cn/x/content_98765.htm"
    assert "原文链接" not in page.body
