"""Records to the site graph: the column tree, article order, listings and neighbours.

All work here is linear or n·log n in the number of articles: one sort, then
single passes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .model import Article, Column
from .taxonomy import (
    TAXONOMIES,
    Term,
    build_terms,
    group_by_month,
    related_articles,
    related_key,
)
from .urls import Spell, spell_here


@dataclass(frozen=True)
class GraphMemo:
    """Slow results of one graph, kept by the build for the next one."""

    spelled: dict[str, str]
    """Term names to their plain pinyin slugs."""
    related_key: bytes = b""
    """Digest of the inputs of ``related``."""
    related: dict[str, tuple[str, ...]] | None = None
    """Related articles computed under ``related_key``."""


@dataclass(frozen=True)
class SiteGraph:
    """The archive as a linked whole; every link is a key into ``columns`` or ``articles``."""

    columns: dict[str, Column]
    """Columns by path, with ``children`` and ``article_ids`` filled in."""
    top_columns: tuple[str, ...]
    """Paths of the top-level columns in display order."""
    articles: Mapping[str, Article]
    """Articles by id."""
    order: tuple[str, ...]
    """Every article id, newest first."""
    listings: dict[str, tuple[str, ...]]
    """Column path to the ids of its own and all its descendants' articles, newest first."""
    neighbours: dict[str, tuple[str | None, str | None]]
    """Article id to (the earlier, the later) article of the same column."""
    terms: dict[str, tuple[Term, ...]]
    """Taxonomy (``tags``, ``sources``, ``authors``) to its terms, ordered by name."""
    related: dict[str, tuple[str, ...]]
    """Article id to the ids of its related articles, most related first."""
    months: dict[int, dict[int, tuple[str, ...]]]
    """Year to month to article ids, newest first at every level."""
    column_months: dict[str, dict[int, dict[int, tuple[str, ...]]]]
    """The same per column (its own and its descendants' articles)."""
    term_slugs: dict[str, dict[str, str]]
    """Taxonomy to term name to slug."""
    memo: GraphMemo
    """What the next build may reuse instead of recomputing."""

    def with_related(self, related: dict[str, tuple[str, ...]]) -> SiteGraph:
        """This graph with ``related`` as its articles' related articles (see
        :func:`link_graph`), kept in its memo too."""
        return replace(self, related=related, memo=replace(self.memo, related=related))

    def column_trail(self, path: str) -> tuple[Column, ...]:
        """Return the columns from the top level down to ``path`` (empty for the root)."""
        if not path or path not in self.columns:
            return ()
        column = self.columns[path]
        return (*(self.columns[p] for p in column.ancestors if p in self.columns), column)


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Return ``articles`` sorted newest first; articles of the same moment by id."""
    return sorted(articles, key=lambda a: (-a.date.timestamp(), a.id))


def build_graph(
    columns: dict[str, Column], articles: Iterable[Article], memo: GraphMemo | None = None
) -> SiteGraph:
    """Link columns and articles into a :class:`SiteGraph`.

    ``memo`` from an earlier graph saves recomputing what did not change.
    """
    ordered = newest_first(articles)
    key = related_key(ordered)
    related = memo_related(memo, key)
    if related is None:
        related = related_articles(ordered)
    return link_graph(columns, ordered, memo, key, related)


def _spelled(names: list[str], known: dict[str, str], spell: Spell) -> dict[str, str]:
    """``names`` to their pinyin slugs: those ``known``, the others spelled by ``spell``."""
    unknown = [name for name in names if not known.get(name)]
    spelled = spell(unknown) if unknown else {}
    return {name: known.get(name) or spelled[name] for name in names}


def memo_related(memo: GraphMemo | None, key: bytes) -> dict[str, tuple[str, ...]] | None:
    """The related articles ``memo`` holds, if they were found for articles whose
    :func:`related_key` is ``key``; else None (to be found anew)."""
    if memo is None or memo.related is None or memo.related_key != key:
        return None
    return memo.related


def link_graph(
    columns: dict[str, Column],
    ordered: list[Article],
    memo: GraphMemo | None,
    key: bytes,
    related: dict[str, tuple[str, ...]],
    spell: Spell = spell_here,
) -> SiteGraph:
    """:func:`build_graph` of the articles ``ordered`` newest first, whose
    :func:`related_key` is ``key``, with ``related`` as their related articles.

    A caller that finds the related articles meanwhile (the slowest third of a graph)
    links the graph with none, reads what it can of it, then puts them in
    (:meth:`SiteGraph.with_related`). Names of terms that ``memo`` does not hold
    spelled in pinyin are spelled by ``spell``, in one call.
    """
    by_column: dict[str, list[str]] = defaultdict(list)
    for article in ordered:
        by_column[article.column].append(article.id)

    children: dict[str | None, list[Column]] = defaultdict(list)
    for column in columns.values():
        parent = column.parent if column.parent in columns else None
        children[parent].append(column)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.weight, c.path))

    linked = {
        path: replace(
            column,
            children=tuple(child.path for child in children.get(path, [])),
            article_ids=tuple(by_column.get(path, ())),
        )
        for path, column in columns.items()
    }

    listings: dict[str, list[str]] = defaultdict(list)
    for article in ordered:
        column = linked.get(article.column)
        if column is None:
            continue
        for path in (*column.ancestors, column.path):
            listings[path].append(article.id)

    neighbours: dict[str, tuple[str | None, str | None]] = {}
    for ids in by_column.values():
        # ids are newest first: the later article precedes, the earlier follows
        for index, article_id in enumerate(ids):
            later = ids[index - 1] if index > 0 else None
            earlier = ids[index + 1] if index + 1 < len(ids) else None
            neighbours[article_id] = (earlier, later)

    articles_by_id = {article.id: article for article in ordered}
    names = {name for a in ordered for name in (*a.tags, *a.authors, a.source) if name}
    spelled = _spelled(sorted(names), memo.spelled if memo else {}, spell)
    terms = {taxonomy: build_terms(taxonomy, ordered, spelled) for taxonomy in TAXONOMIES}
    final_listings = {path: tuple(listings.get(path, ())) for path in linked}
    return SiteGraph(
        columns=linked,
        top_columns=tuple(column.path for column in children.get(None, [])),
        articles=articles_by_id,
        order=tuple(article.id for article in ordered),
        listings=final_listings,
        neighbours=neighbours,
        terms=terms,
        term_slugs={
            taxonomy: {term.name: term.slug for term in found} for taxonomy, found in terms.items()
        },
        memo=GraphMemo(spelled=spelled, related_key=key, related=related),
        related=related,
        months=group_by_month(ordered),
        column_months={
            path: group_by_month([articles_by_id[i] for i in ids])
            for path, ids in final_listings.items()
        },
    )


def columns_in_tree_order(graph: SiteGraph) -> list[str]:
    """Every column's path, each before its sub-columns, in the order of the tree."""
    ordered: list[str] = []
    stack = list(reversed(graph.top_columns))
    while stack:
        path = stack.pop()
        ordered.append(path)
        stack.extend(reversed(graph.columns[path].children))
    return ordered
