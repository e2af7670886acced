"""The writing stage: pages rendered in worker processes while this process saves the
cache files, writes the site-wide link lists, copies files and builds the search index,
then renders pages too; then the staged folder is swapped in whole."""

from __future__ import annotations

import functools
import marshal
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, compress
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TypeVar

from .cache import BuildState
from .codec import UNSHARED, decode, encode
from .errors import ErrorGroup, ProvarchiveError, TemplateError
from .faults import fault
from .fingerprints import PageFingerprints, all_fingerprints, joined_digests, output_token
from .heap import give_back_freed_memory
from .incremental import (
    CacheWrites,
    Layout,
    Outcome,
    PreviousBuild,
    Reuse,
)
from .inputs import BuildInputs
from .output import StagedOutput
from .pages import (
    PageSpec,
)
from .pagewriter import PageResult, PageWriter, PlacedResults, write_chunk
from .parallel import Progress, forks, map_chunks_meanwhile, run_meanwhile, stage_progress
from .reading import Bodies, SiteContent, trusted
from .render import PageRenderer, make_environment
from .renderorder import RenderOrder, render_order
from .search import (
    IndexFiles,
    IndexSink,
    SearchState,
    build_search_index,
    document_text,
    searchable_text,
)
from .search_docs import SearchDocs
from .walk import signature as file_signature

DIGESTS_IN_WORKER = 20_000
"""From this many articles, a clean build makes their digests in a worker (see
:func:`_fingerprints_to_make`). At 100,000 articles they took 0.37 s in this process,
and the worker began 0.02 s after it was asked for; below this, where they take under
0.08 s, a worker would save little."""
Other = TypeVar("Other")


@dataclass(frozen=True)
class RunOptions:
    """How the writing stage runs."""

    jobs: int
    keep_going: bool
    """Leave out pages whose template fails instead of failing the build."""
    progress: Progress | None
    on_commit: Callable[[], None] | None
    """Called as soon as the new output is in place."""
    lap: Callable[[str], None]
    """Told when a stage ends, for the build's timings."""


@dataclass(frozen=True)
class WriteJob:
    """Everything the writing stage works from."""

    inputs: BuildInputs
    previous: PreviousBuild
    output_dir: Path
    content: SiteContent
    layout: Layout
    reuse: Reuse
    salt: bytes
    files: list[tuple[str, Path]]
    """Files copied as they are: (output path, source)."""
    index_paths: list[str]
    """The search index's files."""
    run: RunOptions
    media: dict[str, bytes]
    """The media digest of every article showing media, for the next build."""


@dataclass(frozen=True)
class Written:
    """What the writing stage did."""

    outcome: Outcome
    errors: tuple[ProvarchiveError, ...]
    index_files: int
    warnings: tuple[ProvarchiveError, ...]
    """Problems of this build's output (an old copy that could not be removed), which a
    build that finds nothing changed looks for again rather than repeats."""


TextSource = tuple[str, str | None, str | None]
"""Where an article's searchable text comes from: its body's key, kicker and subtitle."""


@dataclass(frozen=True)
class _TextsOf(Mapping[str, TextSource]):
    """The :data:`TextSource` of each article of ``bodies``, made when asked for."""

    bodies: Bodies

    def __getitem__(self, article_id: str) -> TextSource:
        article = self.bodies.articles[article_id]
        return self.bodies.key(article_id), article.kicker, article.subtitle

    def __iter__(self) -> Iterator[str]:
        return iter(self.bodies.articles)

    def __len__(self) -> int:
        return len(self.bodies.articles)


@dataclass(frozen=True)
class SearchInputs:
    """What the search index reads of the articles: packed before the workers are
    forked, unpacked into objects of this process's own while they run (see
    :func:`_own_work`)."""

    docs: SearchDocs
    texts: Mapping[str, TextSource]
    """(body key, kicker, subtitle) of each article, by id."""

    @classmethod
    def of(cls, docs: SearchDocs, bodies: Bodies) -> SearchInputs:
        """The inputs as they are, for a build that renders its pages in this process
        (texts looked up when asked for: a patch asks for a few)."""
        return cls(docs, _TextsOf(bodies))

    @staticmethod
    def pack(docs: SearchDocs, bodies: Bodies) -> bytes:
        """The documents and where their texts are, as one block of bytes: the kicker
        and subtitle of each, whose body key :meth:`unpack` makes from the document's
        file hash (:meth:`SearchDocs.body_keys`)."""
        articles = list(map(bodies.articles.__getitem__, docs.ids))
        kickers, subtitles = list(map(_KICKER, articles)), list(map(_SUBTITLE, articles))
        # marshal, not pickle, which memoizes each string; and marshal's version 2,
        # which writes a string each time it meets it where version 4 looks each up in
        # a table: at 100,000 documents 0.05-0.06 s against 0.11 s (24 MB against 21),
        # at 5,000 2.3 ms against 2.6-3.3 ms; unpacked, a string met twice is two
        # (a column's name...): 80.8 MiB against 73.0 at 100,000 documents
        return marshal.dumps((encode(docs), kickers, subtitles), UNSHARED)

    @classmethod
    def unpack(cls, packed: bytes) -> SearchInputs:
        """The inputs :meth:`pack` packed, as new objects."""
        fields, kickers, subtitles = marshal.loads(packed)
        docs = decode(SearchDocs, fields)
        texts = zip(docs.body_keys(), kickers, subtitles, strict=True)
        return cls(docs, dict(zip(docs.ids, texts, strict=True)))


_KICKER, _SUBTITLE = attrgetter("kicker"), attrgetter("subtitle")


@dataclass(frozen=True)
class SiteWide:
    """What this process made once the workers were done (see :func:`_after_workers`)."""

    fingerprints: Mapping[str, bytes]
    token: str
    """The output's marker token, made of ``fingerprints`` while they are at hand
    (see :func:`fingerprints.output_token`)."""


@dataclass(frozen=True)
class OwnWork:
    """The site-wide link lists and cache files this process wrote while the workers
    rendered pages (see :func:`_own_work`)."""

    results: list[PageResult]
    """The results of the pages this process rendered itself (see :func:`render_order`)."""
    shard_tokens: tuple[str, ...]


@dataclass(frozen=True)
class SideWork:
    """What this process did while the workers rendered pages."""

    missing: list[PageSpec]
    """Pages to carry over whose file the output lost: rendered again."""
    files: dict[str, tuple[str, tuple[int, int, int]]]
    copied: set[str]
    search: SearchState | None
    index: IndexFiles
    own: OwnWork


_PATH = attrgetter("path")


def write_output(job: WriteJob) -> Written:
    """Render the pages in workers while this process does the rest, then swap the
    staged folder in; on any failure the current output stays as it was."""
    run, previous, layout, reuse = job.run, job.previous, job.layout, job.reuse
    cache_dir = previous.cache_dir
    extras = job.content.extras
    renderer = PageRenderer(
        make_environment(job.inputs.template_dirs, cache_dir / "templates"),
        layout.graph,
        job.inputs.config,
        extras.media,
        extras.topics,
    )
    spare_token, stale = previous.spare()
    twin = previous.replaces_spare(len(reuse.to_render))
    staged = StagedOutput(job.output_dir, spare_token, twin=twin)
    stale = stale if staged.from_spare else None
    try:
        removed = _remove_outdated(job, staged, stale)
        ordered = functools.partial(_ordered, job)
        making, (order, search_inputs) = _fingerprints_to_make(job, ordered)
        to_render, own = order.workers, order.own
        writer = PageWriter(renderer, staged, job.content.bodies, making)
        placed = PlacedResults(order.places, making is not None)
        own_work = functools.partial(_own_work, job, writer, own)
        run.lap("fingerprints")
        _, side = map_chunks_meanwhile(
            write_chunk,
            to_render,
            writer,
            run.jobs,
            functools.partial(_side_work, job, staged, stale, search_inputs, own_work),
            progress=stage_progress(run.progress, "生成页面"),
            joins=True,
            receive=placed,
        )
        run.lap("pages, search index, cache files")
        placed(len(to_render), side.own.results)
        prepared = _after_workers(job, placed)
        errors = [(order.page(number), error) for number, error in sorted(placed.failed.items())]
        # pages removed from the output by hand since the last build are rendered again
        errors += [(page, error) for page in side.missing if (error := writer.write(page))]
        page_errors, failed = _page_errors(errors)
        if page_errors and not run.keep_going:
            raise ErrorGroup(page_errors)
        for path in sorted(failed):  # left out: not even the spare's old version stays
            staged.remove(path)
        # where the output replaced would differ, if kept as the spare (never, with twin)
        written = None if twin else _written(reuse.to_render, side, removed | failed)
        run.lap("fingerprints, output token")
        token = prepared.token
        keep_spare = written is not None and previous.keeps_spare(written)
        staged.commit(token, keep_spare=keep_spare)
        if run.on_commit is not None:
            run.on_commit()
        spare_made = not keep_spare and staged.make_spare()
    except BaseException:
        staged.discard()
        raise
    errors = job.content.errors + tuple(page_errors)
    outcome = Outcome(
        render_key=job.content.render_key,
        article_count=len(job.content.articles),
        shard_tokens=side.own.shard_tokens,
        fingerprints=prepared.fingerprints,
        failed=frozenset(failed),
        files=side.files,
        search=side.search,
        token=token,
        index_paths=tuple(job.index_paths),
        salt=job.salt,
        warnings=job.content.warnings,
        media=job.media,
        clean=not errors,
        spare_made=spare_made,
        spare_stale=written if keep_spare else None,
    )
    return Written(outcome, errors, len(side.index), tuple(staged.warnings))


def _fingerprints_to_make(
    job: WriteJob, meanwhile: Callable[[], Other]
) -> tuple[PageFingerprints | None, Other]:
    """What makes each page's fingerprint where the page is rendered, in a build that
    renders every page (else :meth:`PreviousBuild.decide` made them all); and what
    ``meanwhile()`` returns.

    From :data:`DIGESTS_IN_WORKER` articles, a worker makes their digests while this
    process runs ``meanwhile``: the other core was idle until the pages' workers
    started (100,000 articles: 0.36 s of the 0.8 s between the plan and the workers).
    """
    if not job.reuse.unfingerprinted:
        return None, meanwhile()
    graph, media = job.layout.graph, job.content.extras.media
    jobs = job.run.jobs if len(graph.articles) >= DIGESTS_IN_WORKER else 1
    joined, other = run_meanwhile(functools.partial(joined_digests, graph, media), meanwhile, jobs)
    return PageFingerprints.of(graph, job.salt, joined), other


def _ordered(job: WriteJob) -> tuple[RenderOrder, Callable[[], SearchInputs] | None]:
    """The order in which the pages are rendered (see :func:`render_order`), and the
    search index's inputs (None without search)."""
    order = render_order(job.reuse.to_render, job.layout.graph)
    if not job.inputs.config.search:
        return order, None
    return order, _search_inputs(job, forks(len(order.workers), job.run.jobs))


def _remove_outdated(job: WriteJob, staged: StagedOutput, stale: frozenset[str] | None) -> set[str]:
    """Remove from the staging folder what this build no longer makes; from the spare,
    also what the output before it had (the spare is that output). Returns the paths
    the current output has and this build drops."""
    previous, files, index_paths = job.previous, [path for path, _ in job.files], job.index_paths
    if previous.holds_plan(job.layout) and previous.same_files(job.layout, files, index_paths):
        # an edit: this build's outputs are the current output's (sets of 206,000 paths
        # took 0.055 s of a one-article edit at 100,000 articles)
        for path in sorted(previous.not_held(stale or ())):
            staged.remove(path)
        return set()
    current = previous.previous_outputs()
    if not current and stale is None:  # no output known, and the staging folder is empty
        return set()
    new_outputs = {*job.layout.pages.paths, *files, *index_paths}
    removed = current - new_outputs
    for path in sorted(removed | (stale - new_outputs) if stale is not None else ()):
        staged.remove(path)
    return removed


def _search_inputs(job: WriteJob, forked: bool) -> Callable[[], SearchInputs]:
    """What the search index reads, as :func:`_side_work` gets it: packed now and
    unpacked there when workers are forked (see :func:`_own_work`), else as it is
    (packing and unpacking 20,000 documents, their digests made again, cost a
    one-article edit 0.11 s)."""
    docs, bodies = job.layout.docs, job.content.bodies
    if forked:
        return functools.partial(SearchInputs.unpack, SearchInputs.pack(docs, bodies))
    return functools.partial(SearchInputs.of, docs, bodies)


def _after_workers(job: WriteJob, placed: PlacedResults) -> SiteWide:
    """What this process does once the pages are rendered: every page's fingerprint
    (``placed`` holds those the pages got where they were rendered, in the plan's
    order, when every page was; see :class:`PageFingerprints`), and the output's token
    made of them."""
    fingerprints = all_fingerprints(
        job.reuse.fingerprints, job.layout.pages.paths, placed.fingerprints, placed.joined
    )
    return SiteWide(fingerprints, output_token(fingerprints))


def _own_work(job: WriteJob, writer: PageWriter, own: list[PageSpec]) -> OwnWork:
    """Save the graph, plan and article shards for the next build, and render the pages
    this process renders itself (``own``: the site-wide lists of links), while the
    workers render the others: done after them, this took the build's process alone
    0.19-0.24 s at 5,000 articles and 5.1-5.7 s at 100,000.

    It costs memory. Reading an object writes its reference count, which copies the
    memory page holding it, so a page this process reads while a worker runs is held
    twice, here and in the worker; this work reads every record and page spec. At
    100,000 articles the tree's peak PSS went from 1,014 to 1,217 MiB with this work
    done first, as here, and to 1,301 MiB with it done after the search index (whose
    inputs are packed before the fork for the same reason: :class:`SearchInputs`).
    """
    content, previous, layout = job.content, job.previous, job.layout
    with CacheWrites() as writes:  # the files written while this thread goes on
        previous.save_layout(layout, writes)
        scanned = job.inputs.scan.markdown
        shard_tokens = previous.save_articles(scanned, content, writes)
        results = writer.write_chunk(own)
    give_back_freed_memory()  # what saving the plan freed: 127 MiB at 100,000 articles
    return OwnWork(results, shard_tokens)


def _written(rendered: list[PageSpec], side: SideWork, dropped: set[str]) -> frozenset[str]:
    """The output paths a build changes: the pages ``rendered``, what this process wrote
    while the workers ran, and the paths ``dropped``. Made once, as the outcome keeps
    it (a copy of 206,000 paths took 0.02 s at 100,000 articles), and only when the
    output replaced may be kept as the spare: making it took 0.044 s at 100,000
    articles and 1-2 ms at 5,000, where a clean build needs it only to be counted."""
    return frozenset(
        chain(
            map(_PATH, chain(rendered, side.missing)),
            side.copied,
            dropped,
            compress(side.index, side.index.values()),
        )
    )


def _side_work(
    job: WriteJob,
    staged: StagedOutput,
    stale: frozenset[str] | None,
    search_inputs: Callable[[], SearchInputs] | None,
    own_work: Callable[[], OwnWork],
) -> SideWork:
    """What this process does while the workers render pages, before it renders some
    too: save the cache files and render its own pages (see :func:`_own_work`), copy
    files, build the search index."""
    previous = job.previous
    own = own_work()

    def carried(path: str) -> bool:
        """Make the staged file ``path`` the current output's; False if that is gone."""
        if stale is None:  # a staging folder that started empty
            return staged.keep(path)
        return path not in stale or staged.keep(path, replacing=True)

    pages, kept = job.layout.pages, job.reuse.kept
    if stale is not None:  # an edit: only the stale ones of 37,000 kept pages need a look
        kept = list(compress(kept, map(stale.__contains__, kept)))
    missing = [pages.at(path) for path in kept if not carried(path)]
    kept_files, copied = write_files(
        staged, job.files, previous.state, previous.same_output, carried
    )
    index, search = {}, None
    if search_inputs is not None:
        inputs = search_inputs()
        index, search = _search_index(job, inputs, staged, carried)
    return SideWork(missing, kept_files, copied, search, index, own)


def _search_index(
    job: WriteJob, inputs: SearchInputs, staged: StagedOutput, carried: Callable[[str], bool]
) -> tuple[IndexFiles, SearchState | None]:
    """Build (or patch) the search index into the staging folder."""
    docs, bodies = inputs.docs, job.content.bodies

    def text_of(ids: list[str]) -> dict[str, str]:
        """Searchable texts, their bodies loaded a few hundred at a time (so that the
        build never holds every body's HTML at once)."""
        texts: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            wanted = {i: inputs.texts[i] for i in ids[start : start + 500]}
            stored = bodies.texts(key for key, _, _ in wanted.values())
            lost = []
            for i, (key, kicker, subtitle) in wanted.items():
                text = stored.get(key)
                if text is None:
                    lost.append(i)
                else:
                    texts[i] = searchable_text(text, kicker, subtitle)
            # the store lost them (deleted or damaged): rendered again
            texts.update((i, document_text(a)) for i, a in bodies.render_again(lost).items())
        return texts

    output_dir, cache_dir = job.output_dir, job.previous.cache_dir
    sink = IndexSink(staged.write, cache_dir)  # posting runs beside the cache
    try:
        index, search = build_search_index(
            docs,
            text_of,
            sink,
            previous=job.previous.previous_search(),
            read_previous=lambda path: _read_old(output_dir, path),
        )
        if any(not fresh and not carried(path) for path, fresh in index.items()):
            index, search = build_search_index(docs, text_of, sink)  # the old files are gone
    except OSError as exc:  # the posting runs' scratch file, beside the cache
        raise fault(
            exc, cache_dir, "building the search index", "the previous site is unchanged"
        ) from None
    return index, search


def _page_errors(
    failures: list[tuple[PageSpec, TemplateError]],
) -> tuple[list[ProvarchiveError], set[str]]:
    """Return the template errors of the pages that failed, in the order given (each
    mistake once, however many pages it broke), and the paths of those pages."""
    errors: dict[tuple, ProvarchiveError] = {}
    for error in map(itemgetter(1), failures):
        key = (error.path, error.line, error.message.split(" (while rendering")[0])
        errors.setdefault(key, error)
    return list(errors.values()), {page.path for page, _ in failures}


def _read_old(output_dir: Path, path: str) -> bytes | None:
    try:
        return (output_dir / path).read_bytes()
    except OSError:
        return None


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
