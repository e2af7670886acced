"""Errors that reach users: each one knows where it happened and prints as one line.

Every mistake in content, config or templates is raised (or collected) as a
:class:`ProvarchiveError`; the command line prints ``str(error)`` and never a
traceback. A build collects all errors of a run into an :class:`ErrorGroup` and
fails once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def display_path(path: Path) -> str:
    """Return ``path`` as messages show it: relative to the working folder when inside it
    (``..`` taken out first: a site given as ``..`` is shown from inside it), else whole."""
    whole = Path(os.path.abspath(path))
    try:
        return str(whole.relative_to(Path.cwd()))
    except ValueError:
        return str(whole)


def site_file(site_dir: Path, site_path: str) -> str:
    """Return a file that a record names relative to the site folder (an article's
    ``source_path``, say) as messages show it (see :func:`display_path`)."""
    return display_path(site_dir / site_path)


class ProvarchiveError(Exception):
    """An error caused by the user's input, printed as ``path:line: error: message``."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        """What is wrong, and how to fix it."""
        self.path = str(path) if path is not None else None
        """The file at fault, as the user would type it; None when no file applies."""
        self.line = line
        """1-based line in ``path``; None when no line applies."""

    def location(self) -> str:
        """Return ``path:line`` (or ``path``, or an empty string) for the message prefix."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: error: {self.message}" if where else f"error: {self.message}"

    def __reduce__(self):  # keep errors picklable across worker processes
        return (self.__class__, (self.message, self.path, self.line))


class ConfigError(ProvarchiveError):
    """A mistake in ``site.yaml`` or a ``_column.yaml`` file."""


class ContentError(ProvarchiveError):
    """A mistake in a content file (front matter or body)."""


class TemplateError(ProvarchiveError):
    """A template that cannot be loaded or fails while rendering a page."""


class OutputError(ProvarchiveError):
    """The output folder cannot be written safely."""


class ParseError(ProvarchiveError):
    """A legacy page that cannot be parsed into an article at all."""


class ContentWarning(ProvarchiveError):
    """Something a build can go on with but the user should fix: printed as ``warning:``."""

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: warning: {self.message}" if where else f"warning: {self.message}"


class OutputWarning(ContentWarning):
    """Something about the output folder that did not stop the build (an old copy of
    the site that cannot be removed, say): printed as ``warning:``."""


class ErrorGroup(ProvarchiveError):
    """Every error found in one run, reported together."""

    def __init__(self, errors: Iterable[ProvarchiveError]):
        self.errors: tuple[ProvarchiveError, ...] = tuple(sort_errors(errors))
        """The collected errors, sorted by path and line; a group among them is
        replaced by its members, so that each error prints as one line of its own."""
        super().__init__(counted(len(self.errors), "error"))

    def __iter__(self) -> Iterator[ProvarchiveError]:
        return iter(self.errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __reduce__(self):
        return (self.__class__, (self.errors,))


def sort_errors(errors: Iterable[ProvarchiveError]) -> list[ProvarchiveError]:
    """Return ``errors`` ordered by file and line, with groups replaced by their members
    and exact duplicates dropped."""
    unique = {str(error): error for error in _members(errors)}
    return sorted(unique.values(), key=lambda e: (e.path or "", e.line or 0, e.message))


def _members(errors: Iterable[ProvarchiveError]) -> Iterator[ProvarchiveError]:
    """Every single error in ``errors``, groups (however nested) opened."""
    for error in errors:
        if isinstance(error, ErrorGroup):
            yield from _members(error.errors)
        else:
            yield error


def counted(number: int, noun: str, plural: str = "") -> str:
    """Return ``number`` with ``noun`` in the right number: ``1 article``, ``2 articles``."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def anchored(error: ProvarchiveError) -> ProvarchiveError:
    """``error`` with its file as a whole path, as kept for a later run of the command,
    which may run in another folder (:func:`shown_here` shows it from there)."""
    if error.path is None or os.path.isabs(error.path):
        return error
    return type(error)(error.message, os.path.abspath(error.path), error.line)


def shown_here(error: ProvarchiveError) -> ProvarchiveError:
    """An error kept by :func:`anchored`, its file shown from the working folder."""
    if error.path is None or not os.path.isabs(error.path):
        return error
    return type(error)(error.message, display_path(Path(error.path)), error.line)
