"""The text of imported files: front matter, escaped body, import hash, legacy URLs.

Everything here is pure. Output is byte-stable: the same page always gives the same
text, YAML keys come in a fixed order, and every value reads back as the same text
through the site's strict YAML loader.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from provarchive.importer.read.body import is_image

HASH_KEY = "import_hash"
"""The front-matter key holding the hash of the text an import wrote."""
FRONT_MATTER_KEYS = (
    "title", "kicker", "subtitle", "date", "source", "authors", "editor", "original_url",
    "aliases", "attachments",
)  # fmt: skip
"""The keys an import writes, in this order, before ``import_hash``."""

_HTTP_URL = re.compile(r"^https?://\S+$")
_STEM_WITH_DATE = re.compile(r"^t\d{8}_\d+$")
_TRAILING_DIGITS = re.compile(r"(\d{1,32})$")
_SAVED_ID = re.compile(r"^(?:[A-Za-z]+[_-]?)?(?:\d+[_-])*(\d{3,32})$")
"""A saved file's stem that is a legacy id: ``content_98765``, ``art_12_3456``, ``98765``."""
_HASH_LINE = re.compile(r"^import_hash:[ \t]*['\"]?([0-9a-f]{40})['\"]?[ \t]*$")
_BODY_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_ASCII_PUNCTUATION = frozenset(string.punctuation)
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\r": "\n"})
_DROPPED_CHARS = frozenset("\ufeff\ufffe\uffff")


@dataclass(frozen=True)
class LegacyUrl:
    """The address a page had on the legacy site, taken apart."""

    url: str
    """The address as given."""
    is_http: bool
    """Whether it is a full ``http(s)://`` address (only those become ``original_url``)."""
    path: str
    """Its path, percent-decoded (``/zhxx/yywl/202307/t20230709_123456.shtml``)."""
    folders: tuple[str, ...]
    """The path's folder segments, in order, empty ones left out."""
    stem: str
    """The file name without its suffix (``t20230709_123456``); empty for a folder URL."""


def parse_legacy_url(url: str | None) -> LegacyUrl | None:
    """Return ``url`` taken apart, or None when there is no usable address."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = unquote(parts.path)
    segments = path.split("/")
    name = segments[-1]
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return LegacyUrl(
        url=url,
        is_http=bool(_HTTP_URL.match(url)) and parts.scheme.lower() in ("http", "https"),
        path=path,
        folders=tuple(segment for segment in segments[:-1] if segment),
        stem=stem,
    )


def article_stem(
    date: str, title: str, legacy: LegacyUrl | None, saved_name: str | None = None
) -> str:
    """Return the file name (without ``.md``) of an imported article.

    ``t{YYYYMMDD}_{id}``: the legacy file stem itself when it already has that shape,
    else ``id`` is the stem's trailing digits. Without a legacy id, the name of the
    saved file gives it when it looks like one (``t20240412_5566.html``,
    ``content_98765.htm``); else ``id`` is the first 6 hex digits of sha1(title + date).
    """
    stem = legacy.stem if legacy is not None else ""
    if _STEM_WITH_DATE.match(stem):
        return stem
    digits = _TRAILING_DIGITS.search(stem)
    if digits:
        return f"t{date.replace('-', '')}_{digits.group(1)}"
    saved = PurePath(saved_name or "").name.rsplit(".", 1)[0]
    if _STEM_WITH_DATE.match(saved):
        return saved
    named = _SAVED_ID.match(saved)
    ident = named.group(1) if named else hashlib.sha1((title + date).encode()).hexdigest()[:6]
    return f"t{date.replace('-', '')}_{ident}"


def clean_line(text: str | None) -> str:
    """Return one-line text fit for front matter: no control characters, single spaces."""
    if not text:
        return ""
    return " ".join(_printable(text).split())


def clean_lines(text: str | None) -> str:
    """Return text fit for a several-line front-matter value: cleaned non-empty lines."""
    if not text:
        return ""
    lines = (clean_line(line) for line in _printable(text, keep="\n").split("\n"))
    return "\n".join(line for line in lines if line)


def clean_names(names: Iterable[str]) -> list[str]:
    """Return cleaned, non-empty names without duplicates, in order."""
    cleaned = (clean_line(name) for name in names)
    return list(dict.fromkeys(name for name in cleaned if name))


def _printable(text: str, keep: str = "") -> str:
    """Return ``text`` without control characters, surrogates, BOMs or non-characters.

    Tabs, and line breaks unless kept, become spaces.
    """
    out: list[str] = []
    for char in text.replace("\r\n", "\n").translate(_LINE_BREAKS):
        if char in keep:
            out.append(char)
        elif char in "\t\n":
            out.append(" ")
        elif char not in _DROPPED_CHARS and unicodedata.category(char) not in ("Cc", "Cs"):
            out.append(char)
    return "".join(out)


def escape_body(body: str) -> str:
    """Return the Markdown ``body`` with ``<``, ``>`` and ``&`` as entities.

    Imported text never carries raw HTML: even a site with ``markdown: {html: true}``
    shows these characters as text. Markdown image lines ``![alt](src)`` are kept as
    they are; a backslash escape of one of the three characters becomes the entity, and
    a backtick is escaped so that entities never land in a code span, where they would
    show literally. Control characters are dropped.
    """
    body = _printable(body, keep="\n")
    lines = [line.strip() for line in body.split("\n")]
    escaped = [line if is_image(line) else _escape_line(line) for line in lines]
    return "\n".join(escaped).strip("\n")


def _escape_line(line: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(line):
        char = line[index]
        following = line[index + 1] if index + 1 < len(line) else ""
        if char == "\\" and following in _ASCII_PUNCTUATION:
            out.append(_BODY_ESCAPES.get(following, char + following))
            index += 2
            continue
        out.append("\\`" if char == "`" else _BODY_ESCAPES.get(char, char))
        index += 1
    return "".join(out)


class _QuotedText(str):
    """Text always written in double quotes (dates, so no YAML reader takes them for one)."""


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing several-line text as ``|`` blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if isinstance(value, _QuotedText) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


def _represent_mapping(dumper: yaml.SafeDumper, value: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=False)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_QuotedText, _represent_text)
_Dumper.add_representer(dict, _represent_mapping)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(mapping: dict[str, Any]) -> str:
    """Return ``mapping`` as block YAML in its own key order, lists inline (``[a, b]``)."""
    return yaml.dump(mapping, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def front_matter(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the front-matter mapping of ``fields`` in key order, empty values left out."""
    ordered: dict[str, Any] = {}
    for key in FRONT_MATTER_KEYS:
        value = fields.get(key)
        if value in (None, "", [], ()):
            continue
        if key == "date":
            value = _QuotedText(value)
        ordered[key] = list(value) if isinstance(value, (list, tuple)) else value
    return ordered


def article_text(fields: dict[str, Any], body: str) -> str:
    """Return the whole text of an imported article, its ``import_hash`` filled in.

    The hash is the sha1 of the text with the ``import_hash`` line left out.
    """
    meta = dump_yaml(front_matter(fields))
    tail = f"---\n\n{body}\n" if body else "---\n"
    digest = hashlib.sha1(f"---\n{meta}{tail}".encode()).hexdigest()
    return f"---\n{meta}{HASH_KEY}: {digest}\n{tail}"


def column_text(title: str) -> str:
    """Return the text of a new column's ``_column.yaml``."""
    return dump_yaml({"title": title})


def without_hash_line(text: str) -> tuple[str, str | None]:
    """Return ``text`` without the front matter's ``import_hash`` line, and the hash recorded.

    The recorded hash is None when the front matter has no such line.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return text, None
    for index in range(1, len(lines)):
        line = lines[index]
        if line.rstrip() in ("---", "..."):
            break
        match = _HASH_LINE.match(line.rstrip("\r\n"))
        if match:
            return "".join(lines[:index] + lines[index + 1 :]), match.group(1)
    return text, None


def is_unmodified(text: str) -> bool:
    """Return True when ``text`` is exactly what an import wrote (its hash still matches)."""
    rest, recorded = without_hash_line(text)
    return recorded is not None and hashlib.sha1(rest.encode()).hexdigest() == recorded
