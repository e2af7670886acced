"""What an import needs to know about articles already in ``content/``, read once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from provarchive.errors import ProvarchiveError
from provarchive.frontmatter import split_front_matter
from provarchive.parallel import map_in_workers
from provarchive.urls import alias_path


@dataclass(frozen=True)
class ExistingArticle:
    """The front-matter facts of one Markdown file under ``content/``."""

    rel: str
    """Path under ``content/``, ``/``-separated (``zhxx/yywl/a.md``)."""
    original_url: str | None
    """Its ``original_url``, when it has one and the front matter could be read."""
    aliases: tuple[str, ...]
    """Site paths of its aliases' redirect files."""


@dataclass
class ExistingContent:
    """Every Markdown file under ``content/``; files that cannot be read count as present."""

    articles: dict[str, ExistingArticle] = field(default_factory=dict)
    """Readable articles by path under ``content/``."""
    files: dict[str, str] = field(default_factory=dict)
    """Every Markdown file's path under ``content/``, keyed by its case-folded form."""
    by_url: dict[str, list[str]] = field(default_factory=dict)
    """Paths of the articles with each ``original_url``, in path order."""
    alias_owners: dict[str, str] = field(default_factory=dict)
    """Case-folded alias site path -> the article that has the alias."""

    def has_file(self, rel: str) -> str | None:
        """Return the stored spelling of ``rel`` when a file of that name (any case) exists."""
        return self.files.get(rel.casefold())


def scan_content(content_dir: Path, jobs: int = 1) -> ExistingContent:
    """Read the front matter of every article under ``content_dir`` once, in ``jobs``
    processes (an import of a few pages into a site of 100,000 articles spent 4.8 s
    here in one).

    Hidden files and folders and those starting with ``_`` are skipped as the build
    skips them; linked folders are not followed. A broken file is tolerated: it is
    listed as present, with no facts.
    """
    found = ExistingContent()
    if not content_dir.is_dir():
        return found
    rels = _article_files(content_dir)
    read = map_in_workers(_read, rels, content_dir, jobs)
    for rel, existing in zip(rels, read, strict=True):
        found.files[rel.casefold()] = rel
        if existing is None:
            continue
        found.articles[rel] = existing
        if existing.original_url:
            found.by_url.setdefault(existing.original_url, []).append(rel)
        for alias in existing.aliases:
            found.alias_owners.setdefault(alias.casefold(), rel)
    return found


def _article_files(content_dir: Path) -> list[str]:
    """The Markdown files under ``content_dir`` (paths under it), in walk order."""
    rels: list[str] = []
    for current, dirnames, filenames in os.walk(content_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        prefix = Path(current).relative_to(content_dir).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        rels += [
            prefix + name
            for name in sorted(filenames)
            if not name.startswith((".", "_")) and name.endswith(".md")
        ]
    return rels


def _read(content_dir: Path, rel: str) -> ExistingArticle | None:
    """Return the facts of the article ``rel`` under ``content_dir``, or None when it
    cannot be read."""
    try:
        text = (content_dir / rel).read_bytes().decode("utf-8-sig")
        meta = split_front_matter(text, rel).meta
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, ProvarchiveError):
        return None
    url = meta.get("original_url")
    aliases: list[str] = []
    raw_aliases = meta.get("aliases")
    for alias in raw_aliases if isinstance(raw_aliases, list) else []:
        try:
            aliases.append(alias_path(str(alias).strip()))
        except ValueError:
            continue
    return ExistingArticle(
        rel=rel,
        original_url=url.strip() if isinstance(url, str) and url.strip() else None,
        aliases=tuple(aliases),
    )


def read_text(path: Path) -> str | None:
    """Return the UTF-8 text of an existing file, or None when it is not UTF-8 text."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
