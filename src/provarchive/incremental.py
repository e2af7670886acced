"""What the previous build left, and what this build makes of it.

A :class:`PreviousBuild` is loaded once per build. It answers whether nothing changed
at all, whether the saved graph and plan still hold (:meth:`PreviousBuild.layout`),
decides which pages to render and which to carry over (:meth:`PreviousBuild.decide`,
a :class:`Reuse`), and remembers the new build for the next one
(:meth:`PreviousBuild.remember`). Whatever it reuses, the result is byte for byte what
a clean build writes; a hypothesis state machine checks that after random edits.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import compress, count, repeat
from operator import attrgetter, eq, not_
from pathlib import Path

from .cache import (
    BuildState,
    SavedPlan,
    cache_entries,
    graph_memo,
    load_articles,
    load_plan,
    load_state,
    memo_bytes,
    newest_other_state,
    save_articles,
    save_plan,
    save_state,
)
from .cachefiles import CacheWrites
from .digest import page_fingerprint, site_structure, structure_digest, structure_facts
from .errors import ContentError, ErrorGroup, ProvarchiveError, anchored, counted, display_path
from .fingerprints import Digests
from .graph import SiteGraph, link_graph, memo_related, newest_first
from .inputs import BuildInputs
from .media import Media
from .model import Article, Column, SiteConfig, Topic
from .output import read_token
from .pageplan import PagePlan
from .pages import PageSpec
from .parallel import forks, run_meanwhile
from .plan import plan_pages
from .reading import RACY_NS, SiteContent
from .records import ArticleMap, CachedArticle, EntryFacts, entry_facts
from .search import SearchState
from .search_docs import SearchDocs, search_docs
from .taxonomy import related_articles, related_key
from .topicplan import plan_topics
from .urls import Spell, spell_here

_CONTENT_HASH = attrgetter("content_hash")

RELATED_IN_WORKER = 2000
"""From this many articles, their related articles are found in a worker (see
:meth:`PreviousBuild._graph_and_docs`). Finding them takes about 0.02 s per 1,000
articles; the worker adds about 0.03 s (its fork, the memory pages it copies, the
result sent back: measured at 5,000 articles), so below some 1,500 it saves nothing."""


@dataclass(frozen=True)
class Layout:
    """The site graph, the page plan and the search documents of one build."""

    graph: SiteGraph
    pages: PagePlan
    docs: SearchDocs
    structure: bytes
    """The structure digest they were made for."""
    structure_site: bytes
    """The part of it that covers the config and the columns."""
    kept: bool
    """Reloaded from the previous build (nothing they are made from changed)."""


@dataclass(frozen=True)
class Reuse:
    """Which pages a build renders and which it carries over from the current output."""

    to_render: list[PageSpec]
    kept: list[str]
    """Paths of the pages whose fingerprint is the one their current file was rendered
    from."""
    fingerprints: dict[str, bytes]
    """Fingerprint of every page, by path; empty when nothing can be reused (then each
    is made where its page is rendered, see :class:`fingerprints.PageFingerprints`)."""

    @classmethod
    def of(cls, pages: PagePlan, same: list[bool], fingerprints: dict[str, bytes]) -> Reuse:
        """Render the ``pages`` whose fingerprint is not the ``same`` as their file's."""
        return cls(
            to_render=[pages[i] for i in compress(count(), map(not_, same))],
            kept=list(compress(pages.paths, same)),
            fingerprints=fingerprints,
        )

    @property
    def unfingerprinted(self) -> bool:
        """Pages are rendered and none has a fingerprint yet (every page is rendered)."""
        return not self.fingerprints and bool(self.to_render)


@dataclass(frozen=True)
class Outcome:
    """What a build wrote, for the next build to start from."""

    render_key: str
    article_count: int
    shard_tokens: tuple[str, ...]
    fingerprints: Mapping[str, bytes]
    failed: frozenset[str]
    files: dict[str, tuple[str, tuple[int, int, int]]]
    search: SearchState | None
    token: str
    index_paths: tuple[str, ...]
    salt: bytes
    warnings: tuple[ProvarchiveError, ...]
    media: dict[str, bytes]
    """The media digest of every article showing media (see :func:`media_changes`)."""
    clean: bool
    """The build had no errors (only then may the next one skip itself)."""
    spare_made: bool = False
    """A spare was made of the new output (hard links of all of it): see
    :meth:`output.StagedOutput.make_spare`."""
    spare_stale: frozenset[str] | None = None
    """When the output this build replaced was kept as the spare (see
    :meth:`PreviousBuild.keeps_spare`), the paths in which it differs from the new
    one: those this build wrote or removed; else None."""


@dataclass
class PreviousBuild:
    """The state the last build into this output folder left (empty for a clean build)."""

    cache_dir: Path
    output_dir: Path
    state: BuildState = field(default_factory=BuildState)
    same_output: bool = False
    """The output folder is the one the state describes, as that build left it."""
    published_articles: int = 0
    """Articles in the current output, as far as the cache knows (also with --no-cache)."""
    first_here: bool = False
    """The cache is in use and has no state for this output folder (see :meth:`with_articles`)."""
    borrowed: bool = False
    """The state holds only the articles another output folder's build read."""
    loaded: bool = False
    """:meth:`with_articles` made this one."""
    plan: SavedPlan | None = None
    """The graph and plan the last build kept, when :meth:`with_plan` loaded them."""
    facts: EntryFacts | None = None
    """The facts of the cached articles' entries, gathered by :meth:`with_articles`."""

    @classmethod
    def load(cls, cache_dir: Path, output_dir: Path, use_cache: bool) -> PreviousBuild:
        """Load the last build's state without its articles (see :meth:`with_articles`)."""
        state = load_state(cache_dir, output_dir)
        same_output = (
            state.output_dir == str(output_dir.resolve())
            and bool(state.output_token)
            and read_token(output_dir) == state.output_token
        )
        published = state.article_count if same_output else 0
        if not use_cache:
            return cls(cache_dir, output_dir, published_articles=published)
        first_here = not state.output_dir
        return cls(cache_dir, output_dir, state, same_output, published, first_here)

    def unchanged(self, inputs: BuildInputs) -> bool:
        """Whether the inputs are those of the last build, which had no errors, and none
        was modified too close to that build's scan to trust its signature. The newest
        modification time is compared first: an edit made since that build is newer, and
        its build then need not digest the inputs' signatures (see
        :attr:`BuildInputs.signature`) before it starts."""
        return (
            self.same_output
            and inputs.newest_ns < self.state.scanned_ns - RACY_NS
            and self.state.inputs == inputs.signature
        )

    def with_articles(self) -> PreviousBuild:
        """This state with its cached articles loaded; an empty one if the shards are gone.

        The first build into an output folder borrows the articles the last build into
        another one read (as ``-o`` previews, or a second output, are built): files
        unchanged since are not read again. Nothing else of that build is reused.
        """
        if self.loaded:
            return self
        if self.first_here:
            donor = newest_other_state(self.cache_dir, self.output_dir)
            if donor is not None:
                # no shard tokens: every shard file of this output folder is written anew
                state = BuildState(
                    render_key=donor.render_key,
                    articles=donor.articles,
                    scanned_ns=donor.scanned_ns,
                )
                facts = EntryFacts.of(state.articles, state.scanned_ns - RACY_NS)
                return replace(
                    self, state=state, first_here=False, borrowed=True, loaded=True, facts=facts
                )
        if load_articles(self.cache_dir, self.output_dir, self.state):
            facts = EntryFacts.of(self.state.articles, self.state.scanned_ns - RACY_NS)
            return replace(self, loaded=True, facts=facts)
        return PreviousBuild(
            self.cache_dir,
            self.output_dir,
            published_articles=self.published_articles,
            loaded=True,
            facts=EntryFacts.of({}, 0),
        )

    def with_plan(self) -> PreviousBuild:
        """This state with the graph and plan the last build kept, loaded ahead of
        :meth:`layout` (which uses them only if the structure is still theirs), and
        with its articles (see :meth:`with_articles`).

        The plan's search documents are saved with it, when the structure changes, so
        their file hashes may be older than the entries': they are brought up to date
        with the entries here, and :meth:`layout` then updates only the articles read
        anew (at 100,000 articles, 0.1 s an edit no longer waits for: ``serve`` does
        this while it waits for the edit, a command-line build while its walk runs).
        A plan whose documents do not all have an entry is left out."""
        if self.plan is not None or not self.state.structure:
            return self
        previous = self.with_articles()
        state = previous.state
        if not state.structure:  # the articles' shards are gone: so is the state
            return previous
        plan = load_plan(self.cache_dir, self.output_dir, state.structure)
        if plan is not None:
            try:
                docs = plan.docs.refreshed(entry_facts(state.articles, _CONTENT_HASH))
            except KeyError:
                return previous
            plan = replace(plan, docs=docs)
        return replace(previous, plan=plan)

    def refuse_emptying(
        self, content_dir: Path, articles: Mapping[str, Article], errors: list[ProvarchiveError]
    ) -> None:
        """Raise ``errors`` and one more if a build with ``articles`` (none) would replace
        a published site that has some."""
        if self.published_articles and not articles:
            published = counted(self.published_articles, "article")
            raise ErrorGroup(
                [
                    *errors,
                    ContentError(
                        f"no article to publish; the current site has {published} and this "
                        "build would replace it with an empty one (check the content folder, "
                        "or build with --allow-empty to publish an empty site)",
                        display_path(content_dir),
                    ),
                ]
            )

    def removed_articles(self, articles: ArticleMap) -> int:
        """How many articles of the current site a build of ``articles`` drops."""
        old = self.state.articles
        if old and not self.borrowed:  # those not kept: all of them, less those still here
            return len(old) - (len(articles) - articles.added_to(old))
        return max(0, self.published_articles - len(articles))

    def cached_articles(self, render_key: str) -> dict[str, CachedArticle]:
        """The cached articles that may be reused under ``render_key``."""
        return self.state.articles if self.state.render_key == render_key else {}

    def cached_facts(self, render_key: str) -> EntryFacts:
        """The facts of :meth:`cached_articles` (``render_key``)."""
        if self.facts is not None and self.state.render_key == render_key:
            return self.facts
        return EntryFacts.of(self.cached_articles(render_key), self.state.scanned_ns - RACY_NS)

    def layout(
        self,
        config: SiteConfig,
        columns: dict[str, Column],
        articles: ArticleMap,
        fresh: dict[str, Article],
        render_key: str,
        topics: dict[str, Topic],
        jobs: int = 1,
        spell: Spell = spell_here,
    ) -> Layout:
        """The graph, plan and search documents: the saved ones while the structure is
        the same, else made anew (see :meth:`_graph_and_docs` for ``jobs`` and
        ``spell``)."""
        state = self.state
        site_part = site_structure(config, columns, topics)
        if (
            state.structure
            and state.structure_site == site_part
            and len(articles) == len(state.articles)
            and not articles.added_to(state.articles)
            and all(
                structure_facts(article) == structure_facts(state.articles[i].article())
                for i, article in fresh.items()
            )
        ):
            structure = state.structure  # the same facts as last time: the same digest
        else:
            structure = structure_digest(site_part, articles.values())
        saved = None
        if state.structure == structure and state.render_key == render_key:
            saved = self.with_plan().plan
        if saved is not None:
            ordered = articles.reordered(saved.graph.order, known_same=True)  # same structure
            graph = replace(saved.graph, articles=ordered)
            docs = saved.docs.updated(fresh)
            if docs is None:
                docs = saved.docs.refreshed(articles.hashes())
            return Layout(graph, saved.pages, docs, structure, site_part, kept=True)
        graph, docs = self._graph_and_docs(config, columns, articles, render_key, jobs, spell)
        pages = PagePlan.of(plan_pages(graph, config, plan_topics(graph, config, topics)))
        return Layout(graph, pages, docs, structure, site_part, kept=False)

    def _graph_and_docs(
        self,
        config: SiteConfig,
        columns: dict[str, Column],
        articles: ArticleMap,
        render_key: str,
        jobs: int,
        spell: Spell,
    ) -> tuple[SiteGraph, SearchDocs]:
        """The graph (see :func:`graph.build_graph`) and the search documents, made anew;
        names the last graph did not spell in pinyin are spelled by ``spell``.

        Finding each article's related articles was a third of the graph stage (2.3 s
        of 7.1 at 100,000 articles), with the other core idle: where the last graph's
        memo does not hold them, and there are :data:`RELATED_IN_WORKER` articles or
        more, a worker finds them while this process links the rest of the graph and
        makes the search documents, which do not read them.
        """
        ordered = newest_first(articles.values())
        memo = graph_memo(self.state)
        key = related_key(ordered)
        related = memo_related(memo, key)

        def linked(related: dict[str, tuple[str, ...]]) -> tuple[SiteGraph, SearchDocs]:
            graph = link_graph(columns, ordered, memo, key, related, spell)
            return graph, search_docs(graph, render_key) if config.search else SearchDocs()

        if related is not None:
            return linked(related)
        if not forks(len(ordered), jobs, RELATED_IN_WORKER):
            return linked(related_articles(ordered))
        found, (graph, docs) = run_meanwhile(
            functools.partial(related_articles, ordered), functools.partial(linked, {}), jobs
        )
        return graph.with_related(found), docs

    def same_files(self, layout: Layout, files: Collection[str], index_paths: list[str]) -> bool:
        """Whether the output paths are those of the last build (no collision to look for)."""
        return (
            layout.kept
            and self.state.files.keys() == set(files)
            and self.state.index_paths == tuple(index_paths)
        )

    def decide(self, layout: Layout, touched: Collection[str], salt: bytes, media: Media) -> Reuse:
        """Which pages must be rendered: those whose fingerprint changed or that the
        current output lacks. ``touched`` are the articles read anew or whose media
        changed: with the same plan and salt, only pages showing one can have changed."""
        state, pages = self.state, layout.pages
        digests = Digests(layout.graph, media)
        fingerprints: dict[str, bytes] = {}
        if self.same_output and state.pages and layout.kept and state.salt == salt:
            # the same pages from the same salt: only pages showing a touched article can
            # have changed (an article's digest covers its file, place, links, terms, media)
            if self.holds_plan(layout):
                return self._reuse_unless_showing(pages, touched, salt, digests)
            paths = pages.paths
            fingerprints = dict(zip(paths, map(state.pages.get, paths, repeat(b"")), strict=True))
            again = pages.showing(touched)  # and the pages the last build did not write:
            again.update(compress(count(), map(not_, fingerprints.values())))
            for position in sorted(again):
                page = pages[position]
                fingerprints[page.path] = page_fingerprint(salt, page, digests)
        elif self.same_output and state.pages:
            fingerprints = {page.path: page_fingerprint(salt, page, digests) for page in pages}
        if not fingerprints:  # none known: every page is rendered
            return Reuse(to_render=list(pages), kept=[], fingerprints=fingerprints)
        # fingerprints of every page, in the plan's order
        same = list(map(eq, map(state.pages.get, fingerprints), fingerprints.values()))
        return Reuse.of(pages, same, fingerprints)

    def holds_plan(self, layout: Layout) -> bool:
        """Whether the current output holds every page of ``layout``'s plan: the build
        that made it had the same structure, so the same plan, and no page of it
        failed. Its fingerprints are then by the plan's paths, in the plan's order."""
        state = self.state
        return (
            self.same_output
            and state.structure == layout.structure
            and len(state.pages) == len(layout.pages)
        )

    def _reuse_unless_showing(
        self, pages: PagePlan, touched: Collection[str], salt: bytes, digests: Digests
    ) -> Reuse:
        """What :meth:`decide` decides when the output holds this plan's pages (see
        :meth:`holds_plan`): only pages showing a ``touched`` article are looked at,
        the rest keep their fingerprints. At 185,000 pages (100,000 articles), a
        one-article edit decided in 0.13 s by looking up every page's fingerprint
        twice, and in 0.04 s this way."""
        fingerprints = dict(self.state.pages)
        same = [True] * len(pages)
        for position in sorted(pages.showing(touched)):
            page = pages[position]
            fingerprint = page_fingerprint(salt, page, digests)
            if fingerprint != fingerprints[page.path]:
                fingerprints[page.path] = fingerprint
                same[position] = False
        return Reuse.of(pages, same, fingerprints)

    def not_held(self, paths: Iterable[str]) -> set[str]:
        """Those of ``paths`` the current output does not hold, as the last build left it."""
        state, index = self.state, set(self.state.index_paths)
        return {
            path
            for path in paths
            if path not in state.pages and path not in state.files and path not in index
        }

    def media_changes(
        self, articles: ArticleMap, media: Media
    ) -> tuple[dict[str, bytes], set[str]]:
        """See :func:`media_changes`, against what the last build kept (only articles
        that show media can have a digest)."""
        return media_changes(articles.with_media(), media, self.state.media)

    def previous_outputs(self) -> set[str]:
        """Every output path the current output holds, as the last build left it."""
        state = self.state
        return {*state.pages, *state.files, *state.index_paths} if self.same_output else set()

    def _output_count(self) -> int:
        """How many files the current output holds, as the last build left it."""
        state = self.state
        return len(state.pages) + len(state.files) + len(state.index_paths)

    def keeps_spare(self, written: Collection[str]) -> bool:
        """Whether the output a build with these ``written`` paths replaces is kept as
        the spare; else a spare is made of the new output (:meth:`StagedOutput.make_spare`).

        The replaced output is kept unless it differs from the new one in more than
        half of its files (after a template edit, say): the next build would set aside
        its old file and link the current one, two steps a file, for every one of them.
        """
        return self.same_output and 2 * len(written) <= self._output_count()

    def replaces_spare(self, rendering: int) -> bool:
        """Whether a build that renders ``rendering`` pages surely makes a new spare
        (:meth:`keeps_spare` will say no, whatever else it writes): then the staging
        folder links each file into the new spare as it is written."""
        return not self.same_output or 2 * rendering > self._output_count()

    def spare(self) -> tuple[str, frozenset[str] | None]:
        """The spare output's token and the paths in which it differs from the output."""
        if self.same_output and self.state.spare_stale is not None:
            return self.state.spare_token, self.state.spare_stale
        return "", None

    def previous_search(self) -> SearchState | None:
        """The search index's state, when the current output holds that index."""
        return self.state.search if self.same_output else None

    def save_articles(
        self,
        scanned: dict[str, tuple[int, int, int]],
        content: SiteContent,
        writes: CacheWrites,
    ) -> tuple[str, ...]:
        """Write the article shards that changed (by ``writes``); return every shard's
        token. ``scanned`` are the article files' signatures, as the walk found them."""
        read = content.fresh.keys() | content.read
        entries, changed = cache_entries(self.state.articles, scanned, content.articles, read)
        return save_articles(self.cache_dir, self.output_dir, entries, self.state, changed, writes)

    def save_layout(self, layout: Layout, writes: CacheWrites) -> None:
        """Keep a graph and plan made anew for the next build (written by ``writes``)."""
        if not layout.kept:
            graph = replace(layout.graph, articles={})
            parts = (layout.structure, graph, layout.pages, layout.docs)
            save_plan(self.cache_dir, self.output_dir, *parts, writes)

    def remember(
        self, layout: Layout, outcome: Outcome, inputs_signature: bytes, scanned_ns: int
    ) -> None:
        """Save the state of the build that just replaced the output."""
        save_state(
            self.cache_dir,
            self.output_dir,
            BuildState(
                render_key=outcome.render_key,
                article_count=outcome.article_count,
                shard_tokens=outcome.shard_tokens,
                pages=self._written_pages(outcome),
                files=outcome.files,
                search=outcome.search,
                graph=self.state.graph if layout.kept else memo_bytes(layout.graph.memo),
                output_dir=str(self.output_dir.resolve()),
                output_token=outcome.token,
                inputs=inputs_signature if outcome.clean else None,
                scanned_ns=scanned_ns,
                index_paths=outcome.index_paths,
                spare_token=self._spare_token(outcome),
                spare_stale=self._spare_stale(outcome),
                structure=layout.structure,
                structure_site=layout.structure_site,
                salt=outcome.salt,
                warnings=tuple(map(anchored, outcome.warnings)),
                media=outcome.media,
            ),
        )

    @staticmethod
    def _written_pages(outcome: Outcome) -> Mapping[str, bytes]:
        """The fingerprints of the pages the output holds (a failed page is not there;
        most builds fail none, and the 37,000 fingerprints are then kept as they are)."""
        if not outcome.failed:
            return outcome.fingerprints
        return {p: f for p, f in outcome.fingerprints.items() if p not in outcome.failed}

    def _spare_token(self, outcome: Outcome) -> str:
        """The token of the spare this build leaves: a copy of its own output, or the
        replaced output; "" for none."""
        if outcome.spare_made:
            return outcome.token
        return self.state.output_token if outcome.spare_stale is not None else ""

    def _spare_stale(self, outcome: Outcome) -> frozenset[str] | None:
        """The paths in which the spare this build leaves differs from its output."""
        if outcome.spare_made:
            return frozenset()
        return outcome.spare_stale


def media_changes(
    articles: Mapping[str, Article], media: Media, previous: dict[str, bytes]
) -> tuple[dict[str, bytes], set[str]]:
    """The media digest of each article showing media, and the articles whose digest is
    not the one the last build kept (their pages must be fingerprinted again)."""
    digests = {}
    if media.images or media.attachments:
        digests = {i: d for i, a in articles.items() if (d := media.digest(a))}
    changed = {i for i in digests.keys() | previous.keys() if digests.get(i) != previous.get(i)}
    return digests, changed
