"""``provarchive check``: content QA of a whole site in one report.

The site is read with the build's own code (drafts included), so every mistake a
build refuses is an error here too. On top of that come warnings a build does not
give: articles without 来源, duplicate titles on one day, links and images that lead
nowhere, links to drafts, empty summaries and leftover placeholders. Aliases that
collide with each other or with a page are errors, as the build refuses them.
"""

from __future__ import annotations

import contextlib
import html
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .ahead import Ahead
from .bodystore import BODIES_FILE, BodyStore
from .cache import BuildState, graph_memo, newest_other_state
from .cachefiles import CACHE_DIR
from .checkbodies import BodyFacts, rendered_facts, settle_facts, stored_facts
from .config import load_config
from .content import CONTENT_DIR, PLACEHOLDER
from .errors import (
    ContentError,
    ContentWarning,
    ErrorGroup,
    ProvarchiveError,
    counted,
    display_path,
    site_file,
    sort_errors,
)
from .graph import GraphMemo, link_graph, newest_first
from .model import Article, SiteConfig
from .pages import PageKind, PageSpec
from .parallel import collector_paused, default_jobs, map_in_chunks
from .plan import check_collisions, plan_pages, shown_origin
from .reading import Bodies, ContentTree, read_content, render_key
from .records import ArticleMap
from .urls import alias_path, file_path
from .walk import scan_content

_PAGE_SUFFIXES = (".html", ".htm", ".shtml")
Line = Callable[[], int]
"""The line of a problem, found when asked for (the file is read only then)."""


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found: every problem, sorted by path and line."""

    problems: tuple[ProvarchiveError, ...]
    """Errors and warnings (:class:`ContentWarning`), sorted by path, line and message."""
    articles: int
    """Article files looked at, those that could not be read included."""

    @property
    def errors(self) -> list[ProvarchiveError]:
        """The problems a build refuses."""
        return [p for p in self.problems if not isinstance(p, ContentWarning)]

    @property
    def warnings(self) -> list[ProvarchiveError]:
        """The problems a build goes on with."""
        return [p for p in self.problems if isinstance(p, ContentWarning)]

    def summary(self) -> str:
        """Return the last line of the report: ``N errors, M warnings in K articles``."""
        return (
            f"{counted(len(self.errors), 'error')}, {counted(len(self.warnings), 'warning')} "
            f"in {counted(self.articles, 'article')}"
        )

    def exit_status(self, strict: bool = False) -> int:
        """Return 1 when there are errors (or, with ``strict``, warnings), else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0


def check_site(site_dir: Path) -> CheckReport:
    """Return every problem of the site in ``site_dir``; never raises for bad content.

    The cycle collector is paused meanwhile, as for a build (see
    :func:`parallel.collector_paused`): at 100,000 articles its full collections took
    1.4 s of the graph and the page plan alone."""
    try:
        config = load_config(site_dir)
    except ProvarchiveError as exc:
        return CheckReport(tuple(sort_errors(flatten(exc))), 0)
    with collector_paused(), _read_site(site_dir, config) as (tree, bodies, memo):
        problems: list[ProvarchiveError] = [*flatten(*tree.errors), *tree.warnings]
        problems += _SiteCheck(site_dir, config, tree, bodies, memo).run()
    return CheckReport(tuple(sort_errors(problems)), len(tree.articles) + len(tree.skipped))


RENDERED_AT_ONCE = 1000
"""Articles whose bodies the store lost that ``check`` reads and renders again at once
(see :meth:`_SiteCheck.stored_facts`)."""


@contextlib.contextmanager
def _read_site(
    site_dir: Path, config: SiteConfig
) -> Iterator[tuple[ContentTree, Bodies | None, GraphMemo | None]]:
    """Every column and article of the site, drafts included, as a build reads them,
    without their bodies; where the bodies of those read from the cache are kept, and
    what the newest build's graph kept, its names spelled in pinyin among it (None:
    none is).

    The articles read anew come with the facts of their bodies (in ``made``), made
    where they were rendered (see :func:`checkbodies.settle_facts`). The articles the
    site's newest build read, whose files have not changed since, are taken from the
    build cache, as the next build would take them, instead of being read and rendered
    again; their bodies stay in the cache's body store, which is only read, until they
    are checked.
    """
    key = render_key(config)
    with Ahead(partial(scan_content, site_dir), default_jobs()) as walk:
        state = _newest_build(site_dir / CACHE_DIR, key)
        scan = walk.result()
    if state is None:
        yield (
            read_content(
                site_dir, config, scan, drafts=True, jobs=default_jobs(), sink=settle_facts
            ),
            None,
            None,
        )
        return
    read = read_content(
        site_dir,
        config,
        scan,
        drafts=True,
        jobs=default_jobs(),
        cached=state.articles,
        scanned_ns=state.scanned_ns,
        sink=settle_facts,
    )
    memo = graph_memo(state)
    del state  # the cache's entries, let go once their records are decoded: 170 MiB
    tree = replace(read, articles=ArticleMap(read.articles, {}, dict(read.articles)))
    del read
    store = BodyStore(site_dir / CACHE_DIR)
    try:
        yield (
            tree,
            Bodies(site_dir, config, tree.articles, store, key, frozenset(tree.assets)),
            memo,
        )
    finally:
        store.close()


def _newest_build(cache_dir: Path, key: str) -> BuildState | None:
    """The state, with its articles, of the newest build whose cache is in
    ``cache_dir``, if their bodies were rendered under ``key``; else None. The cache
    is only read."""
    if not (cache_dir / BODIES_FILE).is_file():  # no build made one (none is made here)
        return None
    state = newest_other_state(cache_dir, None)
    return state if state is not None and state.render_key == key else None


def flatten(*errors: ProvarchiveError) -> list[ProvarchiveError]:
    """Return ``errors`` with every :class:`ErrorGroup` replaced by its members."""
    flat: list[ProvarchiveError] = []
    for error in errors:
        flat.extend(flatten(*error.errors) if isinstance(error, ErrorGroup) else [error])
    return flat


class _SiteCheck:
    """The checks that need the whole site: outputs, aliases, titles, links."""

    def __init__(
        self,
        site_dir: Path,
        config: SiteConfig,
        tree: ContentTree,
        bodies: Bodies | None,
        memo: GraphMemo | None,
    ):
        self.site_dir = site_dir
        self.config = config
        self.tree = tree
        self.bodies = bodies
        self.articles = dict(tree.articles)  # looked through four times: a dict's C loops
        # no related articles: they change no page's address, and finding them took a
        # third of the graph's time; names the newest build spelled in pinyin are taken
        # from its memo, as a build takes them (pypinyin is imported for new ones only)
        graph = link_graph(tree.columns, newest_first(self.articles.values()), memo, b"", {})
        self.pages = plan_pages(graph, config)
        self.outputs = {page.path for page in self.pages} | set(tree.assets)
        self.base_path = urlsplit(config.base_url).path
        self.problems: list[ProvarchiveError] = []

    def run(self) -> list[ProvarchiveError]:
        """Every problem: the site-wide ones, then each article's."""
        self.check_outputs()
        self.check_titles()
        facts = {**self.tree.made, **self.stored_facts()}  # read anew, and from the cache
        content_dir = os.path.join(self.site_dir, CONTENT_DIR)
        for article in self.articles.values():
            fact = facts[article.id]
            if isinstance(fact, ProvarchiveError):  # it changed or went since the scan
                self.problems.append(fact)
                continue
            # read again only for the line of a problem: most articles have none
            self.check_article(article, fact, _Once(_file_lines, content_dir, article.id))
        return self.problems

    def stored_facts(self) -> dict[str, BodyFacts | ProvarchiveError]:
        """The facts of the bodies of the articles taken from the cache, by id, read from
        the body store in workers, and in this process alongside, a chunk at a time; those
        the store lost are read and rendered again here.

        Both read the bodies' keys and the store only, never the records: reading an
        object writes its reference count, which copies the memory page holding it, so
        each record read in one process while the other runs would be held twice (done
        beside the site-wide checks, which read every record, this took the tree's
        peak PSS at 100,000 articles from 560 to 840 MiB)."""
        if self.bodies is None:
            return {}
        bodies = self.bodies
        stored = [article_id for article_id in self.articles if article_id not in self.tree.fresh]
        keys = list(map(bodies.key, stored))
        found = map_in_chunks(stored_facts, keys, bodies.store, default_jobs())
        facts = dict(zip(stored, found, strict=True))
        lost = [article_id for article_id, fact in facts.items() if fact is None]
        for start in range(0, len(lost), RENDERED_AT_ONCE):
            facts.update(rendered_facts(bodies, lost[start : start + RENDERED_AT_ONCE]))
        return facts

    def shown(self, article: Article) -> str:
        """The file of ``article`` as messages show it."""
        return site_file(self.site_dir, article.source_path)

    def warn(self, article: Article, line: int, message: str) -> None:
        self.problems.append(ContentWarning(message, self.shown(article), line))

    def check_outputs(self) -> None:
        """Errors for output files two sources would write, aliases with their lines."""
        pages = [page for page in self.pages if page.kind is not PageKind.REDIRECT]
        assets = [
            (path, display_path(self.site_dir / CONTENT_DIR / path)) for path in self.tree.assets
        ]
        try:
            check_collisions(pages, assets, self.site_dir)
        except ProvarchiveError as exc:
            self.problems += flatten(exc)
        # described only when an alias meets one: 155,000 descriptions took 5.8 s of a
        # check at 100,000 articles
        owners: dict[str, PageSpec | str] = {page.path.casefold(): page for page in pages}
        owners.update((path.casefold(), f"the file {shown}") for path, shown in assets)
        uses: dict[str, list[tuple[Article, str]]] = defaultdict(list)
        for article in self.articles.values():
            for alias in article.aliases:
                uses[alias_path(alias).casefold()].append((article, alias))
        for key, group in uses.items():
            for article, alias in group:
                # read only for a problem's line: most aliases have none
                line = _Once(_alias_line, self.site_dir / CONTENT_DIR / article.id, alias)
                for other, other_alias in group:
                    if (other, other_alias) == (article, alias):
                        continue
                    whose = "this article" if other.id == article.id else self.shown(other)
                    self.problems.append(
                        ContentError(
                            f"alias '{alias}' and alias '{other_alias}' of {whose} "
                            "are one address: an old address can lead to one article only; "
                            "remove one of them",
                            self.shown(article),
                            line(),
                        )
                    )
                if key in owners:
                    found = owners[key]
                    owner = found if isinstance(found, str) else _describe(found, self.site_dir)
                    if owner == f"the page of {self.shown(article)}":
                        owner = "this article's own page"
                    self.problems.append(
                        ContentError(
                            f"alias '{alias}' is the address of {owner}; remove the alias",
                            self.shown(article),
                            line(),
                        )
                    )

    def check_titles(self) -> None:
        """Warnings for articles with the same title on the same day."""
        same: dict[tuple[str, object], list[Article]] = defaultdict(list)
        for article in self.articles.values():
            same[(article.title, article.date.date())].append(article)
        for group in same.values():
            for article in group:
                others = ", ".join(self.shown(a) for a in group if a is not article)
                if not others:
                    continue
                line = _key_line(_lines(self.site_dir / CONTENT_DIR / article.id), "title")
                self.warn(
                    article,
                    line,
                    f"{others} has the same title on the same day "
                    f"({article.date.date().isoformat()}); if it is the same article, "
                    "remove one of them, else make the titles differ",
                )

    def check_article(
        self, article: Article, facts: BodyFacts, lines: Callable[[], list[str]]
    ) -> None:
        """Warnings for one article's source, summary, placeholder, links and images
        (``facts``: what its body holds; ``lines()``: its file's lines)."""
        if not article.source:
            self.warn(
                article,
                1,
                "no 来源: add a line such as 'source: 岚山日报' to the front "
                "matter, naming the publication or body the article comes from",
            )
        if not article.summary or (not article.summary_given and facts.only_alt_text):
            what = "empty" if not article.summary else "only the images' descriptions"
            self.warn(
                article,
                article.body_line,
                f"the summary is {what} (the body has no paragraph text, only images, "
                "headings or tables); add a paragraph, or a line 'summary: ...' to the "
                "front matter",
            )
        if facts.placeholder:
            self.warn(
                article,
                _find_lines(lines(), article.body_line, PLACEHOLDER)[0],
                f"the body still holds the placeholder '{PLACEHOLDER}' written by "
                "provarchive new; replace it with the article text",
            )
        images = {target for image, target in facts.targets if image}
        seen: dict[str, int] = defaultdict(int)
        for target, resolved in article.links:
            line = partial(_nth_line, lines, article.body_line, target, seen[target])
            seen[target] += 1
            self.check_relative(article, line, target, resolved, target in images)
        for image, target in facts.targets:
            path = self.site_path(target)
            if path is not None:
                line = partial(_nth_line, lines, article.body_line, target, 0)
                self.check_absolute(article, line, target, path, image)

    def site_path(self, target: str) -> str | None:
        """The site path an absolute link into the site leads to (None: not such a link)."""
        if target.startswith(self.config.base_url):
            path = target[len(self.config.base_url) :]
        elif target.startswith("/") and not target.startswith("//"):
            path = target[len(self.base_path) :] if target.startswith(self.base_path) else target
        else:
            return None
        path = unquote(re.split(r"[?#]", path, maxsplit=1)[0]).lstrip("/")
        return file_path(path)

    def check_relative(
        self, article: Article, line: Line, target: str, resolved: str | None, image: bool
    ) -> None:
        """Warn about a link written relative to the Markdown file (on ``line()``)."""
        path = unquote(re.split(r"[?#]", target, maxsplit=1)[0])
        shown = unquote(target)
        source_dir = article.id.rpartition("/")[0]
        content_path = posixpath.normpath(posixpath.join(source_dir, path))
        if resolved is not None:
            other = self.articles.get(content_path)
            if other is not None and other.draft and not article.draft:
                self.warn(
                    article,
                    line(),
                    f"link '{shown}' leads to {self.shown(other)}, which is a draft "
                    "(draft: true): the link is broken on the published site until "
                    "that article is published",
                )
            return
        if not path:
            return
        page_dir = article.url.rpartition("/")[0]
        site = posixpath.normpath(posixpath.join(page_dir, path))
        if file_path(site + "/" if path.endswith("/") else site) in self.outputs:
            return  # written as the address of a page or file of the site: it works
        missing = os.path.normpath(self.site_dir / CONTENT_DIR / content_path)
        missing = display_path(Path(missing))
        if image:
            message = (
                f"image '{shown}' not found: there is no {missing}; put the image there, "
                "or correct the path"
            )
        elif path.endswith(".md"):
            message = (
                f"link '{shown}' leads to no article: there is no {missing}; correct "
                "the path, or remove the link"
            )
        else:
            message = (
                f"link '{shown}' leads to no page or file of the site; link to the "
                "article's Markdown file instead (such as ../yywl/t20240508_001.md), "
                "or correct the address"
            )
        self.warn(article, line(), message)

    def check_absolute(
        self, article: Article, line: Line, target: str, path: str, image: bool
    ) -> None:
        """Warn about a link or image written as an address on the site (``/a/b.html``),
        on ``line()``."""
        exists = path in self.outputs
        source_dir = article.id.rpartition("/")[0]
        if image:
            name = posixpath.basename(path) or "image.jpg"
            beside = display_path(self.site_dir / CONTENT_DIR / source_dir / name)
            if not exists:
                self.warn(
                    article,
                    line(),
                    f"image '{target}' is not in the site: imported images must be "
                    f"copied into content/ beside the article (as {beside}) and the "
                    f"link made relative (![图]({name}))",
                )
            elif not target.startswith(self.config.base_url):
                relative = posixpath.relpath(path, source_dir or ".")
                self.warn(
                    article,
                    line(),
                    f"image '{target}' is written from the site root, which breaks when "
                    f"the site is opened from disk or a subfolder; write it relative to "
                    f"the Markdown file: ![图]({relative})",
                )
        elif not exists and (path.endswith(_PAGE_SUFFIXES) or path.endswith("index.html")):
            self.warn(
                article,
                line(),
                f"link '{target}' is an address on this site that leads to no page; "
                "link to the article's Markdown file instead (such as "
                "../yywl/t20240508_001.md), or correct the address",
            )
        elif not exists:
            self.warn(
                article,
                line(),
                f"link '{target}' leads to no file of the site: copy the file into "
                "content/ beside the article and make the link relative",
            )


def _describe(page: PageSpec, site_dir: Path) -> str:
    origin = shown_origin(page.origin, site_dir)
    if page.kind is PageKind.ARTICLE:
        return f"the page of {origin}"
    return f"the site's own page '{page.path}' ({origin})"


class _Once:
    """``function(*args)``, called when first asked for, then kept: the lines of a file,
    read only for the line of a problem (``functools.cache`` around a ``partial`` made
    the same in 4.6 us, against 0.3 us: 0.56 s for the 100,000 articles and 30,089
    aliases of the bench's largest archive)."""

    __slots__ = ("_args", "_function", "_value")

    def __init__(self, function: Callable[..., Any], *args: Any):
        self._function = function
        self._args = args
        self._value: Any = _NOT_YET

    def __call__(self) -> Any:
        if self._value is _NOT_YET:
            self._value = self._function(*self._args)
        return self._value


_NOT_YET = object()


def _file_lines(content_dir: str, article_id: str) -> list[str]:
    """The lines of the article file ``article_id`` under ``content_dir`` (its path made
    only when a problem needs a line: 100,000 paths took 0.3 s)."""
    return _lines(Path(content_dir, article_id))


def _lines(path: Path) -> list[str]:
    """The lines of a text file (empty when it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _nth_line(lines: Callable[[], list[str]], start: int, target: str, nth: int) -> int:
    """The line of the ``nth`` use of ``target`` in the body from line ``start`` (the
    last one found, if there are fewer)."""
    found = _find_lines(lines(), start, target)
    return found[min(nth, len(found) - 1)]


def _find_lines(lines: list[str], start: int, target: str) -> list[int]:
    """1-based lines from ``start`` on that hold ``target`` (as written or percent-decoded).

    Never empty: ``[start]`` when the target is not found.
    """
    forms = {target, unquote(target), html.escape(target, quote=False)}
    found = [
        number
        for number, text in enumerate(lines[start - 1 :], start)
        if any(form in text for form in forms)
    ]
    return found or [start]


def _key_line(lines: list[str], key: str) -> int:
    """The line of ``key:`` in the front matter, else 1."""
    for number, text in enumerate(lines[1:], 2):
        if text.rstrip() in ("---", "..."):
            break
        if re.match(rf"{re.escape(key)}\s*:", text):
            return number
    return 1


def _alias_line(path: Path, alias: str) -> int:
    """The line of the front matter that holds ``alias``, else that of ``aliases:``."""
    lines = _lines(path)
    for number, text in enumerate(lines[1:], 2):
        if text.rstrip() in ("---", "..."):
            break
        if alias in text and not text.lstrip().startswith(("original_url", "#")):
            return number
    return _key_line(lines, "aliases")
