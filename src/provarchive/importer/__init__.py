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
- ``marks``: kicker and subtitle elements an HTML page marks by class beside its headline.
- ``body``: body lines to Markdown with subheadings.
- ``layout``: classification of a page's lines.
- ``metadata``: date, source, authors and editor chosen from classified lines.
- ``page``: the ``ParsedPage`` record, its JSON form and terminal summary.
- ``evidence``: what a page says about its fields apart from the parse (head metas,
  ``<title>``, the date in its address or file name, labelled values in its text).
- ``confidence``: how sure the parse is of each field, from that evidence.
- ``parse``: the pipeline from bytes or text to ``ParsedPage``.
- ``punctuation``: full-width Chinese punctuation restored where a crawl folded it.
- ``review``: the fields an import lists for an editor to check (``import-report.csv``).
"""
