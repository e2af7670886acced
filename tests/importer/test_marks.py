"""Headline parts marked by class: a kicker is not a column label, a long headline block
is not cut, and only the headline element's own siblings count."""

from __future__ import annotations

from provarchive.importer.read.parse import parse_page

BODY = (
    "<p>三月初，青禾县开始在全县推行新的秋粮收购办法，由县粮食局统一组织各乡镇收购点"
    "按时开秤，农户可以在家门口把粮食卖出，不再需要排长队等候结算。</p>"
    "<p>县里还在每个收购点设立了服务台，帮助农户核对数量、查询价格和办理结算。</p>"
)


def page(header: str, aside: str = "") -> bytes:
    html = (
        "<!doctype html><html><head><title>青禾县推行秋粮收购新办法 - 测试网</title></head><body>"
        '<p class="crumbs">当前位置：首页 &gt;&gt; 乡村振兴</p>'
        f"{aside}<article>{header}"
        '<p class="meta">发布日期：2024-10-08 09:30 来源：青禾县融媒体中心</p>'
        f'<div class="content">{BODY}</div></article></body></html>'
    )
    return html.encode("utf-8")


def test_a_short_marked_kicker_is_no_column_label():
    header = '<p class="kicker">秋收一线</p><h1>青禾县推行秋粮收购新办法</h1>'
    parsed = parse_page(page(header), "a.html")
    assert (parsed.kicker, parsed.title, parsed.column) == (
        "秋收一线",
        "青禾县推行秋粮收购新办法",
        None,
    )


def test_an_unmarked_short_line_is_no_kicker():
    """Without a mark, a short line above an HTML headline is neither 引题 nor the
    title: nothing on the page says which it is, and an invented field is a wrong one."""
    header = "<p>秋收一线</p><h1>青禾县推行秋粮收购新办法</h1>"
    parsed = parse_page(page(header), "a.html")
    assert (parsed.kicker, parsed.title) == (None, "青禾县推行秋粮收购新办法")


def test_a_four_line_headline_keeps_its_kicker_and_both_subtitle_lines():
    header = (
        '<p class="kicker">把方便送到田间地头</p><h1>青禾县推行秋粮收购新办法</h1>'
        '<p class="subtitle">全县二十个收购点同日开秤<br>农户结算当天到账</p>'
    )
    parsed = parse_page(page(header), "a.html")
    assert (parsed.kicker, parsed.title, parsed.subtitle) == (
        "把方便送到田间地头",
        "青禾县推行秋粮收购新办法",
        "全县二十个收购点同日开秤\n农户结算当天到账",
    )


def test_a_subtitle_class_away_from_the_headline_is_ignored():
    aside = '<div class="side"><p class="subtitle">热点专题</p></div>'
    header = "<h1>青禾县推行秋粮收购新办法</h1>"
    parsed = parse_page(page(header, aside), "a.html")
    assert parsed.subtitle is None
