"""The articles a page features before its list: pinned ones (置顶) and 图片新闻."""

from __future__ import annotations

from .model import Article

PHOTO_NEWS = 5
"""Articles in a 图片新闻 block."""


def pinned_ids(
    articles: dict[str, Article], ids: tuple[str, ...], *, home: bool = False
) -> tuple[str, ...]:
    """The articles of ``ids`` pinned (on the home page: ``pinned: home``), by their
    ``pinned`` number, then in the order of ``ids``."""
    found = [
        (articles[i].pinned or 0, n, i)
        for n, i in enumerate(ids)
        if articles[i].pinned is not None and (articles[i].pinned_home or not home)
    ]
    return tuple(i for _, _, i in sorted(found))


def photo_ids(articles: dict[str, Article], ids: tuple[str, ...]) -> tuple[str, ...]:
    """The newest :data:`PHOTO_NEWS` articles of ``ids`` that have a cover (图片新闻)."""
    found = []
    for i in ids:
        if articles[i].image:
            found.append(i)
            if len(found) == PHOTO_NEWS:
                break
    return tuple(found)
