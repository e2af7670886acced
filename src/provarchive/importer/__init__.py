"""Import of scraped legacy CMS pages, in two halves.

``read/`` turns a saved page into a ``ParsedPage``; its entry points live in
:mod:`provarchive.importer.read.parse` (``parse_page``, ``parse_text``, ``page_to_json``,
``format_summary``). ``write/`` turns parsed pages into articles in ``content/``; its entry
point is :mod:`provarchive.importer.write.store` (``import_pages``). ``write`` uses
``read``; ``read`` never uses ``write``. Modules of ``read/``, each owning one thing:

- ``decode``: bytes to text (BOM, UTF-8, ``<meta charset>``, charset-normalizer; GB* as GB18030).
- ``html``: HTML to crawler-style text with selectolax, plus canonical URL and head hints.
- ``html_headline``: the element holding an HTML page's headline and its 引题/副题 neighbours.
- ``text``: width folding, line cleaning, Han-character helpers.
- ``chrome``: page chrome fragments and whole chrome lines.
- ``labels``: the meta-label vocabulary and the split of a line into labelled fields.
- ``dates``: date and time spellings and the choice of the publish date.
- ``bylines``: reporters, photographers and the editor.
- ``breadcrumb``: breadcrumb lines.
- ``titles``: kicker, title and subtitle; title tags.
- ``headline``: the headline lines chosen by evidence (agreement with the HTML, shape).
- ``marks``: kicker and subtitle elements an HTML page marks by class beside its headline.
- ``body``: body lines to Markdown with subheadings.
- ``layout``: classification of a page's lines.
- ``metadata``: date, source, authors and editor chosen from classified lines.
- ``page``: the ``ParsedPage`` record, its JSON form and terminal summary.
- ``evidence``: what a page says about its fields apart from the parse (head metas,
  ``<title>``, the date in its address or file name, labelled values in its text).
- ``confidence``: how sure the parse is of each field, from that evidence.
- ``parse``: the pipeline from bytes or text to ``ParsedPage``.

Modules of ``write/``:

- ``punctuation``: full-width Chinese punctuation restored where a crawl folded it.
- ``review``: the fields an import lists for an editor to check (``import-report.csv``).
- ``store``: the import command: pages read, planned, then written (or nothing written).
- ``store_plan``: the whole import planned before a file is written.
- ``store_columns``: column folders from breadcrumbs, legacy URLs or ``--column``.
- ``store_existing``: the articles already in ``content/``, to update or leave alone.
- ``store_records``: the plan's records (``ImportPlan``, ``PlannedFile``).
- ``store_text``: an article's Markdown text and front matter.
- ``write``: the planned files written atomically.
"""
