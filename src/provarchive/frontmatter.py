"""Split a content file into its YAML front matter and Markdown body."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ContentError
from .yamlfile import LineMap, load_mapping

_OPEN = "---"
_CLOSE = ("---", "...")


@dataclass(frozen=True)
class SplitFile:
    """A content file cut in two at its front matter fences."""

    meta: LineMap
    """The front matter as a mapping, with the file line of each key."""
    body: str
    """The Markdown after the closing fence."""
    body_line: int
    """File line on which ``body`` starts."""


def split_front_matter(text: str, path: str) -> SplitFile:
    """Return the parsed front matter and the body of ``text`` (read from ``path``).

    The file must start with a line ``---``, then YAML, then a line ``---``
    (or ``...``). Raises :class:`ContentError` with the line at fault otherwise.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ContentError(
            "the file is empty; an article needs front matter with at least "
            "'title' and 'date' between two '---' lines",
            path,
            1,
        )
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip() != _OPEN:
        raise ContentError(
            "no front matter: an article must start with a line '---', then 'title: ...' "
            "and 'date: ...' lines, then a line '---'",
            path,
            1,
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSE:
            meta_text = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            meta = load_mapping(
                meta_text, path, first_line=2, what="front matter", error_type=ContentError
            )
            return SplitFile(meta=meta, body=body, body_line=index + 2)
    raise ContentError(
        "front matter is not closed: add a line '---' after the last metadata line",
        path,
        1,
    )
