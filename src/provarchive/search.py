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
* ``index-K.js``: for the tokens whose hash falls in shard K, two ascending lists of
  document numbers (titles, bodies), delta-encoded.
* ``docs-N.js``: documents N·chunk to (N+1)·chunk−1 as
  ``[url, title, date, column, text]``; loaded only for candidates.

Documents are numbered oldest first, so that new articles are appended and an edit
rewrites only the files holding what it changed; search.js walks candidates from the
highest number down, newest first. The output is a pure function of the articles.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .graph import SiteGraph
from .model import Article

SEARCH_DIR = "search"
"""Output folder of the search index."""
FORMAT_VERSION = 1
"""Bumped whenever the files' shape changes (search.js checks it)."""
DOCS_PER_CHUNK = 100
"""Documents per ``docs-N.json`` file."""

_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


_COMPATIBLE = (
    ("\uff0c", ","),
    ("\uff1b", ";"),
    ("\uff1a", ":"),
    ("\uff08", "("),
    ("\uff09", ")"),
    ("\uff01", "!"),
    ("\uff1f", "?"),
    ("\u3000", " "),
    ("\u2026", "..."),
)
"""Full-width punctuation and spaces common in Chinese text, with their NFKC forms."""


def normalize(text: str) -> str:
    """Return ``text`` folded for search: NFKC (full-width to half-width) and lower case.

    Chinese text is rarely NFKC already, but only because of its full-width commas and
    colons: those are replaced first (each by its compatibility decomposition, plain
    ASCII, which leaves the NFKC form unchanged), and then the text usually passes
    ``is_normalized``, a quick check. That is ten times faster than ``normalize``.
    """
    for full_width, ascii_form in _COMPATIBLE:
        if full_width in text:
            text = text.replace(full_width, ascii_form)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


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


@dataclass(frozen=True)
class SearchDoc:
    """One article as the search index sees it."""

    id: str
    """The article id."""
    url: str
    """Site path of the article page."""
    title: str
    """The headline."""
    date: str
    """``YYYY-MM-DD``."""
    column: str
    """Title of the article's column."""
    key: str
    """Changes whenever the text changes (file hash and render settings)."""
    order: tuple[str, str]
    """Sort key: numbers are given oldest first, so new articles are appended."""

    @functools.cached_property
    def digest(self) -> bytes:
        """A digest of every field the index stores (kept with the document when cached)."""
        fields = "\x00".join((self.id, self.url, self.title, self.date, self.column, self.key))
        return hashlib.blake2b(fields.encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True)
class SearchState:
    """What the last build put in the index, for updating it in place."""

    ids: tuple[str, ...]
    """Article ids by document number."""
    digests: tuple[bytes, ...]
    """The digest of each document."""
    shards: int
    """Number of index shards."""


BODY_END = "\x1f"
"""Ends the body in a document's text; the kicker and subtitle follow it. search.js makes
excerpts of the body alone, so they do not run a kicker into the first sentence."""


def document_text(article: Article) -> str:
    """Return the searchable text of an article besides its title: the body, then
    :data:`BODY_END`, the kicker and the subtitle."""
    extra = [part for part in (article.kicker, article.subtitle) if part]
    return article.text + BODY_END + "\n".join(extra) if extra else article.text


def shard_count(documents: int) -> int:
    """Return the number of shards for an index of ``documents``: a power of two.

    About one shard per 5 documents keeps shards small (a query loads a few kilobytes
    per character pair) and lets an edit rewrite only the shards of the pairs it changed;
    a power of two changes rarely, and only then is the whole index rebuilt.
    """
    shards = 1
    while shards * 5 < documents:
        shards *= 2
    return shards


def search_docs(graph: SiteGraph, render_key: str) -> list[SearchDoc]:
    """Return the documents of the index, in document-number order (oldest first)."""
    docs = []
    for article in graph.articles.values():
        column = graph.columns[article.column].title if article.column in graph.columns else ""
        docs.append(
            SearchDoc(
                id=article.id,
                url=article.url,
                title=article.title,
                date=article.date.strftime("%Y-%m-%d"),
                column=column,
                key=f"{article.content_hash}:{render_key}",
                order=(article.date.isoformat(), article.id),
            )
        )
    return sorted(docs, key=lambda doc: doc.order)


def refresh_docs(
    docs: list[SearchDoc], articles: dict[str, Article], render_key: str
) -> list[SearchDoc]:
    """Return ``docs`` (made by :func:`search_docs` for a graph of the same structure)
    with the key of each article whose text changed since brought up to date."""
    fresh = []
    for doc in docs:
        key = f"{articles[doc.id].content_hash}:{render_key}"
        fresh.append(doc if doc.key == key else replace(doc, key=key))
    return fresh


def build_search_index(
    docs: list[SearchDoc],
    text_of: Callable[[list[str]], dict[str, str]],
    previous: SearchState | None = None,
    read_previous: Callable[[str], bytes | None] | None = None,
) -> tuple[dict[str, bytes | None], SearchState]:
    """Return the index files by site path, and the state to keep for the next build.

    ``text_of(ids)`` returns the searchable text of articles (see :func:`document_text`).
    With the ``previous`` state and a way to read the previous index files, documents
    that did not change are not read again and only the files an edit touches are
    rewritten; a file mapped to None is unchanged (the caller keeps the old one).
    The result is the same as a clean build's, byte for byte.
    """
    state = SearchState(
        ids=tuple(doc.id for doc in docs),
        digests=tuple(doc.digest for doc in docs),
        shards=shard_count(len(docs)),
    )
    if previous is not None and read_previous is not None:
        updated = _update_index(docs, state, previous, text_of, read_previous)
        if updated is not None:
            return updated, state
    return _full_index(docs, state, text_of), state


def _full_index(
    docs: list[SearchDoc], state: SearchState, text_of: Callable[[list[str]], dict[str, str]]
) -> dict[str, bytes | None]:
    texts = text_of([doc.id for doc in docs])
    title_postings: dict[str, list[int]] = defaultdict(list)
    body_postings: dict[str, list[int]] = defaultdict(list)
    rows: list[list[str]] = []
    for number, doc in enumerate(docs):
        text = texts.get(doc.id, "")
        rows.append(_row(doc, text))
        for token in set(tokens(normalize(doc.title))):
            title_postings[token].append(number)
        for token in set(tokens(normalize(text))):
            body_postings[token].append(number)
    shards: list[dict[str, list[list[int]]]] = [{} for _ in range(state.shards)]
    for token in set(title_postings) | set(body_postings):
        shards[shard_of(token, state.shards)][token] = [
            _delta(title_postings.get(token, [])),
            _delta(body_postings.get(token, [])),
        ]
    files = dict([_script("meta", _meta(state))])
    files.update(_script(f"index-{n}", entries) for n, entries in enumerate(shards))
    files.update(
        _script(f"docs-{start // DOCS_PER_CHUNK}", rows[start : start + DOCS_PER_CHUNK])
        for start in range(0, max(len(rows), 1), DOCS_PER_CHUNK)
    )
    return dict(sorted(files.items()))


def _update_index(
    docs: list[SearchDoc],
    state: SearchState,
    previous: SearchState,
    text_of: Callable[[list[str]], dict[str, str]],
    read_previous: Callable[[str], bytes | None],
) -> dict[str, bytes | None] | None:
    """Patch the previous index for changed and appended documents; None if it cannot."""
    kept = len(previous.ids)
    if state.shards != previous.shards or len(docs) < kept or state.ids[:kept] != previous.ids:
        return None  # documents were removed or reordered: numbers shift
    changed = [n for n in range(kept) if state.digests[n] != previous.digests[n]]
    changed += list(range(kept, len(docs)))
    names = index_files(len(docs))
    files: dict[str, bytes | None] = dict.fromkeys(names)
    if not changed:
        return files
    chunks: dict[int, list[list[str]]] = {}
    for number in changed:
        chunk = number // DOCS_PER_CHUNK
        if chunk not in chunks:
            existed = chunk * DOCS_PER_CHUNK < kept
            loaded = _read_script(read_previous, f"docs-{chunk}") if existed else []
            if loaded is None:
                return None
            chunks[chunk] = loaded
    texts = text_of([docs[n].id for n in changed])
    removed: dict[str, list[tuple[int, int]]] = defaultdict(list)  # token -> (list, number)
    added: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for number in changed:
        rows = chunks[number // DOCS_PER_CHUNK]
        offset = number % DOCS_PER_CHUNK
        old = rows[offset] if offset < len(rows) else None
        new = _row(docs[number], texts.get(docs[number].id, ""))
        for which, old_text, new_text in (
            (0, old[1] if old else "", new[1]),
            (1, old[4] if old else "", new[4]),
        ):
            old_tokens = set(tokens(normalize(old_text)))
            new_tokens = set(tokens(normalize(new_text)))
            for token in old_tokens - new_tokens:
                removed[token].append((which, number))
            for token in new_tokens - old_tokens:
                added[token].append((which, number))
        if old is None:
            rows.append(new)
        else:
            rows[offset] = new
    touched: dict[int, dict[str, list[list[int]]]] = {}
    for token in set(removed) | set(added):
        shard = shard_of(token, state.shards)
        if shard not in touched:
            loaded = _read_script(read_previous, f"index-{shard}")
            if loaded is None:
                return None
            touched[shard] = loaded
        lists = [_undelta(x) for x in touched[shard].get(token, [[], []])]
        for which, number in removed.get(token, []):
            lists[which].remove(number)
        for which, number in added.get(token, []):
            lists[which].append(number)
        if lists[0] or lists[1]:
            touched[shard][token] = [_delta(sorted(lists[0])), _delta(sorted(lists[1]))]
        else:
            del touched[shard][token]
    for shard, entries in touched.items():
        files.update([_script(f"index-{shard}", entries)])
    for chunk, rows in chunks.items():
        files.update([_script(f"docs-{chunk}", rows)])
    if len(docs) != kept:
        files.update([_script("meta", _meta(state))])
    return files


def index_files(count: int) -> list[str]:
    """Return the site paths of the index files of an index of ``count`` documents."""
    names = [f"{SEARCH_DIR}/meta.js"]
    names += [f"{SEARCH_DIR}/index-{n}.js" for n in range(shard_count(count))]
    names += [f"{SEARCH_DIR}/docs-{n}.js" for n in range(max(1, -(-count // DOCS_PER_CHUNK)))]
    return names


def _row(doc: SearchDoc, text: str) -> list[str]:
    return [doc.url, doc.title, doc.date, doc.column, text]


def _meta(state: SearchState) -> dict[str, int]:
    return {
        "version": FORMAT_VERSION,
        "docs": len(state.ids),
        "chunk": DOCS_PER_CHUNK,
        "shards": state.shards,
    }


def _delta(numbers: list[int]) -> list[int]:
    """Delta-encode an ascending list (smaller JSON)."""
    return [number - (numbers[index - 1] if index else 0) for index, number in enumerate(numbers)]


def _undelta(deltas: list[int]) -> list[int]:
    total, numbers = 0, []
    for delta in deltas:
        total += delta
        numbers.append(total)
    return numbers


_PREFIX = 'ProvarchiveSearch.deliver("'


def _script(name: str, value: object) -> tuple[str, bytes]:
    """Return the site path and bytes of the index file ``name`` holding ``value``."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # JSON is valid JavaScript once U+2028/U+2029 are escaped (older engines choke on them)
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"{SEARCH_DIR}/{name}.js", f'{_PREFIX}{name}",{data});\n'.encode()


def _read_script(read: Callable[[str], bytes | None], name: str) -> Any:
    """Return the value held by a previous index file, or None if it is missing or odd."""
    data = read(f"{SEARCH_DIR}/{name}.js")
    prefix = f'{_PREFIX}{name}",'.encode()
    if data is None or not data.startswith(prefix) or not data.endswith(b");\n"):
        return None
    try:
        return json.loads(data[len(prefix) : -3])
    except ValueError:
        return None
