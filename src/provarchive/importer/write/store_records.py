"""The records of an import: planned files, the plan, and the report of what was done."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from provarchive.errors import ProvarchiveError
from provarchive.importer.read.confidence import DEFAULT_THRESHOLD
from provarchive.importer.write.review import ReviewItem
from provarchive.parallel import Progress

Action = Literal["create", "update", "unchanged", "skip"]
"""What an import does with one file: write a new one, replace an unmodified one, leave
an identical one alone, or leave alone one that was edited since it was imported."""
Kind = Literal["article", "column", "attachment"]
"""An article's Markdown file, a new column's ``_column.yaml``, or a document (附件)
copied from beside the saved page."""


@dataclass(frozen=True)
class ImportOptions:
    """How pages are imported (what ``import`` was asked on the command line)."""

    column: str | None = None
    """A folder under ``content/`` for every page, instead of the one its breadcrumb names."""
    url: str | None = None
    """The legacy address of the (single) page."""
    force: bool = False
    """Replace articles edited since they were imported."""
    punctuation: bool = True
    """Restore full-width punctuation a crawl folded to ASCII."""
    review_below: float = DEFAULT_THRESHOLD
    """Fields whose confidence is below this are listed for review."""
    jobs: int | None = None
    """Processes that read the pages; None for the number of CPUs."""
    progress: Progress | None = None
    """Told how many pages were read, as they are."""


DEFAULT_OPTIONS = ImportOptions()
"""An import with every option left as it is by default."""


@dataclass(frozen=True)
class PlannedFile:
    """One file an import writes (or would write, or leaves alone)."""

    path: Path
    """The target file, under ``site_dir/content``."""
    content_path: str
    """The target relative to the site folder, ``/``-separated: ``content/zhxx/a.md``."""
    text: str
    """The whole text the file gets (UTF-8, ``\\n`` line ends)."""
    action: Action
    """What the import does with the file; only ``create`` and ``update`` are written."""
    kind: Kind = "article"
    """Whether the file is an article or a column file."""
    source: str | None = None
    """The legacy page the article comes from, as named in messages; None for columns."""
    copy_from: Path | None = None
    """For an attachment: the saved file whose bytes it gets (``text`` is then empty)."""

    @property
    def writes(self) -> bool:
        """Whether applying the plan writes this file."""
        return self.action in ("create", "update")


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do, computed without writing anything."""

    files: tuple[PlannedFile, ...]
    """Every file of the plan, column files just before the first article that needs them."""
    errors: tuple[ProvarchiveError, ...] = ()
    """Pages that cannot be imported, and mistakes in the arguments."""
    warnings: tuple[ProvarchiveError, ...] = ()
    """Things the user should know: edited articles left alone, pages superseded, ..."""
    restored: tuple[str, ...] = ()
    """Pages whose folded ASCII punctuation was restored to full width."""
    review: tuple[ReviewItem, ...] = ()
    """Fields of the planned articles whose confidence is below the review threshold."""


@dataclass(frozen=True)
class ImportEntry:
    """One line of an import report: a file and what happened to it."""

    action: Action
    """``create``, ``update``, ``unchanged`` or ``skip`` (edited since imported)."""
    content_path: str
    """The file relative to the site folder: ``content/zhxx/yywl/t20230709_123456.md``."""
    kind: Kind = "article"
    """``article`` or ``column`` (a new ``_column.yaml``)."""
    source: str | None = None
    """The legacy page the article comes from; None for column files."""


@dataclass(frozen=True)
class ImportReport:
    """The outcome of :func:`provarchive.importer.write.store.import_pages`."""

    entries: tuple[ImportEntry, ...] = ()
    """Files written, replaced, left unchanged or skipped, in the order of the pages
    (for a dry run: what a real run would do). Empty when errors stopped the run."""
    errors: tuple[ProvarchiveError, ...] = ()
    """Pages that could not be imported, argument mistakes, and a failed write."""
    warnings: tuple[ProvarchiveError, ...] = ()
    """Edited articles left alone, superseded pages, new columns to retitle, ..."""
    blocked: bool = False
    """True when errors stopped the run before anything was written (no ``keep_going``,
    or a write failed and everything written was undone)."""
    restored: tuple[str, ...] = ()
    """Pages imported with their folded ASCII punctuation restored to full width."""
    review: tuple[ReviewItem, ...] = ()
    """Fields of the imported articles whose confidence is below the review threshold."""
    report_file: str | None = None
    """The review list written (``SITE/import-report.csv``); None when none was written."""

    def _of(self, action: Action) -> tuple[ImportEntry, ...]:
        return tuple(entry for entry in self.entries if entry.action == action)

    @property
    def created(self) -> tuple[ImportEntry, ...]:
        """New files: articles and column files."""
        return self._of("create")

    @property
    def updated(self) -> tuple[ImportEntry, ...]:
        """Articles replaced because they were unmodified since their last import."""
        return self._of("update")

    @property
    def unchanged(self) -> tuple[ImportEntry, ...]:
        """Articles whose file already held exactly the text the import would write."""
        return self._of("unchanged")

    @property
    def skipped(self) -> tuple[ImportEntry, ...]:
        """Articles edited since they were imported, left alone (no ``force``)."""
        return self._of("skip")

    @property
    def ok(self) -> bool:
        """True when the run had no errors."""
        return not self.errors
