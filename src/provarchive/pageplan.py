"""The page plan of a build as a sequence of specs, decoded only when asked for.

A plan made anew holds its :class:`PageSpec` records. A plan reloaded from the cache
holds them as bytes: :mod:`codec` tuples in marshal's format, :data:`CHUNK` specs to a
block, and decodes a block the first time one of its specs is asked for, so a
one-article edit of a large archive decodes the few pages it renders, not all of them
(the 37,000 specs of 20,000 articles took 0.09 s to load as tuples). Either way
:meth:`PagePlan.showing` says which pages show an article, from an index kept with the
plan (:class:`Showing`), without decoding a page.
"""

from __future__ import annotations

import contextlib
import marshal
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from itertools import accumulate, chain, compress, count
from typing import overload

from .codec import decode, encode
from .pages import PageSpec

CHUNK = 64
"""Specs stored and decoded together (strings they share are stored once)."""
FEW = 16
"""Up to this many articles, :meth:`Showing.positions` scans for each on its own."""
StoredShowing = tuple[tuple[str, ...], bytes, bytes]
"""A :class:`Showing` as plain values: its ids, and its ``ends`` and ``shown`` as bytes."""
Stored = tuple[tuple[str, ...], bytes | bytearray, int, bytes, StoredShowing]
"""A plan as :meth:`PagePlan.stored` keeps it: its paths, its blocks of encoded specs
one after another and their Adler-32 checksum (blocks are decoded during the build, so
damage must be found when the plan is loaded, while another can still be made), where
each block ends (``array("Q")`` bytes), and its :class:`Showing` index."""


class Showing:
    """Which pages show each article, kept as the pages list them: the articles of every
    page, page after page, as numbers (``shown``); where each page's run of them ends
    (``ends``); and the id of each number (``ids``).

    Made by C loops over the pages' article ids, with no list or number object per
    article: an index from each article to its pages (a dict of lists) cost 2.4-2.7
    times as much per article at 100,000 articles as at 5,000, its 1.9 million
    positions scattered over memory. Looking an article up scans the bytes of
    ``shown`` for its number; more than :data:`FEW` articles, one pass over ``shown``.
    """

    __slots__ = ("_bytes", "ends", "ids", "shown")

    def __init__(self, ids: tuple[str, ...], ends: array, shown: array):
        self.ids = ids
        """The article of each number."""
        self.ends = ends
        """Where the run of each page ends in :attr:`shown` (``array("I")``)."""
        self.shown = shown
        """The numbers of the articles each page shows, page after page (``array("I")``)."""
        self._bytes: bytes | None = None

    @classmethod
    def of(cls, shows: Iterable[tuple[str, ...]]) -> Showing:
        """The index of pages that show the articles ``shows`` gives, page by page."""
        runs = list(shows)
        flat = list(chain.from_iterable(runs))
        numbers = dict(zip(dict.fromkeys(flat), count()))
        shown = array("I", map(numbers.__getitem__, flat))
        return cls(tuple(numbers), array("I", accumulate(map(len, runs))), shown)

    @classmethod
    def saved(cls, stored: object, pages: int) -> Showing:
        """The index :meth:`stored` kept for ``pages`` pages; ValueError if it is not one."""
        if not (isinstance(stored, tuple) and len(stored) == 3):
            raise ValueError("a saved plan without its index of pages")
        ids, ends_bytes, shown_bytes = stored
        kinds = (tuple, bytes, bytes)
        if not all(map(isinstance, stored, kinds)):
            raise ValueError("a saved plan whose index is damaged")
        ends, shown = array("I"), array("I")
        ends.frombytes(ends_bytes)  # ValueError if not whole numbers
        shown.frombytes(shown_bytes)
        if len(ends) != pages or (ends[-1] if ends else 0) != len(shown):
            raise ValueError("a saved plan whose index does not match its pages")
        return cls(ids, ends, shown)

    def stored(self) -> StoredShowing:
        """The index as plain values (see :meth:`saved`)."""
        return self.ids, self.ends.tobytes(), self.shown.tobytes()

    def positions(self, article_ids: Iterable[str]) -> set[int]:
        """The positions of the pages showing any of ``article_ids``."""
        wanted = set(article_ids)
        if len(wanted) <= FEW:  # an edit's few: each found by a scan in C
            hits: Iterable[int] = chain.from_iterable(map(self._entries, self._numbers(wanted)))
        else:
            numbers = set(compress(count(), map(wanted.__contains__, self.ids)))
            hits = compress(count(), map(numbers.__contains__, self.shown))
        return {bisect_right(self.ends, hit) for hit in hits}

    def _numbers(self, article_ids: set[str]) -> list[int]:
        """The numbers of those of ``article_ids`` that some page shows."""
        found = []
        for article_id in article_ids:
            with contextlib.suppress(ValueError):
                found.append(self.ids.index(article_id))
        return found

    def _entries(self, number: int) -> list[int]:
        """Where ``number`` is in :attr:`shown`: its 4-byte pattern found in the bytes
        (several times faster than comparing each entry), at whole entries only."""
        if self._bytes is None:
            self._bytes = self.shown.tobytes()
        data, pattern, found = self._bytes, array("I", [number]).tobytes(), []
        at = data.find(pattern)
        while at != -1:
            if at % len(pattern) == 0:
                found.append(at // len(pattern))
            at = data.find(pattern, at + 1)
        return found


class PagePlan(Sequence[PageSpec]):
    """Every page of a build, in plan order; specs decoded on first use."""

    def __init__(
        self,
        paths: Sequence[str],
        specs: list[PageSpec | None],
        blocks: tuple[bytes | bytearray, array] | None,
        showing: Showing | None,
    ):
        self.paths = tuple(paths)
        """Output path of each page."""
        self._specs = specs
        self._blocks = blocks
        self._showing = showing
        self._positions: dict[str, int] | None = None

    @classmethod
    def of(cls, pages: Iterable[PageSpec]) -> PagePlan:
        """The plan of specs made anew (its index is made when first needed: a build
        that made its plan anew keeps it for the next one while pages render)."""
        specs: list[PageSpec | None] = list(pages)
        return cls([page.path for page in specs], specs, None, None)  # type: ignore[union-attr]

    @classmethod
    def saved(
        cls,
        paths: Sequence[str],
        data: bytes | bytearray,
        check: int,
        ends: bytes,
        showing: object,
    ) -> PagePlan:
        """A plan kept by :meth:`stored`, its specs still encoded; ValueError when its
        parts do not match or its blocks are damaged."""
        if zlib.adler32(data) != check:
            raise ValueError("a saved plan whose blocks are damaged")
        block_ends = array("Q")
        block_ends.frombytes(ends)
        if len(block_ends) != -(-len(paths) // CHUNK):
            raise ValueError("a saved plan whose parts do not match")
        if block_ends and block_ends[-1] != len(data):
            raise ValueError("a saved plan whose parts do not match")
        index = Showing.saved(showing, len(paths))
        return cls(paths, [None] * len(paths), (data, block_ends), index)

    def stored(self) -> Stored:
        """The plan as plain values (see :data:`Stored`).

        The blocks are added to one growing buffer: kept as a list and joined, they were
        held twice at once. Saving the plan of 100,000 articles (88 MB of blocks) grew
        the build's process by 164 MiB that way, by 111 MiB this way.
        """
        data, ends = bytearray(), array("Q")
        for start in range(0, len(self), CHUNK):
            data += marshal.dumps([encode(page) for page in self[start : start + CHUNK]])
            ends.append(len(data))
        return self.paths, data, zlib.adler32(data), ends.tobytes(), self._index().stored()

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, position: int) -> PageSpec: ...

    @overload
    def __getitem__(self, position: slice) -> list[PageSpec]: ...

    def __getitem__(self, position: int | slice) -> PageSpec | list[PageSpec]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        spec = self._specs[position]
        if spec is None:
            self._decode_block(position // CHUNK)
            spec = self._specs[position]
        return spec  # type: ignore[return-value]

    def _decode_block(self, block: int) -> None:
        """Decode the specs of stored block number ``block``."""
        data, ends = self._blocks  # type: ignore[misc]
        start = ends[block - 1] if block else 0
        keys = marshal.loads(data[start : ends[block]])
        first = block * CHUNK
        self._specs[first : first + len(keys)] = [decode(PageSpec, key) for key in keys]

    def __iter__(self) -> Iterator[PageSpec]:
        for block in range(0, len(self._specs), CHUNK):  # a block is decoded whole
            if self._specs[block] is None:
                self._decode_block(block // CHUNK)
        return iter(self._specs)  # type: ignore[arg-type]

    def showing(self, article_ids: Iterable[str]) -> set[int]:
        """The positions of the pages showing any of ``article_ids``."""
        return self._index().positions(article_ids)

    def _index(self) -> Showing:
        """The index of the pages showing each article, made when first needed."""
        if self._showing is None:
            self._showing = Showing.of(page.article_ids() for page in self)
        return self._showing

    def at(self, path: str) -> PageSpec:
        """The page written to ``path``."""
        if self._positions is None:
            self._positions = {path: position for position, path in enumerate(self.paths)}
        return self[self._positions[path]]


class PlanFingerprints(Mapping[str, bytes]):
    """The fingerprint of every page of a plan, made where each page was rendered, as
    two lists in the plan's order: the plan's paths and the fingerprints (also
    ``joined``, one after the other).

    A clean build looks none of them up; it keeps them for the next build, which reads
    them as a dict (see :func:`cache.save_state`). Making that dict took a clean build
    of 100,000 articles (185,000 pages) 0.04 s, a step that grew faster than the pages.
    A lookup makes it here, once.
    """

    def __init__(self, paths: Sequence[str], made: Sequence[bytes], joined: bytes | bytearray):
        if len(paths) != len(made):
            raise ValueError("a fingerprint for each page of the plan, no more, no less")
        self.paths = paths
        self.made = made
        self.joined = joined

    @cached_property
    def _by_path(self) -> dict[str, bytes]:
        return dict(zip(self.paths, self.made, strict=True))

    def __getitem__(self, path: str) -> bytes:
        return self._by_path[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def fingerprint_lists(
    fingerprints: Mapping[str, bytes],
) -> tuple[Sequence[str], Sequence[bytes]]:
    """The paths and the fingerprints of ``fingerprints``, in its order."""
    if isinstance(fingerprints, PlanFingerprints):
        return fingerprints.paths, fingerprints.made
    return tuple(fingerprints), list(fingerprints.values())
