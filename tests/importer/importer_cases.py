"""The importer's fixture table and field-accuracy figures.

Each fixture ``tests/fixtures/import/NAME.txt`` (or ``.html``) has a sibling
``NAME.expected.json`` with the expected :func:`page_to_json` fields (``file``
excluded), and optionally ``original_url`` and ``encoding``. To add a case, drop the
two files there. ``python tests/importer/importer_cases.py`` prints the accuracy per
field, and ``--write NAME`` writes the parser's current output as a starting point
for a new expected file (review it by hand before committing).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provarchive.errors import ParseError
from provarchive.importer.read.parse import page_to_json, parse_page

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "import"
SEEDS = REPO / ".." / "shared" / "seeds"
FIELDS = (
    "breadcrumb",
    "column",
    "title",
    "kicker",
    "subtitle",
    "date",
    "time",
    "source",
    "authors",
    "editor",
    "body",
    "warnings",
)
EXTRA_FIELDS = ("original_url", "encoding")


@dataclass(frozen=True)
class Case:
    """One fixture page and what parsing it must give."""

    name: str
    page: Path
    expected: dict[str, Any]


def cases() -> list[Case]:
    """Return every fixture with an expected file, sorted by name."""
    found: list[Case] = []
    for expected_path in sorted(FIXTURES.glob("*.expected.json")):
        name = expected_path.name.removesuffix(".expected.json")
        pages = [p for p in FIXTURES.glob(name + ".*") if p != expected_path]
        if len(pages) != 1:
            raise FileNotFoundError(f"{expected_path}: expected exactly one page beside it")
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        found.append(Case(name, pages[0], expected))
    return found


def actual_fields(case: Case) -> dict[str, Any]:
    """Return the parsed fields of ``case`` in the expected file's shape."""
    page = parse_page(case.page.read_bytes(), case.page.name)
    data = page_to_json(page, case.page.name)
    del data["file"]
    data["original_url"] = page.original_url
    data["encoding"] = page.encoding
    return data


def field_accuracy(selected: list[Case] | None = None) -> dict[str, tuple[int, int]]:
    """Return, per field, how many fixtures give exactly the expected value, out of how many."""
    selected = cases() if selected is None else selected
    right = dict.fromkeys(FIELDS + EXTRA_FIELDS, 0)
    total = dict.fromkeys(FIELDS + EXTRA_FIELDS, 0)
    for case in selected:
        try:
            actual = actual_fields(case)
        except ParseError:
            actual = {}
        for field in FIELDS + EXTRA_FIELDS:
            if field not in case.expected:
                continue
            total[field] += 1
            right[field] += actual.get(field, object()) == case.expected[field]
    return {f: (right[f], total[f]) for f in FIELDS + EXTRA_FIELDS if total[f]}


def format_accuracy(figures: dict[str, tuple[int, int]]) -> str:
    """Return the accuracy figures as an aligned table."""
    lines = [f"{'field':<13} right / total"]
    for field, (right, total) in figures.items():
        lines.append(f"{field:<13} {right:>5} / {total:<5} {100 * right / total:6.1f}%")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the accuracy table, or write a draft expected file with ``--write NAME``."""
    if len(argv) == 2 and argv[0] == "--write":
        page = next(p for p in FIXTURES.glob(argv[1] + ".*") if not p.name.endswith(".json"))
        data = actual_fields(Case(argv[1], page, {}))
        target = FIXTURES / f"{argv[1]}.expected.json"
        target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target}")
        return 0
    print(format_accuracy(field_accuracy()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
