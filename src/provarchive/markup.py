"""Markdown to HTML for article bodies, configured once, with CJK-aware text rules.

* A soft line break next to a CJK character disappears instead of becoming a
  space (editors hard-wrap Chinese paragraphs anywhere).
* Emphasis works next to Chinese punctuation: CommonMark does not close
  ``**一、总体要求。**全面……`` (a closing run after punctuation must be followed by
  space or punctuation); here a CJK character counts like space on that side, as in
  the markdown-it-cjk-friendly proposal.
* Raw HTML is escaped unless the site trusts its editors (``markdown: {html: true}``).
* ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links are never emitted.
* Headings get stable ids (their own text, as Hugo does) for anchors and contents.
* Relative links and images are passed to a resolver, which maps a path written
  relative to the Markdown file onto the output site.

Most news bodies are plain prose: paragraphs and ``## `` subheadings, with no
character that Markdown gives a meaning to. :func:`render_prose` renders such a body
directly, about ten times faster than the parser, and declines (returns None) for
any body where the parser could read something else; a property test checks that
whatever it renders is exactly what the parser renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import MarkdownOptions

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

LinkResolver = Callable[[str], "str | None"]
"""Maps a link target as written in Markdown to the URL to emit (None: keep it)."""

_CJK = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)
_UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|file|data):", re.IGNORECASE)
_SENTENCE_END = "。！？!?…"
_SENTENCE_ENDS = re.compile(f"[{_SENTENCE_END}]")
_CLOSERS = "”’」』）)】"
_ABSOLUTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
ODD_WHITESPACE = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character ``str.isspace()`` accepts except space and newline."""
_NOT_PROSE = re.compile("[\\\\`*_~\\[<>&|\x00" + ODD_WHITESPACE + "]")
"""Inline syntax, entities, HTML, tables, NUL, or whitespace a line break rule may treat
differently: a body with one of these goes through the parser."""
_BLOCK_START = frozenset(" =+:-0123456789")
"""First characters of a line that may open a block (or indent one) besides ``#``."""
_PROSE_HEADING = re.compile(r"(#{1,6}) ([^ #](?:.*[^ #])?)")

SUMMARY_LENGTH = 120
"""Target length of a derived summary, in characters (CJK characters count one each)."""


@dataclass(frozen=True)
class RenderedBody:
    """An article body rendered to HTML, with the text facts derived from it."""

    html: str
    """The HTML of the body."""
    text: str
    """Plain text of the body's paragraphs (no headings), for summaries and search."""
    text_length: int
    """Non-space characters of text in the body, CJK characters counting one each."""
    toc: tuple[tuple[int, str, str], ...]
    """Headings as (level, id, text)."""
    links: tuple[str, ...]
    """Relative link and image targets as written, for link checks."""
    images: tuple[str, ...] = ()
    """The relative targets of ``links`` that are images (not links), in order."""


def is_cjk(char: str) -> bool:
    """Return whether ``char`` is a CJK character or full-width punctuation."""
    return bool(_CJK.match(char))


def is_safe_link(url: str) -> bool:
    """Return whether a link target may be emitted (no script or data URLs)."""
    return not _UNSAFE_SCHEME.match(url)


def is_relative_link(url: str) -> bool:
    """Return whether ``url`` points into the site relative to the page (no scheme, no //)."""
    return bool(url) and not _ABSOLUTE.match(url) and not url.startswith("/")


class MarkdownRenderer:
    """Turns article bodies into :class:`RenderedBody` values; make one per build."""

    def __init__(self, options: MarkdownOptions):
        self.options = options
        self._parser: MarkdownIt | None = None  # made when a body first needs it

    def render(self, body: str, resolve: LinkResolver | None = None) -> RenderedBody:
        """Return the HTML and text facts of the Markdown ``body``."""
        return render_prose(body) or self.render_parsed(body, resolve)

    def render_parsed(self, body: str, resolve: LinkResolver | None = None) -> RenderedBody:
        """Like :meth:`render`, always through the Markdown parser."""
        if self._parser is None:
            self._parser = _markdown_it(self.options)
        md = self._parser
        tokens = md.parse(body)
        links: list[str] = []
        images: list[str] = []
        toc: list[tuple[int, str, str]] = []
        used_ids: set[str] = set()
        paragraphs: list[str] = []
        length = 0
        for index, token in enumerate(tokens):
            if token.type != "inline" or token.children is None:
                continue
            token.children = _join_cjk_lines(token.children)
            _resolve_links(token.children, resolve, links, images)
            text = _plain_text(token.children)
            length += len("".join(text.split()))
            opener = tokens[index - 1] if index else None
            if opener is not None and opener.type == "heading_open":
                anchor = _unique_id(anchor_id(text), used_ids)
                opener.attrSet("id", anchor)
                toc.append((int(opener.tag[1]), anchor, text))
            elif opener is not None and opener.type == "paragraph_open" and text.strip():
                paragraphs.append(text.strip())
        html = md.renderer.render(tokens, md.options, {})
        return RenderedBody(
            html=html,
            text="\n".join(paragraphs),
            text_length=length,
            toc=tuple(toc),
            links=tuple(links),
            images=tuple(images),
        )


def render_prose(body: str) -> RenderedBody | None:
    """Render a body of plain paragraphs and ATX headings without the parser, or return
    None if it has anything else (then the parser must render it).

    A body qualifies when no character could be Markdown syntax: no inline markers,
    no entity or HTML, no table, no line that may open a block other than a simple
    ``## heading``, no indentation, tab, trailing space or unusual whitespace. Such a
    body's paragraphs are its runs of non-blank lines, its lines join as soft breaks
    do, and its text only needs HTML escaping.
    """
    if _NOT_PROSE.search(body):
        return None
    html: list[str] = []
    toc: list[tuple[int, str, str]] = []
    used_ids: set[str] = set()
    paragraphs: list[str] = []
    length = 0
    lines: list[str] = []

    def close_paragraph() -> None:
        nonlocal length
        if not lines:
            return
        text = lines[0]
        html_text = lines[0].replace('"', "&quot;")
        for line in lines[1:]:
            joined = is_cjk(text[-1]) or is_cjk(line[0])
            text += line if joined else " " + line
            escaped = line.replace('"', "&quot;")  # the only one of &<>" a prose body has
            html_text += escaped if joined else "\n" + escaped
        html.append(f"<p>{html_text}</p>\n")
        paragraphs.append(text)
        length += len("".join(text.split()))
        lines.clear()

    for line in body.split("\n"):
        if not line:
            close_paragraph()
            continue
        if line[-1] == " " or (line[0] in _BLOCK_START and not _plain_start(line)):
            return None
        if line[0] == "#":
            heading = _PROSE_HEADING.fullmatch(line)
            if heading is None:
                return None
            close_paragraph()
            level, text = len(heading[1]), heading[2]
            anchor = _unique_id(anchor_id(text), used_ids)
            shown = text.replace('"', "&quot;")  # an anchor is letters, digits, - and _
            html.append(f'<h{level} id="{anchor}">{shown}</h{level}>\n')
            toc.append((level, anchor, text))
            length += len("".join(text.split()))
        else:
            lines.append(line)
    close_paragraph()
    return RenderedBody(
        html="".join(html), text="\n".join(paragraphs), text_length=length, toc=tuple(toc), links=()
    )


def _plain_start(line: str) -> bool:
    """Whether a line starting with a digit is plain text (not ``1.`` or ``2)``)."""
    digits = line.lstrip("0123456789")
    return line[0].isdigit() and not digits.startswith((".", ")"))


def _markdown_it(options: MarkdownOptions) -> MarkdownIt:
    """Return markdown-it-py configured for article bodies (imported only when a body is
    more than plain prose: the import costs 20 ms of every build command)."""
    from markdown_it import MarkdownIt
    from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
    from markdown_it.parser_inline import ParserInline
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_inline.state_inline import Scanned, StateInline

    class _CjkStateInline(StateInline):
        """Inline parser state whose emphasis rules treat CJK characters like spaces."""

        def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
            marker = self.src[start]
            last = self.src[start - 1] if start > 0 else " "
            pos = start
            while pos < self.posMax and self.src[pos] == marker:
                pos += 1
            following = self.src[pos] if pos < self.posMax else " "
            last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
            next_punct = isMdAsciiPunct(ord(following)) or isPunctChar(following)
            last_space = isWhiteSpace(ord(last))
            next_space = isWhiteSpace(ord(following))
            last_cjk, next_cjk = is_cjk(last), is_cjk(following)
            left = not (next_space or (next_punct and not (last_space or last_punct or last_cjk)))
            right = not (last_space or (last_punct and not (next_space or next_punct or next_cjk)))
            can_open = left and (canSplitWord or not right or last_punct)
            can_close = right and (canSplitWord or not left or next_punct)
            return Scanned(can_open, can_close, pos - start)

    class _CjkParserInline(ParserInline):
        """The inline parser, using :class:`_CjkStateInline`."""

        def parse(self, src, md, env, tokens):  # type: ignore[no-untyped-def]
            state = _CjkStateInline(src, md, env, tokens)
            self.tokenize(state)
            for rule in self.ruler2.getRules(""):
                rule(state)
            return state.tokens

    class _Renderer(RendererHTML):
        """The default renderer, with tables wrapped so that they scroll on phones."""

        def table_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
            opening = self.renderToken(tokens, idx, options, env)
            return '<div class="table-wrap" tabindex="0">' + opening

        def table_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
            return self.renderToken(tokens, idx, options, env) + "</div>\n"

    md = MarkdownIt("commonmark", {"html": options.html}, renderer_cls=_Renderer)
    md.enable(["table", "strikethrough"])
    cjk_inline = _CjkParserInline()
    cjk_inline.ruler, cjk_inline.ruler2 = md.inline.ruler, md.inline.ruler2
    md.inline = cjk_inline
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


def _join_cjk_lines(children: list[Token]) -> list[Token]:
    """Drop soft line breaks that touch a CJK character on either side."""
    kept: list[Token] = []
    for index, child in enumerate(children):
        if child.type == "softbreak":
            before = kept[-1].content[-1:] if kept and kept[-1].content else ""
            after_token = children[index + 1] if index + 1 < len(children) else None
            after = after_token.content[:1] if after_token is not None else ""
            if (before and is_cjk(before)) or (after and is_cjk(after)):
                continue
        kept.append(child)
    return kept


def _resolve_links(
    children: list[Token], resolve: LinkResolver | None, links: list[str], images: list[str]
) -> None:
    """Rewrite relative ``href``/``src`` targets through ``resolve``; collect them in
    ``links``, and those of images in ``images`` too."""
    for child in children:
        attribute = "href" if child.type == "link_open" else "src" if child.type == "image" else ""
        if not attribute:
            if child.children:
                _resolve_links(child.children, resolve, links, images)
            continue
        target = str(child.attrGet(attribute) or "")
        if child.type == "image":
            child.attrSet("loading", "lazy")
        if not is_relative_link(target):
            continue
        links.append(target)
        if child.type == "image":
            images.append(target)
        if resolve is not None:
            resolved = resolve(target)
            if resolved is not None:
                child.attrSet(attribute, resolved)


def _plain_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(_plain_text(child.children))
    return "".join(parts)


def anchor_id(text: str) -> str:
    """Return an element id for a heading: its text, lower case, spaces as ``-``, no punctuation.

    Chinese stays Chinese (``## 企业成为创新主力军`` gives ``企业成为创新主力军``);
    browsers accept such ids and fragments.
    """
    kept = []
    for char in text.strip().lower():
        if char.isalnum() or char in "-_":
            kept.append(char)
        elif char.isspace():
            kept.append("-")
    return re.sub(r"-{2,}", "-", "".join(kept)).strip("-") or "section"


def _unique_id(base: str, used: set[str]) -> str:
    anchor, number = base, 2
    while anchor in used:
        anchor, number = f"{base}-{number}", number + 1
    used.add(anchor)
    return anchor


def join_lines(text: str) -> str:
    """Return ``text`` on one line: a line break becomes a space, or nothing next to CJK.

    Runs of spaces within a line become one space.
    """
    pieces = [" ".join(line.split()) for line in text.splitlines()]
    return _joined([piece for piece in pieces if piece])


def _joined(pieces: list[str]) -> str:
    """The non-empty lines ``pieces`` joined as :func:`join_lines` joins them."""
    if not pieces:
        return ""
    joined = [pieces[0]]
    for piece in pieces[1:]:
        if not (is_cjk(joined[-1][-1]) or is_cjk(piece[0])):
            joined.append(" ")
        joined.append(piece)
    return "".join(joined)


def _joined_start(text: str, enough: int) -> str:
    """The start of ``join_lines(text)``, over ``enough`` characters long and ending in
    no closing quote (or all of it): what :func:`make_summary` reads, without joining a
    long body's every line."""
    pieces, size = [], 0
    for line in text.splitlines():
        piece = " ".join(line.split())
        if piece:
            pieces.append(piece)
            size += len(piece)
            if size > enough and piece[-1] not in _CLOSERS:
                break
    return _joined(pieces)


def make_summary(text: str, length: int = SUMMARY_LENGTH) -> str:
    """Return about ``length`` characters of ``text``, cut at a sentence end when one is near.

    Characters are counted one each (so a CJK character is one). Without a sentence
    end between 2/3 and 4/3 of ``length``, the text is cut at ``length`` and ``……``
    marks the cut.
    """
    # nothing past 4/3 of length is read, but the closing quotes after a sentence end
    text = _joined_start(text, (4 * length) // 3)
    if len(text) <= length:
        return text
    low, high = (2 * length) // 3, (4 * length) // 3
    ends = []
    for found in _SENTENCE_ENDS.finditer(text, max(low - 1, 0), high):  # ends at low or later
        end = found.end()
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        ends.append(end)
    if ends:
        best = min(ends, key=lambda end: abs(end - length))
        return text[:best]
    return text[:length].rstrip() + "……"
