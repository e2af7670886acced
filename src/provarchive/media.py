"""The media of a build: the images and attachments its articles use, checked and measured.

Runs after the articles are read: every cover, body image and attachment an article
names must be a file under ``content/``; images are measured and made in several widths
(:mod:`provarchive.images`) in worker processes, each file hashed only when its
signature changed since the build that last saw it (an index in the cache remembers).
An archive without images never starts a worker or imports Pillow.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .articles import content_file
from .attachments import Attachment, attachment
from .errors import ContentError, ProvarchiveError, display_path, site_file
from .images import ImageInfo, ImageJob, is_image, process_image
from .model import Article
from .parallel import map_in_workers

IMAGES_DIR = "images"
"""Folder of the image copies inside the site's cache."""
_INDEX = "index.json"
_RACY_NS = 2_000_000_000
Signature = tuple[int, int, int]


@dataclass(frozen=True)
class Media:
    """The images and attachments of a build, by path under ``content/``."""

    images: dict[str, ImageInfo] = field(default_factory=dict)
    """Measured images (covers and body images)."""
    attachments: dict[str, Attachment] = field(default_factory=dict)
    """Files offered for download."""
    files: tuple[tuple[str, Path], ...] = ()
    """Output files made of the images: (site path, file in the cache)."""

    def used_by(self, article: Article) -> tuple[str, ...]:
        """The media paths ``article`` shows: its cover, body images and attachments."""
        return (*(p for p in image_paths(article) if p in self.images), *article.attachments)

    def digest(self, article: Article) -> bytes:
        """What the pages showing ``article`` show of its media (b"" for none)."""
        if not (self.images or self.attachments):
            return b""
        parts = [
            (p, self.images[p].key if p in self.images else self.attachments[p].size)
            for p in self.used_by(article)
            if p in self.images or p in self.attachments
        ]
        return hashlib.blake2b(repr(parts).encode(), digest_size=8).digest() if parts else b""

    def cover(self, article: Article) -> ImageInfo | None:
        """The measured cover of ``article``, if it has one."""
        return self.images.get(article.image) if article.image else None


def image_paths(article: Article) -> tuple[str, ...]:
    """The images ``article`` shows (cover first), as paths under ``content/``."""
    paths = [article.image] if article.image else []
    if article.links:
        folder = article.id.rpartition("/")[0]
        paths += (
            content_file(folder, target)
            for target, resolved in article.links
            if resolved is not None and is_image(target.partition("#")[0].partition("?")[0])
        )
    return tuple(dict.fromkeys(paths))


def body_sources(article: Article) -> dict[str, str]:
    """The URLs of a rendered body's links (relative to the page) to paths under ``content/``."""
    folder = article.id.rpartition("/")[0]
    return {
        resolved: content_file(folder, target)
        for target, resolved in article.links
        if resolved is not None
    }


def collect_media(
    content_dir: Path,
    articles: Mapping[str, Article],
    assets: dict[str, Signature],
    cache_dir: Path,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    others: dict[str, tuple[Path, Signature, str]] | None = None,
) -> tuple[Media, list[ProvarchiveError]]:
    """Check and measure the media of ``articles``; return them and the mistakes found.

    ``others`` are more images, outside ``content/``: site path to (file, signature,
    the file that uses it, relative to the site folder as records name files).
    """
    errors: list[ProvarchiveError] = []
    site_dir = content_dir.parent
    users: dict[str, list[str]] = {}
    found: dict[str, Attachment] = {}
    sources = {p: (content_dir / p, signature) for p, signature in assets.items()}
    for path, (source, signature, user) in (others or {}).items():
        sources[path] = (source, signature)
        users[path] = [user]
    for article in articles.values():
        if not (article.image or article.links or article.attachments):
            continue  # most articles: nothing to look at
        for path in image_paths(article):
            users.setdefault(path, []).append(article.source_path)
        for path in article.attachments:
            if path in assets:
                found[path] = attachment(path, assets[path][1])
        errors += _missing(article, assets, site_dir)
    wanted = sorted(p for p in users if p in sources)
    folder = cache_dir / IMAGES_DIR
    if not wanted:
        if folder.is_dir():  # the last images were removed: so go their copies
            _save_index(folder, {})
        return Media(attachments=found), errors
    known = _load_index(folder)
    work = [ImageJob(p, sources[p][0], _known_key(known, p, sources[p][1])) for p in wanted]
    results = map_in_workers(process_image, work, folder, jobs, min_items=2, progress=progress)
    images: dict[str, ImageInfo] = {}
    for job, result in zip(work, results, strict=True):
        if isinstance(result, str):
            names = ", ".join(site_file(site_dir, user) for user in users[job.path][:3])
            errors.append(
                ContentError(f"the image used by {names} {result}", display_path(job.source))
            )
        else:
            images[job.path] = result
    _save_index(folder, {p: (sources[p][1], info.key) for p, info in images.items()})
    return Media(images=images, attachments=found, files=_copies(folder, images)), errors


def _missing(
    article: Article, assets: dict[str, Signature], site_dir: Path
) -> list[ProvarchiveError]:
    """Errors for a cover or attachment named in the front matter that is not there."""
    errors = []
    named = [("image", article.image)] if article.image else []
    named += [("attachments", path) for path in article.attachments]
    for key, path in named:
        if path not in assets:
            errors.append(
                ContentError(
                    f"'{key}' names content/{path}, which does not exist; "
                    "put the file there or correct the name",
                    site_file(site_dir, article.source_path),
                )
            )
    return errors


def _copies(folder: Path, images: dict[str, ImageInfo]) -> tuple[tuple[str, Path], ...]:
    return tuple(
        (info.variant_path(name), folder / info.key / name)
        for info in images.values()
        for variant in info.variants
        for name in (variant.webp, variant.fallback)
    )


def _known_key(known: dict, path: str, signature: Signature) -> str:
    """The cache key of ``path`` when its file kept the signature the index holds for it
    (and was not modified too close to when the index was written), else ""."""
    entry = known.get("images", {}).get(path)
    if entry is None or tuple(entry[0]) != tuple(signature):
        return ""
    return entry[1] if signature[0] < known.get("written", 0) - _RACY_NS else ""


def _load_index(folder: Path) -> dict:
    try:
        return json.loads((folder / _INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_index(folder: Path, entries: dict[str, tuple[Signature, str]]) -> None:
    """Remember each image's signature and key, and remove the copies no image uses."""
    index = {"written": time.time_ns(), "images": entries}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{_INDEX}.new").write_text(json.dumps(index), encoding="utf-8")
    (folder / f"{_INDEX}.new").replace(folder / _INDEX)
    used = {key for _, key in entries.values()}
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name not in used:
            shutil.rmtree(entry, ignore_errors=True)
