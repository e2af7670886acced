"""Walk ``content/`` into column and article records, collecting every error on the way.

Reading happens in two passes. The first reads each file's front matter (cheap)
so that every article's URL is known; the second renders the Markdown bodies,
whose relative links to other articles and to images can then be resolved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .config import suggest
from .errors import (
    ConfigError,
    ContentError,
    ContentWarning,
    ErrorGroup,
    ProvarchiveError,
    display_path,
)
from .frontmatter import split_front_matter
from .markup import MarkdownRenderer, make_summary
from .model import Article, Column, SiteConfig
from .urls import alias_path, article_path, check_slug, relative_url
from .yamlfile import LineMap, load_mapping

CONTENT_DIR = "content"
"""The folder of a site that holds columns and articles."""
COLUMN_FILE = "_column.yaml"
"""The file in a column folder that names the column."""

ARTICLE_KEYS = (
    "title", "kicker", "subtitle", "date", "source", "authors", "editor", "tags", "slug",
    "summary", "original_url", "aliases", "draft", "extra", "import_hash",
)  # fmt: skip
"""Every front-matter key an article may use."""
COLUMN_KEYS = ("title", "weight", "description")
"""Every key a ``_column.yaml`` may use."""

_DATE = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_YEARS = (1900, 2100)


@dataclass(frozen=True)
class ContentTree:
    """Everything read from ``content/``: records, static files and the problems found."""

    columns: dict[str, Column]
    """Columns by path (children and article ids not filled in yet; see the graph stage)."""
    articles: tuple[Article, ...]
    """Articles that were read without error, drafts left out unless asked for."""
    assets: tuple[str, ...]
    """Paths under ``content/`` of files that are copied to the output as they are."""
    errors: tuple[ProvarchiveError, ...]
    """Every error found; a build fails when there is any."""
    warnings: tuple[ProvarchiveError, ...]
    """Problems a build can go on with."""
    skipped: tuple[str, ...]
    """Content files left out because of errors."""


@dataclass(frozen=True)
class _Draft:
    """An article whose front matter is read but whose body is not rendered yet."""

    article: Article
    body: str


def read_content(
    site_dir: Path,
    config: SiteConfig,
    renderer: MarkdownRenderer,
    *,
    include_drafts: bool = False,
) -> ContentTree:
    """Read every column and article under ``site_dir/content``."""
    content_dir = site_dir / CONTENT_DIR
    errors: list[ProvarchiveError] = []
    warnings: list[ProvarchiveError] = []
    skipped: list[str] = []
    if not content_dir.is_dir():
        errors.append(
            ContentError(
                f"no {CONTENT_DIR}/ folder; create it and put column folders in it",
                display_path(content_dir),
            )
        )
        return ContentTree({}, (), (), tuple(errors), (), ())
    folders, markdown_files, assets = _walk(site_dir, content_dir, errors)

    columns: dict[str, Column] = {}
    for folder in folders:
        column = _read_column(site_dir, content_dir, folder, errors, warnings)
        if column is not None:
            columns[column.path] = column

    drafts: list[_Draft] = []
    for rel in markdown_files:
        shown = display_path(content_dir / rel)
        try:
            draft = (
                read_article_source((content_dir / rel).read_bytes(), rel, shown, config)
                if _size_ok(content_dir / rel, config, shown)
                else None
            )
        except ProvarchiveError as exc:
            errors.append(exc)
            skipped.append(shown)
            continue
        except OSError as exc:
            errors.append(ContentError(f"cannot read the file: {exc.strerror}", shown))
            skipped.append(shown)
            continue
        if draft is not None and (include_drafts or not draft.article.draft):
            drafts.append(draft)

    urls = {draft.article.id: draft.article.url for draft in drafts}
    asset_set = set(assets)
    articles = []
    for draft in drafts:
        article = render_article(draft, renderer, urls, asset_set, warnings)
        articles.append(article)
    return ContentTree(
        columns=columns,
        articles=tuple(articles),
        assets=tuple(assets),
        errors=tuple(errors),
        warnings=tuple(warnings),
        skipped=tuple(skipped),
    )


def _size_ok(path: Path, config: SiteConfig, shown: str) -> bool:
    size = path.stat().st_size
    if size > config.max_file_size:
        raise ContentError(
            f"the file is {size:,} bytes, over the limit of {config.max_file_size:,}; "
            "split it, or raise max_file_size in site.yaml",
            shown,
        )
    return True


def _walk(
    site_dir: Path, content_dir: Path, errors: list[ProvarchiveError]
) -> tuple[list[str], list[str], list[str]]:
    """Return column folders, Markdown files and asset files under ``content_dir``.

    A column folder is one with a ``_column.yaml`` or with articles in it; other
    folders (``images/``, say) only hold files that are copied as they are. Paths
    are relative to ``content_dir`` with ``/``; hidden files and folders are
    skipped; a folder that is a link leading outside ``content/`` is an error.
    """
    root = content_dir.resolve()
    folders: list[str] = []
    markdown: list[str] = []
    assets: list[str] = []
    seen: set[Path] = set()
    for current, dirnames, filenames in os.walk(content_dir, followlinks=True):
        here = Path(current)
        real = here.resolve()
        rel_dir = here.relative_to(content_dir).as_posix()
        if real != root and root not in real.parents:
            errors.append(
                ContentError(
                    f"this folder is a link to {real}, outside {CONTENT_DIR}/; "
                    "move the folder into content/ instead of linking it",
                    display_path(here),
                )
            )
            dirnames[:] = []
            continue
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        prefix = "" if rel_dir == "." else rel_dir + "/"
        if prefix and (COLUMN_FILE in filenames or any(n.endswith(".md") for n in filenames)):
            folders.append(rel_dir)
        for name in sorted(filenames):
            if name.startswith((".", "_")) or name.endswith("~"):
                continue
            if (here / name).is_symlink() and root not in (here / name).resolve().parents:
                errors.append(
                    ContentError(
                        "this file is a link to a file outside content/; copy the file instead",
                        display_path(here / name),
                    )
                )
                continue
            (markdown if name.endswith(".md") else assets).append(prefix + name)
    return folders, markdown, assets


def _read_column(
    site_dir: Path,
    content_dir: Path,
    folder: str,
    errors: list[ProvarchiveError],
    warnings: list[ProvarchiveError],
) -> Column | None:
    """Read the ``_column.yaml`` of ``folder``; a folder without one is titled by its name."""
    parent = folder.rpartition("/")[0] or None
    column_file = content_dir / folder / COLUMN_FILE
    shown = display_path(column_file)
    if not column_file.exists():
        warnings.append(
            ContentWarning(
                f"no {COLUMN_FILE} here; the column is titled '{folder.rsplit('/', 1)[-1]}'. "
                "Add the file with a line 'title: 栏目名称'",
                display_path(content_dir / folder),
            )
        )
        return Column(path=folder, title=folder.rsplit("/", 1)[-1], parent=parent)
    try:
        check_slug(folder.rsplit("/", 1)[-1])
        text = column_file.read_text(encoding="utf-8-sig")
        mapping = load_mapping(text, shown, what="column file", error_type=ConfigError)
    except ValueError as exc:
        errors.append(ContentError(f"column folder name: {exc}", shown))
        return None
    except UnicodeDecodeError:
        errors.append(ConfigError("the file is not UTF-8 text; save it as UTF-8", shown))
        return None
    except ProvarchiveError as exc:
        errors.append(exc)
        return None
    return _column_from_mapping(mapping, folder, parent, shown, errors)


def _column_from_mapping(
    mapping: LineMap, folder: str, parent: str | None, shown: str, errors: list[ProvarchiveError]
) -> Column | None:
    found: list[ProvarchiveError] = []
    for key in mapping:
        if key not in COLUMN_KEYS:
            found.append(
                ConfigError(
                    f"unknown key '{key}'{suggest(key, COLUMN_KEYS)}; a column file has "
                    + ", ".join(COLUMN_KEYS),
                    shown,
                    mapping.lines[key],
                )
            )
    title = mapping.get("title")
    if not isinstance(title, (str, int)) or isinstance(title, bool) or not str(title).strip():
        found.append(
            ConfigError(
                "missing or empty 'title': give the column's display name, e.g. 'title: 要闻要论'",
                shown,
                mapping.lines.get("title", 1),
            )
        )
    weight = mapping.get("weight", 0)
    if isinstance(weight, bool) or not isinstance(weight, int):
        found.append(
            ConfigError(
                f"'weight' must be a whole number, not {weight!r}",
                shown,
                mapping.lines.get("weight"),
            )
        )
    description = mapping.get("description", "")
    if not isinstance(description, str):
        found.append(
            ConfigError("'description' must be text", shown, mapping.lines.get("description"))
        )
    if found:
        errors.extend(found)
        return None
    return Column(
        path=folder,
        title=str(title).strip(),
        weight=weight,
        description=description.strip(),
        parent=parent,
        source_path=shown,
    )


def read_article_source(data: bytes, rel: str, shown: str, config: SiteConfig) -> _Draft:
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
    url = article_path(config.permalink, column, date[0], slug)
    article = Article(
        id=rel,
        source_path=shown,
        column=column,
        date=date[0],
        has_time=date[1],
        slug=slug,
        url=url,
        body_line=split.body_line,
        content_hash=hashlib.sha1(data).hexdigest(),
        summary_given="summary" in fields,
        **fields,
    )
    return _Draft(article=article, body=split.body)


def render_article(
    draft: _Draft,
    renderer: MarkdownRenderer,
    urls: dict[str, str],
    assets: set[str],
    warnings: list[ProvarchiveError],
) -> Article:
    """Return the article of ``draft`` with its body rendered and its summary filled in."""
    article = draft.article
    source_dir = article.id.rpartition("/")[0]
    resolve = _link_resolver(source_dir, article.url, urls, assets)
    body = renderer.render(draft.body, resolve)
    summary = article.summary if article.summary_given else make_summary(body.text)
    return replace(
        article,
        body_html=body.html,
        text=body.text,
        text_length=body.text_length,
        toc=body.toc,
        summary=summary,
    )


def _link_resolver(
    source_dir: str, page_path: str, urls: dict[str, str], assets: set[str]
) -> Callable[[str], str | None]:
    """Map a link written relative to the Markdown file to a URL relative to the page."""

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
    errors: list[ProvarchiveError] = []
    fields: dict[str, Any] = {}

    def fail(key: str, message: str) -> None:
        errors.append(ContentError(message, shown, meta.lines.get(key, meta.line)))

    for key in meta:
        if key not in ARTICLE_KEYS:
            fail(
                key,
                f"unknown key '{key}'{suggest(key, ARTICLE_KEYS)}; put custom data under 'extra:'",
            )
    title = meta.get("title")
    if "title" not in meta:
        errors.append(
            ContentError("missing 'title': add a line 'title: 标题' to the front matter", shown, 1)
        )
    elif _as_text(title) is None or not _as_text(title):
        fail("title", "'title' must not be empty: give the article's headline")
    else:
        fields["title"] = _as_text(title)
    for key in ("kicker", "subtitle", "source", "editor", "summary"):
        if key in meta and meta[key] is not None:
            value = _as_text(meta[key])
            if value is None:
                fail(key, f"'{key}' must be text, not {_describe(meta[key])}")
            elif value:
                fields[key] = value
    if "date" not in meta:
        errors.append(
            ContentError(
                "missing 'date': add a line such as 'date: 2023-07-09' or 'date: 2023-07-09 15:33'",
                shown,
                1,
            )
        )
    else:
        try:
            fields["date"] = parse_date(meta["date"], config.timezone)
        except ValueError as exc:
            fail("date", str(exc))
    for key in ("authors", "tags", "aliases"):
        if key in meta and meta[key] is not None:
            items = _as_text_list(meta[key])
            if items is None:
                fail(
                    key,
                    f"'{key}' must be a list of text, such as '{key}: [甲, 乙]', "
                    f"not {_describe(meta[key])}",
                )
            else:
                fields[key] = tuple(dict.fromkeys(items))
    for alias in fields.get("aliases", ()):
        try:
            alias_path(alias)
        except ValueError as exc:
            fail("aliases", str(exc))
    if "slug" in meta:
        slug = _as_text(meta["slug"])
        if not slug:
            fail("slug", "'slug' must be non-empty text (a file name without .html)")
        else:
            fields["slug"] = slug
    if "original_url" in meta and meta["original_url"] is not None:
        url = _as_text(meta["original_url"])
        if not url or not re.match(r"^https?://\S+$", url):
            fail("original_url", "'original_url' must be a full http:// or https:// address")
        else:
            fields["original_url"] = url
    if "draft" in meta:
        if not isinstance(meta["draft"], bool):
            fail("draft", f"'draft' must be true or false, not {_describe(meta['draft'])}")
        else:
            fields["draft"] = meta["draft"]
    if "import_hash" in meta and not isinstance(meta["import_hash"], str):
        fail("import_hash", "'import_hash' is written by provarchive import; leave it as it is")
    if "extra" in meta and meta["extra"] is not None:
        if not isinstance(meta["extra"], dict):
            fail(
                "extra",
                "'extra' must be a mapping of your own keys, such as 'extra: {版次: 第01版}'",
            )
        else:
            fields["extra"] = _plain(meta["extra"])
    if errors:
        raise ErrorGroup(errors)
    return fields


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
