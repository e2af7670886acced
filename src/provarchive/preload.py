"""The last build's state loaded ahead of the build that uses it: ``serve`` loads it,
and splits the files of its next walk by it, while it waits for an edit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .cache import state_file
from .incremental import PreviousBuild
from .model import Signature
from .output import MARKER
from .reading import split_files
from .records import WalkSplit
from .walk import ContentScan
from .walk import signature as file_signature


@dataclass(frozen=True)
class Preloaded:
    """The last build's state with its articles, graph and plan, loaded ahead of the
    build that uses it (``serve`` loads it while it waits for an edit: at 100,000
    articles that is 0.6 s an edit no longer waits for), with the signatures of the
    files it came from: the build uses it only while they are still those."""

    previous: PreviousBuild
    marks: tuple[Signature | None, ...]

    @classmethod
    def load(cls, cache_dir: Path, output_dir: Path) -> Preloaded:
        """The state the last build into ``output_dir`` left, loaded now."""
        marks = _marks(cache_dir, output_dir)  # first: a build saving meanwhile changes them
        previous = PreviousBuild.load(cache_dir, output_dir, True).with_articles().with_plan()
        return cls(previous, marks)

    def walked(self, scan: ContentScan) -> Preloaded:
        """This state with its facts split by the article files of ``scan`` (a walk
        made ahead, which a build may then rescan: see ``reading._unchanged``)."""
        previous = self.previous
        facts = previous.facts
        if facts is None:
            return self
        unchanged, to_read = split_files(scan.markdown, facts)
        split = WalkSplit(scan.markdown, tuple(unchanged), tuple(to_read))
        return replace(self, previous=replace(previous, facts=replace(facts, walked=split)))

    def current(self) -> PreviousBuild | None:
        """The state loaded, if no build has saved another since (nor removed the cache
        or the output); else None."""
        previous = self.previous
        return previous if _marks(previous.cache_dir, previous.output_dir) == self.marks else None


def _marks(cache_dir: Path, output_dir: Path) -> tuple[Signature | None, ...]:
    """The signatures of the state file of builds into ``output_dir`` (saved last, by
    a rename, when a build ends) and of the output's marker file (see :mod:`output`)."""
    marks = []
    for path in (state_file(cache_dir, output_dir), output_dir / MARKER):
        try:
            marks.append(file_signature(path.stat()))
        except OSError:
            marks.append(None)
    return tuple(marks)
