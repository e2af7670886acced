"""The planning of an import: pages to article and column files, without writing.

Each page is checked (title, date), pages repeating an ``original_url`` give way to the
last of them, and each remaining page gets its target: the article that already has
its ``original_url``, else a file in the column folder its breadcrumb names. The
action for the target follows from the ``import_hash`` of what is there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from provarchive.config import CONFIG_FILE, load_config
from provarchive.content import CONTENT_DIR
from provarchive.errors import ContentWarning, ParseError, ProvarchiveError
from provarchive.importer.read.page import ParsedPage
from provarchive.importer.read.parse import parse_page
from provarchive.importer.write.punctuation import restore_page
from provarchive.importer.write.review import ReviewItem, review_items
from provarchive.importer.write.store_columns import (
    COLUMN_FILE,
    ColumnTree,
    check_column_path,
    column_crumbs,
    legacy_segments,
)
from provarchive.importer.write.store_existing import ExistingContent, read_text, scan_content
from provarchive.importer.write.store_files import PageFiles, page_files
from provarchive.importer.write.store_records import (
    DEFAULT_OPTIONS,
    Action,
    ImportOptions,
    ImportPlan,
    Kind,
    PlannedFile,
)
from provarchive.importer.write.store_text import (
    LegacyUrl,
    article_stem,
    article_text,
    clean_line,
    clean_lines,
    clean_names,
    column_text,
    escape_body,
    is_unmodified,
    parse_legacy_url,
)
from provarchive.model import DEFAULT_PERMALINK
from provarchive.parallel import default_jobs, map_in_workers, stage_progress
from provarchive.urls import alias_path, article_path

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_YEARS = (1900, 2100)


@dataclass(frozen=True)
class _Page:
    """A parsed page that can become an article."""

    name: str
    page: ParsedPage
    legacy: LegacyUrl | None
    original_url: str | None
    title: str
    date: str
    time: str | None


PageSource = tuple[str, bytes | Path]
"""A page to import: its name, and its bytes or the file that holds them."""


def plan_pages(
    pages: Sequence[PageSource],
    site_dir: Path,
    options: ImportOptions = DEFAULT_OPTIONS,
    roots: Sequence[Path] = (),
) -> ImportPlan:
    """Return the plan for ``pages``; see :func:`import_pages`.

    ``roots`` are the folders the pages were found in (a page's own folder when it was
    named itself): its documents are looked for there and copied; without roots, none is.
    """
    column, url = options.column, options.url
    content_dir = site_dir / CONTENT_DIR
    errors = _check_arguments(site_dir, content_dir, column, url, len(pages))
    if errors:
        return ImportPlan((), tuple(errors))
    column_path = check_column_path(column) if column is not None else None
    warnings: list[ProvarchiveError] = []
    candidates: list[_Page] = []
    restored: list[str] = []
    # each page read and parsed in a worker, from its file: only the parsed records
    # come back, never every page's bytes at once (a saved page is 180 KB on average)
    jobs = options.jobs or default_jobs()
    read = map_in_workers(
        _read_page,
        pages,
        (url, options.punctuation),
        jobs,
        progress=stage_progress(options.progress, "读取页面"),
    )
    for (name, _), (found, changed) in zip(pages, read, strict=True):
        if isinstance(found, ProvarchiveError):
            errors.append(found)
            continue
        candidates.append(found)
        if changed:
            restored.append(name)
    candidates = _latest_per_url(candidates, warnings)
    planner = _Planner(site_dir, content_dir, scan_content(content_dir, jobs), options.force)
    planner.roots = tuple(roots)
    planner.claim_known(candidates, warnings)
    for candidate in candidates:
        try:
            planner.plan(candidate, column_path, warnings)
        except ProvarchiveError as exc:
            errors.append(exc)
    warnings += planner.tree.warnings
    review = _review(planner.files, candidates, options.review_below)
    return ImportPlan(
        tuple(planner.files), tuple(errors), tuple(warnings), tuple(restored), tuple(review)
    )


def _review(files: list[PlannedFile], pages: list[_Page], threshold: float) -> list[ReviewItem]:
    """Return the fields to review of every article the plan writes or leaves as imported."""
    by_name = {page.name: page.page for page in pages}
    items: list[ReviewItem] = []
    for planned in files:
        if planned.kind == "article" and planned.action != "skip" and planned.source in by_name:
            items += review_items(planned.content_path, by_name[planned.source], threshold)
    return items


def _check_arguments(
    site_dir: Path, content_dir: Path, column: str | None, url: str | None, count: int
) -> list[ProvarchiveError]:
    errors: list[ProvarchiveError] = []
    if not site_dir.is_dir():
        errors.append(ProvarchiveError("no such site folder", str(site_dir)))
    elif content_dir.exists() and not content_dir.is_dir():
        errors.append(ProvarchiveError("content is a file; it must be a folder", str(content_dir)))
    elif not content_dir.is_dir() and not (site_dir / CONFIG_FILE).is_file():
        errors.append(
            ProvarchiveError(
                "not a provarchive site: no site.yaml and no content/ folder", str(site_dir)
            )
        )
    if column is not None:
        try:
            check_column_path(column)
        except ValueError as exc:
            errors.append(ProvarchiveError(f"--column {column!r}: {exc}"))
    if url is not None and count > 1:
        errors.append(
            ProvarchiveError(
                f"--url names the legacy address of one page, but {count} pages were given; "
                "import them one at a time"
            )
        )
    return errors


def _read_page(
    state: tuple[str | None, bool], source: PageSource
) -> tuple[_Page | ProvarchiveError, bool]:
    """Read and parse one page: its candidate (or why it cannot be one), and whether
    its punctuation was restored. ``state`` is the ``--url`` given and whether
    punctuation is restored."""
    url, punctuation = state
    name, data = source
    try:
        if isinstance(data, Path):
            try:
                data = data.read_bytes()
            except OSError as exc:
                raise ProvarchiveError(f"cannot read the file: {exc.strerror}", name) from None
        parsed, changed = parse_page(data, name), False
        if punctuation:
            parsed, changed = restore_page(parsed)
        return _candidate(name, parsed, url), changed
    except ProvarchiveError as exc:
        return exc, False


def _candidate(name: str, page: ParsedPage, url: str | None) -> _Page:
    """Return the page as an article candidate, or raise ParseError for what is missing."""
    title = clean_line(page.title)
    if not title:
        raise ParseError("no title found; the page cannot become an article", name)
    if not page.date:
        raise ParseError(
            "no publish date found, and an article needs one: add the date to the saved "
            "page by hand (a line such as '发布时间：2023-07-09'), or run "
            f"'provarchive parse {name}' to see what was found",
            name,
        )
    try:
        day = dt.date.fromisoformat(page.date)
    except ValueError:
        day = None
    if day is None or not _YEARS[0] <= day.year <= _YEARS[1]:
        raise ParseError(f"the publish date {page.date!r} is not a real date; fix it by hand", name)
    legacy = parse_legacy_url(url if url is not None else page.original_url)
    time = page.time if page.time and _TIME.match(page.time) else None
    return _Page(
        name=name,
        page=page,
        legacy=legacy,
        original_url=legacy.url if legacy is not None and legacy.is_http else None,
        title=title,
        date=day.isoformat(),
        time=time,
    )


def _latest_per_url(candidates: list[_Page], warnings: list[ProvarchiveError]) -> list[_Page]:
    """Keep only the last page of each original_url; warn about the ones left out."""
    last = {c.original_url: i for i, c in enumerate(candidates) if c.original_url}
    kept: list[_Page] = []
    for index, candidate in enumerate(candidates):
        winner = last.get(candidate.original_url) if candidate.original_url else index
        if winner == index:
            kept.append(candidate)
        else:
            later = candidates[winner].name  # type: ignore[index]
            warnings.append(
                ContentWarning(
                    f"{later} has the same original_url ({candidate.original_url}); "
                    "only that later page is imported",
                    candidate.name,
                )
            )
    return kept


class _Planner:
    """Plans articles one page at a time, remembering paths and aliases already taken."""

    def __init__(self, site_dir: Path, content_dir: Path, existing: ExistingContent, force: bool):
        self.content_dir = content_dir
        self.existing = existing
        self.force = force
        self.tree = ColumnTree(content_dir)
        self.permalink = _site_permalink(site_dir)
        self.files: list[PlannedFile] = []
        self.claimed: set[str] = set()
        self.known: dict[int, str] = {}
        self.aliases: dict[str, str] = {}
        self.roots: tuple[Path, ...] = ()

    def claim_known(self, candidates: list[_Page], warnings: list[ProvarchiveError]) -> None:
        """Assign pages whose original_url an article already has to that article."""
        for candidate in candidates:
            rels = self.existing.by_url.get(candidate.original_url or "", [])
            if not rels:
                continue
            if len(rels) > 1:
                warnings.append(
                    ContentWarning(
                        f"{len(rels)} articles have original_url {candidate.original_url} "
                        f"({', '.join(rels)}); updating the first",
                        candidate.name,
                    )
                )
            self.known[id(candidate)] = rels[0]
            self.claimed.add(rels[0].casefold())

    def plan(self, page: _Page, column_path: str | None, warnings: list[ProvarchiveError]) -> None:
        """Add the files for ``page`` to the plan: new column files, then the article."""
        rel = self.known.get(id(page))
        if rel is None:
            before = len(self.tree.new_columns)
            if column_path is not None:
                folder = self.tree.for_path(column_path)
            else:
                crumbs = column_crumbs(page.page.breadcrumb, page.page.column)
                segments = legacy_segments(page.legacy.folders if page.legacy else ())
                folder = self.tree.for_crumbs(crumbs, segments)
            for new in self.tree.new_columns[before:]:
                self._add(
                    f"{new.rel}/{COLUMN_FILE}", column_text(new.title), "create", "column", None
                )
            rel = self._free_path(
                folder, article_stem(page.date, page.title, page.legacy, page.name), page
            )
        self.claimed.add(rel.casefold())
        files = self._files(page, rel, warnings)
        fields = {**self._fields(page, rel, warnings), "attachments": files.entries}
        text = article_text(fields, escape_body(files.body))
        action = self._action(rel, text, warnings)
        self._add(rel, text, action, "article", page.name)
        for copy in files.copies if action != "skip" else ():
            self.files.append(
                PlannedFile(
                    path=self.content_dir / copy.rel,
                    content_path=f"{CONTENT_DIR}/{copy.rel}",
                    text="",
                    action="unchanged" if copy.same else "create",
                    kind="attachment",
                    source=page.name,
                    copy_from=copy.source,
                )
            )

    def _files(self, page: _Page, rel: str, warnings: list[ProvarchiveError]) -> PageFiles:
        """The page's documents: copied from beside the saved page, or linked (a warning
        for each link whose address cannot be known)."""
        saved = Path(page.name)
        root = next((r for r in self.roots if r == saved.parent or r in saved.parents), None)
        url = page.original_url
        links = page.page.attachments
        found = page_files(links, page.page.body, rel, saved, root, url, self.content_dir)
        for link in found.lost:
            warnings.append(
                ContentWarning(
                    f"attachment {link.title!r} ({link.href}) is neither saved beside the page "
                    "nor at a known address; kept as text (give the page's address with --url, "
                    "or save the file beside the page)",
                    page.name,
                )
            )
        return found

    def _add(self, rel: str, text: str, action: Action, kind: Kind, source: str | None) -> None:
        self.files.append(
            PlannedFile(
                path=self.content_dir / rel,
                content_path=f"{CONTENT_DIR}/{rel}",
                text=text,
                action=action,
                kind=kind,
                source=source,
            )
        )

    def _free_path(self, folder: str, stem: str, page: _Page) -> str:
        """Return the article path for ``stem`` in ``folder``: the same article's file, or
        the first name (``stem``, ``stem_2``, ...) no other article holds."""
        prefix = f"{folder}/" if folder else ""
        for number in range(1, 1000):
            rel = f"{prefix}{stem}{'' if number == 1 else f'_{number}'}.md"
            if rel.casefold() in self.claimed:
                continue
            stored = self.existing.has_file(rel)
            if stored is None:
                return rel
            info = self.existing.articles.get(stored)
            if stored == rel and (info is None or info.original_url in (None, page.original_url)):
                return rel
        raise ProvarchiveError(f"no free file name for {prefix}{stem}.md", page.name)

    def _fields(self, page: _Page, rel: str, warnings: list[ProvarchiveError]) -> dict:
        parsed = page.page
        return {
            "title": page.title,
            "kicker": clean_lines(parsed.kicker),
            "subtitle": clean_lines(parsed.subtitle),
            "date": f"{page.date} {page.time}" if page.time else page.date,
            "source": clean_line(parsed.source),
            "authors": clean_names(parsed.authors),
            "editor": clean_line(parsed.editor),
            "original_url": page.original_url,
            "aliases": self._aliases(page, rel, warnings),
        }

    def _aliases(self, page: _Page, rel: str, warnings: list[ProvarchiveError]) -> list[str]:
        """Return ``[legacy path]`` when it can redirect to the article, else ``[]``."""
        legacy = page.legacy
        if legacy is None or not legacy.is_http or not legacy.path or legacy.path.endswith("/"):
            return []
        try:
            target = alias_path(legacy.path).casefold()
        except ValueError:
            return []
        column, _, name = rel.rpartition("/")
        day = dt.datetime.fromisoformat(page.date)
        if target == article_path(self.permalink, column, day, name[: -len(".md")]).casefold():
            return []  # the article's own page is already at the legacy address
        owner = self.existing.alias_owners.get(target, rel)
        owner = self.aliases.get(target, owner)
        if owner != rel:
            warnings.append(
                ContentWarning(
                    f"alias {legacy.path} is already used by {CONTENT_DIR}/{owner}; left out",
                    page.name,
                )
            )
            return []
        self.aliases[target] = rel
        return [legacy.path]

    def _action(self, rel: str, text: str, warnings: list[ProvarchiveError]) -> Action:
        """Return what to do with the article file ``rel`` given its new ``text``."""
        path = self.content_dir / rel
        if not path.exists():
            return "create"
        if not path.is_file():
            raise ProvarchiveError("exists and is not a file; move it away", str(path))
        old = read_text(path)
        if old == text:
            return "unchanged"
        if self.force or (old is not None and is_unmodified(old)):
            return "update"
        reason = (
            "edited since it was imported"
            if old is not None and "\nimport_hash:" in old
            else "not written by provarchive import (it has no import_hash)"
        )
        warnings.append(
            ContentWarning(f"{reason}; not overwritten (use --force to replace it)", str(path))
        )
        return "skip"


def _site_permalink(site_dir: Path) -> str:
    """Return the site's ``permalink`` pattern, read by :func:`config.load_config` (a broken
    ``site.yaml`` is an error, as in a build); the default one when there is no site.yaml."""
    if not (site_dir / CONFIG_FILE).is_file():
        return DEFAULT_PERMALINK
    return load_config(site_dir).permalink
