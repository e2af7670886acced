"""What the previous build left that this one can reuse: article digests, carried-over
files, and the cache entries this build leaves for the next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .cache import BuildState, CachedArticle, body_key
from .content import signature as file_signature
from .digest import article_digest
from .graph import SiteGraph
from .media import Media
from .model import Article
from .output import StagedOutput
from .reading import trusted


class Digests(dict):
    """Article digests of a graph, computed when first asked for."""

    def __init__(self, graph: SiteGraph, media: Media | None = None):
        super().__init__()
        self.graph = graph
        self.media = media or Media()

    def __missing__(self, article_id: str) -> bytes:
        article = self.graph.articles[article_id]
        digest = article_digest(article, self.graph.term_slugs, self.media.digest(article))
        self[article_id] = digest
        return digest


def media_changes(
    articles: dict[str, Article], media: Media, previous: dict[str, bytes]
) -> tuple[dict[str, bytes], set[str]]:
    """The media digest of each article showing media, and the articles whose digest is
    not the one the last build kept (their pages must be fingerprinted again)."""
    digests = {}
    if media.images or media.attachments:
        digests = {i: d for i, a in articles.items() if (d := media.digest(a))}
    changed = {i for i in digests.keys() | previous.keys() if digests.get(i) != previous.get(i)}
    return digests, changed


def write_files(
    staged: StagedOutput,
    files: list[tuple[str, Path]],
    state: BuildState,
    same_output: bool,
    carried: Callable[[str], bool],
) -> tuple[dict[str, tuple[str, tuple[int, int, int]]], set[str]]:
    """Copy assets and theme files, or carry them over when their source did not change.

    Returns the file entries for the cache and the paths copied anew.
    """
    kept: dict[str, tuple[str, tuple[int, int, int]]] = {}
    copied: set[str] = set()
    for path, source in files:
        entry = (str(source), file_signature(source.stat()))
        unchanged = state.files.get(path) == entry and trusted(entry[1], state.scanned_ns)
        if not (same_output and unchanged and carried(path)):
            staged.copy(source, path)
            copied.add(path)
        kept[path] = entry
    return kept, copied


def cache_entries(
    old: dict[str, CachedArticle],
    signatures: dict[str, tuple[int, int, int]],
    articles: dict[str, Article],
    fresh: dict[str, Article],
) -> tuple[dict[str, CachedArticle], set[str]]:
    """The cache's entries for ``articles`` and the ids whose entry is not the old one.

    An article not read anew whose file kept its signature is the old entry's article
    itself, so its old entry stands, without a look at its fields.
    """
    changed = {
        article_id
        for article_id, signature in signatures.items()
        if article_id in articles
        and (article_id in fresh or article_id not in old or old[article_id].signature != signature)
    }
    entries = {article_id: old[article_id] for article_id in articles.keys() - changed}
    for article_id in changed:
        article = articles[article_id]
        entries[article_id] = CachedArticle(
            signature=signatures[article_id],
            content_hash=article.content_hash,
            article=without_body(article),
        )
    return entries, changed


def body_row(article: Article, render_key: str) -> tuple[str, str, str]:
    """The body store's row for ``article``: (key, html, text)."""
    return body_key(article.content_hash, render_key), article.body_html, article.text


def without_body(article: Article) -> Article:
    """The article as the cache keeps it (bodies live in the body store)."""
    return replace(article, body_html="", text="") if article.body_html or article.text else article
