"""One article file to an :class:`Article`: front matter validated, then the body rendered.

Two pure steps, so that a build can run them in worker processes and skip them
for files it has seen before: :func:`read_article_source` reads a file's front
matter into an Article without a body (cheap); once every article's URL is known,
:func:`render_article` renders the Markdown body, resolving relative links to
other articles and to files beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
import sys
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from .attachments import file_name, is_attachment
from .config import suggest
from .errors import ContentError, ErrorGroup, ProvarchiveError
from .frontmatter import split_front_matter
from .images import is_image
from .markup import MarkdownRenderer, make_summary
from .model import CONTENT_DIR, Article, LinkedAttachment, SiteConfig
from .urls import alias_path, article_path, check_slug, relative_url
from .yamlfile import LineMap

ARTICLE_KEYS = (
    "title", "kicker", "subtitle", "date", "source", "authors", "editor", "tags", "slug",
    "summary", "original_url", "aliases", "draft", "extra", "import_hash", "image",
    "image_caption", "attachments", "pinned", "topics",
)  # fmt: skip
"""Every front-matter key an article may use."""

_DATE = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_YEARS = (1900, 2100)


@dataclass(frozen=True)
class SourceArticle:
    """An article whose front matter is read but whose body is not rendered yet."""

    article: Article
    """The article, without ``body_html``, ``text`` and derived summary."""
    body: str
    """The Markdown body."""


def read_article_source(data: bytes, rel: str, shown: str, config: SiteConfig) -> SourceArticle:
    """Return the article in file ``rel`` (under ``content/``) with its body not yet rendered.

    Raises :class:`ProvarchiveError` (an :class:`ErrorGroup` for several) on bad input.
    """
    if b"\x00" in data:
        raise ContentError("the file contains NUL bytes; it is not a text file", shown, 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            "the file is not UTF-8 text (perhaps GB18030/GBK); save it as UTF-8, "
            "or bring it in with 'provarchive import'",
            shown,
            line,
        ) from None
    split = split_front_matter(text, shown)
    meta = split.meta
    fields = validate_front_matter(meta, shown, config)
    stem = rel.rsplit("/", 1)[-1][: -len(".md")]
    column = rel.rpartition("/")[0]
    slug = fields.pop("slug", None) or stem
    try:
        check_slug(slug)
    except ValueError as exc:
        line = meta.lines.get("slug", 1)
        if "slug" not in meta:
            exc = ValueError(f"the file name makes a bad slug ({exc}); rename the file")
        raise ContentError(str(exc), shown, line) from None
    date = fields.pop("date")
    fields.update(_file_fields(fields, meta, column, shown))
    _share_repeated(fields)
    url = article_path(config.permalink, column, date[0], slug)
    article = Article(
        id=rel,
        source_path=f"{CONTENT_DIR}/{rel}",
        column=sys.intern(column),
        date=date[0],
        has_time=date[1],
        slug=slug,
        url=url,
        body_line=split.body_line,
        content_hash=hashlib.sha1(data).hexdigest(),
        summary_given="summary" in fields,
        **fields,
    )
    return SourceArticle(article=article, body=split.body)


_REPEATED_TEXTS = ("kicker", "source", "editor")
_REPEATED_LISTS = ("authors", "tags", "topics")


def _share_repeated(fields: dict[str, Any]) -> None:
    """Intern the texts that many articles repeat (sources, reporters, tags...), so
    that the records of one process share them: pickled together, as a worker sends
    its records, each is then sent and held once, not once an article."""
    for key in _REPEATED_TEXTS:
        if key in fields:
            fields[key] = sys.intern(fields[key])
    for key in _REPEATED_LISTS:
        if key in fields:
            fields[key] = tuple(map(sys.intern, fields[key]))


def render_article(
    source: SourceArticle,
    renderer: MarkdownRenderer,
    urls: dict[str, str],
    assets: set[str] | frozenset[str],
) -> Article:
    """Return the article of ``source`` with its body rendered and its summary filled in.

    ``urls`` maps article ids (paths under ``content/``) to their site paths and
    ``assets`` holds the other files under ``content/``, for resolving relative links.
    """
    article = source.article
    resolve = link_resolver(article, urls, assets)
    body = renderer.render(source.body, resolve)
    summary = article.summary if article.summary_given else make_summary(body.text)
    folder = article.id.rpartition("/")[0]
    found = [content_file(folder, target) for target in body.links]
    cover = article.image or next(
        (
            path
            for path in (content_file(folder, target) for target in body.images)
            if path in assets and is_image(path)
        ),
        None,
    )
    attachments = (*article.attachments, *(p for p in found if p in assets and is_attachment(p)))
    return replace(
        article,
        image=cover,
        attachments=tuple(dict.fromkeys(attachments)),
        body_html=body.html,
        text=body.text,
        text_length=body.text_length,
        toc=body.toc,
        summary=summary,
        links=tuple((target, resolve(target)) for target in body.links),
    )


def resolve_links(
    article: Article, urls: dict[str, str], assets: set[str] | frozenset[str]
) -> tuple[tuple[str, str | None], ...]:
    """Return the article's relative links resolved against the current site.

    A cached body can be reused only while this equals ``article.links``.
    """
    resolve = link_resolver(article, urls, assets)
    return tuple((target, resolve(target)) for target, _ in article.links)


def link_resolver(
    article: Article, urls: dict[str, str], assets: set[str] | frozenset[str]
) -> Callable[[str], str | None]:
    """Map a link written relative to the Markdown file to a URL relative to the page.

    Returns None for a link that leads to no article or file of the site.
    """
    source_dir = article.id.rpartition("/")[0]
    page_path = article.url

    def resolve(target: str) -> str | None:
        path, hash_mark, fragment = target.partition("#")
        path = path.partition("?")[0]
        if not path:
            return None
        content_path = posixpath.normpath(posixpath.join(source_dir, unquote(path)))
        suffix = hash_mark + fragment
        if content_path in urls:
            return relative_url(page_path, urls[content_path]) + suffix
        if content_path in assets:
            return relative_url(page_path, content_path) + suffix
        return None

    return resolve


def validate_front_matter(meta: LineMap, shown: str, config: SiteConfig) -> dict[str, Any]:
    """Return the article fields described by ``meta``, or raise every mistake in it.

    The returned mapping has Article field names; ``date`` is ``(datetime, has_time)``.
    """
    found = _FrontMatter(meta, shown)
    for key in meta:
        if key not in ARTICLE_KEYS:
            found.fail(
                key,
                f"unknown key '{key}'{suggest(key, ARTICLE_KEYS)}; put custom data under 'extra:'",
            )
    _read_title_and_date(found, config.timezone)
    _read_texts(found)
    _read_lists(found)
    _read_settings(found)
    if found.errors:
        raise ErrorGroup(found.errors)
    return found.fields


@dataclass
class _FrontMatter:
    """Front matter being validated: the fields read so far and the mistakes found."""

    meta: LineMap
    shown: str
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[ProvarchiveError] = field(default_factory=list)

    def fail(self, key: str, message: str) -> None:
        """Record a mistake in the value of ``key``, at its line."""
        line = self.meta.lines.get(key, self.meta.line)
        self.errors.append(ContentError(message, self.shown, line))

    def missing(self, message: str) -> None:
        """Record a required key that is not there."""
        self.errors.append(ContentError(message, self.shown, 1))


def _read_title_and_date(found: _FrontMatter, timezone: str) -> None:
    meta = found.meta
    if "title" not in meta:
        found.missing("missing 'title': add a line 'title: 标题' to the front matter")
    elif not _as_text(meta["title"]):
        found.fail("title", "'title' must not be empty: give the article's headline")
    else:
        found.fields["title"] = _as_text(meta["title"])
    if "date" not in meta:
        found.missing(
            "missing 'date': add a line such as 'date: 2023-07-09' or 'date: 2023-07-09 15:33'"
        )
        return
    try:
        found.fields["date"] = parse_date(meta["date"], timezone)
    except ValueError as exc:
        found.fail("date", str(exc))


def _read_texts(found: _FrontMatter) -> None:
    for key in ("kicker", "subtitle", "source", "editor", "summary"):
        if key in found.meta and found.meta[key] is not None:
            value = _as_text(found.meta[key])
            if value is None:
                found.fail(key, f"'{key}' must be text, not {_describe(found.meta[key])}")
            elif value:
                found.fields[key] = value


def _read_lists(found: _FrontMatter) -> None:
    for key in ("authors", "tags", "aliases", "topics"):
        if key in found.meta and found.meta[key] is not None:
            items = _as_text_list(found.meta[key])
            if items is None:
                found.fail(
                    key,
                    f"'{key}' must be a list of text, such as '{key}: [甲, 乙]', "
                    f"not {_describe(found.meta[key])}",
                )
            else:
                found.fields[key] = tuple(dict.fromkeys(items))
    for slug in found.fields.get("topics", ()):
        try:
            check_slug(slug)
        except ValueError as exc:
            found.fail("topics", f"'topics' names {slug!r}, not a topic folder name: {exc}")
    for alias in found.fields.get("aliases", ()):
        try:
            alias_path(alias)
        except ValueError as exc:
            found.fail("aliases", str(exc))


def _read_settings(found: _FrontMatter) -> None:
    meta, fields = found.meta, found.fields
    if "slug" in meta:
        slug = _as_text(meta["slug"])
        if not slug:
            found.fail("slug", "'slug' must be non-empty text (a file name without .html)")
        else:
            fields["slug"] = slug
    if "original_url" in meta and meta["original_url"] is not None:
        url = _as_text(meta["original_url"])
        if not url or not re.match(r"^https?://\S+$", url):
            found.fail("original_url", "'original_url' must be a full http:// or https:// address")
        else:
            fields["original_url"] = url
    if "draft" in meta:
        if not isinstance(meta["draft"], bool):
            found.fail("draft", f"'draft' must be true or false, not {_describe(meta['draft'])}")
        else:
            fields["draft"] = meta["draft"]
    if "import_hash" in meta and not isinstance(meta["import_hash"], str):
        found.fail(
            "import_hash", "'import_hash' is written by provarchive import; leave it as it is"
        )
    _validate_media_keys(meta, fields, found.fail)
    if "extra" in meta and meta["extra"] is not None:
        if not isinstance(meta["extra"], dict):
            found.fail(
                "extra",
                "'extra' must be a mapping of your own keys, such as 'extra: {版次: 第01版}'",
            )
        else:
            fields["extra"] = _plain(meta["extra"])


def content_file(folder: str, target: str) -> str:
    """The path under ``content/`` of a file named ``target`` by an article in ``folder``:
    relative to the folder, or to ``content/`` when it starts with ``/``; may start with
    ``..`` when it leads outside ``content/``."""
    path = unquote(target.partition("#")[0].partition("?")[0])
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, path))


def _validate_media_keys(meta: LineMap, fields: dict[str, Any], fail: Callable) -> None:
    """Check ``image``, ``image_caption``, ``attachments`` and ``pinned`` into ``fields``
    (the files as written; :func:`_file_fields` resolves them)."""
    for key in ("image", "image_caption"):
        if key in meta and meta[key] is not None:
            value = _as_text(meta[key])
            if value is None:
                fail(key, f"'{key}' must be text, not {_describe(meta[key])}")
            elif value:
                fields[key] = value
    if "attachments" in meta and meta["attachments"] is not None:
        _read_attachments(meta["attachments"], fields, fail)
    if "pinned" in meta:
        value = meta["pinned"]
        if value is False or value is None:
            return
        if value is True or value == "home":
            fields["pinned"], fields["pinned_home"] = 1, value == "home"
        elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 999:
            fields["pinned"] = value
        else:
            fail(
                "pinned",
                "'pinned' must be true, false, home or a number from 1 to 999 (lower first), "
                f"not {_describe(value)}",
            )


def _read_attachments(value: Any, fields: dict[str, Any], fail: Callable) -> None:
    """Check ``attachments:`` into ``fields``: files (text) and links to files kept on the
    legacy site (``{url: https://…, title: 实施细则}``), each once."""
    if not isinstance(value, list):
        fail(
            "attachments",
            "'attachments' must be a list of files, such as 'attachments: [细则.pdf]', "
            f"not {_describe(value)}",
        )
        return
    files: list[str] = []
    links: list[LinkedAttachment] = []
    for item in value:
        text = _as_text(item)
        link = _linked_attachment(item) if isinstance(item, dict) else None
        if text is not None:
            files += [text] if text else []
        elif link is not None:
            links.append(link)
        else:
            fail(
                "attachments",
                "each 'attachments' entry must be a file under content/ (细则.pdf) or a "
                "legacy address with its title ({url: https://…/细则.pdf, title: 实施细则}), "
                f"not {_describe(item) if not isinstance(item, dict) else 'this mapping'}",
            )
    if files:
        fields["attachments"] = tuple(dict.fromkeys(files))
    if links:
        fields["linked_attachments"] = tuple(dict.fromkeys(links))


def _linked_attachment(item: dict) -> LinkedAttachment | None:
    """The link an ``attachments:`` mapping names, or None unless it has just ``url`` (a
    full http(s) address) and perhaps ``title`` (text)."""
    url = _as_text(item.get("url"))
    title = _as_text(item.get("title", ""))
    if set(item) - {"url", "title"} or not url or title is None:
        return None
    if not re.match(r"^https?://[^\s/]+\S*$", url):
        return None
    return LinkedAttachment(url=url, title=title or file_name(url) or url)


def _file_fields(fields: dict[str, Any], meta: LineMap, folder: str, shown: str) -> dict:
    """``image`` and ``attachments`` as paths under ``content/``; raise for a file named
    outside ``content/`` or by a web address, or an image that is not one."""
    resolved: dict[str, Any] = {}
    errors: list[ProvarchiveError] = []
    for key in ("image", "attachments"):
        values = (fields[key],) if key == "image" and key in fields else fields.get(key, ())
        paths = []
        for value in values:
            path = content_file(folder, value)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", value) or path.startswith(".."):
                problem = "a web address" if ":" in value or value.startswith("//") else ""
                errors.append(
                    ContentError(
                        f"'{key}' names {problem or 'a file outside content/'} ({value!r}); "
                        "name a file under content/, relative to the article or from '/'",
                        shown,
                        meta.lines.get(key, meta.line),
                    )
                )
            elif key == "image" and not is_image(path):
                errors.append(
                    ContentError(
                        f"'image' {value!r} is not an image file name "
                        "(.jpg, .jpeg, .png, .gif, .webp or .svg)",
                        shown,
                        meta.lines.get(key, meta.line),
                    )
                )
            paths.append(path)
        if paths:
            resolved[key] = paths[0] if key == "image" else tuple(paths)
    if errors:
        raise ErrorGroup(errors)
    return resolved


def parse_date(value: Any, timezone: str) -> tuple[dt.datetime, bool]:
    """Return ``(aware datetime, has_time)`` for a front-matter date, or raise ValueError."""
    text = str(value).strip() if isinstance(value, (str, dt.date)) else None
    match = _DATE.match(text) if text is not None else None
    if match is None:
        raise ValueError(
            f"'date' must look like 2023-07-09 or 2023-07-09 15:33, not {_describe(value)}"
        )
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        naive = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError as exc:
        raise ValueError(f"'date' {text!r} is not a real date ({exc})") from None
    if not _YEARS[0] <= naive.year <= _YEARS[1]:
        raise ValueError(f"'date' year {naive.year} is out of range ({_YEARS[0]}-{_YEARS[1]})")
    zone = zoneinfo.ZoneInfo(timezone)
    if offset:
        if offset == "Z":
            tz: dt.tzinfo = dt.timezone.utc
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return naive.replace(tzinfo=tz).astimezone(zone), True
    return naive.replace(tzinfo=zone), hour is not None


def _as_text(value: Any) -> str | None:
    """Return text for a YAML scalar that reads as text (numbers too), else None."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _as_text_list(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    items = [_as_text(item) for item in value]
    if any(item is None for item in items):
        return None
    return [item for item in items if item]  # type: ignore[misc]


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _plain(value: Any) -> Any:
    """Return ``value`` with LineMaps turned into plain dicts (for pickling and templates)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
