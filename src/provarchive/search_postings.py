"""The posting lists of a full search index build, held within a memory bound, and the
:class:`IndexSink` its files go to.

Documents are added in number order, with their tokens as numbers (a token's two
characters in one 64-bit number, see :func:`search.token_codes`: cheaper to make, hash
and keep than strings). Each token's two lists (titles, bodies) grow in memory as
``array('I')`` until the lists held reach ``limit`` numbers in all; then they are
spilled to a temporary file as a run, grouped by shard: the shard's tokens, the sizes
of their lists, and the numbers.
At the end :meth:`PostingRuns.shards` gives each shard's lists whole, its runs read
back in order and what is still in memory appended (numbers ascend from run to run),
so that the lists of one shard at a time are whole in memory, never all of them.

A build that never reaches ``limit`` spills nothing and makes no file.
"""

from __future__ import annotations

import tempfile
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from types import TracebackType
from typing import IO

HELD_POSTINGS = 1 << 23
"""Document numbers of posting lists a full build holds in memory (4 bytes each) before
it spills them to a temporary file."""


@dataclass(frozen=True)
class IndexSink:
    """Where a full or patched build of the index puts its files, as it makes them, and
    how much of its posting lists it holds in memory."""

    write: Callable[[str, bytes], None]
    """Called with the site path and bytes of each file written."""
    scratch: Path | None = None
    """Folder of the temporary file of posting runs (the system's if None)."""
    held: int = HELD_POSTINGS
    """Document numbers a full build holds in memory before it spills them."""


Lists = tuple[array, array]
"""The ascending document numbers of one token: in titles, in bodies."""

_FIELDS = 3
"""Numbers kept per shard of a run: offset, tokens, numbers."""
_SIZE = array("I").itemsize
_CODE_SIZE = array("Q").itemsize


def _numbers() -> array:
    return array("I")


class PostingRuns:
    """The lists of a full build: in memory up to ``limit`` numbers, the rest in runs
    in a temporary file in ``scratch`` (the system's temporary folder if None).

    Use it as a context manager: the file is closed (and so removed) at the end.
    """

    def __init__(
        self, shards: int, shard_of: Callable[[int], int], scratch: Path | None, limit: int
    ):
        self._shards = shards
        self._shard_of = shard_of
        self._scratch = scratch
        self._limit = limit
        self._titles: defaultdict[int, array] = defaultdict(_numbers)
        self._bodies: defaultdict[int, array] = defaultdict(_numbers)
        self._held = 0
        self._file: IO[bytes] | None = None
        self._runs: list[array] = []
        """Per run, :data:`_FIELDS` numbers per shard."""

    def __enter__(self) -> PostingRuns:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, number: int, title: set[int], body: set[int]) -> None:
        """Add document ``number`` (above every number added before) to the lists of
        the tokens of its title and of its body."""
        _post(self._titles, title, number)
        _post(self._bodies, body, number)
        self._held += len(title) + len(body)
        if self._held >= self._limit:
            self._spill()

    def shards(self) -> Iterator[list[tuple[int, Lists]]]:
        """Yield the entries (token, lists) of each shard in shard order, whole; the
        lists in memory are handed over (this can be walked once)."""
        groups = self._grouped()
        for shard, tokens in enumerate(groups):
            merged: dict[int, Lists] = {}
            for run in self._runs:
                self._read_run(run, shard, merged)
            for token in tokens:
                title = self._titles.pop(token, None) or _numbers()
                body = self._bodies.pop(token, None) or _numbers()
                _merge(merged, token, title, body)
            groups[shard] = []
            yield list(merged.items())

    def _grouped(self) -> list[list[int]]:
        """The tokens in memory, by shard."""
        groups: list[list[int]] = [[] for _ in range(self._shards)]
        for token in self._titles.keys() | self._bodies.keys():
            groups[self._shard_of(token)].append(token)
        return groups

    def _spill(self) -> None:
        """Write the lists in memory to the file as a run, and let go of them."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._scratch)  # noqa: SIM115 (closed on exit)
        index = array("Q")
        for tokens in self._grouped():
            sizes, numbers = array("I"), array("I")
            for token in tokens:
                title, body = self._titles.get(token, ()), self._bodies.get(token, ())
                sizes.extend((len(title), len(body)))
                numbers.extend(title)
                numbers.extend(body)
            index.extend((self._file.tell(), len(tokens), len(numbers)))
            self._file.write(array("Q", tokens).tobytes())
            self._file.write(sizes.tobytes())
            self._file.write(numbers.tobytes())
        self._runs.append(index)
        self._titles.clear()
        self._bodies.clear()
        self._held = 0

    def _read_run(self, run: array, shard: int, merged: dict[int, Lists]) -> None:
        """Add the lists that ``run`` holds for ``shard`` to ``merged``."""
        offset, count, total = run[shard * _FIELDS : (shard + 1) * _FIELDS]
        if not count or self._file is None:
            return
        self._file.seek(offset)
        code_bytes = count * _CODE_SIZE
        data = self._file.read(code_bytes + (2 * count + total) * _SIZE)
        tokens, sizes, numbers = array("Q"), array("I"), array("I")
        tokens.frombytes(data[:code_bytes])
        sizes.frombytes(data[code_bytes : code_bytes + 2 * count * _SIZE])
        numbers.frombytes(data[code_bytes + 2 * count * _SIZE :])
        at = 0
        for index, token in enumerate(tokens):
            middle = at + sizes[2 * index]
            end = middle + sizes[2 * index + 1]
            _merge(merged, token, numbers[at:middle], numbers[middle:end])
            at = end


def _merge(merged: dict[int, Lists], token: int, title: array, body: array) -> None:
    """Append ``title`` and ``body`` (higher numbers) to the lists of ``token``."""
    lists = merged.get(token)
    if lists is None:
        merged[token] = (title, body)
    else:
        lists[0].extend(title)
        lists[1].extend(body)


def _post(postings: defaultdict[int, array], found: set[int], number: int) -> None:
    """Add document ``number`` to the list of each token found (a C loop: ``map``)."""
    deque(map(array.append, map(postings.__getitem__, found), repeat(number)), maxlen=0)
