"""Breadcrumb lines: ``当前位置: 首页 > 新闻 > 本地`` and the many spellings of it."""

from __future__ import annotations

import re

from provarchive.importer.read.text import compact, fold, squeeze_han

_MARKER = re.compile(
    r"^\s*[\[(]?\s*(?:(?:您|你)(?:的)?(?:当前|现在)?(?:的)?(?:所在)?(?:的)?\s*位\s*置|"
    r"(?:当前|目前|现在)(?:所在)?\s*位\s*置|所在\s*位\s*置|位\s*置|当前页面|当前栏目|所在栏目|"
    r"current\s+location|location|you\s+are\s+here)\s*[\])]?\s*(?:[:：>]\s*|\s+|(?=\S))",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s*(?:>>|->|-\s+>|>|》|〉|→|►|▶|/|&gt;)\s*|\s+-\s+")
_SEPARATOR_NO_SLASH = re.compile(r"\s*(?:>>|->|-\s+>|>|》|〉|→|►|▶|&gt;)\s*|\s+-\s+")
_HOME = re.compile(r"^(?:网站首页|本站首页|首页|主页|返回首页|home|Home|HOME|门户首页)$")
_HOME_END = re.compile(r"(?:首页|主页|home|Home|HOME)$")
_BODY_CRUMBS = frozenset(
    [
        "正文",
        "内容",
        "正文内容",
        "详细内容",
        "详情",
        "文章详情",
        "阅读正文",
        "阅读文章",
        "文章内容",
        "新闻正文",
        "浏览文章",
        "详细信息",
    ]
)
_ELLIPSIS = re.compile(r"(?:\.{2,}|…+)$")
_TOOL_TAIL = re.compile(
    r"(?:\s+(?:超大|特大|大|中|小|标准|默认|打印|关闭|收藏|分享|字号|字体))+\s*$"
)


def _crumbs(text: str, separator: re.Pattern[str]) -> list[str]:
    """Return the crumbs of ``text`` split at ``separator``, letter-spacing removed.

    Separators are found in the folded text; the crumbs keep the page's own characters.
    """
    folded = fold(text)
    parts: list[str] = []
    last = 0
    for match in separator.finditer(folded):
        parts.append(text[last : match.start()])
        last = match.end()
    parts.append(text[last:])
    return [squeeze_han(part.strip()) for part in parts]


def has_marker(text: str) -> bool:
    """Return True when ``text`` starts with a position marker (``您的当前位置:``)."""
    return bool(_MARKER.match(fold(text.strip())))


def parse_breadcrumb(line: str, *, named: bool = False) -> tuple[str, ...] | None:
    """Return the crumbs of a breadcrumb line, without marker and without a final 正文.

    A line is a breadcrumb when it starts with a position marker (``当前位置``,
    ``您现在的位置``, ``位置``), or when its first crumb is the home page, or when it
    has two separators or more between short crumbs, or one before a final 正文; with
    ``named`` (the element is named as a breadcrumb) one separator between short crumbs
    is enough. After the home page, the final crumb may be the headline itself.
    """
    line = _without_tools(line.strip())
    folded = fold(line)
    if len(folded) > 200:
        return None
    marker = _MARKER.match(folded)
    if marker:
        rest = _from_home(line[marker.end() :])
        crumbs = _crumbs(rest, _SEPARATOR)
        rest = fold(rest)
        has_colon = ":" in folded[: marker.end()] or ">" in folded[: marker.end()]
        if len(crumbs) < 2 and not has_colon and rest.strip():
            return None
    else:
        crumbs = _unmarked_crumbs(line, named)
        if crumbs is None:
            return None
    crumbs = _without_tail(crumbs)
    crumbs = [c for c in crumbs if c]
    if not crumbs and not marker:
        return None
    if any(len(c) > 60 for c in crumbs[:-1]) or (crumbs and len(crumbs[-1]) > 80):
        return None
    return tuple(crumbs)


def is_plain_trail(line: str) -> bool:
    """Return True for a trail that needs no marker and no name to be a breadcrumb: it
    starts at the home page or ends at 正文 (``首页 / 图片 / 正文``), and is short (a
    menu of five links or more is a nav bar)."""
    line = _without_tools(line.strip())
    crumbs = _unmarked_crumbs(line, named=False)
    if not crumbs or len(crumbs) > 4:
        return False
    return bool(_HOME.match(fold(crumbs[0]))) or fold(crumbs[-1]).strip() in _BODY_CRUMBS


def _without_tools(line: str) -> str:
    """Return ``line`` without page tools after its last crumb (``… 超大 | 打印 |``)."""
    folded = fold(line)
    ends = [m.end() for m in _SEPARATOR_NO_SLASH.finditer(folded)]
    last = ends[-1] if ends else 0
    bar = folded.find("|", last)
    if bar < 0:
        return line
    return _TOOL_TAIL.sub("", line[:bar]).strip()


def _from_home(line: str) -> str:
    """Return ``line`` from its home crumb on, when links stand before it in the first
    crumb (``订阅本栏目RSS 某网首页 > 科技``)."""
    folded = fold(line)
    first = _SEPARATOR_NO_SLASH.search(folded)
    head = folded[: first.start()] if first else folded
    words = head.split()
    if len(words) >= 2 and _HOME_END.search(words[-1]):
        return line[head.rindex(words[-1]) :]
    return line


def _unmarked_crumbs(line: str, named: bool) -> list[str] | None:
    """Return the crumbs of a line without a position marker, if it reads as a trail."""
    line = _from_home(line)
    crumbs = _crumbs(line, _SEPARATOR_NO_SLASH)
    if len(crumbs) < 2:
        crumbs = _crumbs(line, _SEPARATOR)
        if len(crumbs) < 2 or not _HOME.match(fold(crumbs[0])):
            return None
    home = bool(_HOME.match(fold(crumbs[0])))
    short = all(0 < len(c) <= 12 for c in crumbs[:-1]) and len(crumbs[-1]) <= 40
    ends_in_body = fold(crumbs[-1]).strip() in _BODY_CRUMBS and len(crumbs[0]) <= 12
    if not (home or ends_in_body or (short and (len(crumbs) >= 3 or named))):
        return None
    inner = crumbs if not home else crumbs[:-1]
    if any(re.search(r"[。，,!?！？]", fold(c)) for c in inner):
        return None
    return crumbs


def _without_tail(crumbs: list[str]) -> list[str]:
    """Return ``crumbs`` without empty or 正文 crumbs at the end (also 正文 with a link
    glued on: ``正文申请入驻``)."""
    crumbs = list(crumbs)
    while crumbs and not crumbs[-1]:
        crumbs.pop()
    while crumbs and (
        fold(crumbs[-1]) in _BODY_CRUMBS
        or (crumbs[-1].startswith(("正文", "详情")) and len(crumbs[-1]) <= 8)
    ):
        crumbs.pop()
    return crumbs


def drop_title_crumb(crumbs: tuple[str, ...], title: str) -> tuple[str, ...]:
    """Return ``crumbs`` without a final crumb that repeats (or truncates) the title."""
    if not crumbs:
        return crumbs
    last = compact(_ELLIPSIS.sub("", crumbs[-1]))
    whole = compact(title)
    if last and (
        last == whole
        or (len(last) >= 6 and whole.startswith(last))
        or (len(whole) >= 6 and (last.startswith(whole) or last.endswith(whole)))
    ):
        return crumbs[:-1]
    return crumbs
