"""Full-width Chinese punctuation restored where a crawl folded it to ASCII.

Many crawlers fold ``，：；（）！？`` to ``,:;()!?``, and an imported archive then shows
half-width marks inside Chinese sentences (GB/T 15834 calls for full-width ones). A
run of folded marks is restored when a Han character touches the run on either side;
a bracket is restored with its partner. Nothing is restored inside numbers and times
(a mark with a digit on both sides: ``1,000``, ``15:30``), inside URLs, e-mail
addresses or Markdown links and images, or where no Han character touches the marks
(Latin text). Spaces after a restored ``，：；！？`` are dropped: the full-width mark
carries its own width.
"""

from __future__ import annotations

import dataclasses
import re

from provarchive.importer.read.page import ParsedPage

FOLDED = ",:;()!?"
"""The ASCII marks a crawl folds the Chinese ones to."""
_FULL_WIDTH = str.maketrans(FOLDED, "，：；（）！？")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_RUN = re.compile(r"[,:;()!?]+")
_SPACED = frozenset("，：；！？")
_URL_CHARS = r"(?:(?!!\[)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%])"
_PROTECTED = re.compile(
    r"!?\[[^\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)"  # Markdown image or link
    rf"|(?P<url>(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.){_URL_CHARS}+)"
    r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"  # e-mail address
    r"|\\[!-/:-@\[-`{-~]"  # a backslash escape
)
_URL_TAIL = ",.:;!?"


def restore(text: str) -> str:
    """Return ``text`` with folded marks next to Han characters made full-width."""
    if not _RUN.search(text) or not _HAN.search(text):
        return text
    masked = _masked(text)
    runs = list(_RUN.finditer(masked))
    touching = {m.start(): _touches_han(masked, m.start(), m.end()) for m in runs}
    partner = _bracket_partners(masked, runs)
    out: list[str] = []
    position = 0
    for run in runs:
        out.append(text[position : run.start()])
        marks = _run_marks(run, masked, touching, partner)
        out.append(marks)
        position = run.end()
        if marks[-1] in _SPACED:
            position = _skip_spaces(text, position)
    out.append(text[position:])
    return "".join(out)


def _run_marks(
    run: re.Match[str], masked: str, touching: dict[int, bool], partner: dict[int, int]
) -> str:
    """Return the marks of ``run``, each restored when its run or its partner's touches Han."""
    if _inside_number(masked, run.start(), run.end()):
        return run.group()
    start = run.start()
    return "".join(
        mark.translate(_FULL_WIDTH)
        if touching[start] or touching.get(partner.get(start + offset, -1), False)
        else mark
        for offset, mark in enumerate(run.group())
    )


def _masked(text: str) -> str:
    """Return ``text`` with URLs, addresses, Markdown links and escapes blanked out
    (as NUL characters), so that their marks are neither restored nor neighbours."""
    parts: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        end = _url_end(text, match.start(), match.end()) if match.group("url") else match.end()
        parts += [text[position : match.start()], "\0" * (end - match.start())]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _url_end(text: str, start: int, end: int) -> int:
    """Return where a URL matched as ``text[start:end]`` really ends: trailing
    sentence marks and an unbalanced closing bracket belong to the sentence."""
    while end > start:
        last = text[end - 1]
        url = text[start:end]
        if last in _URL_TAIL or (last == ")" and url.count(")") > url.count("(")):
            end -= 1
        else:
            break
    return end


def _touches_han(text: str, start: int, end: int) -> bool:
    """Return True when a Han character is right before ``start`` or right at ``end``."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return bool(_HAN.match(before) or _HAN.match(after))


def _inside_number(text: str, start: int, end: int) -> bool:
    """Return True for ``,`` or ``:`` between digits (``1,000``, ``15:30``)."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return end - start == 1 and text[start] in ",:" and before.isdigit() and after.isdigit()


def _bracket_partners(text: str, runs: list[re.Match[str]]) -> dict[int, int]:
    """Return, for each paired bracket's index, the start of its partner's run."""
    run_of: dict[int, int] = {}
    for run in runs:
        for index in range(run.start(), run.end()):
            run_of[index] = run.start()
    partner: dict[int, int] = {}
    opened: list[int] = []
    for index in sorted(run_of):
        if text[index] == "(":
            opened.append(index)
        elif text[index] == ")" and opened:
            start = opened.pop()
            partner[start] = run_of[index]
            partner[index] = run_of[start]
    return partner


def _skip_spaces(text: str, position: int) -> int:
    """Return the position after ASCII spaces at ``position`` when text follows on the line."""
    end = position
    while end < len(text) and text[end] == " ":
        end += 1
    return end if end < len(text) and text[end] not in "\n\r" else position


def restore_page(page: ParsedPage) -> tuple[ParsedPage, bool]:
    """Return ``page`` with its text fields restored, and whether anything changed.

    Title, kicker, subtitle, source, authors, editor and body are restored; the
    breadcrumb and column name folders and stay as shown.
    """

    def each(value: str | None) -> str | None:
        return restore(value) if value else value

    restored = dataclasses.replace(
        page,
        title=restore(page.title),
        kicker=each(page.kicker),
        subtitle=each(page.subtitle),
        source=each(page.source),
        authors=tuple(restore(name) for name in page.authors),
        editor=each(page.editor),
        body=restore(page.body),
    )
    return restored, restored != page
