"""Article body lines to Markdown: paragraphs, ``## `` subheadings, captions, images."""

from __future__ import annotations

import re

from provarchive.importer.read.text import HAN, SENTENCE_END, fold, visible_length

_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]|"
    r"\d{1,2}\s*[、.．](?!\d)|[(（]\s*\d{1,2}\s*[)）]|第[一二三四五六七八九十]{1,3}[,，、:：\s]|"
    r"[①②③④⑤⑥⑦⑧⑨⑩])"
)
_CAPTION_START = re.compile(
    r"^\s*(?:图为|图片为|上图|下图|左图|右图|图[:：一二三四五六七八九\d]|"
    r"[▲△↑↓▼◆]|[(（]\s*图|组图)"
)
_CAPTION_END = re.compile(r"(?:摄影?|供图|资料图片?|图片来源[^)）]*|图源[^)）]*)\s*[)）]?\s*$")
_SPEECH_LEAD = re.compile(r"(?:说|表示|指出|强调|认为|介绍|如下|称|问|答|告诉记者)\s*[:：]$")
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
_KEY_VALUE = re.compile(rf"^[{HAN}]{{1,4}}\s*[:：]\s*\S")


def is_image(line: str) -> bool:
    """Return True for a Markdown image line ``![alt](src)``."""
    return bool(_IMAGE.match(line.strip()))


def is_caption(line: str, previous: str | None = None) -> bool:
    """Return True for a photo caption: ``图为……``, ``……记者 王某 摄``, or text under an image."""
    folded = fold(line).strip()
    if _CAPTION_START.match(folded) or _CAPTION_END.search(folded):
        return True
    return previous is not None and is_image(previous) and visible_length(folded) <= 80


def is_paragraph(line: str) -> bool:
    """Return True for a line that reads as running text rather than a heading or label."""
    folded = fold(line).strip()
    length = visible_length(folded)
    end = folded.rstrip(")]）")
    if length >= 15 and re.search(r"(?:。|…|\.\.\.)[”\"』」’']?$", end):
        return True
    if length >= 30 and re.search(r"[!?！？][”\"』」’']?$", end):
        return True
    if length >= 60 and re.search(r"[,，;；]", folded):
        return True
    return length >= 30 and "。" in folded[:-1]


def _ends_sentence(line: str) -> bool:
    """Return True for a line that ends as a sentence does (。！？…, maybe with a quote)."""
    return bool(re.search(r"[。！？!?…][”\"』」’']?$", fold(line).strip()))


def _subheading_shape(line: str) -> str | None:
    """Return ``"plain"``, ``"numbered"``, ``"colon"`` or ``"stop"`` for a heading-shaped line."""
    folded = fold(line).strip()
    length = visible_length(folded)
    if length < 2 or length > 40 or is_image(line) or is_caption(line):
        return None
    if folded.startswith(("“", '"', "「", "(")) or "。" in folded[:-1]:
        return None
    if _KEY_VALUE.match(folded):
        return None
    if folded[-1] in ";；":  # an item of a list (任命……；), not a heading
        return None
    if _NUMBERED.match(folded):
        return "numbered" if "。" not in folded[:-1] else None
    last = folded[-1]
    if last == ":":
        return None if _SPEECH_LEAD.search(folded) else "colon"
    if last == "。":
        return "stop" if length <= 25 else None
    if last in SENTENCE_END + '”"』」)）':
        return None
    return "plain"


def find_subheadings(lines: list[str]) -> set[int]:
    """Return the indexes of ``lines`` that are subheadings.

    A subheading is a short line between running text: no sentence-ending mark
    (commas allowed), or numbered (``一、``, ``1.``), or ending with ``:``; a short line
    ending with ``。`` counts only when the article has two such lines or more.
    """
    found: dict[int, str] = {}
    for index, line in enumerate(lines):
        if line.startswith("## "):
            found[index] = "explicit"
            continue
        shape = _subheading_shape(line)
        if shape is None or index == len(lines) - 1 or (shape == "colon" and index == 0):
            continue
        following = lines[index + 1]
        # a numbered heading (一、活动主题) may head a short item (人人讲安全。)
        short_item = (
            shape == "numbered"
            and _ends_sentence(following)
            and _subheading_shape(following) != "numbered"
        )
        if not (is_paragraph(following) or visible_length(following) >= 40 or short_item):
            continue
        if index > 0 and is_image(lines[index - 1]):
            continue
        found[index] = shape
    # a short sentence is a subheading only in a parallel series of them
    stops = [i for i, shape in found.items() if shape == "stop"]
    lengths = [visible_length(lines[i]) for i in stops]
    if len(stops) < 2 or max(lengths) - min(lengths) > 6:
        for index in stops:
            del found[index]
    return set(found)


def _escape(line: str) -> str:
    """Return ``line`` with a leading Markdown block marker escaped."""
    if line.startswith(("#", ">")) and not line.startswith("## "):
        return "\\" + line
    return line


def to_markdown(lines: list[str]) -> str:
    """Return Markdown for body ``lines``: blank-line separated, subheadings as ``## ``."""
    headings = find_subheadings(lines)
    blocks: list[str] = []
    for index, line in enumerate(lines):
        if index in headings and not line.startswith("## "):
            blocks.append("## " + line.strip())
        else:
            blocks.append(_escape(line.strip()))
    return "\n\n".join(blocks)
