"""The label vocabulary of CMS meta lines and the split of a line into labelled fields.

``发布日期:2023-07-09 来源:岚山日报 编辑:`` becomes three fields. A label counts only
at a word boundary (not glued after another Han character, so ``图片来源`` is no
``来源``), followed by a colon of either width; date labels may also be followed
directly by the date. An empty label glued to the next one (``来源: 发布日期:``)
gives an empty value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from provarchive.importer.read.text import HAN, fold, squeeze_han


class Kind(Enum):
    """What a label announces."""

    DATE = "date"
    """A publish date (``发布时间``)."""
    DATE_GENERIC = "date_generic"
    """A bare ``时间`` or ``日期``: a publish date in a meta line, an event date in the body."""
    DATE_WEAK = "date_weak"
    """An update or drafting date, used only when no publish date is given."""
    SOURCE = "source"
    AUTHOR = "author"
    EDITOR = "editor"
    REVIEW = "review"
    """Review and sign-off roles (``审核``, ``终审``), never the editor."""
    DOCUMENT = "document"
    """A field of a government information table (``索引号``, ``主题分类``): no field of the
    record."""
    PUBLISHER = "publisher"
    """The account that posted the page (``发布者``, ``录入``): no field of the record."""
    COUNTER = "counter"
    COLUMN = "column"
    BROADCAST = "broadcast"
    CRAWL = "crawl"
    ORIGINAL_TITLE = "original_title"


_VOCABULARY: dict[Kind, tuple[str, ...]] = {
    Kind.DATE: (
        "发布时间",
        "发布日期",
        "发表时间",
        "发表日期",
        "发稿时间",
        "发稿日期",
        "刊发日期",
        "刊发时间",
        "刊登日期",
        "刊登时间",
        "发布于",
        "上传时间",
        "上传日期",
        "录入时间",
        "添加时间",
        "创建时间",
        "发文日期",
        "发文时间",
        "公布时间",
        "公开日期",
        "登载时间",
        "发表于",
        "见报日期",
        "见报时间",
        "出版日期",
        "出版时间",
        "稿件日期",
        "发布",
    ),
    Kind.DATE_GENERIC: ("时间", "日期", "日 期", "时 间", "生成日期"),
    Kind.DATE_WEAK: ("更新时间", "更新日期", "修改时间", "修改日期", "成文日期", "印发日期"),
    Kind.SOURCE: (
        "来源",
        "信息来源",
        "稿件来源",
        "文章来源",
        "本文来源",
        "新闻来源",
        "内容来源",
        "消息来源",
        "出处",
        "转载自",
        "转自",
        "来 源",
    ),
    Kind.AUTHOR: (
        "作者",
        "记者",
        "通讯员",
        "撰稿",
        "撰文",
        "撰稿人",
        "文",
        "文/图",
        "图/文",
        "文图",
        "摄影",
        "摄",
        "供稿",
        "口述",
        "整理",
        "采写",
        "作 者",
        "摄影记者",
    ),
    Kind.EDITOR: (
        "责任编辑",
        "责编",
        "编辑",
        "网络编辑",
        "值班编辑",
        "本版编辑",
        "新媒体编辑",
        "网站编辑",
        "编 辑",
        "责任编缉",
    ),
    Kind.REVIEW: (
        "审核",
        "初审",
        "复审",
        "终审",
        "编审",
        "审校",
        "校对",
        "责任校对",
        "审签",
        "签发",
        "监制",
        "统筹",
        "制作",
        "一审",
        "二审",
        "三审",
        "值班主任",
        "主编",
        "总编辑",
        "审稿",
        "核稿",
        "审定",
        "策划",
        "出品人",
        "总监制",
        "校审",
        "复核",
    ),
    Kind.DOCUMENT: (
        "索引号",
        "文号",
        "发文字号",
        "发文机关",
        "主题分类",
        "主题词",
        "体裁分类",
        "组配分类",
        "信息分类",
        "公开方式",
        "公开范围",
        "公开时限",
        "有效性",
        "文件编号",
    ),
    Kind.PUBLISHER: (
        "发布者",
        "发布人",
        "发稿人",
        "录入",
        "录入者",
        "录入人",
        "上传者",
        "上传人",
        "发布单位",
        "发布机构",
        "发布部门",
    ),
    Kind.COUNTER: (
        "浏览次数",
        "浏览量",
        "点击数",
        "点击量",
        "点击率",
        "阅读次数",
        "阅读量",
        "阅读数",
        "访问量",
        "访问次数",
        "浏览",
        "阅读",
        "点击",
        "人气",
        "字号",
        "字体",
        "分享到",
    ),
    Kind.COLUMN: ("栏目", "所属栏目", "所属分类", "栏目名称", "所属频道", "频道"),
    Kind.BROADCAST: ("播出时间", "首播时间", "播出日期", "首播日期", "节目时间", "播放时间"),
    Kind.CRAWL: (
        "抓取时间",
        "采集时间",
        "保存时间",
        "爬取时间",
        "下载时间",
        "访问时间",
        "生成时间",
        "存档时间",
        "归档时间",
        "抓取于",
        "采集于",
        "保存于",
    ),
    Kind.ORIGINAL_TITLE: ("原标题", "原题", "原文标题"),
}

_EDITOR_RANK = {"责任编辑": 0, "责任编缉": 0, "责编": 1}
_DATE_RANK = {"发布": 1}  # a bare 发布 is weaker than 发布时间


def _pattern(label: str) -> str:
    """Return a regex for ``label`` that tolerates letter-spacing (``来　源``)."""
    chars = [c for c in label if not c.isspace()]
    return r"\s*".join(re.escape(c) for c in chars)


_BY_LABEL: dict[str, Kind] = {}
for _kind, _labels in _VOCABULARY.items():
    for _label in _labels:
        _BY_LABEL[_label.replace(" ", "")] = _kind

_ALTERNATION = "|".join(_pattern(label) for label in sorted(_BY_LABEL, key=len, reverse=True))
_DATE_ALTERNATION = "|".join(
    _pattern(label)
    for label, kind in sorted(_BY_LABEL.items(), key=lambda item: -len(item[0]))
    if kind in (Kind.DATE, Kind.DATE_GENERIC, Kind.DATE_WEAK, Kind.BROADCAST, Kind.CRAWL)
    and label != "发布"
)
_SLASH_LABELS = ("摄影", "记者", "通讯员", "撰稿", "作者", "采写", "执笔")
_SLASH_ALTERNATION = "|".join(
    _pattern(label)
    for label, kind in sorted(_BY_LABEL.items(), key=lambda item: -len(item[0]))
    if kind in (Kind.EDITOR, Kind.REVIEW) or label in _SLASH_LABELS
)
_LABEL = re.compile(
    rf"(?<![{HAN}A-Za-z])(?:(?P<label>{_ALTERNATION})\s*(?:[:]|\](?!\s*$))\s*"
    rf"|(?P<dlabel>{_DATE_ALTERNATION})\s*(?=[12]\d{{3}}\s*[-/.年])"
    rf"|(?P<slabel>{_SLASH_ALTERNATION})\s*/\s*(?=[{HAN}]))"
)
"""A label and its colon; a date label right before its date; a role label before a slash
(``编辑/王某``, ``摄影/李某``: 文/ and 图/ stay byline roles)."""
_GLUED_LABEL = re.compile(rf"(?P<label>{_ALTERNATION})\s*:\s*")
"""A label with its colon glued to the value before it (来源:白河日报作者:马某), as HTML
pages give when spans are joined: looked for only after a first label on the line."""
_PIPED_LABEL = re.compile(rf"[|｜]\s*(?P<label>{_ALTERNATION})(?=[^\s:|｜\]])")
"""A label without a colon right after a bar (``发表于2014-08-24| 来源CSDN| 作者王某``), as
bar-separated meta rows give: looked for only after a first label on the line."""
_LABEL_ONLY = re.compile(rf"^\[?\s*(?P<label>{_ALTERNATION})\s*[:]?\s*\]?$")


@dataclass(frozen=True)
class Field:
    """One labelled value on a meta line."""

    kind: Kind
    """What the label announces."""
    label: str
    """The label as written, without letter-spacing (``责任编辑``)."""
    value: str
    """The text up to the next label, without outer blanks and brackets; may be empty."""
    start: int
    """Offset of the label in its line."""

    @property
    def rank(self) -> int:
        """Return the label's strength within its kind: 0 is the strongest."""
        if self.kind is Kind.EDITOR:
            return _EDITOR_RANK.get(self.label, 2)
        return _DATE_RANK.get(self.label, 0)


def kind_of(label: str) -> Kind | None:
    """Return the kind of ``label`` (letter-spacing ignored), or None if it is no label."""
    return _BY_LABEL.get(squeeze_han(label).replace(" ", ""))


_SIGNOFF_KINDS = (Kind.EDITOR, Kind.REVIEW, Kind.AUTHOR)
_SIGNOFF_WORD = re.compile(r"[^\s|｜]+")


def _signoff_fields(line: str) -> tuple[Field, ...]:
    """Return the fields of a sign-off line written without colons (``编辑 王某 校对 李某``,
    ``责编｜王某``), else (). It opens with an editor or reviewer label, every label has a
    short value of one or two words, and nothing else stands on the line."""
    folded = fold(line)
    if len(folded) > 50 or re.search(r"[。,，;；!?！？:]", folded):
        return ()
    words = list(_SIGNOFF_WORD.finditer(folded))
    if len(words) < 2 or kind_of(words[0].group()) not in (Kind.EDITOR, Kind.REVIEW):
        return ()
    fields: list[Field] = []
    label: re.Match[str] | None = None
    values: list[re.Match[str]] = []
    for word in [*words, None]:
        kind = kind_of(word.group()) if word else None
        if word is not None and kind is None:
            values.append(word)
            continue
        if label is not None:
            if not 1 <= len(values) <= 2:
                return ()
            value = line[values[0].start() : values[-1].end()]
            fields.append(Field(_BY_LABEL[label.group()], label.group(), value, label.start()))
        if word is not None and kind not in _SIGNOFF_KINDS:
            return ()
        label, values = word, []
    return tuple(fields)


def split_fields(line: str) -> tuple[str, tuple[Field, ...]]:
    """Return the text before the first label and the labelled fields of ``line``."""
    folded = fold(line)
    matches = list(_LABEL.finditer(folded))
    if not matches:
        signoff = _signoff_fields(line)
        return ("", signoff) if signoff else (line.strip(), ())
    taken = [(m.start(), m.end()) for m in matches]
    extra = [*_GLUED_LABEL.finditer(folded, matches[0].end())]
    extra += _PIPED_LABEL.finditer(folded, matches[0].end())
    for glued in extra:
        if not any(start < glued.end() and glued.start() < end for start, end in taken):
            matches.append(glued)
            taken.append((glued.start(), glued.end()))
    matches.sort(key=lambda m: m.start())
    fields: list[Field] = []
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(line)
        groups = match.groupdict()
        raw_label = groups.get("label") or groups.get("dlabel") or groups.get("slabel") or ""
        label = re.sub(r"\s+", "", raw_label)
        value = line[match.end() : end].strip().strip("[]【】()（）|｜ \u3000").strip()
        fields.append(Field(_BY_LABEL[label], label, value, match.start()))
    prefix = line[: matches[0].start()].strip().strip("[【(（").strip()
    return prefix, _paired(fields)


def _paired(fields: list[Field]) -> tuple[Field, ...]:
    """Return ``fields`` with a label pair's values shared out: ``作者/来源：甲/某某报`` gives
    作者 甲 and 来源 某某报 (the first label is empty, the second holds both values)."""
    shared: list[Field] = []
    index = 0
    while index < len(fields):
        field = fields[index]
        following = fields[index + 1] if index + 1 < len(fields) else None
        if (
            following is not None
            and not field.value
            and following.start - field.start <= len(field.label) + 3
            and fold(following.value).count("/") == 1
        ):
            left, right = re.split(r"\s*[/∕／]\s*", following.value, maxsplit=1)
            shared += [replace(field, value=left.strip()), replace(following, value=right.strip())]
            index += 2
            continue
        shared.append(field)
        index += 1
    return tuple(shared)


def label_only(line: str) -> Kind | None:
    """Return the kind of a line that is just a label (``发布时间:``), else None."""
    match = _LABEL_ONLY.match(fold(line).strip())
    if not match:
        return None
    return _BY_LABEL.get(re.sub(r"\s+", "", match.group("label")))
