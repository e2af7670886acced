"""HTML pages to the text a crawler saves: breadcrumb, headline, meta lines and the article.

The page is parsed with selectolax (lexbor). Script, style, nav, header, footer and
share or menu widgets are dropped; the article region is the smallest element that
holds both the headline and the element with the most paragraph text. Inside the
article, headings become ``## `` lines and images ``![alt](src)`` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from provarchive.importer.read.breadcrumb import has_marker, is_plain_trail, parse_breadcrumb
from provarchive.importer.read.html_headline import (
    headline_evidence,
    inline_text,
    node_tokens,
    title_node,
)
from provarchive.importer.read.links import attachment_link, labelled_links_after, markdown_link
from provarchive.importer.read.marks import MarkedHeadline, marked_headline
from provarchive.importer.read.page import PageLink
from provarchive.importer.read.text import compact

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "template",
    "select",
    "option",
    "button",
    "input",
    "textarea",
    "nav",
    "header",
    "footer",
    "map",
    "audio",
    "video",
    "link",
    "meta",
)
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
        "caption",
        "html",
    ]
)
_HEADINGS = frozenset(["h2", "h3", "h4", "h5", "h6"])
# Class or id words of widgets that never hold article text. Footer-like words are
# left out on purpose: an article's own foot often carries the editor line.
_CHROME_TOKENS = frozenset(
    [
        "nav",
        "navbar",
        "navigation",
        "menu",
        "mainmenu",
        "topmenu",
        "submenu",
        "share",
        "bdshare",
        "bdsharebuttonbox",
        "sharebox",
        "toolbar",
        "sidebar",
        "search",
        "searchbox",
        "login",
        "topbar",
        "topnav",
        "friendlink",
        "links",
        "tools",
        "print",
        "font",
        "fontsize",
        "related",
        "relate",
        "hot",
        "recommend",
        "comment",
        "comments",
        "qrcode",
        "ewm",
        "erweima",
    ]
)
_CRUMB_TOKENS = (
    "crumb",
    "bread",
    "position",
    "location",
    "weizhi",
    "dqwz",
    "curpos",
    "currentpath",
    "path",
    "place",
    "wz",
)
_SPACES = re.compile(r"\s+")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s-\s|\s–\s|--|—\s)\s*")


@dataclass(frozen=True)
class HtmlPage:
    """The text of an HTML page as a crawler would save it, and what its head states."""

    text: str
    """Breadcrumb, headline, meta lines and article, one block per line."""
    canonical_url: str | None
    """``<link rel=canonical>`` or ``og:url``."""
    title_hint: str | None
    """The headline as the head states it (``ArticleTitle``, ``og:title`` or ``<title>``)."""
    date_hint: str | None
    """A publish date stated in the head (``PubDate``, ``article:published_time``)."""
    source_hint: str | None
    """A source stated in the head (``ContentSource``)."""
    headline: str | None = None
    """The text of the element found to hold the headline (see :func:`html_headline.title_node`)."""
    headline_parts: tuple[str, ...] = ()
    """Texts of the elements standing right beside that headline as 引题 or 副题 do
    (other headings, ``subtitle``/``yt``/``ft`` classes)."""
    marked: MarkedHeadline = field(default_factory=MarkedHeadline)
    """The kicker and subtitle the markup names beside the headline element."""
    attachments: tuple[PageLink, ...] = ()
    """The article's links to documents (written into ``text`` as Markdown links), then
    those of an 附件 block right after it; in order, repeats included."""


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` is an HTML document rather than crawler text."""
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype", "<html", "<?xml")):
        return True
    return head.startswith("<") and any(
        tag in head for tag in ("<head", "<body", "<div", "<p>", "<p ", "<table", "<title")
    )


def _meta(tree: LexborHTMLParser, *names: str) -> str | None:
    """Return the content of the first ``<meta>`` whose name or property is in ``names``."""
    wanted = {n.lower() for n in names}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        if key in wanted and (attrs.get("content") or "").strip():
            return _SPACES.sub(" ", attrs["content"] or "").strip()
    return None


def _canonical(tree: LexborHTMLParser) -> str | None:
    """Return the canonical URL the head states."""
    for node in tree.css("link"):
        rel = (node.attributes.get("rel") or "").lower().split()
        href = (node.attributes.get("href") or "").strip()
        if "canonical" in rel and href:
            return href
    return _meta(tree, "og:url")


def _title_hint(tree: LexborHTMLParser) -> str | None:
    """Return the headline the head states, without a site-name suffix."""
    stated = _meta(tree, "ArticleTitle", "og:title", "twitter:title")
    if stated:
        return stated
    node = tree.css_first("title")
    if node is None:
        return None
    text = _SPACES.sub(" ", node.text()).strip()
    parts = [p for p in _TITLE_SEPARATORS.split(text) if p.strip()]
    return max(parts, key=len) if parts else None


def _is_chrome(node: LexborNode) -> bool:
    """Return True for an element whose class or id names a menu, footer or share widget."""
    return any(token in _CHROME_TOKENS for token in node_tokens(node))


def _crumb_node(body: LexborNode, content: LexborNode | None) -> LexborNode | None:
    """Return the deepest element whose text is a breadcrumb.

    An element named as a breadcrumb (``crumb``, ``position``, ``path``) or starting
    with a position marker may stand anywhere; an unnamed one only before the article
    text, and only when its own text reads as a trail (from the home page, or to 正文).
    """
    best: LexborNode | None = None
    best_crumbs = 0
    before_content = True
    for node in body.traverse():
        if content is not None and node.mem_id == content.mem_id:
            before_content = False
        if node.tag in ("-text", "-comment", "body", "html", "script", "style"):
            continue
        named = any(_is_crumb_token(t) for t in node_tokens(node))
        text = _crumb_text(node) if named else inline_text(node)
        if not text or len(text) > 200:
            continue
        marked = has_marker(text)
        if named or marked:
            found = parse_breadcrumb(text, named=True)
        elif before_content and len(text) <= 80 and is_plain_trail(text):
            found = parse_breadcrumb(text)
        else:
            found = None
        if found and not (best is not None and _inside(node, best) and len(found) < best_crumbs):
            # traverse is depth-first: a later match is deeper or later; a part of a trail
            # (one of its items) never replaces the whole trail
            best, best_crumbs = node, len(found)
    return best


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    """Whether ``node`` lies within ``ancestor``."""
    parent = node.parent
    while parent is not None:
        if parent.mem_id == ancestor.mem_id:
            return True
        parent = parent.parent
    return False


def _crumb_line(node: LexborNode) -> str:
    """Return the breadcrumb line of a breadcrumb element; a trail that only its element's
    name makes a breadcrumb (``澎湃号 > 某发布``) is given a position marker."""
    text = _crumb_text(node)
    if parse_breadcrumb(text) is None:
        return f"当前位置：{text}"
    return text


def _is_crumb_token(token: str) -> bool:
    """Return True for a class or id word naming a breadcrumb (``news_path``, ``navpath``)."""
    if token.startswith("break"):  # breaking-news tickers
        return False
    return token.startswith(_CRUMB_TOKENS) or any(
        word in token for word in ("crumb", "brea", "navpath", "position", "location")
    )


def _crumb_text(node: LexborNode) -> str:
    """Return a breadcrumb element's text, its elements apart; list items, or words before
    a final 正文, without separators between them are joined by ``>``
    (``<a>首页</a> <a>要闻</a> 正文``)."""
    text = _SPACES.sub(" ", node.text(deep=True, separator=" ")).strip()
    if re.search(r"[>›»/]|&gt;", text) or parse_breadcrumb(text):
        return text
    items = [i for i in (inline_text(n) for n in node.css("li")) if i]
    if len(items) >= 2:
        return " > ".join(items)
    words = _SPACES.split(_SPACES.sub(" ", node.text(deep=True, separator=" ")).strip())
    if 2 <= len(words) <= 6 and all(len(w) <= 12 for w in words) and words[-1] in ("正文", "详情"):
        return " > ".join(words)
    return text


def _content_node(body: LexborNode) -> LexborNode | None:
    """Return the element holding the most paragraph text (the article body)."""
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        length = len((node.text_content or "").strip())
        if length < 10:
            continue
        parent = node.parent
        while parent is not None and parent.tag not in _BLOCK_TAGS:
            parent = parent.parent
        if parent is None:
            continue
        target = parent.parent if parent.tag == "p" and parent.parent is not None else parent
        for weight, element in ((1.0, target), (0.3, target.parent)):
            if element is None:
                continue
            scores[element.mem_id] = scores.get(element.mem_id, 0.0) + weight * length
            nodes[element.mem_id] = element
    if not scores:
        return None
    return nodes[max(scores, key=lambda key: scores[key])]


def _ancestors(node: LexborNode) -> list[LexborNode]:
    """Return ``node`` and its ancestors, innermost first."""
    chain: list[LexborNode] = []
    current: LexborNode | None = node
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def _common_ancestor(first: LexborNode, second: LexborNode) -> LexborNode:
    """Return the innermost element containing both ``first`` and ``second``."""
    seen = {n.mem_id for n in _ancestors(first)}
    for node in _ancestors(second):
        if node.mem_id in seen:
            return node
    return second


def _contains(outer: LexborNode, inner: LexborNode | None) -> bool:
    """Return True when ``inner`` is ``outer`` or inside it."""
    return inner is not None and any(n.mem_id == outer.mem_id for n in _ancestors(inner))


class _Writer:
    """Collects lines while walking the article region."""

    def __init__(self, content: LexborNode | None, skip: LexborNode | None):
        self.lines: list[str] = []
        self.current: list[str] = []
        self.content_id = content.mem_id if content is not None else None
        self.skip_id = skip.mem_id if skip is not None else None
        self.links: list[PageLink] = []

    def flush(self) -> None:
        line = _SPACES.sub(" ", "".join(self.current)).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def walk(self, node: LexborNode, in_content: bool) -> None:
        if node.mem_id == self.skip_id:
            return
        tag = node.tag
        if tag == "-text":
            self.current.append(node.text_content or "")
            return
        if tag == "-comment" or tag in _DROP_TAGS:
            return
        in_content = in_content or node.mem_id == self.content_id
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            if in_content:
                self.flush()
                alt = (node.attributes.get("alt") or "").replace("]", "").strip()
                src = (node.attributes.get("src") or "").replace(")", "%29").strip()
                if src:
                    self.lines.append(f"![{alt}]({src})")
            return
        if tag == "a" and (link := attachment_link(node)) is not None:
            self.links.append(link)
            self.current.append(markdown_link(link))
            return
        block = tag in _BLOCK_TAGS or "-" in tag[1:]  # custom elements: <founder-title>
        if block:
            self.flush()
        if in_content and (tag in _HEADINGS or _bold_paragraph(node)) and not _offers(node):
            text = inline_text(node)
            if text:
                self.lines.append("## " + text)
            return
        child = node.child
        while child is not None:
            self.walk(child, in_content)
            child = child.next
        if block:
            self.flush()


def _offers(node: LexborNode) -> bool:
    """Whether ``node`` holds a link to a document (kept as a link, never a subheading)."""
    return any(attachment_link(a) is not None for a in node.css("a"))


def _bold_paragraph(node: LexborNode) -> bool:
    """Return True for a short ``<p>`` whose whole text is bold: a subheading."""
    if node.tag != "p":
        return False
    text = inline_text(node)
    if not text or len(text) > 40 or node.css_first("img") is not None:
        return False
    bold = "".join(inline_text(b) for b in node.css("strong, b"))
    return compact(bold) == compact(text)


def html_to_text(html: str) -> HtmlPage:
    """Return the article region of an HTML page as crawler-style text, and its head's hints."""
    tree = LexborHTMLParser(html)
    canonical = _canonical(tree)
    title_hint = _title_hint(tree)
    date_hint = _meta(
        tree,
        "PubDate",
        "article:published_time",
        "publishdate",
        "pubdate",
        "datePublished",
        "firstpublishedtime",
    )
    source_hint = _meta(tree, "ContentSource", "source", "og:site_name")
    body = tree.body
    if body is None:
        return HtmlPage("", canonical, title_hint, date_hint, None)
    for tag in ("script", "style", "noscript", "template", "iframe"):
        for node in body.css(tag):
            node.decompose()
    content = _content_node(body)
    crumb = _crumb_node(body, content)
    crumb_line = _crumb_line(crumb) if crumb is not None else None
    chosen = title_node(body, title_hint, content)
    title = chosen[1] if chosen else None
    headline, parts = headline_evidence(chosen)
    marked = marked_headline(title)
    for node in list(body.css(", ".join(("nav", "header", "footer")))) + [
        n for n in body.traverse() if n.tag not in ("-text", "-comment") and _is_chrome(n)
    ]:
        if not (_contains(node, content) or _contains(node, title)) and node.parent is not None:
            if crumb is not None and _contains(node, crumb):
                continue
            node.decompose()
    region = body
    if content is not None and title is not None:
        region = _common_ancestor(title, content)
    elif content is not None and content.parent is not None:
        region = content.parent
    writer = _Writer(content, crumb)
    writer.walk(region, False)
    writer.flush()
    links = (*writer.links, *labelled_links_after(region))
    lines = writer.lines
    if crumb_line:
        lines = [crumb_line, *lines]
    source = source_hint if source_hint and len(source_hint) <= 30 else None
    return HtmlPage(
        "\n".join(lines), canonical, title_hint, date_hint, source, headline, parts, marked, links
    )
