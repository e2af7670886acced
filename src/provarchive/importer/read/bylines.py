"""Reporters, correspondents and photographers in bylines, datelines and credits; the editor.

A byline is a run of role words (``记者``, ``通讯员``, ``文/图``, ``摄``) and personal
names (two to four Han characters, or names joined with ``·``). Generic credits such
as ``新华社记者`` or ``佚名`` name nobody, and organisations are not people.
"""

from __future__ import annotations

import re

from provarchive.importer.read.labels import Field, Kind, kind_of
from provarchive.importer.read.names import (
    NOT_NAMES,
    has_surname,
    is_compound_surname,
    is_name,
    is_person,
)
from provarchive.importer.read.text import HAN, fold

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
    "执笔",
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
_ROLE_PREFIX = re.compile(
    rf"(?:(?:《[^》]{{1,12}}》)?[{HAN}]{{0,10}}?(?:记者|通讯员|作者)|{_ROLE})"
)
_ROLE_SUFFIX = re.compile(r"(?:摄影|摄|报道|供图|整理|采写|撰稿|编译)$")
_REPORTER = re.compile(rf"[{HAN}]{{0,10}}(?:记者|通讯员)")
_STAFF = re.compile(
    rf"^\s*(?:[{HAN}]{{2,4}}[ _]?[A-Z]{{1,4}}\d{{2,6}}"
    r"|[A-Za-z][A-Za-z.\-]*(?: [A-Za-z][A-Za-z.\-]*){0,2})(?=\s*$|\s*[)\]】）])"
)
"""An editor written with a staff code (``王某 PK155``) or in Latin letters (``Anna Li``):
kept as written."""
_PEOPLE_ROLES = ("记者", "通讯员", "实习生", "撰稿人")
_SEPARATORS = re.compile(r"[\s、,，;；/:：|｜&＆▲△●○■□◆◇★☆►▶]+")
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


def _strip_roles(token: str) -> tuple[int, int, int]:
    """Return the span of ``token`` left after role words and credit words, and the role's
    strength: 2 a role word alone or a reporter's role glued to a name (``记者王某``),
    1 a credit suffix or another glued role (``王某摄``, ``视频新闻``), 0 none.

    ``token`` is folded text; the span applies to the unfolded token too. A glued
    ``文`` or ``图`` is no role (``文章``, ``图网``): bylines write ``文/王某``.
    """
    start, end = 0, len(token)
    strength = 0
    while start < end:
        match = _ROLE_PREFIX.match(token, start, end)
        if not match or match.end() == start:
            break
        word, rest = match.group(0), token[match.end() : end]
        if word in ("文", "图") and rest:
            break
        if word == "摄" and rest and not is_name(rest):
            break
        start = match.end()
        strength = max(strength, 2 if not rest or word.endswith(_PEOPLE_ROLES) else 1)
    suffix = _ROLE_SUFFIX.search(token, start, end)
    if suffix and suffix.start() - start >= 2:
        end = suffix.start()
        strength = max(strength, 1)
    return start, end, strength


def _tokens(text: str) -> list[tuple[str, str]]:
    """Return the ``(original, folded)`` words of ``text`` split at blanks and separators;
    a letter-spaced name (``孙 涛``) is one word."""
    folded = fold(text)
    words: list[tuple[str, str]] = []
    last = 0
    for match in [*_SEPARATORS.finditer(folded), None]:
        end = match.start() if match else len(folded)
        if end > last:
            words.append((text[last:end], folded[last:end]))
        if match:
            last = match.end()
    return _join_spaced(words)


def _join_spaced(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return ``words`` with letter-spaced names joined: runs of single Han characters
    (``记者 孙 涛 摄``, ``孙 涛 王 梅``) and a compound surname before its given name
    (``欧阳 青``), when every joined name opens with a surname."""
    single = [
        len(f) == 1 and bool(re.match(rf"[{HAN}]", f)) and f not in ("文", "图", "摄")
        for _, f in words
    ]
    joined: list[tuple[str, str]] = []
    index = 0
    while index < len(words):
        folded = words[index][1]
        if is_compound_surname(folded) and index + 1 < len(words) and single[index + 1]:
            name = folded + words[index + 1][1]
            joined.append((name, name))
            index += 2
            continue
        run = 0
        while index + run < len(words) and single[index + run]:
            run += 1
        names = _spell_names("".join(f for _, f in words[index : index + run]))
        if run >= 2 and names:
            joined += [(name, name) for name in names]
            index += run
            continue
        joined.append(words[index])
        index += 1
    return joined


def _spell_names(chars: str) -> list[str]:
    """Return ``chars`` cut into names of two or three characters, each opening with a
    surname (a two-character name when a surname follows it), or [] when they are not."""
    names: list[str] = []
    start = 0
    while start < len(chars):
        left = len(chars) - start
        size = left if left <= 3 else (2 if has_surname(chars[start + 2]) else 3)
        name = chars[start : start + size]
        if len(name) < 2 or not (has_surname(name) and is_name(name)):
            return []
        names.append(name)
        start += size
    return names


def _words(text: str) -> list[tuple[str, str, int]]:
    """Return ``(name candidate, folded candidate, role strength)`` for each word of ``text``."""
    found: list[tuple[str, str, int]] = []
    for original, folded in _tokens(text):
        start, end, strength = _strip_roles(folded)
        found.append((original[start:end], folded[start:end], strength))
    return found


def _is_role_word(folded: str) -> bool:
    """Return True for a word that is a role or generic credit (``新华社记者``, ``本报``)."""
    return folded in NOT_NAMES or bool(_REPORTER.fullmatch(folded))


def _people(text: str, *, vouched: bool = False) -> list[tuple[str, str, int, bool]]:
    """Return ``(candidate, folded, role strength, is a person)`` for each word of ``text``.

    A role word vouches for the names that follow it (``记者 甲 乙``), so they need
    no known surname; other names do. ``vouched``: a label vouches for the first word.
    """
    found: list[tuple[str, str, int, bool]] = []
    for name, folded, strength in _words(text):
        if not folded:
            found.append((name, folded, strength, False))
            vouched = strength == 2
            continue
        glued = strength == 2 and len(folded) <= 3
        person = is_person(folded, vouched=vouched or glued)
        found.append((name, folded, strength, person))
        vouched = (person and (vouched or strength == 2)) or bool(_REPORTER.fullmatch(folded))
    return found


def parse_byline(text: str) -> tuple[list[str], bool, bool]:
    """Return the names in a byline, whether it had role words, and whether all of it parsed."""
    names: list[str] = []
    had_role = False
    clean = True
    inner = text.strip().strip("()[]（）【】 ")
    reviewer = False  # names after 初审, 校对 or 编辑 are no authors
    for name, folded, strength, person in _people(inner):
        had_role = had_role or strength > 0
        if strength:
            reviewer = False
        if not folded:
            continue
        if kind_of(folded) in (Kind.EDITOR, Kind.REVIEW):
            reviewer = True
        elif person:
            if not reviewer:
                names.append(name)
        elif _is_role_word(folded):
            had_role = True
        else:
            clean = False
    return names, had_role, clean


def head_names(text: str, *, vouched: bool = False) -> list[str]:
    """Return the names at the start of ``text``, up to the first word that is no name;
    ``vouched`` when a role label stands before ``text``."""
    label = _NEXT_LABEL.search(fold(text))
    if label:
        text = text[: label.start()]
    names: list[str] = []
    for name, folded, strength, person in _people(text, vouched=vouched):
        if person:
            names.append(name)
        elif folded and not strength:
            break
    return names


def _tail_names(text: str) -> list[str]:
    """Return the names at the end of ``text``, walking back over names and role words."""
    names: list[str] = []
    for name, folded, strength, person in reversed(_people(text)):
        if person:
            names.append(name)
        elif folded and not strength:
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
    names, had_role, clean = parse_byline(paragraph[match.start(group) : match.end(group)])
    # 本报讯(甲 乙): names alone in the dateline's brackets are its reporters
    return names if had_role or (group == "inner" and clean) else []


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
    """Return the names at the start of an author field (``作者:本报记者 王某 单位:…``).

    A filled ``作者`` field that names nobody is kept as written, even an organisation
    (``作者:某某党支部``), unless it is a generic credit (佚名, 本站).
    """
    names = head_names(field.value, vouched=True)
    if names or field.label not in ("作者", "撰稿", "撰稿人"):
        return names
    value = field.value.split()[0] if field.value.split() else ""
    literal = len(value) <= 20 and not re.search(r"[。，,!?！？:：;；]", fold(value))
    return [value] if literal and value not in NOT_NAMES and not _REPORTER.fullmatch(value) else []


def choose_editor(fields: list[Field]) -> str | None:
    """Return the editor: 责任编辑 over 责编 over 编辑; several names joined with ``、``."""
    editors = [f for f in fields if f.kind is Kind.EDITOR and f.value]
    for field in sorted(editors, key=lambda f: f.rank):
        as_written = _STAFF.match(fold(field.value))
        if as_written:
            return field.value[: as_written.end()].strip()
        names, _, _ = parse_byline(field.value)
        if names:
            return "、".join(dict.fromkeys(names))
        value = field.value.split()[0] if field.value.split() else ""
        if value and len(value) <= 12 and value not in NOT_NAMES:
            return value
    return None


def parenthesised_groups(text: str) -> list[str]:
    """Return the contents of every parenthesised group in ``text``."""
    return [m.group(1) for m in _PARENS.finditer(fold(text))]
