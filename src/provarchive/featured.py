"""The articles a page features before its list: pinned ones (置顶) and 图片新闻."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Article

PHOTO_NEWS = 5
"""Articles in a 图片新闻 block."""


@dataclass(frozen=True)
class Featured:
    """The articles that can be featured, found in one pass, so that an archive without
    pins or covers costs nothing per listing."""

    articles: Mapping[str, Article]
    """Every article by id."""
    pinned: frozenset[str]
    """Ids of the pinned articles."""
    covered: frozenset[str]
    """Ids of the articles with a cover."""

    @classmethod
    def of(cls, articles: Mapping[str, Article]) -> Featured:
        """The featured articles among ``articles``."""
        pinned = frozenset(i for i, a in articles.items() if a.pinned is not None)
        covered = frozenset(i for i, a in articles.items() if a.image)
        return cls(articles, pinned, covered)

    def pins(self, ids: tuple[str, ...], *, home: bool = False) -> tuple[str, ...]:
        """The articles of ``ids`` pinned (on the home page: ``pinned: home``), by their
        ``pinned`` number, then in the order of ``ids``."""
        if not self.pinned:
            return ()
        articles = self.articles
        found = [
            (articles[i].pinned or 0, n, i)
            for n, i in enumerate(ids)
            if i in self.pinned and (articles[i].pinned_home or not home)
        ]
        return tuple(i for _, _, i in sorted(found))

    def photos(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        """The first :data:`PHOTO_NEWS` articles of ``ids`` that have a cover (图片新闻)."""
        found: list[str] = []
        if self.covered:
            for i in ids:
                if i in self.covered:
                    found.append(i)
                    if len(found) == PHOTO_NEWS:
                        break
        return tuple(found)
