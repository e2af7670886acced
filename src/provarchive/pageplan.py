"""The page plan of a build as a sequence of specs, decoded only when asked for.

A plan made anew holds its :class:`PageSpec` records. A plan reloaded from the cache
holds them as :mod:`codec` tuples and decodes a spec the first time it is asked for,
so a one-article edit of a large archive decodes the few pages it renders, not all
of them. Either way :meth:`PagePlan.showing` says which pages show an article, from
an index kept with the plan, without looking at every page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from .codec import decode, encode
from .pages import PageSpec

Showing = dict[str, list[int]]
"""Article id to the positions of the pages that show it."""


class PagePlan(Sequence[PageSpec]):
    """Every page of a build, in plan order; specs decoded on first use."""

    def __init__(
        self,
        paths: Sequence[str],
        specs: list[PageSpec | None],
        keys: Sequence,
        showing: Showing | None,
    ):
        self.paths = tuple(paths)
        """Output path of each page."""
        self._specs = specs
        self._keys = keys
        self._showing = showing
        self._positions: dict[str, int] | None = None

    @classmethod
    def of(cls, pages: Iterable[PageSpec]) -> PagePlan:
        """The plan of specs made anew (its index is made when first needed: a build
        that made its plan anew keeps it for the next one while pages render)."""
        specs: list[PageSpec | None] = list(pages)
        return cls([page.path for page in specs], specs, (), None)  # type: ignore[union-attr]

    @classmethod
    def saved(cls, paths: Sequence[str], keys: Sequence, showing: Showing) -> PagePlan:
        """A plan kept by :meth:`stored`, its specs still encoded."""
        if not (len(paths) == len(keys) and isinstance(showing, dict)):
            raise ValueError("a saved plan whose parts do not match")
        return cls(paths, [None] * len(keys), keys, showing)

    def stored(self) -> tuple[tuple[str, ...], list, Showing]:
        """The plan as plain values (paths, encoded specs, the showing index)."""
        keys = self._keys or [encode(page) for page in self]
        return self.paths, list(keys), self._index()

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
            spec = self._specs[position] = decode(PageSpec, self._keys[position])
        return spec

    def __iter__(self) -> Iterator[PageSpec]:
        return (self[position] for position in range(len(self)))

    def showing(self, article_ids: Iterable[str]) -> set[int]:
        """The positions of the pages showing any of ``article_ids``."""
        index, found = self._index(), set()
        for article_id in article_ids:
            found.update(index.get(article_id, ()))
        return found

    def _index(self) -> Showing:
        """Article id to the positions of the pages showing it."""
        if self._showing is None:
            showing: Showing = {}
            for position, page in enumerate(self):
                for article_id in page.article_ids():
                    showing.setdefault(article_id, []).append(position)
            self._showing = showing
        return self._showing

    def at(self, path: str) -> PageSpec:
        """The page written to ``path``."""
        if self._positions is None:
            self._positions = {path: position for position, path in enumerate(self.paths)}
        return self[self._positions[path]]
