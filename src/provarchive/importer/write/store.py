"""Saved legacy pages to Markdown articles in a site's ``content/`` folder.

:func:`plan_import` is pure: it reads the pages and the site and returns every file
it would write (:class:`PlannedFile`) with the errors found. :func:`import_pages`
applies a plan through :mod:`provarchive.importer.write.write`, which writes all of it or
none of it. Re-importing a page replaces its article only while the article is
exactly what an import wrote (its ``import_hash`` still matches); an article edited
since is left alone unless ``force``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from provarchive.content import CONTENT_DIR
from provarchive.errors import ContentWarning, OutputError, ProvarchiveError
from provarchive.importer.read.confidence import DEFAULT_THRESHOLD
from provarchive.importer.write.review import REPORT_FILE, report_csv
from provarchive.importer.write.store_plan import plan_pages
from provarchive.importer.write.store_records import (
    DEFAULT_OPTIONS,
    ImportEntry,
    ImportOptions,
    ImportPlan,
    ImportReport,
    PlannedFile,
)
from provarchive.importer.write.write import replace_file, write_files
from provarchive.parallel import Progress

__all__ = [
    "PAGE_SUFFIXES",
    "ImportEntry",
    "ImportPlan",
    "ImportReport",
    "PlannedFile",
    "format_report",
    "import_pages",
    "page_paths",
    "plan_import",
    "plan_pages",
]

PAGE_SUFFIXES = (".txt", ".htm", ".html", ".shtml", ".asp", ".aspx", ".php", ".jsp")
"""Suffixes of saved pages taken from a folder (files without a suffix are taken too)."""


def import_pages(
    sources: Sequence[Path],
    site_dir: Path,
    *,
    column: str | None = None,
    url: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    keep_going: bool = False,
    punctuation: bool = True,
    review_below: float = DEFAULT_THRESHOLD,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import saved legacy pages into ``site_dir/content`` as Markdown articles.

    ``sources`` are files or folders (walked recursively). ``column`` is a folder
    under ``content/`` for every page instead of the one its breadcrumb names; ``url``
    is the legacy address of the (single) page. With errors and no ``keep_going``
    nothing is written; a write that fails midway is undone. ``dry_run`` writes
    nothing and reports what a real run would do. ``punctuation`` restores full-width
    punctuation a crawl folded to ASCII (see :mod:`provarchive.importer.write.punctuation`).
    Fields whose confidence is below ``review_below`` are listed in the report and, unless
    ``dry_run``, in ``site_dir/import-report.csv``. ``jobs`` processes read the pages
    (None: one per CPU), telling ``progress`` as they go. Never raises for bad input:
    errors are in the report.
    """
    options = ImportOptions(column, url, force, punctuation, review_below, jobs, progress)
    plan = plan_import(sources, site_dir, options)
    if plan.errors and not keep_going:
        return ImportReport((), plan.errors, plan.warnings, blocked=True)
    entries = tuple(ImportEntry(f.action, f.content_path, f.kind, f.source) for f in plan.files)
    warnings = plan.warnings
    report_file = None
    if not dry_run:
        try:
            write_files(site_dir / CONTENT_DIR, plan.files)
        except OutputError as exc:
            return ImportReport((), (*plan.errors, exc), plan.warnings, blocked=True)
        try:
            replace_file(site_dir / REPORT_FILE, report_csv(plan.review))
            report_file = str(site_dir / REPORT_FILE)
        except OSError as exc:
            problem = f"cannot write the review list: {exc.strerror or exc}"
            warnings = (*warnings, ContentWarning(problem, str(site_dir / REPORT_FILE)))
    return ImportReport(
        entries, plan.errors, warnings, False, plan.restored, plan.review, report_file
    )


def plan_import(
    sources: Sequence[Path], site_dir: Path, options: ImportOptions = DEFAULT_OPTIONS
) -> ImportPlan:
    """Return what importing ``sources`` into ``site_dir`` would do; write nothing."""
    paths, errors = page_paths(sources)
    roots = [Path(s) if Path(s).is_dir() else Path(s).parent for s in sources]
    plan = plan_pages([(str(path), path) for path in paths], site_dir, options, roots)
    return dataclasses.replace(plan, errors=(*errors, *plan.errors))


def page_paths(sources: Sequence[Path]) -> tuple[list[Path], list[ProvarchiveError]]:
    """Return the page files among ``sources``, each once, and the sources that do not exist.

    A folder gives its files ending in :data:`PAGE_SUFFIXES` or without suffix,
    recursively and sorted, hidden ones left out; a file named itself is always taken.
    """
    paths: list[Path] = []
    errors: list[ProvarchiveError] = []
    seen: set[Path] = set()
    for source in map(Path, sources):
        if source.is_dir():
            files = sorted(p for p in source.rglob("*") if _is_page(p, source))
        elif source.is_file():
            files = [source]
        else:
            errors.append(ProvarchiveError("no such file or folder", str(source)))
            continue
        for path in files:
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                paths.append(path)
    return paths, errors


def _is_page(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if any(part.startswith(".") for part in parts) or not path.is_file():
        return False
    return path.suffix.lower() in PAGE_SUFFIXES or path.suffix == ""


_VERBS = {
    "create": ("created", "would create"),
    "update": ("updated", "would update"),
    "unchanged": ("unchanged", "unchanged"),
    "skip": ("skipped (edited)", "would skip (edited)"),
}


def format_report(report: ImportReport, dry_run: bool = False) -> str:
    """Return the report for a terminal: one line per file, then a summary line.

    Errors and warnings are not included; print them (``str(error)``) on their own.
    """
    lines = [f"{_VERBS[e.action][1 if dry_run else 0]} {e.content_path}" for e in report.entries]
    articles = [e for e in report.entries if e.kind == "article"]
    columns = sum(1 for e in report.entries if e.kind == "column")
    counts = {a: sum(1 for e in articles if e.action == a) for a in _VERBS}
    problems = f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}"
    if report.blocked:
        failed_write = any(isinstance(e, OutputError) for e in report.errors)
        hint = "" if failed_write else " (fix them, or pass --keep-going to import the rest)"
        head = "dry run: nothing would be imported" if dry_run else "nothing was imported"
        return "\n".join([*lines, f"{head}: {problems}{hint}"])
    head = "dry run, nothing written: would import" if dry_run else "imported"
    summary = (
        f"{head} {len(articles)} page{'s' if len(articles) != 1 else ''}: "
        f"{counts['create']} new, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged, {counts['skip']} skipped as edited; "
        f"{columns} new column{'s' if columns != 1 else ''}"
    )
    if report.restored:
        count = len(report.restored)
        summary += (
            f"; full-width punctuation restored on {count} page{'s' if count != 1 else ''}"
            " (--keep-punctuation keeps it as crawled)"
        )
    if report.errors:
        summary += f"; {problems}"
    return "\n".join([*lines, summary])
