"""Names spelled in pinyin, for the slugs of term pages: here, or in a process of their own.

pypinyin holds its dictionaries in memory: 55 MiB in the process that imports it, and
as much again, in resident memory, in each worker forked from that process. A build
that spells every name (the first one, or one without the cache) spells them in a
process of its own (:class:`~provarchive.ahead.Standby`): it imports pypinyin while the
build goes on, spells the names the graph stage sends it, and ends. Neither the build's
process nor its page workers then hold pypinyin. Later builds spell only names the last
graph did not hold, here, in the few builds that meet one.

The command line forks that process as it starts (:func:`started_speller`), when it
can tell that the build will read no cache: pypinyin's import then overlaps the import
of the build's modules, while a core is free, rather than the reading of the articles.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from .ahead import Standby
from .cachefiles import CACHE_DIR
from .urls import Spell, spell_here

SpellerProcess = Standby[Sequence[str], dict[str, str]]
"""A process that spells the names it is given (see :func:`speller`)."""


def _import_pypinyin() -> None:
    importlib.import_module("pypinyin")


def started_speller(
    site_dir: Path, use_cache: bool, jobs: int
) -> contextlib.AbstractContextManager[SpellerProcess | None]:
    """For a build of ``site_dir`` about to start: a speller's process, forked now, when
    the build will spell every name because it reads no cache (``use_cache`` off, or no
    cache folder yet); else nothing. Give it to :func:`speller`."""
    if use_cache and (site_dir / CACHE_DIR).is_dir():
        return contextlib.nullcontext()
    return Standby(_import_pypinyin, spell_here, jobs)


@contextlib.contextmanager
def speller(spells_all: bool, jobs: int, started: SpellerProcess | None = None) -> Iterator[Spell]:
    """A :data:`Spell` for one build: one that asks a process, ``started`` already or
    forked now, when the build ``spells_all`` names and this process has not imported
    pypinyin (then it never does); else :func:`spell_here`. Call it once: a second call
    spells here. Leaving the block ends ``started``, used or not."""
    asks = spells_all and "pypinyin" not in sys.modules
    process = started or (Standby(_import_pypinyin, spell_here, jobs) if asks else None)
    with process or contextlib.nullcontext():
        yield process.run if asks and process is not None else spell_here
