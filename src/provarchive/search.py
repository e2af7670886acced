"""The static Chinese search index: character bigrams, sharded, read by ``static/search.js``.

Chinese readers expect substring search (质量 finds 高质量, 公路 finds 高速公路), which
word-based engines miss. As Lucene's CJK analyzer does, every run of CJK characters
is indexed as overlapping bigrams, and runs of letters and digits as words. A query
is cut the same way; the documents holding all its tokens are candidates, and the
browser confirms each candidate by finding the query in the document's text, so
every 2-or-more-character substring of a title or body is found. Letters and digits
are cut into bigrams too, and runs mixing them with CJK are not split, so partial
numbers and mixed terms (``5热线`` in ``12345热线``, ``3年`` in ``2023年``) are found.

Files (all under ``search/``), each a script ``ProvarchiveSearch.deliver("NAME", VALUE);``
so that the browser can load them with ``<script>`` tags, which also works when the
archive is opened straight from disk (``fetch`` does not); their bytes are described
in :mod:`provarchive.search_files`:

* ``meta.js``: format version, number of documents, documents per chunk, shards.
* ``index-K.js``: for the tokens whose hash falls in shard K, two ascending lists of
  document numbers (titles, bodies), in binary: deltas of 8, 16 or 32 bits, or a
  bitmap when that is smaller (one bit per document bounds a common token's list).
* ``docs-N.js``: documents N·chunk to (N+1)·chunk−1 as ``[url, title, date, column,
  text]``, zlib-compressed; loaded only for candidates, a few at a time, newest first.

Documents are numbered oldest first, so that new articles are appended and an edit
rewrites only the files holding what it changed; search.js walks candidates from the
highest number down, newest first. The output is a pure function of the articles.
The full build reads the texts in batches and writes each file as soon as it is made
(through an :class:`IndexSink`); only the posting lists outlive a batch, and beyond a
bound they are spilled to a temporary file and merged back one shard at a time (see
:mod:`provarchive.search_postings`), so its memory does not grow with the archive. Its
per-character work is done by C loops: a document's bigrams as numbers read from its
UTF-32 bytes (:func:`token_codes`), compression by zlib.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import add, itemgetter, lshift

from .model import Article
from .search_docs import SearchDoc, SearchDocs
from .search_files import (
    SEARCH_DIR,
    decode_chunk,
    decode_shard,
    encode_chunk,
    encode_shard,
    read_script,
    script,
)
from .search_postings import IndexSink, PostingRuns

FORMAT_VERSION = 2
"""Bumped whenever the files' shape changes (search.js checks it)."""
DOCS_PER_CHUNK = 8
"""Documents per ``docs-N.js`` file: a candidate costs the download of its chunk."""
BATCH = 64 * DOCS_PER_CHUNK
"""Documents whose texts a full build reads at a time."""
PATCH_LIMIT = 8 * BATCH
"""Changed documents beyond which an index is built whole rather than patched (a patch
holds the texts and chunks of every changed document at once)."""

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
    return searchable_text(article.text, article.kicker, article.subtitle)


def searchable_text(text: str, kicker: str | None, subtitle: str | None) -> str:
    """The searchable text of a body's plain ``text`` and its article's kicker and
    subtitle (see :func:`document_text`)."""
    extra = [part for part in (kicker, subtitle) if part]
    return text + BODY_END + "\n".join(extra) if extra else text


def shard_count(documents: int) -> int:
    """Return the number of shards for an index of ``documents``: a power of two.

    About one shard per 16 documents keeps shards small (a query loads a few kilobytes
    per character pair: lists are binary, and a bitmap bounds a common pair's list) and
    lets an edit rewrite only the shards of the pairs it changed; a power of two changes
    rarely, and only then is the whole index rebuilt.
    """
    shards = 1
    while shards * 16 < documents:
        shards *= 2
    return shards


def token_set(text: str) -> set[str]:
    """Return the index tokens of normalized ``text`` as a set: ``set(tokens(text))``,
    made by C loops (each distinct run once, its bigrams by ``map``)."""
    found: set[str] = set()
    for run in set(_RUN.findall(text)):
        found.update(map(add, run, run[1:]))
    return found


_LITTLE = sys.byteorder == "little"
_LAST, _FIRST = itemgetter(-1), itemgetter(0)


def token_codes(text: str) -> set[int]:
    """Return the index tokens of normalized ``text`` as numbers: the set
    ``token_set(text)``, each token as its two characters in one 64-bit number (the
    first in the low half; :func:`token_of` gives the token back).

    Made without a Python loop or a string per bigram: the distinct runs are joined by
    NUL and encoded as UTF-32, whose 8-byte words read at both alignments are every
    pair of neighbouring characters; the pairs holding a NUL (a run's last character
    then NUL, NUL then a run's first) are removed, and only those hold a zero half.
    """
    runs = set(_RUN.findall(text))
    data = "\x00".join(runs).encode("utf-32-le")
    even = array("Q", data[: len(data) // 8 * 8])
    odd = array("Q", data[4 : 4 + (len(data) - 4) // 8 * 8])
    if not _LITTLE:
        even.byteswap()
        odd.byteswap()
    found = set(even)
    found.update(odd)
    found.difference_update(map(ord, map(_LAST, runs)))
    found.difference_update(map(lshift, map(ord, map(_FIRST, runs)), repeat(32)))
    return found


def token_of(code: int) -> str:
    """Return the token of a number of :func:`token_codes`."""
    return code.to_bytes(8, "little").decode("utf-32-le")


IndexFiles = dict[str, bool]
"""Every file of the index by site path: True if written now, False if unchanged (the
caller keeps the old one)."""


def build_search_index(
    docs: SearchDocs,
    text_of: Callable[[list[str]], dict[str, str]],
    sink: IndexSink,
    previous: SearchState | None = None,
    read_previous: Callable[[str], bytes | None] | None = None,
) -> tuple[IndexFiles, SearchState]:
    """Write the index files through ``sink``; return them, and the state to keep for
    the next build.

    ``text_of(ids)`` returns the searchable text of articles (see :func:`document_text`).
    With the ``previous`` state and a way to read the previous index files, documents
    that did not change are not read again and only the files an edit touches are
    rewritten. The result is the same as a clean build's, byte for byte.
    """
    state = SearchState(ids=docs.ids, digests=docs.digests, shards=shard_count(len(docs)))
    if previous is not None and read_previous is not None:
        updated = _update_index(docs, state, previous, text_of, read_previous)
        if updated is not None:
            for path, data in updated.items():
                if data is not None:
                    sink.write(path, data)
            return {path: data is not None for path, data in updated.items()}, state
    return _full_index(docs, state, text_of, sink), state


def _full_index(
    docs: SearchDocs,
    state: SearchState,
    text_of: Callable[[list[str]], dict[str, str]],
    sink: IndexSink,
) -> IndexFiles:
    """Write every index file; the texts are read :data:`BATCH` documents at a time,
    each chunk is written when made, and the posting lists are held within a bound."""
    sink.write(*script("meta", _meta(state)))

    def shard(code: int) -> int:
        return shard_of(token_of(code), state.shards)

    with PostingRuns(state.shards, shard, sink.scratch, sink.held) as postings:
        for start in range(0, len(docs), BATCH):
            batch = [docs[number] for number in range(start, min(start + BATCH, len(docs)))]
            texts = text_of([doc.id for doc in batch])
            rows = []
            for number, doc in enumerate(batch, start):
                text = texts.get(doc.id, "")
                rows.append(_row(doc, text))
                postings.add(
                    number, token_codes(normalize(doc.title)), token_codes(normalize(text))
                )
            for offset in range(0, len(rows), DOCS_PER_CHUNK):
                chunk = encode_chunk(rows[offset : offset + DOCS_PER_CHUNK])
                sink.write(*script(f"docs-{(start + offset) // DOCS_PER_CHUNK}", chunk))
        if not docs:
            sink.write(*script("docs-0", encode_chunk([])))
        for number, entries in enumerate(postings.shards()):
            tokens = ((token_of(code), lists) for code, lists in entries)
            sink.write(*script(f"index-{number}", encode_shard(tokens)))
    return dict.fromkeys(index_files(len(docs)), True)


def _update_index(
    docs: SearchDocs,
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
    if len(changed) > PATCH_LIMIT:
        return None
    files: dict[str, bytes | None] = dict.fromkeys(index_files(len(docs)))
    if not changed:
        return files
    chunks = _previous_chunks(changed, kept, read_previous)
    if chunks is None:
        return None
    texts = text_of([docs[n].id for n in changed])
    removed, added = _token_changes(changed, docs, texts, chunks)
    shards = _patched_shards(removed, added, state.shards, read_previous)
    if shards is None:
        return None
    files.update(shards)
    files.update(script(f"docs-{chunk}", encode_chunk(rows)) for chunk, rows in chunks.items())
    if len(docs) != kept:
        files.update([script("meta", _meta(state))])
    return files


def _previous_chunks(
    changed: list[int], kept: int, read: Callable[[str], bytes | None]
) -> dict[int, list[list[str]]] | None:
    """The rows of the chunks holding ``changed`` documents, as the last build left them."""
    chunks: dict[int, list[list[str]]] = {}
    for number in changed:
        chunk = number // DOCS_PER_CHUNK
        if chunk in chunks:
            continue
        if chunk * DOCS_PER_CHUNK >= kept:
            chunks[chunk] = []
            continue
        data = read_script(read, f"docs-{chunk}")
        rows = decode_chunk(data) if isinstance(data, bytes) else None
        if rows is None:
            return None
        chunks[chunk] = rows
    return chunks


Changes = dict[str, list[tuple[int, int]]]
"""Token to the (list, document number) pairs to remove from or add to its lists."""


def _token_changes(
    changed: list[int],
    docs: SearchDocs,
    texts: dict[str, str],
    chunks: dict[int, list[list[str]]],
) -> tuple[Changes, Changes]:
    """The tokens each changed document lost and gained; its row is replaced in ``chunks``."""
    removed: Changes = defaultdict(list)
    added: Changes = defaultdict(list)
    for number in changed:
        rows = chunks[number // DOCS_PER_CHUNK]
        offset = number % DOCS_PER_CHUNK
        old = rows[offset] if offset < len(rows) else None
        new = _row(docs[number], texts.get(docs[number].id, ""))
        for which, field in ((0, 1), (1, 4)):
            before = token_set(normalize(old[field])) if old else set()
            after = token_set(normalize(new[field]))
            for token in before - after:
                removed[token].append((which, number))
            for token in after - before:
                added[token].append((which, number))
        if old is None:
            rows.append(new)
        else:
            rows[offset] = new
    return removed, added


def _patched_shards(
    removed: Changes, added: Changes, shards: int, read: Callable[[str], bytes | None]
) -> dict[str, bytes | None] | None:
    """The shards holding changed tokens, patched; None if one cannot be read."""
    touched: dict[int, dict[str, list[list[int]]]] = {}
    for token in set(removed) | set(added):
        shard = shard_of(token, shards)
        if shard not in touched:
            entries = _previous_shard(read, shard)
            if entries is None:
                return None
            touched[shard] = entries
        lists = [set(numbers) for numbers in touched[shard].get(token, [[], []])]
        for which, number in removed.get(token, []):
            if number not in lists[which]:
                return None  # the old shard does not hold what the old text says
            lists[which].discard(number)
        for which, number in added.get(token, []):
            lists[which].add(number)
        touched[shard][token] = [sorted(lists[0]), sorted(lists[1])]
    return dict(
        script(
            f"index-{shard}",
            encode_shard((t, (e[0], e[1])) for t, e in entries.items() if e[0] or e[1]),
        )
        for shard, entries in touched.items()
    )


def _previous_shard(
    read: Callable[[str], bytes | None], shard: int
) -> dict[str, list[list[int]]] | None:
    """The entries of a shard the last build wrote, or None if it is missing or odd."""
    data = read_script(read, f"index-{shard}")
    if not isinstance(data, bytes):
        return None
    try:
        return decode_shard(data)
    except (IndexError, KeyError, UnicodeDecodeError, ValueError):
        return None


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
