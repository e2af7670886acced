"""The fingerprints of a build's pages: the digests of a graph's articles, the
fingerprints the workers make of the pages of a clean build, every page's fingerprint
in the plan's order, and the output's token made of them (see :mod:`digest` for what
a fingerprint covers)."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from .digest import ARTICLE_DIGEST_SIZE, article_digest, page_fingerprint, term_slug_maps
from .graph import SiteGraph
from .media import Media
from .pageplan import PlanFingerprints
from .pages import PageSpec


def output_token(fingerprints: Mapping[str, bytes]) -> str:
    """The marker token of an output made of pages with these fingerprints."""
    if isinstance(fingerprints, PlanFingerprints):
        joined: bytes | bytearray = fingerprints.joined
    else:
        joined = b"".join(fingerprints.values())
    return hashlib.blake2b(joined, digest_size=8).hexdigest()


def all_fingerprints(
    known: dict[str, bytes], paths: Sequence[str], made: Sequence[bytes], joined: bytearray
) -> Mapping[str, bytes]:
    """The fingerprint of every page, in the plan's order: those ``known`` before the
    pages were rendered (by :meth:`incremental.PreviousBuild.decide`) or, when none
    were (nothing could be reused, so every page was rendered), those made where each
    page was rendered (``made``, in the order of the plan's ``paths``, and ``joined``
    one after the other; see :class:`PageFingerprints`), kept as they came (see
    :class:`PlanFingerprints`)."""
    if known or not paths:
        return known
    return PlanFingerprints(paths, made, joined)


@dataclass(frozen=True)
class PageFingerprints:
    """Makes the fingerprint of each page of a clean build where the page is rendered,
    in the workers: :meth:`incremental.PreviousBuild.decide` made none, and making
    185,000 of them (100,000 articles) after the workers were done took this process
    2.4 s alone.

    Every article's digest is made before the workers are forked (see
    :func:`joined_digests`): encoding a record reads every field of it, and a worker
    that read the records of all the articles its list pages show would copy the
    memory pages holding them. A worker reads only the digests, and the page specs it
    renders.
    """

    salt: bytes
    digests: Mapping[str, bytes]

    @classmethod
    def of(cls, graph: SiteGraph, salt: bytes, joined: bytes) -> PageFingerprints:
        """The fingerprints of the pages of ``graph``, from its articles' digests made
        by :func:`joined_digests`."""
        each = map(itemgetter(0), struct.iter_unpack(_ONE_DIGEST, joined))
        return cls(salt, dict(zip(graph.articles, each, strict=True)))

    def __call__(self, page: PageSpec) -> bytes:
        return page_fingerprint(self.salt, page, self.digests)


_ONE_DIGEST = f"{ARTICLE_DIGEST_SIZE}s"


def joined_digests(graph: SiteGraph, media: Media) -> bytes:
    """Every article's digest (see :class:`Digests`), in the order of ``graph.articles``,
    one after the other: what a worker that makes them sends back, 16 bytes an article,
    rather than a dictionary of 100,000 ids that the build's process has already."""
    return b"".join(Digests(graph, media).every().values())


class Digests(dict):
    """Article digests of a graph, computed when first asked for."""

    def __init__(self, graph: SiteGraph, media: Media | None = None):
        super().__init__()
        self.graph = graph
        self.media = media or Media()
        self.slugs = term_slug_maps(graph.term_slugs)

    def __missing__(self, article_id: str) -> bytes:
        article = self.graph.articles[article_id]
        digest = article_digest(article, self.slugs, self.media.digest(article))
        self[article_id] = digest
        return digest

    def every(self) -> Digests:
        """These digests, with that of every article of the graph made now."""
        slugs, media = self.slugs, self.media
        for article_id, article in self.graph.articles.items():
            if article_id not in self:
                self[article_id] = article_digest(article, slugs, media.digest(article))
        return self
