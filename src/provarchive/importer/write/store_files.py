"""附件 of imported pages: documents copied beside their article, or kept as legacy links.

A page's link to a document (:class:`PageLink`) is looked for among the files saved with
the page: relative to the page's folder, or, for an address on the site, under each
folder between the page and the folder the import was given (a mirror of the site keeps
``/xxgk/a.pdf`` as ``xxgk/a.pdf``, perhaps under a folder named for the host). A file
found is copied to ``<article stem>.files/<name>`` beside the article and named in
``attachments:``; a file not found is named there by its full address and title, so that
the link is not lost. The body's Markdown links to the documents follow them.
"""

from __future__ import annotations

import filecmp
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from provarchive.attachments import attachment_suffix, file_name
from provarchive.errors import ProvarchiveError
from provarchive.importer.read.links import markdown_target
from provarchive.importer.read.page import PageLink

_UNSAFE = re.compile(r"[\\/:*?\"<>|#%&{}()\[\]^`~\s]+")
"""Characters left out of a copied file's name (not safe in paths, URLs or Markdown)."""
_MAX_NAME = 60
_FILES_SUFFIX = ".files"


@dataclass(frozen=True)
class Copy:
    """A document to copy into ``content/``."""

    source: Path
    """The saved file."""
    rel: str
    """Its path under ``content/``."""
    same: bool
    """Whether that path already holds exactly these bytes (nothing to write)."""


@dataclass(frozen=True)
class PageFiles:
    """What the documents of one page become."""

    entries: tuple[str | dict[str, str], ...]
    """The ``attachments:`` entries, in the page's order: copies (relative to the
    article) and documents kept by their legacy address (``{url, title}``)."""
    body: str
    """The body, its links to the documents leading to the copies or the addresses."""
    copies: tuple[Copy, ...]
    """The documents to copy into ``content/``."""
    lost: tuple[PageLink, ...]
    """Links neither saved beside the page nor at a known address (left as text)."""


def page_files(
    links: Sequence[PageLink],
    body: str,
    article: str,
    saved: Path | None,
    root: Path | None,
    page_url: str | None,
    content_dir: Path,
) -> PageFiles:
    """Plan the documents ``links`` of the page saved as ``saved`` (under ``root``, the
    folder the import was given) for the article ``article`` (path under ``content/``)."""
    folder, _, name = article.rpartition("/")
    files_dir = posixpath.join(folder, name.removesuffix(".md") + _FILES_SUFFIX)
    entries: list[str | dict[str, str]] = []
    copies: list[Copy] = []
    lost: list[PageLink] = []
    taken: set[str] = set()
    for link in links:
        url = _full_url(link, page_url)
        source = _saved_file(link, url, saved, root) if saved and root else None
        target: str | None = None
        if source is not None:
            copies.append(_copy(source, _copy_name(link, source), files_dir, content_dir, taken))
            target = posixpath.relpath(copies[-1].rel, folder or ".")
            entry: str | dict[str, str] = target
        elif url is not None:
            target, entry = url, {"url": url, "title": link.title}
        else:
            lost.append(link)
        if target is not None and entry not in entries:
            entries.append(entry)
        body = _follow(body, link.href, target)
    return PageFiles(tuple(entries), body, tuple(copies), tuple(lost))


def _follow(body: str, href: str, target: str | None) -> str:
    """``body`` with its Markdown links to ``href`` leading to ``target`` instead (their
    text alone for None)."""
    pattern = re.compile(r"\[([^\]\n]*)\]\(" + re.escape(markdown_target(href)) + r"\)")
    if target is None:
        return pattern.sub(lambda m: m.group(1), body)
    return pattern.sub(lambda m: f"[{m.group(1)}]({markdown_target(target)})", body)


def _full_url(link: PageLink, page_url: str | None) -> str | None:
    """The document's full address: its target resolved against ``page_url``, else the
    one the parse found."""
    if page_url and re.match(r"^https?://[^/\s]", page_url, re.I):
        url = urljoin(page_url, link.href)
        return url if re.match(r"^https?://[^/\s]", url, re.I) else link.url
    return link.url


def _saved_file(link: PageLink, url: str | None, saved: Path, root: Path) -> Path | None:
    """The file saved with the page that ``link`` leads to, inside ``root``; else None."""
    parts = urlsplit(link.href)
    if attachment_suffix(unquote(parts.path)) is None:
        return None  # a download script (downfile.jsp?filename=...) names no saved file
    tried: list[Path] = []
    if not parts.scheme and not parts.netloc and not parts.path.startswith("/"):
        tried.append(saved.parent / unquote(parts.path))
    address = urlsplit(url) if url else parts
    path = unquote(address.path).lstrip("/")
    if path:
        for folder in _folders_up(saved.parent, root):
            tried.append(folder / path)
            if address.netloc:
                tried.append(folder / address.netloc / path)
    top = root.resolve()
    for candidate in tried:
        real = candidate.resolve()
        if top in real.parents and real.is_file():
            return real
    return None


def _folders_up(folder: Path, root: Path) -> list[Path]:
    """``folder`` and the folders above it, up to and including ``root``."""
    chain = [folder]
    while chain[-1] != root and chain[-1].parent != chain[-1] and root in chain[-1].parents:
        chain.append(chain[-1].parent)
    return chain


def _copy_name(link: PageLink, source: Path) -> str:
    """The copy's file name: the link's title made safe, with the document's suffix;
    the saved file's name when the title gives none."""
    suffix = source.suffix.lower()
    title = link.title.strip()
    if title.lower().endswith(suffix):
        title = title[: -len(suffix)]
    safe = _UNSAFE.sub("_", title).strip("._-")[:_MAX_NAME].rstrip("._-")
    if not safe or title == file_name(link.href).removesuffix(suffix):
        safe = _UNSAFE.sub("_", source.stem).strip("._-") or "file"
    return safe + suffix


def _copy(source: Path, name: str, files_dir: str, content_dir: Path, taken: set[str]) -> Copy:
    """The copy of ``source`` as ``name`` in ``files_dir``: a name no other document of the
    page took and no different file holds (``name_2.pdf`` …); never a file replaced."""
    stem, suffix = posixpath.splitext(name)
    for number in range(1, 1000):
        rel = posixpath.join(files_dir, stem + ("" if number == 1 else f"_{number}") + suffix)
        if rel.casefold() in taken:
            continue
        target = content_dir / rel
        if not target.exists() and not target.is_symlink():
            taken.add(rel.casefold())
            return Copy(source, rel, same=False)
        if target.is_file() and not target.is_symlink() and filecmp.cmp(target, source, False):
            taken.add(rel.casefold())
            return Copy(source, rel, same=True)
    raise ProvarchiveError(f"no free file name for {name} in content/{files_dir}", str(source))
