"""The headline chosen by evidence: agreement with the HTML head, and 引题/副题 only on evidence."""

from __future__ import annotations

import pytest

from provarchive.importer.read.headline import (
    HeadlineEvidence,
    find_title,
    is_note,
    join_broken,
    looks_like_metadata,
)
from provarchive.importer.read.layout import classify_page
from provarchive.importer.read.parse import parse_html
from provarchive.importer.read.titles import strip_site_suffix, strip_title_tags


@pytest.mark.parametrize(
    "line",
    [
        "吴某/岚山晚报",
        "岚山观察 昨天",
        "走走看看 3小时前",
        "发布时间：05-0610:20岚山网络科技有限公司",
        "来源于：青禾街道办",
        "2024年05月06日 岚山网 要闻 1203 0",
        "2819",
        "岚山号",
        "首页 > 要闻 > 青禾县召开会议",
    ],
)
def test_metadata_rows_are_never_headline_parts(line: str) -> None:
    assert looks_like_metadata(line)


@pytest.mark.parametrize(
    "line",
    [
        "全市早稻预计亩产增长一成",
        "——记青禾县石门小学教师何青山",
        "何某：老街新生，骑楼重现旧貌",
        "岚山今天迎来首场春雨",
        "昨天的岚江，今天的新城",
        "2024年3月15日起岚州实行垃圾分类新规",
        "5G/AI双轮驱动",
    ],
)
def test_headline_parts_are_not_metadata(line: str) -> None:
    assert not looks_like_metadata(line)


def test_title_broken_over_lines_is_found_as_one() -> None:
    lines = classify_page(
        "岚州市人民代表大会常务委员会\n关于批准预算调整方案\n的决议\n正文第一段。"
    )
    evidence = HeadlineEvidence(hint="岚州市人民代表大会常务委员会关于批准预算调整方案的决议")
    span = find_title(lines, 0, len(lines), evidence)
    assert span is not None
    assert (span.first, span.last) == (0, 2)
    assert span.text == "岚州市人民代表大会常务委员会关于批准预算调整方案的决议"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("原创青禾古镇的秋天", "青禾古镇的秋天"),  # a tag the head leaves out
        ("视界丨青禾古镇的秋天", "视界丨青禾古镇的秋天"),  # a series prefix stays
    ],
)
def test_prefix_the_head_leaves_out(line: str, title: str) -> None:
    lines = classify_page(f"{line}\n正文第一段。")
    span = find_title(lines, 0, len(lines), HeadlineEvidence(hint="青禾古镇的秋天"))
    assert span is not None and span.text == title


def _page(above: str, below: str) -> str:
    return (
        '<html><head><meta property="og:title" content="岚江两岸稻花香"></head><body>'
        f'<div class="box">{above}<h1>岚江两岸稻花香</h1>{below}'
        '<div class="info">发布时间：2024-07-18</div>'
        '<div class="text"><p>7月17日，岚江两岸的早稻田里一片金黄，收割机来回穿梭。</p>'
        "<p>市农业农村局介绍，今年全市早稻种植面积稳中有增，长势好于往年。</p></div>"
        "</div></body></html>"
    )


@pytest.mark.parametrize(
    ("above", "below", "kicker", "subtitle"),
    [
        ("<div>岚山号</div>", "<div>青禾 三农观察者</div>", None, None),
        ("<p>我市早稻开镰收割</p>", "<p>记者走访多个乡镇</p>", None, None),
        (
            '<p class="yt">我市早稻开镰收割</p>',
            '<p class="ft">记者走访多个乡镇</p>',
            "我市早稻开镰收割",
            "记者走访多个乡镇",
        ),
        (
            "<p>我市早稻开镰收割——</p>",
            "<p>——记者走访多个乡镇</p>",
            "我市早稻开镰收割",
            "记者走访多个乡镇",
        ),
        ("", "<h2>全市早稻预计亩产增长一成</h2>", None, "全市早稻预计亩产增长一成"),
        (
            '<div class="title_pre">我市早稻开镰收割</div>',
            '<div class="art-sub-title">记者走访多个乡镇</div>',
            "我市早稻开镰收割",
            "记者走访多个乡镇",
        ),
    ],
)
def test_kicker_and_subtitle_only_on_evidence(
    above: str, below: str, kicker: str | None, subtitle: str | None
) -> None:
    page = parse_html(_page(above, below), "page.html")
    assert (page.kicker, page.title, page.subtitle) == (kicker, "岚江两岸稻花香", subtitle)


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("岚山非遗传承人访谈（第二期）", "岚山非遗传承人访谈（第二期）"),
        ("青禾乡村振兴观察(一)", "青禾乡村振兴观察(一)"),
        ("岚江治理十年回眸（下）[组图]", "岚江治理十年回眸（下）"),
        ("【学思想 强党性 重实践】青禾县交通局开展主题党日活动", "青禾县交通局开展主题党日活动"),
        ("青禾县召开春耕生产动员会（图）", "青禾县召开春耕生产动员会"),
    ],
)
def test_title_tags_and_series_numbers(title: str, stripped: str) -> None:
    assert strip_title_tags(title) == stripped


@pytest.mark.parametrize(
    ("hint", "title"),
    [
        ("岚州发布首款国产工业芯片，性能领先-岚山 电子资讯", "岚州发布首款国产工业芯片，性能领先"),
        ("青禾县2023-2024学年中小学校历公布", "青禾县2023-2024学年中小学校历公布"),
        ("岚州至青禾城际铁路开通_岚山网", "岚州至青禾城际铁路开通"),
    ],
)
def test_site_suffix_of_a_head_title(hint: str, title: str) -> None:
    assert strip_site_suffix(hint) == title


@pytest.mark.parametrize(
    ("head", "above", "below", "kicker", "subtitle"),
    [
        # the head's title runs the 引题 and the title together: the line above is the 引题
        (
            "我市早稻开镰收割 岚江两岸稻花香",
            "<p>我市早稻开镰收割</p>",
            "",
            "我市早稻开镰收割",
            None,
        ),
        # a column name joined to the title by '_' in the head is no 引题
        ("岚江两岸稻花香_农业农村_岚山网", "<p>岚山农业农村动态</p>", "", None, None),
        # a dashed 副题 may hold a date
        (
            "岚江两岸稻花香",
            "",
            "<p>——2024年7月18日在全市三夏生产会议上的讲话</p>",
            None,
            "2024年7月18日在全市三夏生产会议上的讲话",
        ),
    ],
)
def test_kicker_by_head_title_and_dated_subtitle(
    head: str, above: str, below: str, kicker: str | None, subtitle: str | None
) -> None:
    html = _page(above, below).replace('content="岚江两岸稻花香"', f'content="{head}"')
    page = parse_html(html, "page.html")
    assert (page.kicker, page.title, page.subtitle) == (kicker, "岚江两岸稻花香", subtitle)


@pytest.mark.parametrize(
    ("head", "title", "subtitle"),
    [
        ("岚州市召开优化营商环境大会", "岚州市召开优化营商环境大会", "推动民营经济实现高质量发展"),
        (
            "岚州市召开优化营商环境大会——推动民营经济实现高质量发展",
            "岚州市召开优化营商环境大会——推动民营经济实现高质量发展",
            None,
        ),
    ],
)
def test_dash_in_headline_split_when_head_names_one_side(
    head: str, title: str, subtitle: str | None
) -> None:
    html = (
        f'<html><head><meta property="og:title" content="{head}"></head><body><div class="box">'
        "<h1>岚州市召开优化营商环境大会——推动民营经济实现高质量发展</h1>"
        '<div class="info">发布时间：2024-02-19</div><div class="text">'
        "<p>2月19日，岚州市召开优化营商环境大会，总结去年全市营商环境建设成效。</p>"
        "<p>会议强调，要以企业满意为标准，持续深化改革。</p></div></div></body></html>"
    )
    page = parse_html(html, "page.html")
    assert (page.title, page.subtitle) == (title, subtitle)


def test_title_copy_in_a_list_after_the_text_is_not_the_headline() -> None:
    html = (
        "<html><head><title>岚山湿地公园迎来越冬候鸟_岚山网</title></head><body>"
        '<div class="text"><p>随着气温下降，岚山湿地公园近日迎来今年首批越冬候鸟，白鹭在浅滩觅食。</p>'
        "<p>公园管理处介绍，今年湿地水质持续改善，来此越冬的候鸟将超过往年。</p>"
        "<p>管理处提醒游客文明观鸟，不要投喂、惊扰鸟群。</p></div>"
        '<div class="list"><div>岚山湿地公园迎来越冬候鸟</div><div>青禾县新建五座乡村幼儿园</div></div>'
        "</body></html>"
    )
    page = parse_html(html, "page.html")
    assert page.title == "岚山湿地公园迎来越冬候鸟"
    assert page.body.startswith("随着气温下降")


def test_breaking_news_ticker_is_no_breadcrumb() -> None:
    html = (
        "<html><head><title>青禾县第五座城市书房开放_岚山网</title></head><body>"
        '<div class="breaking-news"><span>岚山快讯</span> &gt; <a>全市中小学明日开学</a></div>'
        "<h1>青禾县第五座城市书房开放</h1>"
        '<div class="text"><p>3月14日，青禾县第五座城市书房正式开放，市民刷身份证即可入内阅读。</p>'
        "<p>书房面积四百平方米，藏书两万余册。</p></div></body></html>"
    )
    page = parse_html(html, "page.html")
    assert page.breadcrumb == ()
    assert page.title == "青禾县第五座城市书房开放"


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["岚州市人民政府", "关于公布非遗名录的通知"], ["岚州市人民政府关于公布非遗名录的通知"]),
        (["关于批准市级预算", "调整方案的决议"], ["关于批准市级预算调整方案的决议"]),
        (["岚江治理与", "生态修复"], ["岚江治理与生态修复"]),
        (["我市早稻开镰收割", "岚江两岸稻花香"], ["我市早稻开镰收割", "岚江两岸稻花香"]),
    ],
)
def test_headline_broken_over_lines_is_joined(lines: list[str], joined: list[str]) -> None:
    page_lines = classify_page("\n".join(lines))
    assert [line.text for line in join_broken(page_lines)] == joined


def test_adoption_note_is_no_subtitle() -> None:
    assert is_note("（岚州市第十届人民代表大会常务委员会第十九次会议通过）")
    assert not is_note("（第二期）青禾县召开会议")


def test_slash_menu_before_the_article_is_no_breadcrumb() -> None:
    html = (
        "<html><head><title>青禾县第五座城市书房开放_岚山网</title></head><body>"
        '<div class="top-links"><a>首页</a> / <a>新闻</a> / <a>政务</a> / <a>服务</a> / <a>互动</a></div>'
        "<h1>青禾县第五座城市书房开放</h1>"
        '<div class="text"><p>3月14日，青禾县第五座城市书房正式开放，市民刷身份证即可入内阅读。</p>'
        "<p>书房面积四百平方米，藏书两万余册。</p></div></body></html>"
    )
    assert parse_html(html, "page.html").breadcrumb == ()
