"""Page chrome: font-size controls, print/close/share links, counters, footers, nav bars.

Two kinds of rule: fragments that are removed wherever they stand on a header or
footer line (``【打印本页】``, ``浏览次数: 12``), and whole lines that are never
article text (a copyright footer, a nav bar, the site header's today's date).
"""

from __future__ import annotations

import re

from provarchive.importer.read.text import HAN, fold

_OPEN = r"[\[(<]?\s*"
_CLOSE = r"\s*[\])>]?"

_SIZE_WORDS = r"(?:[\[(]?\s*(?:大|中|小|默认|标准|A\+|A-|A)\s*[\])]?\s*){2,4}"
_FRAGMENTS = [
    # 字号: 大 中 小 / 【字体:大 中 小】 / [字号 T|T|T]
    rf"{_OPEN}字\s*[号体]\s*[:：]?\s*{_SIZE_WORDS}{_CLOSE}",
    rf"{_OPEN}字\s*[号体]\s*[:：]?\s*(?:T\s*\|?\s*){{2,3}}{_CLOSE}",
    r"[\[(]\s*[大中小]\s*[\])]\s*(?:[\[(]\s*[大中小默认]{1,2}\s*[\])]\s*){1,3}",
    rf"{_OPEN}(?:字体|字号)?\s*放大{_CLOSE}\s*{_OPEN}缩小{_CLOSE}(?:\s*{_OPEN}(?:默认|还原|重置){_CLOSE})?",
    # print, close, favourites, back, error report
    r"[\[(]\s*(?:打印本页|打印此页|打印本文|打印文章|打印页面|打印|关闭窗口|关闭本页|关闭页面|关闭|"
    r"收藏本页|加入收藏|收藏|设为首页|返回顶部|返回首页|返回列表|返回|保存本页|保存|纠错|我要纠错|"
    r"我要打印|我要收藏|双击滚屏|TOP|top)\s*[\])]",
    # view counters, with or without a number
    r"(?:浏览次数|浏览量|浏览数|点击数|点击量|点击率|点击次数|阅读次数|阅读量|阅读数|访问量|访问次数|"
    r"人气|浏览|阅读|点击)\s*[:：]\s*(?:\d+|\[?\s*\]?)\s*次?",
    r"(?:已有|已)?\s*\d+\s*(?:次|人)\s*(?:浏览|阅读|点击|访问)",
    r"(?:浏览次数|浏览量|点击数|阅读次数|阅读量|访问量)\s*\d*\s*次?",
    # scan-to-phone widgets
    r"(?:微信|手机)?\s*扫一扫\s*(?:在手机(?:上)?(?:打开|阅读|浏览)(?:当前页|本页|此页|本文)?|分享(?:到朋友圈)?)?",
    r"用手机扫描二维码[^\s]*",
    r"扫描二维码[^\s]{0,12}",
    # share bars
    r"[\[(]?\s*分享(?:到|至)?\s*[:：]?\s*(?:\s*(?:微信(?:朋友圈)?|朋友圈|新浪微博|腾讯微博|微博|QQ空间|QQ好友|"
    r"QQ|人人网|豆瓣|更多|复制链接))+\s*[\])]?",
    r"[\[(]\s*分享(?:到|至)?\s*[\])]",
    r"分享(?:到|至)\s*[:：]?\s*$",
]
_FRAGMENT = re.compile("|".join(f"(?:{p})" for p in _FRAGMENTS))

_BARE_WORDS = re.compile(
    r"(?:打印本页|打印此页|打印本文|打印|关闭窗口|关闭本页|关闭|收藏本页|加入收藏|收藏|设为首页|"
    r"返回顶部|返回首页|返回列表|返回|保存本页|纠错|我要纠错|分享到|分享|字号|字体|大|中|小|默认|"
    r"放大|缩小|视频加载中|正在加载|加载中|[:：|/\s\[\]()>.…]+)+"
)
_DOCUMENT_NUMBER = re.compile(
    r"^[\u4e00-\u9fff]{1,12}\s*[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d{1,5}\s*号$"
)
"""A government document number (文号) such as 白政办发〔2024〕12号."""

_WHOLE_LINE = re.compile(
    r"版权所有|版权声明|Copyright|copyright|COPYRIGHT|©|\(c\)\s*\d{4}|ICP\s*[备证]|"
    r"ICP\s*\d|公网安备|网安备|主办单位|承办单位|主办\s*[:：]|承办\s*[:：]|协办\s*[:：]|"
    r"技术支持\s*[:：]|技术支持|网站标识码|网站地图|联系我们|关于我们|建议使用.{0,20}浏览器|"
    r"分辨率|未经.{0,8}(?:授权|许可).{0,10}(?:转载|复制)|不得转载|转载请注明|"
    r"^(?:今天是|今日是|今天[:：]|今日[:：])|农历|^欢迎(?:您|访问|来到|光临)|^您好|"
    r"^(?:登录|注册|无障碍|长者模式|关怀版|繁体|繁體|简体|English|搜索|站内搜索|"
    r"(?:手机|移动|触屏|电脑|PC|WAP|wap)\s*版$|"
    r"(?:(?:版面|标题|本版)(?:导航|目录|概览)|上一版|下一版|上一期|下一期|往期回顾|往期|"
    r"返回目录|PDF\s*下载|\s)+$|"
    r"请输入关键[词字])|^设为首页|^加入收藏"
)
_PLACEHOLDER = re.compile(
    r"^(?:untitled(?:\s+document)?|new\s+page\s*\d*|logo|banner|无标题文档|无标题页|无标题)$",
    re.IGNORECASE,
)
"""An editor's default page title or an image's placeholder text left on its own line."""
_CRAWL_STAMP = re.compile(
    r"(?:抓取|采集|爬取|保存|下载|访问|生成|存档|归档)(?:时间|日期|于)|crawled|fetched|saved at|"
    r"archived",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://|www\.|\.(?:gov|com|net|org|edu)(?:\.cn)?\b", re.IGNORECASE)
_HOST_SITE = re.compile(
    rf"^[{HAN}A-Za-z0-9]{{2,20}}(?:门户网站|官方网站|网站|官网|政务网|新闻网|门户网|"
    rf"融媒体中心|融媒中心|人民政府|人民政府网|政府网|数字报|电子报|电子版|数字报刊)$"
)
_ISSUE = re.compile(
    r"第\s*[0-9一二三四五六七八九十零〇]{1,3}\s*版|版\s*次\s*[:：]|版\s*面\s*[:：]|"
    r"版\s*名\s*[:：]|第\s*\d+\s*期\s*[:：]"
)
_FOOTER_START = re.compile(
    r"^[\[(]?\s*(?:上一篇|下一篇|上一条|下一条|上一页|下一页|相关新闻|相关文章|相关阅读|相关链接|"
    r"相关稿件|相关报道|热点推荐|推荐阅读|热门文章|热门推荐|最新文章|猜你喜欢|网友评论|"
    r"发表评论|我要评论|评论)\s*[\])]?\s*(?:[:：]|$)"
)


def strip_chrome(line: str) -> str:
    """Return ``line`` without chrome fragments such as ``【打印本页】`` or ``浏览次数:12``."""
    folded = fold(line)
    pieces: list[str] = []
    last = 0
    for match in _FRAGMENT.finditer(folded):
        if match.end() == match.start():
            continue
        pieces.append(line[last : match.start()])
        last = match.end()
    if not pieces:
        return line.strip()
    pieces.append(line[last:])
    return " ".join(p.strip() for p in pieces if p.strip())


def is_nav_bar(line: str) -> bool:
    """Return True for a bar of short links separated by ``|`` (two separators or more)."""
    folded = fold(line)
    parts = [p.strip() for p in re.split(r"[|]", folded)]
    if len(parts) < 3:
        return False
    return all(len(p) <= 12 for p in parts) and not any(ch in folded for ch in "。，,")


def is_chrome_line(line: str) -> bool:
    """Return True when a whole line is page chrome, never article text or metadata."""
    folded = fold(line).strip()
    if not folded or _PLACEHOLDER.match(folded):
        return True
    if _BARE_WORDS.fullmatch(folded):
        return True
    if is_nav_bar(folded):
        return True
    if len(folded) <= 120 and _WHOLE_LINE.search(folded):
        return True
    if len(folded) <= 80 and _CRAWL_STAMP.search(folded):
        return True
    if len(folded) <= 60 and _URL.search(folded) and not re.search(r"[。，,]", folded):
        return True
    return bool(_HOST_SITE.match(folded))


def is_document_number(line: str) -> bool:
    """Return True for a line that is only a document number (白政办发〔2024〕12号)."""
    return bool(_DOCUMENT_NUMBER.match(fold(line).strip()))


def is_issue_line(line: str) -> bool:
    """Return True for an e-paper issue line such as ``2023年07月09日 第01版``."""
    folded = fold(line)
    return len(folded) <= 60 and bool(_ISSUE.search(folded))


def is_footer_start(line: str) -> bool:
    """Return True for a line after which only related links and footers follow."""
    return bool(_FOOTER_START.match(fold(line).strip()))
