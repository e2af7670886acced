"""The fields an editor should check after an import: those the parse is least sure of.

Every imported article's fields carry a confidence (see
:mod:`provarchive.importer.read.confidence`); those below a threshold are listed on the
terminal and in ``import-report.csv`` in the site folder, so that an editor reviews a
few dozen fields instead of every page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from provarchive.importer.read.page import ParsedPage

REPORT_FILE = "import-report.csv"
"""The review list an import writes into the site folder."""
REPORT_COLUMNS = ("file", "field", "value", "confidence", "reason")
"""The columns of :data:`REPORT_FILE`, in order."""
SHOWN = 40
"""How many fields to review the terminal lists; the report file has them all."""


@dataclass(frozen=True)
class ReviewItem:
    """One field of one imported article that an editor should check."""

    file: str
    """The article file, relative to the site folder (``content/zhxx/t20230709_1.md``)."""
    field: str
    """The front-matter field (``title``, ``authors``, ...; ``breadcrumb`` decides the folder)."""
    value: str
    """The value as imported (names joined with ``、``, crumbs with `` > ``); empty when
    the field was left out although the page suggests one."""
    confidence: float
    """From 0 to 1: how sure the parse is."""
    reason: str
    """The evidence that weighed most."""


def review_items(file: str, page: ParsedPage, threshold: float) -> list[ReviewItem]:
    """Return the fields of ``page`` (imported as ``file``) whose confidence is below
    ``threshold``, in field order."""
    return [
        ReviewItem(file, c.field, _shown(c.field, getattr(page, c.field)), c.confidence, c.reason)
        for c in page.confidence
        if c.confidence < threshold
    ]


def _shown(field: str, value: object) -> str:
    if isinstance(value, tuple):
        return (" > " if field == "breadcrumb" else "、").join(value)
    return str(value) if value else ""


def report_csv(items: list[ReviewItem] | tuple[ReviewItem, ...]) -> str:
    """Return the text of :data:`REPORT_FILE`: a byte-order mark (so that spreadsheet
    programs read the Chinese text as UTF-8), a header row, then one row per item."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for item in items:
        writer.writerow([item.file, item.field, item.value, f"{item.confidence:.2f}", item.reason])
    return out.getvalue()


def format_review(
    items: tuple[ReviewItem, ...], threshold: float, report: str | None, pages: int
) -> str:
    """Return the terminal's list of fields to review (at most :data:`SHOWN` of them)."""
    where = f"; all in {report}" if report else ""
    if not items:
        return f"no field below confidence {threshold:g} on {pages} page(s){where}"
    head = (
        f"{len(items)} field(s) to review on {len({i.file for i in items})} of {pages} page(s), "
        f"confidence below {threshold:g}{where}:"
    )
    rows = [
        f"  {i.file}  {i.field}: {i.value.replace(chr(10), ' / ') or '(none)'}  "
        f"[{i.confidence:.2f}: {i.reason}]"
        for i in items[:SHOWN]
    ]
    if len(items) > SHOWN:
        rows.append(f"  ... and {len(items) - SHOWN} more")
    return "\n".join([head, *rows])
