"""专题 (topics): ``topics/<slug>/_topic.yaml`` beside ``content/``, and the articles that
name them with ``topics: [...]``.

A topic folder holds its ``_topic.yaml`` and files of its own (a banner image), which
are copied to ``topics/<slug>/`` in the output, where the topic's pages are written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import suggest
from .errors import ConfigError, ContentError, ProvarchiveError, display_path, site_file
from .images import is_image
from .model import Article, Topic
from .urls import check_slug
from .yamlfile import LineMap, load_mapping

TOPICS_DIR = "topics"
"""The folder of a site holding its topics, and the output folder of their pages."""
TOPIC_FILE = "_topic.yaml"
"""The file that describes a topic."""
TOPIC_KEYS = ("title", "description", "banner", "weight")
"""Every key a topic file may use."""

Signature = tuple[int, int, int]


@dataclass(frozen=True)
class TopicScan:
    """The files under ``topics/``, found by one walk."""

    files: dict[str, Signature]
    """Every file, by site path (``topics/<slug>/<name>``), with its signature."""

    @property
    def folders(self) -> tuple[str, ...]:
        """The topic slugs that have a topic file, sorted."""
        return tuple(
            sorted(p.split("/")[1] for p in self.files if p.count("/") == 2 and _is_topic_file(p))
        )

    def assets(self, site_dir: Path) -> list[tuple[str, Path]]:
        """The files copied to the output: (site path, file), topic files left out."""
        return [(p, site_dir / p) for p in sorted(self.files) if not _is_topic_file(p)]


def _is_topic_file(path: str) -> bool:
    return path.endswith("/" + TOPIC_FILE)


def scan_topics(site_dir: Path) -> TopicScan:
    """Walk ``site_dir/topics`` (hidden files left out); empty when there is none."""
    files: dict[str, Signature] = {}
    root = site_dir / TOPICS_DIR
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            stat = path.stat()
            files[path.relative_to(site_dir).as_posix()] = (
                stat.st_mtime_ns,
                stat.st_size,
                stat.st_ino,
            )
    return TopicScan(files)


def read_topics(site_dir: Path, scan: TopicScan) -> tuple[dict[str, Topic], list[ProvarchiveError]]:
    """The topics of the site by slug, ordered by weight then slug, and the errors found."""
    errors: list[ProvarchiveError] = []
    topics: list[Topic] = []
    for slug in scan.folders:
        path = site_dir / TOPICS_DIR / slug / TOPIC_FILE
        shown = display_path(path)
        try:
            check_slug(slug)
        except ValueError as exc:
            errors.append(ConfigError(f"topic folder name: {exc}", shown))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
            mapping = load_mapping(text, shown, what="topic file", error_type=ConfigError)
        except UnicodeDecodeError:
            errors.append(ConfigError("the file is not UTF-8 text; save it as UTF-8", shown))
            continue
        except ProvarchiveError as exc:
            errors.append(exc)
            continue
        topic = _topic(mapping, slug, shown, scan, errors)
        if topic is not None:
            topics.append(topic)
    topics.sort(key=lambda t: (t.weight, t.slug))
    return {topic.slug: topic for topic in topics}, errors


def _topic(
    mapping: LineMap, slug: str, shown: str, scan: TopicScan, errors: list[ProvarchiveError]
) -> Topic | None:
    found: list[ProvarchiveError] = []

    def fail(key: str, message: str) -> None:
        found.append(ConfigError(message, shown, mapping.lines.get(key, mapping.line)))

    for key in mapping:
        if key not in TOPIC_KEYS:
            fail(key, f"unknown key '{key}'{suggest(key, TOPIC_KEYS)}; a topic file has "
                 + ", ".join(TOPIC_KEYS))  # fmt: skip
    title = _text(mapping.get("title"))
    if not title:
        fail("title", "a topic needs a 'title', such as 'title: 学习贯彻全会精神'")
    description = _text(mapping.get("description")) or ""
    weight = mapping.get("weight", 0)
    if isinstance(weight, bool) or not isinstance(weight, int):
        fail("weight", f"'weight' must be a whole number, not {weight!r}")
    banner = None
    if mapping.get("banner") is not None:
        name = _text(mapping["banner"]) or ""
        banner = f"{TOPICS_DIR}/{slug}/{name}"
        if "/" in name or name.startswith(".") or not is_image(name):
            fail("banner", "'banner' must be an image file in the topic's folder, such as "
                 f"'banner: banner.jpg', not {name!r}")  # fmt: skip
        elif banner not in scan.files:
            fail("banner", f"'banner' names {banner}, which does not exist")
    errors.extend(found)
    if found:
        return None
    source = f"{TOPICS_DIR}/{slug}/{TOPIC_FILE}"
    return Topic(slug, title or slug, description, banner, weight, source)  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value).strip()


def check_article_topics(
    articles: Iterable[Article], topics: dict[str, Topic], site_dir: Path
) -> list[ProvarchiveError]:
    """Errors for articles naming a topic that has no topic folder (of the site in
    ``site_dir``)."""
    errors: list[ProvarchiveError] = []
    for article in articles:
        for slug in article.topics:
            if slug not in topics:
                known = ", ".join(topics) or "none yet"
                errors.append(
                    ContentError(
                        f"'topics' names {slug!r}, which has no {TOPICS_DIR}/{slug}/{TOPIC_FILE}; "
                        f"add the folder or correct the name (topics: {known})",
                        site_file(site_dir, article.source_path),
                    )
                )
    return errors


def topic_listings(
    order: Iterable[str], articles: Mapping[str, Article], topics: dict[str, Topic]
) -> dict[str, tuple[str, ...]]:
    """The ids of each topic's articles, in the order of ``order`` (newest first)."""
    found: dict[str, list[str]] = {slug: [] for slug in topics}
    for article_id in order:
        for slug in articles[article_id].topics:
            if slug in found:
                found[slug].append(article_id)
    return {slug: tuple(ids) for slug, ids in found.items()}
