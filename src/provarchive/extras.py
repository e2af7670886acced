"""What a build reads beside articles and columns: topics and media, checked together.

One stage after the articles are read: the topics under ``topics/`` (and the articles'
``topics:`` checked against them), the images and attachments the articles show, and
the topic banners (see :mod:`provarchive.media` and :mod:`provarchive.topics`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .content import CONTENT_DIR
from .errors import ProvarchiveError
from .media import Media, Signature, collect_media
from .model import Topic
from .parallel import Progress, stage_progress
from .records import ArticleMap
from .topics import TopicScan, check_article_topics, read_topics


@dataclass(frozen=True)
class Extras:
    """The topics and media of a build."""

    topics: dict[str, Topic]
    """Topics by slug, in display order."""
    media: Media
    """Images and attachments, banners included."""
    files: tuple[tuple[str, Path], ...]
    """Output files they add: image copies and topic folders' files (site path, source)."""

    def salt(self) -> tuple:
        """What every page may show of them: the topics and their banners' content."""
        banners = [self.media.images[t.banner].key for t in self.topics.values() if t.banner]
        return (self.topics, banners)


def read_extras(
    site_dir: Path,
    topic_scan: TopicScan,
    articles: ArticleMap,
    assets: dict[str, Signature],
    cache_dir: Path,
    jobs: int,
    progress: Progress | None = None,
) -> tuple[Extras, list[ProvarchiveError]]:
    """Read the topics, check the articles' topics and media, process images (telling
    ``progress`` how far that is)."""
    topics, errors = read_topics(site_dir, topic_scan)
    banners = {
        t.banner: (site_dir / t.banner, topic_scan.files[t.banner], t.source_path)
        for t in topics.values()
        if t.banner
    }
    media, media_errors = collect_media(
        site_dir / CONTENT_DIR,
        articles.with_media(),
        assets,
        cache_dir,
        jobs,
        stage_progress(progress, "处理图片"),
        banners,
    )
    errors += media_errors + check_article_topics(articles.with_topics().values(), topics, site_dir)
    if any(t.banner not in media.images for t in topics.values() if t.banner):
        topics = {  # a banner that failed is left out (its error is reported)
            slug: t if t.banner in media.images else Topic(**{**t.__dict__, "banner": None})
            for slug, t in topics.items()
        }
    files = (*media.files, *topic_scan.assets(site_dir))
    return Extras(topics, media, files), errors
