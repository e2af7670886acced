"""Headline parts: 引题 (kicker), 主题 (title) and 副题 (subtitle), and title tags to strip."""

from __future__ import annotations

import re
from dataclasses import dataclass

from provarchive.importer.read.text import compact, fold, visible_length

_DASHES = r"(?:——|—|--|－－|━━|―)"
_LEADING_DASH = re.compile(rf"^\s*{_DASHES}+\s*")
_TRAILING_DASH = re.compile(rf"\s*{_DASHES}+\s*$")
_MIDDLE_DASH = re.compile(r"\s*(?:——|━━|－－|――)\s*|\s+--\s+|(?<=\S)--(?=\S)")
_TAG = r"[\[【(（]\s*[^\]】)）\[【(（]{1,8}?\s*[\]】)）]"
_LEADING_TAG = re.compile(rf"^\s*(?:{_TAG}\s*)+")
_TRAILING_TAG = re.compile(rf"\s*{_TAG}\s*$")
_ONLY_TAG = re.compile(rf"^\s*(?:(?:{_TAG}|【[^【】]{{1,24}}】)\s*)+$")
_SITE_SUFFIX = re.compile(r"\s+(?:--|-|–|\||｜)\s+[^\s]{2,24}$|_[^_\s]{2,24}$")
_GLUED_SUFFIX = re.compile(r"(?<=[^\d\s-])-(?=[^-\d])[^-。，,!?！？]{2,16}$")
"""A site name glued to a head's title by a hyphen (…GPU-某某 电子网), never a number range."""
_LEADING_LABEL = re.compile(r"^\s*【[^【】]{1,16}】\s*")
"""A campaign or column label in 【】 before the headline (【学思想 强党性】…)."""
_SERIES = re.compile(
    r"^[\[【(（]\s*(?:第?\s*[一二三四五六七八九十百零〇两\d]{1,4}\s*[期篇讲集部章节回辑季]?|"
    r"[上中下]|之[一二三四五六七八九十]{1,3}|续|完|终)\s*[\]】)）]$"
)
"""Series numbering after a title (（第二期）, (一), （下）): part of the title."""
_ORIGINAL_TITLE = re.compile(r"^\s*[\[(]?\s*原\s*(?:文)?\s*标?\s*题\s*[:：]")

_SUBTITLE_STARTS = (
    "记",
    "访",
    "专访",
    "对话",
    "探访",
    "走进",
    "来自",
    "写在",
    "看",
    "一位",
    "一个",
    "一群",
    "关于",
    "解读",
    "追记",
    "回眸",
    "聚焦",
    "直击",
    "探秘",
    "细数",
    "盘点",
    "透视",
    "从",
    "致",
)
_SUBTITLE_ENDS = (
    "纪实",
    "侧记",
    "综述",
    "见闻",
    "采访记",
    "小记",
    "扫描",
    "巡礼",
    "札记",
    "故事",
    "掠影",
    "观察",
    "调查",
    "手记",
    "实录",
    "纪事",
    "速写",
    "素描",
    "记事",
    "启示",
    "探索",
    "实践",
    "之路",
    "报告",
    "经验",
    "做法",
    "一瞥",
    "随笔",
    "印象",
    "剪影",
)
_KICKER_WORDS = (
    "讲话",
    "精神",
    "指示",
    "批示",
    "激励",
    "鼓舞",
    "引发",
    "热议",
    "反响",
    "之际",
    "期间",
    "以来",
    "前夕",
    "贯彻",
    "学习",
    "落实",
    "号召",
    "部署",
)
_KICKER_ENDS = ("时", "后", "之际", "以来", "期间", "前夕", "当天", "现场", "之中", "之后")


@dataclass(frozen=True)
class Headline:
    """The headline parts of a page and what was uncertain about them."""

    title: str
    """主题."""
    kicker: str | None
    """引题, several lines joined with ``\\n``."""
    subtitle: str | None
    """副题, several lines joined with ``\\n``."""
    warnings: tuple[str, ...]
    """What the choice was unsure of."""


def is_original_title(line: str) -> bool:
    """Return True for an ``原标题:`` line."""
    return bool(_ORIGINAL_TITLE.match(fold(line)))


def strip_title_tags(title: str) -> str:
    """Return ``title`` without tags such as ``[组图]``, ``【快讯】``, ``[区名]`` or `` -- 站名``.

    Series prefixes such as ``某某丨`` are part of the title and stay.
    """
    text = title.strip()
    for _ in range(3):
        before = text
        stripped = _SITE_SUFFIX.sub("", text).strip()
        if visible_length(stripped) >= 4:
            text = stripped
        stripped = _LEADING_TAG.sub("", text).strip()
        if visible_length(stripped) >= 4:
            text = stripped
        match = _TRAILING_TAG.search(text)
        if match and not _SERIES.match(match.group().strip()):
            stripped = text[: match.start()].strip()
            if visible_length(stripped) >= 4:
                text = stripped
        stripped = _LEADING_LABEL.sub("", text).strip()
        if visible_length(stripped) >= 8:
            text = stripped
        if text == before:
            break
    return text


def strip_site_suffix(title: str) -> str:
    """Return a head's title (``<title>``, ``og:title``) without tags and the site name,
    also when the name is glued on by a hyphen."""
    text = strip_title_tags(title)
    stripped = _GLUED_SUFFIX.sub("", text).strip()
    return stripped if visible_length(stripped) >= 8 else text


def is_dash_piece(part: str, line: str) -> bool:
    """Return True when ``part`` is one side of a dash in ``line`` (主题——副题)."""
    pieces = [p for p in _MIDDLE_DASH.split(line) if p.strip()]
    return len(pieces) == 2 and any(compact(part) == compact(p) for p in pieces)


def _has_subtitle_cue(text: str) -> bool:
    """Return True when ``text`` reads as an elaboration of a headline (a 副题)."""
    return text.startswith(_SUBTITLE_STARTS) or text.rstrip("。").endswith(_SUBTITLE_ENDS)


def _has_kicker_cue(text: str) -> bool:
    """Return True when ``text`` reads as context before a headline (an 引题)."""
    return any(word in text for word in _KICKER_WORDS) or text.endswith(_KICKER_ENDS)


def first_is_kicker(first: str, second: str) -> tuple[bool, bool]:
    """Return whether ``first`` is a kicker (else ``second`` is a subtitle), and how sure.

    A second part that starts or ends like an elaboration (``——记``, ``纪实``) is a
    subtitle; a first part that reads as context (``讲话``, ``之际``, ``……时``) or is
    much longer than the second is a kicker.
    """
    subtitle_cue = _has_subtitle_cue(second)
    kicker_cue = _has_kicker_cue(first)
    if subtitle_cue and not kicker_cue:
        return False, True
    if kicker_cue and not subtitle_cue:
        return True, True
    first_len, second_len = visible_length(first), visible_length(second)
    if first_len >= second_len * 1.5:
        return True, True
    if second_len >= first_len * 1.5:
        return False, True
    return first_len > second_len * 1.2, False


def _matches(part: str, hints: list[str]) -> bool:
    """Return True when ``part`` equals one of ``hints`` (width, blanks and punctuation aside)."""
    key = compact(part)
    return bool(key) and any(key == compact(h) for h in hints)


def _contained(part: str, hints: list[str]) -> bool:
    """Return True when ``part`` is a long enough piece of one of ``hints``."""
    key = compact(part)
    return len(key) >= 4 and any(key in compact(h) for h in hints)


def split_headline(lines: list[str], hints: list[str]) -> Headline:
    """Return kicker, title and subtitle from the headline lines of a page.

    ``hints`` are texts known to repeat the title (the HTML ``<title>``, a final
    crumb, a line repeated at the start of the body).
    """
    warnings: list[str] = []
    parts: list[tuple[str, str | None]] = []
    if len(lines) > 1:  # a line that is only a tag (【新春走基层】) labels the headline below
        lines = [raw for raw in lines if not _ONLY_TAG.match(raw)] or lines
    for raw in lines:
        line = strip_title_tags(raw)
        if _LEADING_DASH.match(line) and _LEADING_DASH.sub("", line):
            parts.append((_LEADING_DASH.sub("", line), "subtitle"))
            continue
        if _TRAILING_DASH.search(line) and _TRAILING_DASH.sub("", line):
            parts.append((_TRAILING_DASH.sub("", line), "kicker"))
            continue
        pieces = [p for p in _MIDDLE_DASH.split(line) if p.strip()]
        if len(pieces) == 2 and not _matches(line, hints):
            first, second = (p.strip() for p in pieces)
            if _matches(second, hints):
                parts += [(first, "kicker"), (second, "title")]
            elif _matches(first, hints):
                parts += [(first, "title"), (second, "subtitle")]
            else:
                kicker, sure = first_is_kicker(first, second)
                if kicker:
                    parts += [(first, "kicker"), (second, "title")]
                else:
                    parts += [(first, "title"), (second, "subtitle")]
                if not sure:
                    warnings.append(
                        f"title guessed: took {'the second' if kicker else 'the first'} part of "
                        f"{line!r} as the title"
                    )
            continue
        parts.append((line, None))
    parts = [(text.strip(), role) for text, role in parts if text.strip()]
    if not parts:
        parts = [(line.strip(), None) for line in lines if line.strip()][:1] or [("?", None)]
    index = _title_index(parts, hints, warnings)
    kicker = "\n".join(t for t, _ in parts[:index]) or None
    subtitle = "\n".join(t for t, _ in parts[index + 1 :]) or None
    return Headline(parts[index][0], kicker, subtitle, tuple(warnings))


def _title_index(parts: list[tuple[str, str | None]], hints: list[str], warnings: list[str]) -> int:
    """Return the index of the title among headline ``parts``."""
    for number, (_, role) in enumerate(parts):
        if role == "title":
            return number
    free = [n for n, (_, role) in enumerate(parts) if role is None]
    for test in (_matches, _contained):
        found = [n for n in free if test(parts[n][0], hints)]
        if found:
            return max(found, key=lambda n: len(parts[n][0]))
    if not free:
        # only kickers and subtitles: the last kicker or the first subtitle is the title
        kickers = [n for n, (_, role) in enumerate(parts) if role == "kicker"]
        return (
            kickers[-1]
            if kickers and kickers[-1] + 1 == len(parts)
            else (kickers[-1] + 1 if kickers else 0)
        )
    if len(free) == 1:
        return free[0]
    if len(free) == 2 and free[1] == free[0] + 1:
        first, second = parts[free[0]][0], parts[free[1]][0]
        kicker, sure = first_is_kicker(first, second)
        if not sure:
            warnings.append(
                f"title guessed: took {(second if kicker else first)!r} as the title of "
                f"{first!r} / {second!r}"
            )
        return free[1] if kicker else free[0]
    return free[len(free) // 2] if len(free) == 3 else free[0]
