"""The build: the only module that chains the stages, from site folder to output folder.

A build is incremental: article files whose signature did not change are not read
again, bodies whose inputs did not change are not rendered again, and pages whose
fingerprint (see :mod:`provarchive.digest`) did not change are carried over from
the current output as hard links. Whatever it reuses, the result is byte for byte
what a clean build (``--no-cache``) writes. Slow steps run in worker processes.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .articles import render_article
from .cache import (
    BodyStore,
    BuildState,
    body_key,
    load_articles,
    load_plan,
    load_state,
    save_articles,
    save_plan,
    save_state,
)
from .config import CONFIG_FILE, load_config
from .content import CONTENT_DIR, ContentScan, read_columns, scan_content
from .content import signature as file_signature
from .digest import (
    page_fingerprint,
    site_salt,
    site_structure,
    structure_digest,
    structure_facts,
)
from .errors import ErrorGroup, ProvarchiveError, TemplateError, display_path
from .extras import read_extras
from .graph import GraphMemo, SiteGraph, build_graph
from .incremental import Digests, body_row, cache_entries, media_changes, write_files
from .markup import MarkdownRenderer
from .model import Article, SiteConfig
from .output import StagedOutput, build_lock, check_output_dir, read_token
from .parallel import Progress, default_jobs, map_in_workers_meanwhile, stage_progress
from .plan import STATIC_DIR, PageSpec, check_collisions, plan_pages
from .reading import RACY_NS, read_articles, read_source
from .render import PageRenderer, make_environment, template_dirs, visible_columns
from .search import (
    SearchDoc,
    SearchState,
    build_search_index,
    document_text,
    index_files,
    refresh_docs,
    search_docs,
)
from .topicplan import plan_topics
from .topics import TopicScan, scan_topics

CACHE_DIR = ".provarchive-cache"
"""The site's own cache folder: build lock, state of the last build, rendered bodies."""


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of one build."""

    site_dir: Path
    """The folder holding ``site.yaml``."""
    output_dir: Path | None = None
    """Where to write; None for the config's ``output`` inside the site folder."""
    drafts: bool = False
    """Build articles marked ``draft: true`` too."""
    force: bool = False
    """Replace an output folder that provarchive did not write."""
    keep_going: bool = False
    """Build everything that has no error, then report the errors (and exit 1)."""
    jobs: int | None = None
    """Worker processes; None for the number of CPUs."""
    use_cache: bool = True
    """Reuse the previous build's work; False for a clean build."""
    progress: Progress | None = None
    """Told how far the build is (for a progress bar)."""
    on_commit: Callable[[], None] | None = None
    """Called as soon as the new output is in place (before the cache is saved)."""


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    output_dir: Path
    """The folder now holding the site."""
    articles: int
    """Articles built."""
    pages: int
    """Pages in the site (HTML pages, feeds, redirects...)."""
    written: int
    """Pages rendered in this build."""
    unchanged: int
    """Pages carried over from the previous output unchanged."""
    files: int
    """Other files (theme assets, images, the search index)."""
    seconds: float
    """Wall time of the build."""
    warnings: tuple[ProvarchiveError, ...] = ()
    """Problems that did not stop the build."""
    errors: tuple[ProvarchiveError, ...] = ()
    """With ``keep_going``: the errors whose files or pages were left out."""
    skipped: tuple[str, ...] = ()
    """With ``keep_going``: the content files and pages left out."""
    nothing_changed: bool = False
    """No input changed since the last build, so nothing was done."""
    timings: tuple[tuple[str, float], ...] = ()
    """Seconds spent in each stage, in order."""


@dataclass(frozen=True)
class _Inputs:
    """Everything a build reads, found cheaply (signatures, no contents)."""

    config: SiteConfig
    scan: ContentScan
    topics: TopicScan
    template_dirs: list[Path]
    templates: dict[str, tuple[Path, tuple[int, int, int]]]
    signature: bytes
    newest_ns: int
    scanned_ns: int


def build_site(options: BuildOptions) -> BuildReport:
    """Build the site in ``options.site_dir``; raise :class:`ErrorGroup` listing every mistake.

    On any error the previous output folder is left exactly as it was (unless
    ``keep_going``, which writes what could be built and reports the rest).
    """
    with _cycle_collector_paused():
        return _build_site(options)


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector in this process while a build runs.

    A build allocates millions of long-lived objects that form no garbage cycles,
    and every full collection walks them all: at 20,000 articles that was a sixth of
    a rebuild. Work that makes garbage cycles (rendering pages) runs with the
    collector on (see :mod:`provarchive.parallel`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_site(options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    site_dir = options.site_dir
    config = load_config(site_dir)
    output_dir = options.output_dir or site_dir / config.output
    check_output_dir(site_dir, output_dir, force=options.force)
    cache_dir = site_dir / CACHE_DIR
    with build_lock(cache_dir):
        state = load_state(cache_dir, output_dir) if options.use_cache else BuildState()
        inputs = _scan_inputs(site_dir, config, output_dir, options)
        same_output = (
            state.output_dir == str(output_dir.resolve())
            and bool(state.output_token)
            and read_token(output_dir) == state.output_token
        )
        if (
            same_output
            and state.inputs == inputs.signature
            and inputs.newest_ns < state.scanned_ns - RACY_NS
        ):
            return BuildReport(
                output_dir=output_dir,
                articles=state.article_count,
                pages=len(state.pages),
                written=0,
                unchanged=len(state.pages),
                files=len(state.files),
                seconds=time.perf_counter() - started,
                nothing_changed=True,
            )
        if not load_articles(cache_dir, output_dir, state):
            state, same_output = BuildState(), False
        return _build(options, inputs, state, cache_dir, output_dir, same_output, started)


def _scan_inputs(
    site_dir: Path, config: SiteConfig, output_dir: Path, options: BuildOptions
) -> _Inputs:
    scanned_ns = time.time_ns()
    scan = scan_content(site_dir)
    topics = scan_topics(site_dir)
    dirs = template_dirs(site_dir)
    templates: dict[str, tuple[Path, tuple[int, int, int]]] = {}
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in templates and "__pycache__" not in name:
                templates[name] = (path, file_signature(path.stat()))
    hasher = hashlib.blake2b(digest_size=16)
    config_stat = (site_dir / CONFIG_FILE).stat()
    for part in (
        __version__,
        options.drafts,
        str(output_dir.resolve()),
        file_signature(config_stat),
        sorted(scan.markdown.items()),
        sorted(scan.assets.items()),
        sorted(scan.column_files.items()),
        sorted(topics.files.items()),
        [(name, sig) for name, (_, sig) in templates.items()],
    ):
        hasher.update(repr(part).encode("utf-8"))
    mtimes = [
        sig[0]
        for sig in (*scan.markdown.values(), *scan.assets.values(), *scan.column_files.values())
    ]
    mtimes += [sig[0] for sig in topics.files.values()]
    mtimes += [sig[0] for _, sig in templates.values()] + [config_stat.st_mtime_ns]
    return _Inputs(config, scan, topics, dirs, templates, hasher.digest(), max(mtimes), scanned_ns)


def _build(
    options: BuildOptions,
    inputs: _Inputs,
    state: BuildState,
    cache_dir: Path,
    output_dir: Path,
    same_output: bool,
    started: float,
) -> BuildReport:
    site_dir, config = options.site_dir, inputs.config
    jobs = options.jobs or default_jobs()
    clock = _Clock(started)
    bodies = BodyStore(cache_dir)
    render_key = _render_key(config)
    columns, errors, warnings = read_columns(site_dir, inputs.scan.folders)
    errors = [*inputs.scan.errors, *errors]
    cached = state.articles if state.render_key == render_key else {}
    articles, fresh, article_errors, skipped = read_articles(
        site_dir,
        config,
        inputs.scan,
        cached,
        state.scanned_ns,
        jobs,
        options.drafts,
        options.progress,
    )
    extras, extra_errors = read_extras(
        site_dir, inputs.topics, articles, inputs.scan.assets, cache_dir, jobs, options.progress
    )
    topics, media = extras.topics, extras.media
    errors += article_errors + extra_errors
    if errors and not options.keep_going:
        raise ErrorGroup(errors)

    clock.lap("read articles, measure images")
    site_part = site_structure(config, columns, topics)
    if (
        state.structure
        and state.structure_site == site_part
        and articles.keys() == state.articles.keys()
        and all(
            structure_facts(article) == structure_facts(state.articles[i].article)
            for i, article in fresh.items()
        )
    ):
        structure = state.structure  # the same facts as last time: the same digest
    else:
        structure = structure_digest(site_part, articles.values())
    saved = (
        load_plan(cache_dir, output_dir, structure)
        if state.structure == structure and state.render_key == render_key
        else None
    )
    if saved is not None and isinstance(saved[0], SiteGraph):
        # nothing the graph and the plan are made from changed: both still hold
        graph = replace(saved[0], articles={i: articles[i] for i in saved[0].order})
        pages: list[PageSpec] = [PageSpec.from_key(key) for key in saved[1]]
        docs: list[SearchDoc] = refresh_docs(saved[2], articles, render_key)
        plan_kept = True
    else:
        graph = build_graph(
            columns, articles.values(), state.graph if isinstance(state.graph, GraphMemo) else None
        )
        pages = plan_pages(graph, config, plan_topics(graph, config, topics))
        docs = search_docs(graph, render_key) if config.search else []
        plan_kept = False
    clock.lap("site graph and page plan")
    files = [(path, site_dir / CONTENT_DIR / path) for path in inputs.scan.assets]
    files += extras.files
    files += [
        (name, source)
        for name, (source, _) in inputs.templates.items()
        if name.startswith(f"{STATIC_DIR}/")
    ]
    index_paths = index_files(len(docs)) if config.search else []
    if not (
        plan_kept
        and state.files.keys() == {path for path, _ in files}
        and state.index_paths == tuple(index_paths)
    ):
        check_collisions(
            pages,
            [(path, display_path(source)) for path, source in files]
            + [(path, "the search index") for path in index_paths],
        )

    salt = site_salt(
        __version__,
        render_key,
        config,
        [
            (name, _file_hash(path))
            for name, (path, _) in inputs.templates.items()
            if not name.startswith(f"{STATIC_DIR}/")
        ],
        visible_columns(graph.columns),
        graph.top_columns,
        extras.salt(),
    )
    digests = Digests(graph, media)
    media_digests, media_changed = media_changes(articles, media, state.media)
    shard_tokens: list[str] = []
    fingerprints: dict[str, bytes] = {}
    if same_output and state.pages and plan_kept and state.salt == salt:
        # the same pages from the same salt: only pages showing an article read anew, or
        # media changed, can have changed (an article's digest covers its file, place,
        # links, terms and media)
        touched = fresh.keys() | media_changed
        for page in pages:
            found = state.pages.get(page.path)
            if found is None or page.shows_any(touched):
                found = page_fingerprint(salt, page, digests)
            fingerprints[page.path] = found
    elif same_output and state.pages:
        fingerprints.update((page.path, page_fingerprint(salt, page, digests)) for page in pages)
    # else nothing can be reused: side_work fingerprints the pages while workers render them
    reuse = {
        path
        for path, fingerprint in fingerprints.items()
        if same_output and state.pages.get(path) == fingerprint
    }
    to_render = [page for page in pages if page.path not in reuse]

    def with_bodies(ids: Iterable[str]) -> dict[str, Article]:
        """The articles ``ids`` with their bodies: rendered now, stored, or rendered again."""
        found = {i: fresh[i] for i in ids if i in fresh}
        wanted = [i for i in ids if i not in fresh]
        stored = bodies.get(body_key(articles[i].content_hash, render_key) for i in wanted)
        lost = []
        for article_id in wanted:
            body = stored.get(body_key(articles[article_id].content_hash, render_key))
            if body is None:
                lost.append(article_id)
            else:
                found[article_id] = replace(articles[article_id], body_html=body[0], text=body[1])
        if lost:  # the store lost them (deleted or damaged): render them again
            context = (site_dir, config, display_path(site_dir / CONTENT_DIR))
            renderer = MarkdownRenderer(config.markdown)
            urls = {article_id: article.url for article_id, article in articles.items()}
            assets = frozenset(inputs.scan.assets)
            for article_id in lost:
                source = read_source(context, article_id)
                if isinstance(source, ProvarchiveError):
                    raise source
                found[article_id] = render_article(source, renderer, urls, assets)
                fresh[article_id] = found[article_id]
        return found

    hydrated = with_bodies(_body_ids(to_render))
    graph = replace(graph, articles={**graph.articles, **hydrated}) if hydrated else graph
    page_renderer = PageRenderer(
        make_environment(inputs.template_dirs, cache_dir / "templates"),
        graph,
        config,
        media,
        topics,
    )

    def text_of(ids: list[str]) -> dict[str, str]:
        return {i: document_text(article) for i, article in with_bodies(ids).items()}

    new_outputs = {page.path for page in pages}
    new_outputs.update(path for path, _ in files)
    new_outputs.update(index_paths)
    previous_outputs = {*state.pages, *state.files, *state.index_paths} if same_output else set()
    spare_usable = same_output and state.spare_stale is not None
    staged = StagedOutput(output_dir, state.spare_token if spare_usable else "")
    stale = state.spare_stale if staged.from_spare and state.spare_stale is not None else None
    try:
        # what this build no longer makes; from the spare, also what the output before
        # it had (the spare is that output)
        removed = previous_outputs - new_outputs
        for path in sorted(removed | (stale - new_outputs) if stale is not None else ()):
            staged.remove(path)

        def carried(path: str) -> bool:
            """Make the staged file ``path`` the current output's; False if that is gone."""
            return (stale is not None and path not in stale) or staged.keep(path)

        kept_pages = [page for page in pages if page.path in reuse]
        clock.lap("fingerprints")

        def side_work() -> tuple[
            list[PageSpec], dict, set[str], SearchState | None, dict[str, bytes | None]
        ]:
            """What this process does while the workers render pages, ending with the
            cache files that do not wait for the pages (the state names them later)."""
            if not fingerprints:
                fingerprints.update(
                    (page.path, page_fingerprint(salt, page, digests)) for page in pages
                )
            # a body without links is the same for its key: a stored one stays
            bodies.put(
                [body_row(a, render_key) for a in fresh.values() if not a.links], keep_stored=True
            )
            bodies.put([body_row(a, render_key) for a in fresh.values() if a.links])
            missing = [page for page in kept_pages if not carried(page.path)]
            kept_files, copied = write_files(staged, files, state, same_output, carried)
            index: dict[str, bytes | None] = {}
            search_state = None
            if config.search:
                previous = (
                    state.search if isinstance(state.search, SearchState) and same_output else None
                )
                index, search_state = build_search_index(
                    docs,
                    text_of,
                    previous=previous,
                    read_previous=lambda path: _read_old(output_dir, path),
                )
                if any(data is None and not carried(path) for path, data in index.items()):
                    index, search_state = build_search_index(docs, text_of)  # old files gone
                for path, data in index.items():
                    if data is not None:
                        staged.write(path, data)
            entries, changed = cache_entries(state.articles, inputs.scan.markdown, articles, fresh)
            shard_tokens.extend(
                save_articles(cache_dir, output_dir, entries, previous=state, changed=changed)
            )
            if not plan_kept:  # after the search index: documents keep their digests
                save_plan(
                    cache_dir, output_dir, structure, replace(graph, articles={}), pages, docs
                )
            return missing, kept_files, copied, search_state, index

        results, (missing, kept_files, copied, search_state, index) = map_in_workers_meanwhile(
            _render_page,
            to_render,
            (page_renderer, staged),
            jobs,
            side_work,
            progress=stage_progress(options.progress, "生成页面"),
        )
        # pages removed from the output by hand since the last build are rendered again
        results += [_render_page((page_renderer, staged), page) for page in missing]
        page_errors, failed = _page_errors([*to_render, *missing], results)
        if page_errors and not options.keep_going:
            raise ErrorGroup(page_errors)
        for path in sorted(failed):  # left out: not even the spare's old version stays
            staged.remove(path)
        written = {page.path for page in to_render} | {page.path for page in missing}
        written |= copied | removed | failed
        written.update(path for path, data in index.items() if data is not None)
        clock.lap("pages, assets, search index")
        token = hashlib.blake2b(b"".join(fingerprints.values()), digest_size=8).hexdigest()
        staged.commit(token, keep_spare=same_output)
        if options.on_commit is not None:
            options.on_commit()
    except BaseException:
        staged.discard()
        raise

    clock.lap("swap")
    bodies.keep_only({body_key(a.content_hash, render_key) for a in articles.values()})
    bodies.close()
    all_errors = tuple(errors) + tuple(page_errors)
    save_state(
        cache_dir,
        output_dir,
        BuildState(
            render_key=render_key,
            article_count=len(articles),
            shard_tokens=tuple(shard_tokens),
            pages={path: fp for path, fp in fingerprints.items() if path not in failed},
            files=kept_files,
            search=search_state,
            graph=graph.memo,
            output_dir=str(output_dir.resolve()),
            output_token=token,
            inputs=None if all_errors else inputs.signature,
            scanned_ns=inputs.scanned_ns,
            index_paths=tuple(index_paths),
            spare_token=state.output_token if same_output else "",
            spare_stale=frozenset(written) if same_output else None,
            structure=structure,
            structure_site=site_part,
            salt=salt,
            media=media_digests,
        ),
    )
    clock.lap("cache")
    return BuildReport(
        output_dir=output_dir,
        articles=len(graph.articles),
        pages=len(pages),
        written=len(to_render) - len(failed),
        unchanged=len(reuse),
        files=len(files) + len(index),
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        errors=all_errors,
        skipped=tuple(skipped) + tuple(sorted(failed)),
        timings=clock.laps,
    )


class _Clock:
    """Times the stages of a build."""

    def __init__(self, started: float):
        self.last = started
        self.laps: tuple[tuple[str, float], ...] = ()

    def lap(self, stage: str) -> None:
        """Record the time since the previous lap as ``stage``."""
        now = time.perf_counter()
        self.laps += ((stage, now - self.last),)
        self.last = now


def _render_key(config: SiteConfig) -> str:
    """Hash of what a rendered article depends on besides its own file."""
    parts = (__version__, config.markdown, config.permalink, config.timezone, config.max_file_size)
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).hexdigest()


def _body_ids(pages: list[PageSpec]) -> set[str]:
    """The articles whose bodies the pages to be rendered show (article pages and feeds)."""
    ids: set[str] = set()
    for page in pages:
        if page.kind == "article" and page.article:
            ids.add(page.article)
        elif page.kind == "feed":
            ids.update(page.listing)
    return ids


def _page_errors(
    pages: list[PageSpec], results: list[TemplateError | None]
) -> tuple[list[ProvarchiveError], set[str]]:
    """Return the template errors (each mistake once, however many pages it broke)
    and the paths of the pages that failed."""
    errors: dict[tuple, ProvarchiveError] = {}
    failed: set[str] = set()
    for page, error in zip(pages, results, strict=True):
        if error is not None:
            failed.add(page.path)
            key = (error.path, error.line, error.message.split(" (while rendering")[0])
            errors.setdefault(key, error)
    return list(errors.values()), failed


def _render_page(
    context: tuple[PageRenderer, StagedOutput], page: PageSpec
) -> TemplateError | None:
    renderer, staged = context
    try:
        staged.write(page.path, renderer.render(page))
    except TemplateError as exc:
        return exc
    return None


def _file_hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def _read_old(output_dir: Path, path: str) -> bytes | None:
    try:
        return (output_dir / path).read_bytes()
    except OSError:
        return None
