"""Fingerprints of page contexts: equal fingerprints mean a page would render the same.

A page's fingerprint digests everything its template can see: the context built for
it (records, lists, the page spec) under a salt naming the templates, the config
and the provarchive version. An article is digested by what it was made from (its
file's hash, the links its body resolved to, the slugs of its terms) rather than by
its body, so a cached article without its body digests like a freshly rendered one.
Shared records are digested once per build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from .model import Article

_BODY_FIELDS = frozenset({"body_html", "text"})


class Digester:
    """Computes fingerprints for one build; remembers the digests of shared records."""

    def __init__(self, salt: bytes, term_slugs: dict[str, dict[str, str]]):
        self.salt = salt
        self.term_slugs = term_slugs
        self._memo: dict[int, tuple[Any, bytes]] = {}

    def fingerprint(self, context: dict[str, Any]) -> bytes:
        """Return the fingerprint of a page context."""
        return hashlib.blake2b(self.salt + self.digest(context), digest_size=16).digest()

    def digest(self, value: Any) -> bytes:
        """Return a 16-byte digest of ``value`` (records, containers, plain values)."""
        if isinstance(value, str):
            return hashlib.blake2b(b"s" + value.encode("utf-8"), digest_size=16).digest()
        if value is None or isinstance(value, (bool, int, float)):
            return hashlib.blake2b(b"v" + repr(value).encode(), digest_size=16).digest()
        if isinstance(value, dt.datetime | dt.date):
            return hashlib.blake2b(b"d" + value.isoformat().encode(), digest_size=16).digest()
        if isinstance(value, (list, tuple)):
            return self._combine(b"l", [self.digest(item) for item in value])
        if isinstance(value, dict):
            memo = self._memo.get(id(value))
            if memo is not None and memo[0] is value:
                return memo[1]
            parts = [self.digest(key) + self.digest(item)
                     for key, item in sorted(value.items(), key=lambda kv: repr(kv[0]))]
            result = self._combine(b"m", parts)
            if len(value) > 8:  # large shared mappings (columns) are worth remembering
                self._memo[id(value)] = (value, result)
            return result
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            memo = self._memo.get(id(value))
            if memo is not None and memo[0] is value:
                return memo[1]
            result = self._record(value)
            self._memo[id(value)] = (value, result)
            return result
        raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")

    def _record(self, record: Any) -> bytes:
        name = type(record).__name__.encode()
        if isinstance(record, Article):
            parts = [
                self.digest(getattr(record, f.name))
                for f in dataclasses.fields(record)
                if f.name not in _BODY_FIELDS
            ]
            slugs = [
                self.term_slugs.get(taxonomy, {}).get(name, "")
                for taxonomy, names in (("tags", record.tags), ("authors", record.authors),
                                        ("sources", (record.source,) if record.source else ()))
                for name in names
            ]
            parts.append(self.digest(slugs))
        else:
            parts = [self.digest(getattr(record, f.name)) for f in dataclasses.fields(record)]
        return self._combine(b"r" + name, parts)

    @staticmethod
    def _combine(kind: bytes, parts: list[bytes]) -> bytes:
        hasher = hashlib.blake2b(kind, digest_size=16)
        for part in parts:
            hasher.update(part)
        return hasher.digest()
