"""What a page worker does: render pages into the staging folder, a chunk at a time,
the bodies of the chunk's article pages fetched from the body store together."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from .digest import FINGERPRINT_SIZE
from .errors import TemplateError
from .fingerprints import PageFingerprints
from .model import Article
from .output import StagedOutput
from .pages import ArticlePayload, FeedPayload, PageSpec
from .reading import Bodies
from .render import PageRenderer

PageResult = bytes | tuple[TemplateError, bytes]
"""What a worker gives for a page: its fingerprint (``b""`` unless the worker makes
them, see :class:`PageFingerprints`); if its template failed, the error with it."""


@dataclass(frozen=True)
class PageWriter:
    """The task of the page workers: render a page into the staging folder, with the
    bodies it shows loaded from the body store for it and its chunk alone (a build
    never holds every body at once); in a clean build, make its fingerprint too."""

    renderer: PageRenderer
    staged: StagedOutput
    bodies: Bodies
    fingerprints: PageFingerprints | None = None

    def write(self, page: PageSpec) -> TemplateError | None:
        """Render and write ``page``; its template error, if any, as a value."""
        ids = body_ids(page)
        return self._write(page, self.bodies.of(ids) if ids else None)

    def write_chunk(self, pages: Sequence[PageSpec]) -> list[PageResult]:
        """Render and write ``pages``: the result of each, in order.

        The bodies of the chunk's article pages are fetched in one query. In a
        one-process build of 5,000 articles, fetching bodies took 0.20-0.22 s with a
        query a page (5,013 queries), 0.08-0.09 s with one a chunk (164), and writing
        the pages 2.01-2.15 s against 1.86-1.95 s. A feed, which shows many bodies,
        fetches its own as it is rendered: so a chunk holds one body a page at most.
        """
        shown = [_article_of(page) for page in pages]
        wanted = [article_id for article_id in shown if article_id is not None]
        fetched = self.bodies.of(wanted) if wanted else {}
        results: list[PageResult] = []
        for page, article_id in zip(pages, shown, strict=True):
            if article_id is None:
                error = self.write(page)
            else:
                error = self._write(page, {article_id: fetched[article_id]})
            fingerprint = self.fingerprint(page)
            results.append(fingerprint if error is None else (error, fingerprint))
        return results

    def _write(self, page: PageSpec, bodies: dict[str, Article] | None) -> TemplateError | None:
        try:
            self.staged.write(page.path, self.renderer.render(page, bodies))
        except TemplateError as exc:
            return exc
        return None

    def fingerprint(self, page: PageSpec) -> bytes:
        """The fingerprint of ``page``, or ``b""`` when this writer makes none."""
        return self.fingerprints(page) if self.fingerprints is not None else b""


def write_chunk(writer: PageWriter, pages: Sequence[PageSpec]) -> list[PageResult]:
    """:meth:`PageWriter.write_chunk`, as the workers call it."""
    return writer.write_chunk(pages)


def _article_of(page: PageSpec) -> str | None:
    """The article an article page shows; None for any other page."""
    payload = page.payload
    return payload.article if isinstance(payload, ArticlePayload) else None


def body_ids(page: PageSpec) -> tuple[str, ...]:
    """The articles whose bodies ``page`` shows (article pages and feeds)."""
    if isinstance(page.payload, ArticlePayload):
        return (page.payload.article,)
    return page.payload.listing if isinstance(page.payload, FeedPayload) else ()


class PlacedResults:
    """The results of the pages a build renders, taken as each chunk of them comes in
    (see :func:`parallel.map_chunks_meanwhile`): the template errors, by the number
    of the page in the order the pages were rendered, and the fingerprints put in the
    plan's order, both as a list and joined (for :func:`fingerprints.output_token`).

    A chunk's results come in while they are in the processor's caches, and while the
    workers are still at work. Put in order once the workers were done, the 185,000
    fingerprints of a clean build of 100,000 articles were read from all over the
    heap: the build's last stage took 0.042-0.048 s (search off), 1.33-1.35 times as
    much per page as at 5,000 articles in ``make bench``; now 0.003-0.009 s.
    """

    def __init__(self, places: Sequence[int], fingerprinted: bool):
        """``places`` is the place in the plan of each page, in the order the pages
        are rendered; ``fingerprinted``, whether the results hold fingerprints."""
        self.places = places
        self.failed: dict[int, TemplateError] = {}
        self.fingerprints: list[bytes] = [b""] * len(places) if fingerprinted else []
        self.joined = bytearray(FINGERPRINT_SIZE * len(places) if fingerprinted else 0)

    def __call__(self, start: int, results: list[PageResult]) -> None:
        """Take ``results``, those of the pages rendered from place ``start`` on."""
        if tuple in set(map(type, results)):  # a template failed: most builds, none
            for offset, result in enumerate(results):
                if type(result) is tuple:
                    self.failed[start + offset] = result[0]
            results = [result[1] if type(result) is tuple else result for result in results]
        if not self.fingerprints:
            return
        places = self.places[start : start + len(results)]
        deque(map(self.fingerprints.__setitem__, places, results), maxlen=0)
        size, joined = FINGERPRINT_SIZE, memoryview(self.joined)  # never resized
        for place, fingerprint in zip(places, results, strict=True):
            joined[place * size : place * size + size] = fingerprint  # type: ignore[index]
