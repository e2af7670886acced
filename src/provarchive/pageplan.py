"""The page plan of a build as a sequence of specs, decoded only when asked for.

A plan made anew holds its :class:`PageSpec` records. A plan reloaded from the cache
holds them as bytes: :mod:`codec` tuples in marshal's format, :data:`CHUNK` specs to a
block, and decodes a block the first time one of its specs is asked for, so a
one-article edit of a large archive decodes the few pages it renders, not all of them
(the 37,000 specs of 20,000 articles took 0.09 s to load as tuples). Either way
:meth:`PagePlan.showing` says which pages show an article, from an index kept with the
plan (positions as 32-bit numbers), without looking at every page.
"""

from __future__ import annotations

import marshal
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from .codec import decode, encode
from .pages import PageSpec

Showing = dict[str, list[int] | bytes]
"""Article id to the positions of the pages that show it (a list, or ``array("I")``
bytes in a plan reloaded from the cache)."""
CHUNK = 64
"""Specs stored and decoded together (strings they share are stored once)."""
Stored = tuple[tuple[str, ...], bytes, int, bytes, dict[str, bytes]]
"""A plan as :meth:`PagePlan.stored` keeps it: its paths, its blocks of encoded specs
one after another and their Adler-32 checksum (blocks are decoded during the build, so
damage must be found when the plan is loaded, while another can still be made), where
each block ends (``array("Q")`` bytes), and the showing index with the positions of
each article as ``array("I")`` bytes."""


class PagePlan(Sequence[PageSpec]):
    """Every page of a build, in plan order; specs decoded on first use."""

    def __init__(
        self,
        paths: Sequence[str],
        specs: list[PageSpec | None],
        blocks: tuple[bytes, array] | None,
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
        cls, paths: Sequence[str], data: bytes, check: int, ends: bytes, showing: dict
    ) -> PagePlan:
        """A plan kept by :meth:`stored`, its specs still encoded; ValueError when its
        parts do not match or its blocks are damaged."""
        if zlib.adler32(data) != check:
            raise ValueError("a saved plan whose blocks are damaged")
        block_ends = array("Q")
        block_ends.frombytes(ends)
        if not (len(block_ends) == -(-len(paths) // CHUNK) and isinstance(showing, dict)):
            raise ValueError("a saved plan whose parts do not match")
        if block_ends and block_ends[-1] != len(data):
            raise ValueError("a saved plan whose parts do not match")
        return cls(paths, [None] * len(paths), (data, block_ends), showing)

    def stored(self) -> Stored:
        """The plan as plain values (see :data:`Stored`)."""
        blocks, ends = [], array("Q")
        for start in range(0, len(self), CHUNK):
            blocks.append(marshal.dumps([encode(page) for page in self[start : start + CHUNK]]))
            ends.append((ends[-1] if ends else 0) + len(blocks[-1]))
        showing = {i: array("I", positions).tobytes() for i, positions in self._index().items()}
        data = b"".join(blocks)
        return self.paths, data, zlib.adler32(data), ends.tobytes(), showing

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
        return (self[position] for position in range(len(self)))

    def showing(self, article_ids: Iterable[str]) -> set[int]:
        """The positions of the pages showing any of ``article_ids``."""
        index, found = self._index(), set()
        for article_id in article_ids:
            found.update(array("I", index.get(article_id, b"")))
        return found

    def _index(self) -> Showing:
        """Article id to the positions of the pages showing it."""
        if self._showing is None:
            showing: Showing = {}
            for position, page in enumerate(self):
                for article_id in page.article_ids():
                    showing.setdefault(article_id, []).append(position)  # type: ignore[union-attr]
            self._showing = showing
        return self._showing

    def at(self, path: str) -> PageSpec:
        """The page written to ``path``."""
        if self._positions is None:
            self._positions = {path: position for position, path in enumerate(self.paths)}
        return self[self._positions[path]]
