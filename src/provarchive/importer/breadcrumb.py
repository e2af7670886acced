"""Breadcrumb lines: ``当前位置: 首页 > 新闻 > 本地`` and the many spellings of it."""

from __future__ import annotations

import re

from provarchive.importer.text import compact, fold, squeeze_han

_MARKER = re.compile(
    r"^\s*[\[(]?\s*(?:(?:您|你)(?:的)?(?:当前|现在)?(?:的)?(?:所在)?(?:的)?\s*位\s*置|"
    r"(?:当前|目前|现在)(?:所在)?\s*位\s*置|所在\s*位\s*置|位\s*置|当前页面|当前栏目|所在栏目|"
    r"current\s+location|location|you\s+are\s+here)\s*[\])]?\s*(?:[:：>]\s*|\s+|(?=\S))",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s*(?:>>|->|-\s+>|>|》|〉|→|►|▶|/|&gt;)\s*|\s+-\s+")
_SEPARATOR_NO_SLASH = re.compile(r"\s*(?:>>|->|-\s+>|>|》|〉|→|►|▶|&gt;)\s*|\s+-\s+")
_HOME = re.compile(r"^(?:网站首页|本站首页|首页|主页|返回首页|home|Home|HOME|门户首页)$")
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


def parse_breadcrumb(line: str) -> tuple[str, ...] | None:
    """Return the crumbs of a breadcrumb line, without marker and without a final 正文.

    A line is a breadcrumb when it starts with a position marker (``当前位置``,
    ``您现在的位置``, ``位置``), or when its first crumb is the home page, or when it
    has two separators or more between short crumbs.
    """
    line = line.strip()
    folded = fold(line)
    if len(folded) > 200:
        return None
    marker = _MARKER.match(folded)
    if marker:
        rest = line[marker.end() :]
        crumbs = _crumbs(rest, _SEPARATOR)
        rest = fold(rest)
        has_colon = ":" in folded[: marker.end()] or ">" in folded[: marker.end()]
        if len(crumbs) < 2 and not has_colon and rest.strip():
            return None
    else:
        crumbs = _crumbs(line, _SEPARATOR_NO_SLASH)
        if len(crumbs) < 2:
            crumbs = _crumbs(line, _SEPARATOR)
            if len(crumbs) < 2 or not _HOME.match(fold(crumbs[0])):
                return None
        home = bool(_HOME.match(fold(crumbs[0])))
        short = all(0 < len(c) <= 12 for c in crumbs[:-1]) and len(crumbs[-1]) <= 40
        if not home and not (len(crumbs) >= 3 and short):
            return None
        if re.search(r"[。，,!?！？]", folded):
            return None
    while crumbs and not crumbs[-1]:
        crumbs.pop()
    while crumbs and fold(crumbs[-1]) in _BODY_CRUMBS:
        crumbs.pop()
    crumbs = [c for c in crumbs if c]
    if not crumbs and not marker:
        return None
    if any(len(c) > 60 for c in crumbs):
        return None
    return tuple(crumbs)


def drop_title_crumb(crumbs: tuple[str, ...], title: str) -> tuple[str, ...]:
    """Return ``crumbs`` without a final crumb that repeats (or truncates) the title."""
    if not crumbs:
        return crumbs
    last = compact(_ELLIPSIS.sub("", crumbs[-1]))
    whole = compact(title)
    if last and (
        last == whole
        or (len(last) >= 6 and whole.startswith(last))
        or (len(whole) >= 6 and last.startswith(whole))
    ):
        return crumbs[:-1]
    return crumbs
