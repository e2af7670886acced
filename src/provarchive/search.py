"""The static Chinese search index: character bigrams, sharded, read by ``static/search.js``.

Chinese readers expect substring search (质量 finds 高质量, 公路 finds 高速公路), which
word-based engines miss. As Lucene's CJK analyzer does, every run of CJK characters
is indexed as overlapping bigrams, and runs of letters and digits as words. A query
is cut the same way; the documents holding all its tokens are candidates, and the
browser confirms each candidate by finding the query in the document's text, so
every 2-or-more-character substring of a title or body is found. Letters and digits
are cut into bigrams too, and runs mixing them with CJK are not split, so partial
numbers and mixed terms (``5热线`` in ``12345热线``, ``3年`` in ``2023年``) are found.

Files (all under ``search/``), each a script ``ProvarchiveSearch.deliver("NAME", JSON);``
so that the browser can load them with ``<script>`` tags, which also works when the
archive is opened straight from disk (``fetch`` does not):

* ``meta.js``: format version, number of documents, documents per chunk, shards.
* ``index-K.js``: for the tokens whose hash falls in shard K, two lists of
  document numbers (titles, bodies), delta-encoded.
* ``docs-N.js``: documents N·chunk to (N+1)·chunk−1 as
  ``[url, title, date, column, text]``; loaded only for candidates.

Document numbers follow the archive's newest-first order, so results come out
newest first without a sort. The output is a pure function of the articles.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence

from .graph import SiteGraph
from .model import Article

SEARCH_DIR = "search"
"""Output folder of the search index."""
FORMAT_VERSION = 1
"""Bumped whenever the files' shape changes (search.js checks it)."""
DOCS_PER_CHUNK = 100
"""Documents per ``docs-N.json`` file."""
TOKENS_PER_SHARD = 1500
"""Aim for about this many tokens per ``index-K.json`` shard."""

_RUN = re.compile(
    r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+"
)


def normalize(text: str) -> str:
    """Return ``text`` folded for search: NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> Iterator[str]:
    """Yield the index tokens of normalized ``text``: the bigrams of its runs of CJK
    characters, letters and digits.

    A lone character (between punctuation) yields nothing: queries of one character
    are not supported, and search.js drops lone characters of a query from its
    tokens in the same way (the final substring check still covers them).
    """
    for run in _RUN.findall(text):
        for index in range(len(run) - 1):
            yield run[index : index + 2]


def shard_of(token: str, shards: int) -> int:
    """Return the shard of ``token``: FNV-1a over its UTF-16 code units (as search.js does)."""
    value = 0x811C9DC5
    data = token.encode("utf-16-le")
    for index in range(0, len(data), 2):
        value ^= data[index] | (data[index + 1] << 8)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % shards


def document_text(article: Article) -> str:
    """Return the searchable text of an article besides its title: kicker, subtitle, body."""
    parts = [article.kicker or "", article.subtitle or "", article.text]
    return "\n".join(part for part in parts if part)


def build_search_index(graph: SiteGraph) -> dict[str, bytes]:
    """Return the search index files of the site's articles, by site path."""
    articles: Sequence[Article] = [graph.articles[i] for i in graph.order]
    title_postings: dict[str, list[int]] = defaultdict(list)
    body_postings: dict[str, list[int]] = defaultdict(list)
    docs: list[list[str]] = []
    for number, article in enumerate(articles):
        column = graph.columns[article.column].title if article.column in graph.columns else ""
        text = document_text(article)
        docs.append([article.url, article.title, article.date.strftime("%Y-%m-%d"), column, text])
        for token in set(tokens(normalize(article.title))):
            title_postings[token].append(number)
        for token in set(tokens(normalize(text))):
            body_postings[token].append(number)
    vocabulary = sorted(set(title_postings) | set(body_postings))
    shards = max(1, -(-len(vocabulary) // TOKENS_PER_SHARD))
    shard_tokens: list[dict[str, list[list[int]]]] = [{} for _ in range(shards)]
    for token in vocabulary:
        shard_tokens[shard_of(token, shards)][token] = [
            _delta(title_postings.get(token, [])),
            _delta(body_postings.get(token, [])),
        ]
    meta = {"version": FORMAT_VERSION, "docs": len(docs), "chunk": DOCS_PER_CHUNK,
            "shards": shards}
    files = [_script("meta", meta)]
    files += [_script(f"index-{shard}", entries) for shard, entries in enumerate(shard_tokens)]
    files += [
        _script(f"docs-{chunk // DOCS_PER_CHUNK}", docs[chunk : chunk + DOCS_PER_CHUNK])
        for chunk in range(0, max(len(docs), 1), DOCS_PER_CHUNK)
    ]
    return dict(sorted(files))


def _delta(numbers: list[int]) -> list[int]:
    """Delta-encode an ascending list (smaller JSON)."""
    return [number - (numbers[index - 1] if index else 0) for index, number in enumerate(numbers)]


def _script(name: str, value: object) -> tuple[str, bytes]:
    """Return the site path and bytes of the index file ``name`` holding ``value``."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # JSON is valid JavaScript once U+2028/U+2029 are escaped (older engines choke on them)
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"{SEARCH_DIR}/{name}.js", f'ProvarchiveSearch.deliver("{name}",{data});\n'.encode()
