"""The bytes of the search index files: posting lists, shards, document chunks, scripts.

Every file is a script ``ProvarchiveSearch.deliver("NAME", VALUE);`` (see
:mod:`provarchive.search`), VALUE being JSON: an object for ``meta``, and for the
others a string of base64, which ``static/search.js`` decodes into bytes.

A shard is a run of entries sorted by token, each
``varint(len(token)) token(UTF-8) list(title) list(body)``. A list of ascending
document numbers is ``varint(size << 2 | kind)`` and ``size`` bytes: for the kinds
0, 1 and 3 the first number as a varint, then the differences to the previous
number as unsigned 8, 16 or 32-bit little-endian integers; for kind 2 the first
number as a varint, then a bitmap whose bit ``i`` (bit ``i % 8`` of byte ``i // 8``)
says whether ``first + i`` is in the list. The smallest form is used, so the same
list always gives the same bytes, and no list of a common token is larger than one
bit per document. The work is done by C loops of the standard library (``map``,
``bytes``, ``array``, ``int``, ``itertools``), but for the one Python loop that sets a
bitmap's bytes.

A document chunk is zlib-compressed JSON: a list of ``[url, title, date, column, text]``.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, compress
from operator import sub
from typing import Any

SEARCH_DIR = "search"
"""Output folder of the search index."""

_PREFIX = 'ProvarchiveSearch.deliver("'
_BITS = bytes.maketrans(b"\x00\x01", b"01")
_FLAGS = bytes.maketrans(b"01", b"\x00\x01")
_WIDTH_KINDS = ((0, "B", 1 << 8), (1, "H", 1 << 16), (3, "I", 1 << 32))
_LITTLE = sys.byteorder == "little"


def varint(value: int) -> bytes:
    """Return ``value`` (not negative) as a little-endian base-128 varint."""
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """Return the varint at ``at`` in ``data`` and the offset after it."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def encode_list(numbers: Sequence[int]) -> bytes:
    """Return the bytes of an ascending list of document numbers (its smallest form)."""
    if len(numbers) < 2:  # most tokens of real text: no deltas to pack
        first_only = varint(numbers[0]) if numbers else b""
        return varint(len(first_only) << 2) + first_only
    first = numbers[0]
    span = numbers[-1] - first + 1
    bitmap_size = (span + 7) // 8
    if bitmap_size < len(numbers) - 1:  # smaller than deltas of a byte each: no need to pack them
        kind, body = 2, _bitmap(numbers, first, span)
    else:
        deltas = list(map(sub, numbers[1:], numbers[:-1]))
        kind, code, _ = next(k for k in _WIDTH_KINDS if max(deltas) < k[2])
        packed = array(code, deltas)
        if not _LITTLE:
            packed.byteswap()
        body = packed.tobytes()
        if bitmap_size < len(body):
            kind, body = 2, _bitmap(numbers, first, span)
    payload = varint(first) + body
    return varint(len(payload) << 2 | kind) + payload


def _bitmap(numbers: Sequence[int], first: int, span: int) -> bytes:
    """Bit ``n - first`` set for each ``n`` of ``numbers``, least significant bit first.

    A byte per number is set by a plain loop (``present[n] = 1`` is a bytecode of its
    own: twice as fast as ``map`` over ``present.__setitem__``); the bytes are then
    read as one binary number by C code."""
    present = bytearray(first + span)
    for number in numbers:
        present[number] = 1
    text = present[first:].translate(_BITS)[::-1]  # the highest number first, as int() reads
    return int(text, 2).to_bytes((span + 7) // 8, "little")


def decode_list(data: bytes, at: int) -> tuple[list[int], int]:
    """Return the list of document numbers at ``at`` in ``data`` and the offset after it."""
    header, at = read_varint(data, at)
    size, kind = header >> 2, header & 3
    if size == 0:
        return [], at
    end = at + size
    first, start = read_varint(data, at)
    if kind == 2:  # the bits, lowest first, as bytes 0 and 1 that pick from a range
        bits = bin(int.from_bytes(data[start:end], "little"))[:1:-1].encode("ascii")
        flags = bits.translate(_FLAGS)
        return list(compress(range(first, first + len(flags)), flags)), end
    code = {0: "B", 1: "H", 3: "I"}[kind]
    deltas = array(code, data[start:end])
    if not _LITTLE:
        deltas.byteswap()
    return list(accumulate(deltas, initial=first)), end


Entry = tuple[Sequence[int], Sequence[int]]
"""The posting lists of one token: documents with it in the title, in the text."""


def encode_shard(entries: Iterable[tuple[str, Entry]]) -> bytes:
    """Return the bytes of a shard holding ``entries`` (token, lists), sorted by token."""
    parts = []
    for token, (title, body) in sorted(entries, key=lambda item: item[0]):
        name = token.encode("utf-8")
        parts += [varint(len(name)), name, encode_list(title), encode_list(body)]
    return b"".join(parts)


def decode_shard(data: bytes) -> dict[str, list[list[int]]]:
    """Return the entries of a shard: token to [title list, body list]."""
    entries: dict[str, list[list[int]]] = {}
    at = 0
    while at < len(data):
        length, at = read_varint(data, at)
        token = data[at : at + length].decode("utf-8")
        title, at = decode_list(data, at + length)
        body, at = decode_list(data, at)
        entries[token] = [title, body]
    return entries


def encode_chunk(rows: list[list[str]]) -> bytes:
    """Return the compressed bytes of a chunk of document rows."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def decode_chunk(data: bytes) -> list[list[str]] | None:
    """Return the rows of a chunk, or None if the bytes are not one."""
    try:
        rows = json.loads(zlib.decompress(data).decode("utf-8"))
    except (zlib.error, ValueError):
        return None
    return rows if isinstance(rows, list) else None


def script(name: str, value: bytes | dict[str, int]) -> tuple[str, bytes]:
    """Return the site path and bytes of the index file ``name``: bytes go as base64."""
    if isinstance(value, bytes):
        data = '"' + base64.b64encode(value).decode("ascii") + '"'
    else:
        data = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return f"{SEARCH_DIR}/{name}.js", f'{_PREFIX}{name}",{data});\n'.encode()


def read_script(read: Callable[[str], bytes | None], name: str) -> Any:
    """Return what a previous index file holds (bytes or an object), or None if it is
    missing or not of this format."""
    data = read(f"{SEARCH_DIR}/{name}.js")
    prefix = f'{_PREFIX}{name}",'.encode()
    if data is None or not data.startswith(prefix) or not data.endswith(b");\n"):
        return None
    value = data[len(prefix) : -3]
    if value.startswith(b'"') and value.endswith(b'"'):
        try:
            return base64.b64decode(value[1:-1], validate=True)
        except (binascii.Error, ValueError):
            return None
    try:
        return json.loads(value)
    except ValueError:
        return None
