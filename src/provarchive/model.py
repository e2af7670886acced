"""The typed records of a news archive: site config, columns and articles.

Records are frozen dataclasses with no I/O and link to each other by key
(a column's ``path``, an article's ``id``), never by back-pointers, so they can
be cached, compared and sent to worker processes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Signature = tuple[int, int, int]
"""A file's (modification time in ns, size, inode): changes whenever its content may have."""

CONFIG_FILE = "site.yaml"
"""The file that makes a folder a site."""

CONTENT_DIR = "content"
"""The folder of the site holding the columns and articles; records name their files
by paths relative to the site folder (``content/zhxx/a.md``), never to the folder a
build was started from, so that a record is the same wherever the command runs."""

DEFAULT_PERMALINK = "{column}/{year}{month}/{slug}.html"
"""Where articles are written unless ``site.yaml`` says otherwise."""


@dataclass(frozen=True)
class MarkdownOptions:
    """How article bodies are turned into HTML."""

    html: bool = False
    """Pass raw HTML in Markdown through (only for trusted editors); escaped when False."""


@dataclass(frozen=True)
class Contact:
    """联系我们: how readers reach the site's office; each part optional."""

    phone: str = ""
    """电话."""
    email: str = ""
    """邮箱."""
    address: str = ""
    """地址."""


@dataclass(frozen=True)
class Badge:
    """The 党政机关网站 badge: an image linking to the site's registration page."""

    link: str
    """Absolute URL the badge leads to (the registration certificate page)."""
    image: str = "static/dzjg.svg"
    """Site path of the image, or its absolute URL (default: the theme's own badge)."""
    alt: str = "党政机关"
    """Text of the image for readers who cannot see it."""


@dataclass(frozen=True)
class SiteConfig:
    """The validated contents of ``site.yaml``."""

    title: str
    """The site's name, shown in every page header and in feeds."""
    base_url: str
    """Absolute URL the output folder is published at, ending in ``/``
    (e.g. ``https://example.gov.cn/archive/``); used only where absolute URLs are required."""
    language: str = "zh-CN"
    """The pages' ``lang`` attribute."""
    timezone: str = "Asia/Shanghai"
    """IANA time zone in which front-matter dates are read."""
    per_page: int = 20
    """Articles per page on column and list pages."""
    sitemap_urls: int = 10_000
    """Addresses in one sitemap file at most (头条搜索 reads 10,000; Baidu and Google
    50,000); beyond them ``sitemap.xml`` is an index of ``sitemap-1.xml``, ..."""
    permalink: str = DEFAULT_PERMALINK
    """Article output path pattern; tokens ``{column} {year} {month} {day} {slug}``."""
    output: str = "public"
    """Output folder, relative to the site folder."""
    home_label: str = "首页"
    """Label of the first breadcrumb crumb and of the home link."""
    description: str = ""
    """One sentence about the site, for the home page and feeds."""
    copyright: str = ""
    """Footer line, e.g. the publishing unit's name."""
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    """Markdown rendering options."""
    max_file_size: int = 5_000_000
    """Content files larger than this many bytes are refused."""
    search: bool = True
    """Build the search index, the search page and the search box."""
    organization: str = ""
    """主办单位: the body that runs the site (government site identity, shown in the footer)."""
    organizer: str = ""
    """承办单位: the office that operates it."""
    site_id_code: str = ""
    """政府网站标识码: ten digits, or ``bm`` and eight digits (``SiteIDCode`` meta tag)."""
    icp: str = ""
    """ICP备案号 (e.g. ``岚ICP备12345678号-1``), linked to the MIIT filing query page."""
    police_record: str = ""
    """公安机关备案号 (e.g. ``岚公网安备 99010202000001号``), linked to its filing page."""
    party_government_badge: Badge | None = None
    """The 党政机关网站 badge, if the site carries one."""
    contact: Contact = field(default_factory=Contact)
    """联系我们: phone, email and address."""
    domain: str = ""
    """Host name of the site (``SiteDomain`` meta tag); default: the host of ``base_url``."""

    @property
    def site_domain(self) -> str:
        """The host name pages state as ``SiteDomain``: ``domain``, else ``base_url``'s host."""
        return self.domain or self.base_url.split("://", 1)[-1].split("/", 1)[0]

    @property
    def police_record_code(self) -> str:
        """The digits of ``police_record`` (the record code its filing page is looked up by)."""
        return "".join(char for char in self.police_record if char.isascii() and char.isdigit())


@dataclass(frozen=True)
class Column:
    """A column (栏目): a folder under ``content/``, possibly nested in another."""

    path: str
    """Key of the column: its folder path under ``content/`` with ``/`` (e.g. ``zhxx/yywl``)."""
    title: str
    """Display name (e.g. 要闻要论)."""
    weight: int = 0
    """Order among siblings, lowest first; ties are ordered by path."""
    description: str = ""
    """One sentence shown on the column page."""
    parent: str | None = None
    """Path of the parent column, None for a top-level column."""
    children: tuple[str, ...] = ()
    """Paths of the sub-columns, in display order."""
    article_ids: tuple[str, ...] = ()
    """Ids of the column's own articles (not its descendants'), newest first."""
    source_path: str = ""
    """The ``_column.yaml`` file the column was read from, relative to the site folder."""

    @property
    def slug(self) -> str:
        """The last segment of the path, used in URLs."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        """1 for a top-level column, 2 for its sub-columns, and so on."""
        return self.path.count("/") + 1

    @property
    def ancestors(self) -> tuple[str, ...]:
        """Paths of the enclosing columns, outermost first, excluding this one."""
        parts = self.path.split("/")
        return tuple("/".join(parts[:i]) for i in range(1, len(parts)))


@dataclass(frozen=True)
class Topic:
    """A 专题: articles of any column gathered under one theme (``topics/<slug>/``)."""

    slug: str
    """URL name: the folder's name under ``topics/``."""
    title: str
    """Display name."""
    description: str = ""
    """One or two sentences shown on the topic's page."""
    banner: str | None = None
    """Site path of the banner image (``topics/<slug>/banner.jpg``), if any."""
    weight: int = 0
    """Order on the topics index, lowest first; ties by slug."""
    source_path: str = ""
    """The ``_topic.yaml`` file, relative to the site folder, for messages."""


@dataclass(frozen=True)
class LinkedAttachment:
    """附件 kept only at its address on the legacy site (not copied into the archive)."""

    url: str
    """The file's full ``http(s)://`` address."""
    title: str
    """The name shown (the link's text on the legacy page)."""


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, read from a Markdown file's front matter and body.

    Its fields are slots: a record is a third of the size it is with a dictionary of
    34 fields (304 bytes against 888), and a pass that reads one field of every
    article (20,000 of them at each edit) reads one memory line of each.
    """

    id: str
    """Key of the article: its file path under ``content/`` (``zhxx/yywl/t20230709_001.md``)."""
    source_path: str
    """The Markdown file, relative to the site folder, for messages."""
    column: str
    """Path of the column the article's folder belongs to ("" for ``content/`` itself)."""
    title: str
    """主题: the headline."""
    date: dt.datetime
    """Publication date and time, aware, in the site time zone."""
    has_time: bool
    """Whether the front matter gave a time of day (otherwise ``date`` is at midnight)."""
    slug: str
    """URL name of the article (default: the file name without ``.md``)."""
    url: str
    """Path of the article page relative to the site root (e.g. ``zhxx/yywl/202307/a.html``)."""
    kicker: str | None = None
    """引题: the line above the headline, if any."""
    subtitle: str | None = None
    """副题: the line(s) below the headline, if any (lines joined with ``\\n``)."""
    source: str | None = None
    """来源: the publication or body the article comes from."""
    authors: tuple[str, ...] = ()
    """Reporters, correspondents and photographers, in order."""
    editor: str | None = None
    """责任编辑."""
    tags: tuple[str, ...] = ()
    """Topic tags."""
    summary: str = ""
    """Plain-text summary: from the front matter, else derived from the body."""
    summary_given: bool = False
    """Whether ``summary`` was written in the front matter."""
    original_url: str | None = None
    """URL of the page on the legacy site it was imported from."""
    aliases: tuple[str, ...] = ()
    """Old site-root paths that must lead to this article (e.g. ``/zhxx/a.shtml``)."""
    draft: bool = False
    """Drafts are built only with ``--drafts``."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form data from the front matter's ``extra:`` mapping, for templates."""
    body_html: str = ""
    """The body rendered to HTML."""
    text: str = ""
    """Plain text of the body's paragraphs, one per line (for search)."""
    text_length: int = 0
    """Characters of body text (each CJK character counts one)."""
    toc: tuple[tuple[int, str, str], ...] = ()
    """The body's headings as (level, anchor id, text)."""
    links: tuple[tuple[str, str | None], ...] = ()
    """Relative links and images of the body as written, each with the URL it was
    rewritten to (None: it leads to nothing on the site)."""
    image: str | None = None
    """The cover image: a path under ``content/`` (from ``image:``, else the body's first
    image), None for an article without one."""
    image_caption: str | None = None
    """The cover's caption (``image_caption:``)."""
    attachments: tuple[str, ...] = ()
    """附件: paths under ``content/`` of the files the article offers for download (from
    ``attachments:`` and the body's links to documents), in order."""
    linked_attachments: tuple[LinkedAttachment, ...] = ()
    """附件 that ``attachments:`` names by their legacy address (``{url: …, title: …}``),
    listed after the files, in order."""
    pinned: int | None = None
    """置顶: the article's place among the pinned ones of its column (lower first); None
    for an article that is not pinned."""
    pinned_home: bool = False
    """Whether the article is pinned on the home page too (``pinned: home``)."""
    topics: tuple[str, ...] = ()
    """Slugs of the 专题 (topics) the article belongs to."""
    body_line: int = 1
    """Line of the source file on which the body starts, for messages."""
    content_hash: str = ""
    """Hash of the source file's bytes, for caches."""

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body at about 500 CJK characters a minute (at least 1)."""
        return max(1, round(self.text_length / 500))
