"""The pages of the 专题 (topics): the topics index, each topic's pages and its feed."""

from __future__ import annotations

from functools import partial

from .graph import SiteGraph
from .machineplan import FEED_LENGTH
from .model import SiteConfig, Topic
from .pages import FeedPayload, PageKind, PageSpec, TermLink, TopicPayload, TopicsPayload
from .plan import paginated
from .topics import TOPICS_DIR, topic_listings
from .urls import index_path


def plan_topics(
    graph: SiteGraph, config: SiteConfig, topics: dict[str, Topic]
) -> tuple[list[PageSpec], list[PageSpec]]:
    """The topics index and each topic's pages, and the topics' feeds."""
    if not topics:
        return [], []
    listings = topic_listings(graph.order, graph.articles, topics)
    pages = [
        PageSpec(
            path=index_path(TOPICS_DIR),
            template="topics.html",
            kind=PageKind.TOPICS,
            title="专题",
            payload=TopicsPayload(
                tuple(TermLink(t.title, t.slug, len(listings[t.slug])) for t in topics.values())
            ),
            origin="topics index",
        )
    ]
    feeds = []
    for slug, topic in topics.items():
        folder = f"{TOPICS_DIR}/{slug}"
        pages += paginated(
            folder,
            listings[slug],
            config.per_page,
            partial(TopicPayload, topic=slug),
            template="topic.html",
            kind=PageKind.TOPIC,
            title=topic.title,
            origin=topic.source_path,
        )
        feeds.append(
            PageSpec(
                path=f"{folder}/atom.xml",
                template="atom.xml",
                kind=PageKind.FEED,
                title=topic.title,
                payload=FeedPayload(listing=listings[slug][:FEED_LENGTH], topic=slug),
                origin=topic.source_path,
            )
        )
    return pages, feeds
