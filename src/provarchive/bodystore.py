"""The body store, ``bodies.sqlite`` in the build cache: the rendered bodies of the
articles (HTML and plain text) by body key (see :func:`cache.body_key`), stored by the
processes that render them and read for the pages rendered again."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from .cachefiles import cache_fault
from .faults import database_fault

BODIES_FILE = "bodies.sqlite"
WRITER_CACHE_KIB = 16384
"""The page cache of a connection that stores bodies, at most (SQLite's default is 2 MB)."""


class BodyStore:
    """Rendered bodies by key, in SQLite; opened lazily, once per process."""

    def __init__(self, cache_dir: Path):
        self.path = cache_dir / BODIES_FILE
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._inherited: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            # a connection forked from the parent is never used, nor closed, here
            self._inherited = self._connection
            with self._faults():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # workers store the bodies they render (see reading.BodySink) and read those
            # of the pages they render, each process through its own connection
            self._connection = sqlite3.connect(self.path, timeout=30)
            # a cache: losing it to a power cut only costs a re-render, so trade
            # durability for fewer writes
            self._connection.execute("PRAGMA page_size = 32768")
            self._connection.execute("PRAGMA journal_mode = MEMORY")
            self._connection.execute("PRAGMA synchronous = OFF")
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, html TEXT, text TEXT)"
            )
            self._pid = os.getpid()
        return self._connection

    def prepare(self) -> None:
        """Create the store (its folder, file and table) if it does not exist yet."""
        with self._faults():
            self._db()

    def get(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Return ``key -> (html, text)`` for the keys that are stored."""
        return {key: (html, text) for key, html, text in self._rows("html, text", keys)}

    def html(self, keys: Iterable[str]) -> dict[str, str]:
        """Return ``key -> html`` for the keys that are stored (what pages show)."""
        return dict(self._rows("html", keys))

    def text(self, keys: Iterable[str]) -> dict[str, str]:
        """Return ``key -> text`` for the keys that are stored (what search reads)."""
        return dict(self._rows("text", keys))

    def _rows(self, columns: str, keys: Iterable[str]) -> list[tuple[str, ...]]:
        """The rows ``(key, *columns)`` of the stored ``keys``; none if the store is
        damaged. Only the columns asked for are read: making a string of a column
        nobody reads cost a fifth of fetching a body."""
        wanted = list(dict.fromkeys(keys))
        found: list[tuple[str, ...]] = []
        try:
            db = self._db()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found += db.execute(
                    f"SELECT key, {columns} FROM bodies WHERE key IN ({marks})", chunk
                )
        except sqlite3.DatabaseError:
            return []
        return found

    def put(self, bodies: Iterable[tuple[str, str, str]], *, keep_stored: bool = False) -> None:
        """Store (key, html, text) rows.

        With ``keep_stored``, a key stored already keeps its row, which saves rewriting
        it: only for bodies that depend on nothing but the key (no relative links,
        which resolve against the other files of the site).
        """
        with self._faults():
            db = self._db()
        rows = {row[0]: row for row in bodies}
        if keep_stored:
            keys = list(rows)
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for (key,) in db.execute(f"SELECT key FROM bodies WHERE key IN ({marks})", chunk):
                    del rows[key]
        with self._faults(), db:
            # the key index of 100,000 bodies is about 6 MB: with SQLite's 2 MB cache
            # each insert of a random key missed it (72 us a row, against 26 us with
            # 16 MB; 18 us at 5,000 bodies), a step of reading that grew faster than
            # the archive. Readers look each body up once: no cache helps them.
            db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", rows.values())

    @contextlib.contextmanager
    def _faults(self) -> Iterator[None]:
        """Raise a refusal of the machine (disk full, read-only) as one :class:`OutputError`."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise cache_fault(database_fault(exc, self.path), self.path.parent) from None
        except OSError as exc:
            raise cache_fault(exc, self.path.parent) from None

    def keys(self) -> list[str]:
        """Return the keys of every stored body."""
        return [row[0] for row in self._db().execute("SELECT key FROM bodies")]

    def keep_only(self, keys: set[str]) -> None:
        """Delete every body whose key is not in ``keys`` (bodies of old file versions)."""
        self.delete([key for key in self.keys() if key not in keys])

    def delete(self, keys: Iterable[str]) -> None:
        """Delete the bodies ``keys`` (those stored)."""
        with self._faults():
            db = self._db()
        stale = [(key,) for key in keys]
        if stale:
            with self._faults(), db:
                db.executemany("DELETE FROM bodies WHERE key = ?", stale)

    def count(self) -> int:
        """How many bodies are stored."""
        with self._faults():
            return int(self._db().execute("SELECT count(*) FROM bodies").fetchone()[0])

    def close(self) -> None:
        """Close the connection of this process."""
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
