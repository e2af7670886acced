"""Import of scraped legacy CMS pages.

Entry points live in :mod:`provarchive.importer.parse` (``parse_page``, ``parse_text``,
``page_to_json``, ``format_summary``). Modules, each owning one thing:

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
- ``body``: body lines to Markdown with subheadings.
- ``layout``: classification of a page's lines.
- ``metadata``: date, source, authors and editor chosen from classified lines.
- ``page``: the ``ParsedPage`` record, its JSON form and terminal summary.
- ``parse``: the pipeline from bytes or text to ``ParsedPage``.
"""
