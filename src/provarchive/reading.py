"""Reading the articles of ``content/`` for a build, reusing what the last build read.

Files whose signature matches the cache (and that were not modified too close to
the last scan to trust it) are not read again; bodies are rendered only for files
read anew or whose relative links now resolve differently. Reading and rendering
run in worker processes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, filterfalse
from operator import attrgetter, eq, not_
from pathlib import Path
from typing import Any

from . import __version__
from .articles import SourceArticle, render_article, resolve_links
from .bodystore import BodyStore
from .cache import body_key, body_row, with_body, without_body
from .content import (
    CONTENT_DIR,
    prefetch_article_files,
    read_article_file,
    read_columns,
)
from .errors import ProvarchiveError, display_path
from .extras import Extras
from .markup import MarkdownRenderer
from .model import Article, Column, Signature, SiteConfig
from .parallel import (
    Progress,
    claim_order,
    forks,
    map_chunks_meanwhile,
    map_in_workers,
    stage_progress,
)
from .records import ArticleMap, CachedArticle, EntryFacts
from .walk import ContentScan


@dataclass(frozen=True)
class ContentTree:
    """Everything read from ``content/``: records, static files and the problems found."""

    columns: dict[str, Column]
    """Columns by path (children and article ids not filled in yet; see the graph stage)."""
    articles: ArticleMap
    """Articles read without error, by id (path under content/), drafts left out unless
    asked for; without bodies when reused from the cache."""
    fresh: dict[str, Article]
    """The articles read and rendered anew (all of them without a cache); without
    bodies when they were stored away as they came in (see :class:`BodySink`)."""
    assets: tuple[str, ...]
    """Paths under ``content/`` of files that are copied to the output as they are."""
    errors: tuple[ProvarchiveError, ...]
    """Every error found; a build fails when there is any."""
    warnings: tuple[ProvarchiveError, ...]
    """Problems a build can go on with."""
    skipped: tuple[str, ...]
    """Content files left out because of errors."""
    read: frozenset[str]
    """The article files read in this build, their content changed or not (the others
    had the signature their cache entry gives)."""
    made: dict[str, Any] = field(default_factory=dict)
    """What the sink made of each fresh article's body, by id, where it passed the
    article on as :class:`Settled` (see :func:`checkbodies.settle_facts`)."""


Sink = Callable[[list[Any]], list[Any]]
"""What a worker does with each chunk of its results before it sends them back: it
passes each article on as it is, without its body (:class:`BodySink`), or as
:class:`Settled`; it leaves the other results (sources, errors, None) as they are."""


@dataclass(frozen=True)
class Settled:
    """An article passed on without its body, with what a sink made of the body where
    the body was (``made``: see :func:`checkbodies.settle_facts`)."""

    article: Article
    made: Any


def read_content(
    site_dir: Path,
    config: SiteConfig,
    scan: ContentScan,
    *,
    drafts: bool,
    jobs: int,
    cached: dict[str, CachedArticle] | None = None,
    facts: EntryFacts | None = None,
    scanned_ns: int = 0,
    progress: Progress | None = None,
    sink: Sink | None = None,
) -> ContentTree:
    """Read the columns and articles of ``scan``: what ``build`` and ``check`` both read.

    Articles in ``cached`` whose files did not change are not read again; ``facts`` are
    those of ``cached`` for ``scanned_ns``, when the caller gathered them already. With a
    ``sink``, each chunk of results is handed to it where it was read (see :data:`Sink`):
    bodies go to the body store as they come in (:class:`BodySink`), or what ``check``
    needs is made of them (in ``made``), and articles are kept without them.
    """
    columns, errors, warnings = read_columns(site_dir, scan.folders)
    cached = cached or {}
    articles, fresh, made, article_errors, skipped, read = read_articles(
        site_dir,
        config,
        scan,
        (cached, facts or EntryFacts.of(cached, scanned_ns - RACY_NS)),
        jobs,
        drafts,
        progress,
        sink,
    )
    return ContentTree(
        columns=columns,
        articles=articles,
        fresh=fresh,
        assets=tuple(scan.assets),
        errors=(*scan.errors, *errors, *article_errors),
        warnings=tuple(warnings),
        skipped=tuple(skipped),
        read=read,
        made=made,
    )


def render_key(config: SiteConfig) -> str:
    """Hash of what a rendered article depends on besides its own file."""
    parts = (__version__, config.markdown, config.permalink, config.timezone, config.max_file_size)
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).hexdigest()


_CONTENT_HASH = attrgetter("content_hash")
"""An article's or a cache entry's file hash (mapped over 20,000 of them by C)."""

RACY_NS = 2_000_000_000
"""A file modified this close to the previous build's scan may have changed again within
the same timestamp tick without its signature changing ("racy" files, as git calls
them): such files are read and compared by content, never trusted by signature."""


def trusted(signature: tuple[int, int, int], scanned_ns: int) -> bool:
    """Whether a file with this signature, unchanged since a scan at ``scanned_ns``, is
    certainly unchanged (its modification time is well before the scan)."""
    return signature[0] < scanned_ns - RACY_NS


ReadArticles = tuple[
    ArticleMap,
    dict[str, Article],
    dict[str, Any],
    list[ProvarchiveError],
    list[str],
    frozenset[str],
]
"""What :func:`read_articles` returns: the articles by id, the freshly rendered ones,
what the ``sink`` made of their bodies (see :class:`Settled`), the errors, the files
skipped, and the files read."""


def read_articles(
    site_dir: Path,
    config: SiteConfig,
    scan: ContentScan,
    entries: tuple[dict[str, CachedArticle], EntryFacts],
    jobs: int,
    drafts: bool,
    progress: Progress | None = None,
    sink: Sink | None = None,
) -> ReadArticles:
    """Read the articles of ``scan``; ``entries`` are the cache's, with their facts.

    Files whose signature matches the cache are not read; bodies are rendered only for
    files read anew or whose relative links now resolve differently. Cached articles
    stay encoded until a later stage asks for one (see :class:`ArticleMap`).
    """
    cached, facts = entries
    reused, to_read = _unchanged(scan, facts)
    errors: list[ProvarchiveError] = []
    skipped: list[str] = []
    sources: dict[str, SourceArticle] = {}
    done: dict[str, Article] = {}
    made: dict[str, Any] = {}
    reader = ReadTask(site_dir, config, display_path(site_dir / CONTENT_DIR))
    assets = frozenset(scan.assets)
    renderer = MarkdownRenderer(config.markdown)
    ahead = _ahead_of_workers(to_read, scan.markdown, jobs)
    results, _ = map_chunks_meanwhile(
        FirstPass.chunk,
        to_read,
        FirstPass(reader, RenderTask(renderer, {}, assets), cached, frozenset(ahead)),
        jobs,
        functools.partial(reader.prefetch, ahead),
        progress=stage_progress(progress, "读取文章"),
        settle=sink,
    )
    kept = len(reused)
    for rel, result in zip(to_read, results, strict=True):
        if isinstance(result, ProvarchiveError):
            errors.append(result)
            skipped.append(display_path(site_dir / CONTENT_DIR / rel))
        elif result is None:
            reused.append(rel)  # touched, not changed
        elif isinstance(result, Article):
            done[rel] = result
        elif isinstance(result, Settled):
            done[rel], made[rel] = result.article, result.made
        else:
            sources[rel] = result

    others = set(to_read).difference(reused[kept:])  # read anew, less those only touched
    if not drafts:
        others |= facts.drafts
        if facts.drafts:
            reused = list(filterfalse(facts.drafts.__contains__, reused))
        done = {rel: a for rel, a in done.items() if not a.draft}
        sources = {rel: s for rel, s in sources.items() if not s.article.draft}
    urls = _reused_urls(facts.urls, reused, others)
    urls.update((rel, a.url) for rel, a in done.items())
    urls.update((rel, s.article.url) for rel, s in sources.items())
    relinked, failed = _read_relinked(reused, entries, urls, assets, reader)
    sources.update(relinked)
    errors += failed.values()
    rendered = map_in_workers(
        _call,
        list(sources.values()),
        RenderTask(renderer, urls, assets).render,
        jobs,
        progress=stage_progress(progress, "渲染正文"),
        settle=sink,
    )
    for result in rendered:
        if isinstance(result, Settled):
            made[result.article.id] = result.made
    fresh = {**done, **{article.id: article for article in map(_settled_article, rendered)}}
    gone = failed.keys() | fresh.keys()  # reused comes in the walk's order, nearly sorted
    ids = sorted([*filterfalse(gone.__contains__, reused), *fresh])
    return ArticleMap(ids, cached, fresh), fresh, made, errors, skipped, frozenset(to_read)


def _settled_article(result: Article | Settled) -> Article:
    return result.article if isinstance(result, Settled) else result


def _reused_urls(
    cached_urls: dict[str, str], reused: list[str], others: set[str]
) -> dict[str, str]:
    """The URLs of the articles ``reused``, as their cache entries give them: a copy of
    every entry's, less those not reused (a dictionary made anew, key by key, took 4-5
    times as long at 100,000 articles). ``others`` are ids not reused (files read anew,
    drafts left out): when those with an entry are as many as the entries less the
    reused ones, they are all of them, and no set of every id is made (0.05 s of an
    edit at 100,000 articles); else the entries of files gone are among them too."""
    urls = dict(cached_urls)
    gone: Collection[str] = [rel for rel in others if rel in urls]
    if len(gone) != len(urls) - len(reused):
        gone = cached_urls.keys() - set(reused)
    for rel in gone:
        del urls[rel]
    return urls


def _read_relinked(
    reused: list[str],
    entries: tuple[dict[str, CachedArticle], EntryFacts],
    urls: dict[str, str],
    assets: frozenset[str],
    reader: ReadTask,
) -> tuple[dict[str, SourceArticle], dict[str, ProvarchiveError]]:
    """The cached articles of ``reused`` whose relative links now resolve differently,
    read again for their bodies to be rendered; and the errors of those whose files no
    longer read (changed between the scan and now)."""
    sources: dict[str, SourceArticle] = {}
    failed: dict[str, ProvarchiveError] = {}
    cached, facts = entries
    for rel in filter(facts.linking.__contains__, reused) if facts.linking else ():
        article = cached[rel].article()
        if resolve_links(article, urls, assets) != article.links:
            result = reader.read(rel)
            if isinstance(result, ProvarchiveError):
                failed[rel] = result
            else:
                sources[rel] = result
    return sources, failed


READ_AHEAD_BYTES = 512 << 20
"""How many bytes of the files to read this process asks the disk for ahead of the
workers (see :func:`_ahead_of_workers`): all of them but in the largest archives, whose
files asked for at once would push one another out of a small machine's memory."""


def _ahead_of_workers(to_read: list[str], files: dict[str, Signature], jobs: int) -> list[str]:
    """The files of ``to_read`` this process asks the disk for while workers read
    them, in the order the workers come to them, up to :data:`READ_AHEAD_BYTES`; none
    when no worker is forked (then :meth:`FirstPass.chunk` asks for each chunk's).

    A worker that asks for each chunk's files just before reading them waits for the
    disk chunk by chunk; asked for all at once, ahead, the disk reads them while the
    workers parse: the first build of 100,000 articles after a restart spent 12.8-13.8 s
    reading them that way, 10.7-12.7 s this way, 10.2 s with every file in memory.
    """
    if not forks(len(to_read), jobs):
        return []
    ahead: list[str] = []
    budget = READ_AHEAD_BYTES
    for place in claim_order(len(to_read), jobs):
        budget -= files[to_read[place]][1]
        if budget < 0:
            break
        ahead.append(to_read[place])
    return ahead


def _unchanged(scan: ContentScan, facts: EntryFacts) -> tuple[list[str], list[str]]:
    """The ids of the cached articles whose files are certainly unchanged, and the files
    to read (see :func:`split_files`). A rescan of a walk the facts were split by
    ahead (:attr:`EntryFacts.walked`) moves only the files it looked at anew: at
    100,000 articles, splitting every file took 0.1 s of a ``serve`` edit."""
    ahead, again = facts.walked, scan.rescanned
    if ahead is None or again is None or again.markdown is not ahead.markdown:
        return split_files(scan.markdown, facts)
    looked_at = again.looked_at
    unchanged = list(filterfalse(looked_at.__contains__, ahead.unchanged))
    to_read = [*filterfalse(looked_at.__contains__, ahead.to_read)]
    to_read += sorted(path for path in looked_at if path in scan.markdown)
    return unchanged, to_read


def split_files(files: dict[str, Signature], facts: EntryFacts) -> tuple[list[str], list[str]]:
    """The ids of the cached articles whose files (``files``, a walk's) are certainly
    unchanged, and the files to read: those whose signature is not their entry's, and
    the racy ones (see :attr:`EntryFacts.racy`), each a step of :func:`trusted`."""
    same = list(map(eq, map(facts.signatures.get, files), files.values()))  # C loops
    unchanged, to_read = list(compress(files, same)), list(compress(files, map(not_, same)))
    if facts.racy and not facts.racy.isdisjoint(unchanged):
        to_read += filter(facts.racy.__contains__, unchanged)
        unchanged = list(filterfalse(facts.racy.__contains__, unchanged))
    return unchanged, to_read


@dataclass(frozen=True)
class ReadTask:
    """What a worker needs to read article files of one site (inherited by fork)."""

    site_dir: Path
    config: SiteConfig
    shown_dir: str
    """The content folder as messages show it."""

    def read(self, rel: str) -> SourceArticle | ProvarchiveError:
        """The article file ``rel`` (path under content/) read and validated, or its error."""
        try:
            return read_article_file(self.site_dir, rel, self.config, self.shown_dir)
        except ProvarchiveError as exc:
            return exc

    def prefetch(self, rels: Sequence[str]) -> None:
        """Have the files ``rels`` read from the disk together, ahead of :meth:`read`."""
        prefetch_article_files(self.site_dir, rels, self.config.max_file_size + 1)


@dataclass(frozen=True)
class RenderTask:
    """What a worker needs to render article bodies."""

    renderer: MarkdownRenderer
    urls: dict[str, str]
    """Every article's URL by id, for links between articles ({} before they are known)."""
    assets: frozenset[str]

    def render(self, source: SourceArticle) -> Article:
        """The article of ``source`` with its body rendered."""
        return render_article(source, self.renderer, self.urls, self.assets)


@dataclass(frozen=True)
class FirstPass:
    """The first pass over changed files: read, compare with the cache, render."""

    reader: ReadTask
    bodies: RenderTask
    cached: dict[str, CachedArticle]
    ahead: frozenset[str] = frozenset()
    """Files the calling process asks the disk for (see :func:`_ahead_of_workers`)."""

    def chunk(self, rels: Sequence[str]) -> list[Article | SourceArticle | ProvarchiveError | None]:
        """:meth:`__call__` on each of ``rels`` (neighbouring files, a worker's chunk),
        their files asked for from the disk together first unless they are ``ahead``."""
        if not self.ahead.issuperset(rels):
            self.reader.prefetch(rels)
        return [self(rel) for rel in rels]

    def __call__(self, rel: str) -> Article | SourceArticle | ProvarchiveError | None:
        """Read ``rel``; return None if its content is the cached one, the finished
        article if its body links to no other article, else the source for a second
        pass (which knows every article's URL)."""
        source = self.reader.read(rel)
        if isinstance(source, ProvarchiveError):
            return source
        entry = self.cached.get(rel)
        if entry is not None and entry.content_hash == source.article.content_hash:
            return None
        article = self.bodies.render(source)
        if any(url is None for _, url in article.links):  # maybe an article's: needs URLs
            return source
        return article


def _call(task: Callable[[Any], Any], item: Any) -> Any:
    """Run ``task`` on ``item`` in a worker (the tasks are typed values, forked along)."""
    return task(item)


class BodySink:
    """Stores rendered bodies in the body store where they are rendered (in each worker,
    a chunk at a time), and passes the articles on without them: bodies never travel
    to the build's process, which holds none of them."""

    def __init__(self, store: BodyStore, render_key: str):
        self.store = store
        self.render_key = render_key
        store.prepare()  # here, before the workers start: they only add rows

    def __call__(self, results: list[object]) -> list[object]:
        articles = [result for result in results if isinstance(result, Article)]
        # a body without links is the same for its key: a stored one stays
        rows = [body_row(a, self.render_key) for a in articles if not a.links]
        self.store.put(rows, keep_stored=True)
        self.store.put([body_row(a, self.render_key) for a in articles if a.links])
        return [without_body(r) if isinstance(r, Article) else r for r in results]


@dataclass
class Bodies:
    """Articles with their bodies, for the pages a build renders: kept in the body
    store (see :class:`BodySink`), or (when the store lost them) rendered again."""

    site_dir: Path
    config: SiteConfig
    articles: ArticleMap
    store: BodyStore
    render_key: str
    assets: frozenset[str]
    again: dict[str, Article] = field(default_factory=dict)
    """Articles whose bodies the store had lost, rendered again in this process."""

    def of(self, ids: Iterable[str]) -> dict[str, Article]:
        """The articles ``ids`` with the HTML of their bodies, as pages show them. Their
        plain ``text``, which only the search index reads (see :meth:`texts`), is left
        out of those the store kept."""
        ids = list(ids)
        found = {i: self.again[i] for i in ids if i in self.again}
        wanted = [i for i in ids if i not in self.again]
        keys = {i: body_key(self.articles[i].content_hash, self.render_key) for i in wanted}
        stored = self.store.html(keys.values())
        lost = []
        for article_id in wanted:
            html = stored.get(keys[article_id])
            if html is None:
                lost.append(article_id)
            else:
                found[article_id] = with_body(self.articles[article_id], html, "")
        if lost:  # the store lost them (deleted or damaged): render them again
            found.update(self.render_again(lost))
        return found

    def whole(self, ids: Iterable[str]) -> dict[str, Article]:
        """The articles ``ids`` with the HTML and the plain text of their bodies, as a
        fresh read makes them (what ``check`` reads of every article): both read from
        the store in one pass, those it lost rendered again."""
        ids = list(ids)
        hashes = self.articles.hashes()
        keys = {i: body_key(hashes[i], self.render_key) for i in ids if i not in self.again}
        stored = self.store.get(keys.values())
        found = {i: with_body(self.articles[i], *stored[k]) for i, k in keys.items() if k in stored}
        found.update(self.render_again([i for i in ids if i not in found]))
        return found

    def key(self, article_id: str) -> str:
        """The body store's key of the body of ``article_id``."""
        return body_key(self.articles[article_id].content_hash, self.render_key)

    def texts(self, keys: Iterable[str]) -> dict[str, str]:
        """``key -> text`` of the stored bodies of ``keys`` (see :meth:`key`); the lost
        ones left out (:meth:`render_again` renders them again)."""
        return self.store.text(keys)

    def forget_others(self, previous: dict[str, CachedArticle]) -> None:
        """Drop stored bodies of articles the site no longer has, and close the store.

        ``previous`` are the last build's entries under this build's render key: only
        their bodies that no article has now are looked for. Every stored key is swept
        when the store holds more bodies than the site has (left by a build that failed
        after storing them, say), or when there are no entries and this build did not
        store every body itself (then the store may hold others in place of some).
        """
        hashes = self.articles.distinct_hashes()
        stale = set(map(_CONTENT_HASH, previous.values())) - hashes
        self.store.delete(body_key(content_hash, self.render_key) for content_hash in stale)
        if self.store.count() > len(hashes) or not (previous or self.articles.all_fresh()):
            self.store.keep_only({body_key(hash_, self.render_key) for hash_ in hashes})
        self.store.close()

    def render_again(self, ids: list[str]) -> dict[str, Article]:
        """The articles ``ids`` read and rendered again, text and all (for bodies the
        store lost: deleted or damaged)."""
        missing = [article_id for article_id in ids if article_id not in self.again]
        if not missing:
            return {article_id: self.again[article_id] for article_id in ids}
        reader = ReadTask(self.site_dir, self.config, display_path(self.site_dir / CONTENT_DIR))
        urls = {article_id: article.url for article_id, article in self.articles.items()}
        bodies = RenderTask(MarkdownRenderer(self.config.markdown), urls, self.assets)
        for article_id in missing:
            source = reader.read(article_id)
            if isinstance(source, ProvarchiveError):
                raise source
            self.again[article_id] = bodies.render(source)
        return {article_id: self.again[article_id] for article_id in ids}


@dataclass(frozen=True)
class SiteContent:
    """The columns and articles of a build, read (or reused) and checked."""

    columns: dict[str, Column]
    """Columns by path."""
    articles: ArticleMap
    """Articles by id (path under content/), without bodies unless read anew."""
    fresh: dict[str, Article]
    """Articles read and rendered anew in this build (their bodies in the store)."""
    read: frozenset[str]
    """The article files read in this build (see :attr:`ContentTree.read`)."""
    errors: tuple[ProvarchiveError, ...]
    warnings: tuple[ProvarchiveError, ...]
    skipped: tuple[str, ...]
    """With keep_going: the files left out."""
    render_key: str
    """Hash of the settings bodies were rendered under."""
    bodies: Bodies
    removed: int
    """Articles the current output has that this build drops."""
    extras: Extras
    """The topics and the media (images, attachments) the articles show."""
