"""Ways into the archive besides columns: tags, sources, reporters, dates, related articles.

Every function here takes articles in newest-first order and does linear or
n·log n work, so a 20,000-article archive costs no more than a sort.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .model import Article
from .urls import slugify_text

TAXONOMIES: dict[str, str] = {"tags": "标签", "sources": "来源", "authors": "记者"}
"""Taxonomy key (also its URL folder) to its Chinese name."""

RELATED_COUNT = 5
"""Related articles shown on an article page."""
_RELATED_WINDOW = 12
"""Neighbours in time considered per shared tag: keeps related articles linear in n."""


@dataclass(frozen=True)
class Term:
    """One tag, source or reporter, with the articles that carry it."""

    taxonomy: str
    """``tags``, ``sources`` or ``authors``."""
    name: str
    """The name as written in front matter (e.g. 科技创新, 岚山日报)."""
    slug: str
    """URL name: pinyin, unique within the taxonomy, never empty."""
    article_ids: tuple[str, ...]
    """Articles carrying the term, newest first."""


def _values(taxonomy: str) -> Callable[[Article], Iterable[str]]:
    if taxonomy == "tags":
        return lambda article: article.tags
    if taxonomy == "authors":
        return lambda article: article.authors
    return lambda article: (article.source,) if article.source else ()


def build_terms(
    taxonomy: str, articles: Sequence[Article], spelled: Mapping[str, str] | None = None
) -> tuple[Term, ...]:
    """Return the terms of ``taxonomy`` over ``articles`` (newest first), ordered by name.

    Slugs are pinyin; names that spell alike (王明, 汪明) are told apart by a suffix
    from a hash of the name, so a slug never depends on which other names exist,
    except that the first name in code-point order keeps the plain slug.
    """
    values = _values(taxonomy)
    members: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for name in values(article):
            members[name].append(article.id)
    names = sorted(members)
    slugs = unique_slugs(names, spelled)
    return tuple(
        Term(taxonomy=taxonomy, name=name, slug=slugs[name], article_ids=tuple(members[name]))
        for name in names
    )


def unique_slugs(names: Sequence[str], spelled: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return a distinct, stable slug for each of ``names`` (pinyin, suffixed on a clash).

    ``spelled`` maps names to their plain pinyin slugs as computed before (the build
    keeps them, as spelling names in pinyin is slow).
    """
    spelled = spelled or {}
    by_slug: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        by_slug[spelled.get(name) or slugify_text(name)].append(name)
    slugs: dict[str, str] = {}
    taken = set(by_slug)
    for base, clashing in by_slug.items():
        slugs[clashing[0]] = base
        for name in clashing[1:]:
            digest = hashlib.sha1(name.encode("utf-8")).hexdigest()
            length = 4
            while f"{base}-{digest[:length]}" in taken:
                length += 2
            slugs[name] = f"{base}-{digest[:length]}"
            taken.add(slugs[name])
    return slugs


def group_by_month(articles: Sequence[Article]) -> dict[int, dict[int, tuple[str, ...]]]:
    """Return article ids by year and month, newest year and month first, newest article first."""
    years: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for article in articles:
        years[article.date.year][article.date.month].append(article.id)
    return {
        year: {month: tuple(years[year][month]) for month in sorted(years[year], reverse=True)}
        for year in sorted(years, reverse=True)
    }


def related_key(articles: Sequence[Article]) -> bytes:
    """Return a digest of everything :func:`related_articles` reads (order, columns, tags)."""
    facts = [(article.id, article.column, article.tags) for article in articles]
    return hashlib.blake2b(repr(facts).encode("utf-8"), digest_size=16).digest()


def related_articles(
    articles: Sequence[Article], count: int = RELATED_COUNT
) -> dict[str, tuple[str, ...]]:
    """Return, for each article, up to ``count`` related ones: most shared tags first.

    Ties go to the nearer in time; the rest are filled from the same column,
    nearest in time. Only the ``_RELATED_WINDOW`` nearest articles of each tag are
    considered, which keeps the work linear in the number of articles.
    """
    # articles as their places in ``articles``: numbers hash and compare without
    # reading a record or a string (at 100,000 articles, looking ids up was most of it)
    ids = [article.id for article in articles]
    by_tag: dict[str, list[int]] = defaultdict(list)
    by_column: dict[str, list[int]] = defaultdict(list)
    for here, article in enumerate(articles):
        for tag in article.tags:
            by_tag[tag].append(here)
        by_column[article.column].append(here)
    related: dict[str, tuple[str, ...]] = {}
    for here, article in enumerate(articles):
        shared: Counter[int] = Counter()
        for tag in article.tags:
            shared.update(_window(by_tag[tag], here, _RELATED_WINDOW))
        # most shared tags, then nearest in time, then id: the first ``count`` of that
        # order (a C sort of a few dozen candidates beats heapq.nsmallest's Python loop)
        ranked = sorted([(-n, abs(other - here), ids[other]) for other, n in shared.items()])
        chosen = [other for _, _, other in ranked[:count]]
        if len(chosen) < count:
            nearby = _window(by_column[article.column], here, count * 2)
            for _, other in sorted((abs(place - here), ids[place]) for place in nearby):
                if len(chosen) >= count:
                    break
                if other not in chosen:
                    chosen.append(other)
        related[ids[here]] = tuple(chosen)
    return related


def _window(places: list[int], here: int, size: int) -> list[int]:
    """The up to ``size`` places on each side of ``here`` in ``places`` (ascending, and
    holding ``here``), without it."""
    index = bisect_left(places, here)
    return places[max(0, index - size) : index] + places[index + 1 : index + 1 + size]
