"""Read ``site.yaml`` into a validated :class:`SiteConfig`; every mistake names its key and line."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from .errors import ConfigError, ErrorGroup, ProvarchiveError, display_path
from .model import CONFIG_FILE, Badge, Contact, MarkdownOptions, SiteConfig
from .urls import check_permalink, check_site_path
from .yamlfile import LineMap, load_mapping


def suggest(key: str, known: list[str] | tuple[str, ...]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the nearest known key, or ``""``."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("must be text")
    return str(value)


def _nonempty_text(value: Any) -> str:
    text = _text(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _base_url(value: Any) -> str:
    url = _nonempty_text(value)
    if not url.startswith(("http://", "https://")):
        raise ValueError(
            f"must be the absolute address the site is published at, "
            f"such as https://example.gov.cn/archive/, not {url!r}"
        )
    return url if url.endswith("/") else url + "/"


def _timezone(value: Any) -> str:
    name = _nonempty_text(value)
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use a name such as Asia/Shanghai") from None
    return name


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number of at least 1, not {value!r}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _permalink(value: Any) -> str:
    return check_permalink(_nonempty_text(value))


def _output(value: Any) -> str:
    return _nonempty_text(value)


def _markdown(value: Any) -> MarkdownOptions:
    if not isinstance(value, dict):
        raise ValueError("must be a mapping such as {html: false}")
    known = [f.name for f in fields(MarkdownOptions)]
    for key in value:
        if key not in known:
            raise ValueError(f"has unknown key '{key}'{suggest(key, known)}")
    html = value.get("html", False)
    if not isinstance(html, bool):
        raise ValueError("html must be true or false")
    return MarkdownOptions(html=html)


# Government site identity (政府网站): the forms the keys must have.
_SITE_ID_CODE = re.compile(r"\d{10}|bm\d{8}")
_ICP = re.compile(r"\S{1,4}ICP[备证]\d{6,10}号(-\d{1,3})?")
_POLICE_RECORD = re.compile(r"\S{1,4}公网安备\s?\d{14}号")
_DOMAIN = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}(?::\d{1,5})?"
)


def _site_id_code(value: Any) -> str:
    code = _nonempty_text(value).lower()
    if not _SITE_ID_CODE.fullmatch(code):
        raise ValueError(
            "must be the 10-character 政府网站标识码: ten digits (1304000009) "
            f"or bm and eight digits (bm17000009), not {value!r}"
        )
    return code


def _icp(value: Any) -> str:
    number = _nonempty_text(value)
    if not _ICP.fullmatch(number):
        raise ValueError(f"must be an ICP备案号 such as 京ICP备12345678号-1, not {number!r}")
    return number


def _police_record(value: Any) -> str:
    number = _nonempty_text(value)
    if not _POLICE_RECORD.fullmatch(number):
        raise ValueError(
            "must be a 公安机关备案号 with its 14-digit record code, "
            f"such as 京公网安备 11010502000001号, not {number!r}"
        )
    return number


def _domain(value: Any) -> str:
    domain = _nonempty_text(value).lower()
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(
            f"must be a host name such as www.example.gov.cn (no http://), not {value!r}"
        )
    return domain


def _absolute_link(value: Any, what: str) -> str:
    link = _nonempty_text(value)
    if not re.fullmatch(r"https?://[^\s<>\"']+", link):
        raise ValueError(f"{what} must be an absolute http:// or https:// address, not {link!r}")
    return link


def _mapping(value: Any, record: type, example: str) -> dict[str, Any]:
    """Check that ``value`` is a mapping of ``record``'s fields; return it."""
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping such as {example}")
    known = [f.name for f in fields(record)]
    for key in value:
        if key not in known:
            raise ValueError(f"has unknown key '{key}'{suggest(key, known)}")
    return value


def _badge(value: Any) -> Badge:
    given = _mapping(value, Badge, "{link: https://..., image: static/badge.png}")
    if "link" not in given:
        raise ValueError("needs a link: the address of the site's registration page")
    image = _nonempty_text(given.get("image", Badge.image))
    if not image.startswith(("http://", "https://")):
        check_site_path(image, "image")
    else:
        _absolute_link(image, "image")
    return Badge(
        _absolute_link(given["link"], "link"), image, _nonempty_text(given.get("alt", Badge.alt))
    )


def _contact(value: Any) -> Contact:
    given = _mapping(value, Contact, "{phone: 0000-12345678, email: ..., address: ...}")
    parts = {key: _text(text).strip() for key, text in given.items()}
    email = parts.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValueError(f"email must be an address such as office@example.gov.cn, not {email!r}")
    return Contact(**parts)


_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "title": _nonempty_text,
    "base_url": _base_url,
    "language": _nonempty_text,
    "timezone": _timezone,
    "per_page": _positive_int,
    "sitemap_urls": _positive_int,
    "permalink": _permalink,
    "output": _output,
    "home_label": _nonempty_text,
    "description": _text,
    "copyright": _text,
    "markdown": _markdown,
    "max_file_size": _positive_int,
    "search": _boolean,
    "organization": _nonempty_text,
    "organizer": _nonempty_text,
    "site_id_code": _site_id_code,
    "icp": _icp,
    "police_record": _police_record,
    "party_government_badge": _badge,
    "contact": _contact,
    "domain": _domain,
}
_REQUIRED = ("title", "base_url")


def parse_config(mapping: LineMap, path: str) -> SiteConfig:
    """Return the :class:`SiteConfig` described by ``mapping`` (from ``path``).

    Raises :class:`ErrorGroup` listing every bad, unknown or missing key.
    """
    errors: list[ProvarchiveError] = []
    values: dict[str, Any] = {}
    known = list(_VALIDATORS)
    for key, value in mapping.items():
        line = mapping.lines.get(key)
        if key not in _VALIDATORS:
            errors.append(ConfigError(f"unknown key '{key}'{suggest(key, known)}", path, line))
            continue
        try:
            values[key] = _VALIDATORS[key](value)
        except ValueError as exc:
            errors.append(ConfigError(f"'{key}' {exc}", path, line))
    for key in _REQUIRED:
        if key not in mapping:
            errors.append(ConfigError(f"missing required key '{key}'", path, mapping.line))
    if errors:
        raise ErrorGroup(errors)
    return SiteConfig(**values)


def load_config(site_dir: Path) -> SiteConfig:
    """Read and validate ``site_dir/site.yaml``; raise ErrorGroup or ConfigError on mistakes."""
    config_path = site_dir / CONFIG_FILE
    shown = display_path(config_path)
    try:
        text = config_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            f"no {CONFIG_FILE} here; run provarchive in a site folder or name one "
            "(provarchive build SITE)",
            shown,
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{CONFIG_FILE} is not UTF-8 text; save it as UTF-8", shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {CONFIG_FILE}: {exc.strerror}", shown) from None
    mapping = load_mapping(text, shown, what="site config", error_type=ConfigError)
    return parse_config(mapping, shown)
