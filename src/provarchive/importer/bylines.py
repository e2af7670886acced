"""Reporters, correspondents and photographers in bylines, datelines and credits; the editor.

A byline is a run of role words (``记者``, ``通讯员``, ``文/图``, ``摄``) and personal
names (two to four Han characters, or names joined with ``·``). Generic credits such
as ``新华社记者`` or ``佚名`` name nobody, and organisations are not people.
"""

from __future__ import annotations

import re

from provarchive.importer.labels import Field, Kind
from provarchive.importer.text import HAN, fold

_ROLE_WORDS = (
    "特约通讯员",
    "融媒体记者",
    "全媒体记者",
    "新媒体记者",
    "摄影记者",
    "首席记者",
    "特约记者",
    "见习记者",
    "实习记者",
    "驻地记者",
    "本报记者",
    "本台记者",
    "本网记者",
    "本刊记者",
    "本站记者",
    "实习生",
    "通讯员",
    "撰稿人",
    "记者",
    "作者",
    "撰稿",
    "撰文",
    "摄影",
    "摄像",
    "文/图",
    "图/文",
    "文图",
    "图文",
    "文字",
    "图片",
    "视频",
    "采写",
    "整理",
    "编译",
    "口述",
    "供稿",
    "报道",
    "供图",
    "文",
    "图",
    "摄",
)
_ROLE = "|".join(re.escape(w) for w in _ROLE_WORDS)
# "岚山日报记者" and "新华社记者": an organisation glued before 记者/通讯员 is part of the role.
_ROLE_PREFIX = re.compile(rf"(?:[{HAN}]{{0,10}}?(?:记者|通讯员)|{_ROLE})")
_ROLE_SUFFIX = re.compile(r"(?:摄影|摄|报道|供图|整理|采写|撰稿|编译)$")
_SEPARATORS = re.compile(r"[\s、,，;；/:：|｜]+")
_NAME = re.compile(rf"^(?:[{HAN}]{{2,4}}|[{HAN}]{{1,10}}[·•・.][{HAN}]{{1,12}})$")
_NOT_NAMES = frozenset(
    [
        "佚名",
        "本报",
        "本站",
        "本网",
        "本台",
        "本刊",
        "记者",
        "通讯员",
        "新华社",
        "新华网",
        "综合",
        "编辑",
        "网络",
        "未知",
        "管理员",
        "系统",
        "匿名",
        "报道",
        "供稿",
        "供图",
        "摄影",
        "整理",
        "本报讯",
        "来源",
        "转载",
        "原创",
        "责编",
        "作者",
        "中新社",
        "中新网",
        "人民网",
        "央视网",
        "通讯社",
        "网友",
        "读者",
        "市民",
        "小编",
        "本版",
        "本文",
        "全文",
        "图片",
        "视频",
        "文字",
        "组图",
        "记者站",
        "综述",
        "编者",
        "联合",
        "原载",
        "特稿",
        "来稿",
        "投稿",
        "评论员",
        "本报评论员",
        "特约",
        "特约评论员",
        "通讯",
        "消息",
    ]
)
_ORG_SUFFIXES = (
    "日报",
    "晚报",
    "早报",
    "报社",
    "新闻",
    "中心",
    "政府",
    "公司",
    "集团",
    "大学",
    "学院",
    "报",
    "社",
    "网",
    "台",
    "站",
    "局",
    "厅",
    "委",
    "办",
    "部",
    "院",
    "所",
    "处",
    "会",
    "馆",
    "队",
    "组",
    "团",
    "科",
)
_NEXT_LABEL = re.compile(rf"(?<![{HAN}])[{HAN}]{{1,6}}\s*:")
_PARENS = re.compile(r"[(（]([^()（）]{1,80})[)）]")
_TRAILING_PARENS = re.compile(r"[(（]([^()（）]{1,80})[)）]\s*$")
_DATELINE = re.compile(
    rf"^[^。，,!?！？]{{0,30}}?(?:讯|电|消息|报道)\s*[(（](?P<inner>[^()（）]{{2,80}})[)）]"
    rf"|^\s*[(（](?P<lead>(?:{_ROLE})[^()（）。]{{1,60}})[)）]"
    rf"|^[^。，,!?！？]{{0,30}}?(?:讯|电)\s+(?P<bare>(?:{_ROLE})[^，,。:：!?！？]{{1,40}}?)"
    rf"(?:\s*报道|\s*[:：，,]|\s{{2,}}|$)"
)
_CREDIT_BEFORE = re.compile(
    r"(?P<seg>[^。,，;；()（）!?！？\[\]]{2,60}?)\s*/?\s*(?:摄影|摄|供图)\s*(?=$|[)）\]】。;；,，\s])"
)
_CREDIT_AFTER = re.compile(r"(?:摄影|摄|图)\s*[/:：]\s*(?P<seg>[^。,，;；()（）!?！？\[\]]{2,30})")


def is_name(token: str) -> bool:
    """Return True when ``token`` reads as a person's name, not a role or organisation."""
    if not _NAME.match(token) or token in _NOT_NAMES:
        return False
    if len(token) >= 3 and "·" not in token and token.endswith(_ORG_SUFFIXES):
        return False
    return not token.endswith(("记者", "通讯员", "编辑"))


def _strip_roles(token: str) -> tuple[int, int, bool]:
    """Return the span of ``token`` left after role words and credit words, and whether any.

    ``token`` is folded text; the span applies to the unfolded token too.
    """
    start, end = 0, len(token)
    had_role = False
    while start < end:
        match = _ROLE_PREFIX.match(token, start, end)
        if not match or match.end() == start:
            break
        rest = token[match.end() : end]
        # keep a name that merely starts like a role word ("文静" is a name)
        if match.group(0) in ("文", "图", "摄") and rest and not is_name(rest):
            break
        if match.group(0) in ("文", "图") and is_name(token[start:end]) and end - start <= 3:
            break
        start = match.end()
        had_role = True
    suffix = _ROLE_SUFFIX.search(token, start, end)
    if suffix and suffix.start() - start >= 2:
        end = suffix.start()
        had_role = True
    return start, end, had_role


def _tokens(text: str) -> list[tuple[str, str]]:
    """Return the ``(original, folded)`` words of ``text`` split at blanks and separators."""
    folded = fold(text)
    words: list[tuple[str, str]] = []
    last = 0
    for match in [*_SEPARATORS.finditer(folded), None]:
        end = match.start() if match else len(folded)
        if end > last:
            words.append((text[last:end], folded[last:end]))
        if match:
            last = match.end()
    return words


def _words(text: str) -> list[tuple[str, str, bool]]:
    """Return ``(name candidate, folded candidate, had role)`` for each word of ``text``."""
    found: list[tuple[str, str, bool]] = []
    for original, folded in _tokens(text):
        start, end, role = _strip_roles(folded)
        found.append((original[start:end], folded[start:end], role))
    return found


def parse_byline(text: str) -> tuple[list[str], bool, bool]:
    """Return the names in a byline, whether it had role words, and whether all of it parsed."""
    names: list[str] = []
    had_role = False
    clean = True
    inner = text.strip().strip("()[]（）【】 ")
    for name, folded, role in _words(inner):
        had_role = had_role or role
        if not folded:
            continue
        if is_name(folded):
            names.append(name)
        elif folded in _NOT_NAMES or re.fullmatch(rf"[{HAN}]{{0,10}}(?:记者|通讯员)", folded):
            had_role = True
        else:
            clean = False
    return names, had_role, clean


def head_names(text: str) -> list[str]:
    """Return the names at the start of ``text``, up to the first word that is no name."""
    label = _NEXT_LABEL.search(fold(text))
    if label:
        text = text[: label.start()]
    names: list[str] = []
    for name, folded, role in _words(text):
        if folded and is_name(folded):
            names.append(name)
        elif folded and not role:
            break
    return names


def _tail_names(text: str) -> list[str]:
    """Return the names at the end of ``text``, walking back over names and role words."""
    names: list[str] = []
    for name, folded, role in reversed(_words(text)):
        if folded and is_name(folded):
            names.append(name)
        elif folded and not role:
            break
    return names[::-1]


def byline_line_names(line: str) -> list[str] | None:
    """Return the names of a byline-only line (``本报记者 王某 通讯员 李某``), else None."""
    text = line.strip()
    folded = fold(text)
    if len(folded) > 60 or re.search(r"[。!?！？]", folded):
        return None
    parenthesised = folded.startswith("(") and folded.endswith(")")
    names, had_role, clean = parse_byline(text[1:-1] if parenthesised else text)
    if not clean or not (had_role or parenthesised):
        return None
    if not names and not had_role:
        return None
    return names


def trailing_byline(paragraph: str) -> tuple[str, list[str]] | None:
    """Return the paragraph without a final ``(记者 王某)`` byline, and its names; else None."""
    match = _TRAILING_PARENS.search(fold(paragraph))
    if not match:
        return None
    names, had_role, clean = parse_byline(paragraph[match.start(1) : match.end(1)])
    if not clean or not (names or had_role):
        return None
    return paragraph[: match.start()].rstrip(), names


def dateline_names(paragraph: str) -> list[str]:
    """Return the names in a lead's dateline (``本报讯(记者 王某 通讯员 李某)``, or a lead
    that opens with the byline in parentheses: ``(通讯员 蔡某 记者 何某)近日……``)."""
    match = _DATELINE.match(fold(paragraph))
    if not match:
        return []
    group = next(g for g in ("inner", "lead", "bare") if match.group(g) is not None)
    names, had_role, _ = parse_byline(paragraph[match.start(group) : match.end(group)])
    return names if had_role else []


def credit_names(line: str) -> list[str]:
    """Return photographers credited in a caption (``记者 王某 摄``, ``摄影/李某``)."""
    folded = fold(line)
    found: list[tuple[int, list[str]]] = []
    for match in _CREDIT_BEFORE.finditer(folded):
        found.append((match.start("seg"), _tail_names(line[match.start("seg") : match.end("seg")])))
    for match in _CREDIT_AFTER.finditer(folded):
        found.append((match.start("seg"), head_names(line[match.start("seg") : match.end("seg")])))
    return [name for _, names in sorted(found) for name in names]


def field_names(field: Field) -> list[str]:
    """Return the names at the start of an author field (``作者:本报记者 王某 单位:…``)."""
    return head_names(field.value)


def choose_editor(fields: list[Field]) -> str | None:
    """Return the editor: 责任编辑 over 责编 over 编辑; several names joined with ``、``."""
    editors = [f for f in fields if f.kind is Kind.EDITOR and f.value]
    for field in sorted(editors, key=lambda f: f.rank):
        names, _, _ = parse_byline(field.value)
        if names:
            return "、".join(dict.fromkeys(names))
        value = field.value.split()[0] if field.value.split() else ""
        if value and len(value) <= 12 and value not in _NOT_NAMES:
            return value
    return None


def parenthesised_groups(text: str) -> list[str]:
    """Return the contents of every parenthesised group in ``text``."""
    return [m.group(1) for m in _PARENS.finditer(fold(text))]
