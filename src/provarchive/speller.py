"""Names spelled in pinyin, for the slugs of term pages: here, or in a process of their own.

pypinyin holds its dictionaries in memory: 55 MiB in the process that imports it, and
as much again, in resident memory, in each worker forked from that process. A build
that spells every name (the first one, or one without the cache) spells them in a
process forked as the build starts (:class:`~provarchive.ahead.Standby`): it imports
pypinyin while the articles are read, spells the names the graph stage sends it, and
ends. Neither the build's process nor its page workers then hold pypinyin. Later
builds spell only names the last graph did not hold, here, in the few builds that
meet one.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator

from .ahead import Standby
from .urls import Spell, spell_here


def _import_pypinyin() -> None:
    importlib.import_module("pypinyin")


@contextlib.contextmanager
def speller(spells_all: bool, jobs: int) -> Iterator[Spell]:
    """A :data:`Spell` for one build: one that asks a process forked now, when the build
    ``spells_all`` names and this process has not imported pypinyin (then it never
    does); else :func:`spell_here`. Call it once: a second call spells here."""
    if not spells_all or "pypinyin" in sys.modules:
        yield spell_here
        return
    with Standby(_import_pypinyin, spell_here, jobs) as standby:
        yield standby.run
