"""The build: the only module that chains the stages, from site folder to output folder.

A build is incremental: article files whose signature did not change are not read
again, bodies whose inputs did not change are not rendered again, and pages whose
fingerprint (see :mod:`provarchive.digest`) did not change are carried over from
the current output as hard links. Whatever it reuses, the result is byte for byte
what a clean build (``--no-cache``) writes. Slow steps run in worker processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import __version__
from .ahead import Ahead
from .bodystore import BodyStore
from .cachefiles import CACHE_DIR
from .config import load_config
from .digest import site_salt
from .errors import ErrorGroup, ProvarchiveError, shown_here
from .extras import read_extras
from .graph import SiteGraph
from .incremental import PreviousBuild
from .inputs import BuildInputs, scan_inputs
from .machineplan import machine_file_notes
from .model import CONTENT_DIR, SiteConfig
from .output import build_lock, check_output_dir
from .parallel import Progress, collector_paused, default_jobs
from .plan import check_outputs
from .preload import Preloaded
from .reading import Bodies, BodySink, SiteContent, read_content, render_key
from .removal import clear_leftovers
from .render import visible_columns
from .search import index_files
from .speller import SpellerProcess, speller
from .walk import ContentScan, scan_content
from .writing import RunOptions, WriteJob, write_output


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
    allow_empty: bool = False
    """Publish a site without articles over one that has some."""
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
    removed_articles: int = 0
    """Articles the previous output had that this build dropped."""
    notes: tuple[str, ...] = ()
    """What the user must do by hand (``site.yaml: note: ...`` lines); not warnings."""


@collector_paused()
def build_site(
    options: BuildOptions,
    walked: Ahead[ContentScan] | None = None,
    preloaded: Preloaded | None = None,
    spelling: SpellerProcess | None = None,
) -> BuildReport:
    """Build the site in ``options.site_dir``; raise :class:`ErrorGroup` listing every mistake.

    On any error the previous output folder is left exactly as it was (unless
    ``keep_going``, which writes what could be built and reports the rest). ``walked``
    (the walk of ``content/``) and ``spelling`` (see :func:`speller`) are processes the
    caller started already; ``preloaded`` the last build's state, when the caller loaded
    it ahead (used if it is still current).
    """
    started = time.perf_counter()
    site_dir = options.site_dir
    config = load_config(site_dir)
    output_dir = options.output_dir or site_dir / config.output
    check_output_dir(site_dir, output_dir, force=options.force)
    cache_dir = site_dir / CACHE_DIR
    with build_lock(cache_dir):
        inputs, previous = _scan_and_load(options, config, output_dir, walked, preloaded)
        if not inputs.scan.errors and previous.unchanged(inputs):
            return _nothing_changed(previous, inputs, output_dir, started)
        return _build(options, inputs, previous.with_articles(), output_dir, started, spelling)


def _scan_and_load(
    options: BuildOptions,
    config: SiteConfig,
    output_dir: Path,
    walked: Ahead[ContentScan] | None,
    preloaded: Preloaded | None,
) -> tuple[BuildInputs, PreviousBuild]:
    """The inputs, ``content/`` walked in a worker (``walked``, if the caller started it)
    while this process loads the last build's state (unless ``preloaded`` holds it) and,
    if the walk is not done by then, its articles, graph and plan (needed next)."""
    jobs = options.jobs or default_jobs()
    cache_dir = options.site_dir / CACHE_DIR
    loaded = preloaded.current() if preloaded is not None and options.use_cache else None
    with walked or Ahead(partial(scan_content, options.site_dir), jobs) as walk:
        previous = loaded or PreviousBuild.load(cache_dir, output_dir, options.use_cache)
        if walk.waiting:
            previous = previous.with_articles().with_plan()
        scanned = walk.result()
    return scan_inputs(options.site_dir, config, output_dir, options.drafts, scanned), previous


def _nothing_changed(
    previous: PreviousBuild, inputs: BuildInputs, output_dir: Path, started: float
) -> BuildReport:
    """The report of a build whose inputs are the last build's: what that build said."""
    state = previous.state
    return BuildReport(
        output_dir=output_dir,
        articles=state.article_count,
        pages=len(state.pages),
        written=0,
        unchanged=len(state.pages),
        files=len(state.files),
        seconds=time.perf_counter() - started,
        warnings=(*map(shown_here, state.warnings), *clear_leftovers(output_dir)),
        nothing_changed=True,
        notes=machine_file_notes(inputs.config, inputs.site_dir),
    )


def _build(
    options: BuildOptions,
    inputs: BuildInputs,
    previous: PreviousBuild,
    output_dir: Path,
    started: float,
    spelling: SpellerProcess | None,
) -> BuildReport:
    """The stages: read, graph and plan, decide, render in workers and swap, remember."""
    clock = _Clock(started)
    config, jobs = inputs.config, options.jobs or default_jobs()
    with speller(not previous.state.graph, jobs, spelling) as spell:  # see provarchive.speller
        content = _read_content(options, inputs, previous)
        clock.lap("read articles, measure images")
        extras = content.extras
        layout = previous.layout(
            config,
            content.columns,
            content.articles,
            content.fresh,
            content.render_key,
            extras.topics,
            jobs,
            spell,
        )
    clock.lap("site graph and page plan")
    files = [*inputs.copied_files(), *extras.files]
    index_paths = index_files(len(layout.docs)) if config.search else []
    if not previous.same_files(layout, [path for path, _ in files], index_paths):
        check_outputs(layout.pages, layout.pages.paths, files, index_paths, options.site_dir)
    salt = _site_salt(config, inputs, layout.graph, content)
    media, changed = previous.media_changes(content.articles, extras.media)
    reuse = previous.decide(layout, content.fresh.keys() | changed, salt, extras.media)
    run = RunOptions(jobs, options.keep_going, options.progress, options.on_commit, clock.lap)
    job = WriteJob(
        inputs, previous, output_dir, content, layout, reuse, salt, files, index_paths, run, media
    )
    written = write_output(job)
    clock.lap("swap")
    content.bodies.forget_others(previous.cached_articles(content.render_key))
    previous.remember(layout, written.outcome, inputs.signature, inputs.scanned_ns)
    clock.lap("cache")
    return BuildReport(
        output_dir=output_dir,
        articles=len(layout.graph.articles),
        pages=len(layout.pages),
        written=len(reuse.to_render) - len(written.outcome.failed),
        unchanged=len(reuse.kept),
        files=len(files) + written.index_files,
        seconds=time.perf_counter() - started,
        warnings=(*written.outcome.warnings, *written.warnings),
        errors=written.errors,
        skipped=content.skipped + tuple(sorted(written.outcome.failed)),
        timings=clock.laps,
        removed_articles=content.removed,
        notes=machine_file_notes(config, options.site_dir),
    )


def _read_content(
    options: BuildOptions, inputs: BuildInputs, previous: PreviousBuild
) -> SiteContent:
    """Read the columns and articles; raise every error found (unless ``keep_going``)."""
    site_dir, config = options.site_dir, inputs.config
    key, store = render_key(config), BodyStore(previous.cache_dir)
    tree = read_content(
        site_dir,
        config,
        inputs.scan,
        drafts=options.drafts,
        jobs=options.jobs or default_jobs(),
        cached=previous.cached_articles(key),
        facts=previous.cached_facts(key),
        scanned_ns=previous.state.scanned_ns,
        progress=options.progress,
        sink=BodySink(store, key),
    )
    errors, articles = list(tree.errors), tree.articles
    extras, extra_errors = read_extras(
        site_dir,
        inputs.topics,
        articles,
        inputs.scan.assets,
        previous.cache_dir,
        options.jobs or default_jobs(),
        options.progress,
    )
    errors += extra_errors
    if errors and not options.keep_going:
        raise ErrorGroup(errors)
    if not options.allow_empty:  # never an empty site over one with articles
        previous.refuse_emptying(site_dir / CONTENT_DIR, articles, errors)
    return SiteContent(
        tree.columns,
        articles,
        tree.fresh,
        tree.read,
        tuple(errors),
        tree.warnings,
        tree.skipped,
        key,
        Bodies(site_dir, config, articles, store, key, frozenset(tree.assets)),
        previous.removed_articles(articles),
        extras,
    )


def _site_salt(
    config: SiteConfig, inputs: BuildInputs, graph: SiteGraph, content: SiteContent
) -> bytes:
    """What every page depends on besides its own spec and articles."""
    columns, templates = visible_columns(graph.columns), inputs.template_hashes()
    parts = (content.render_key, config, templates, columns, graph.top_columns)
    return site_salt(__version__, *parts, content.extras.salt())


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
