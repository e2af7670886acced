"""附件: the documents an article offers for download, with their type and size."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

ATTACHMENT_TYPES = {
    ".pdf": "PDF",
    ".doc": "DOC",
    ".docx": "DOCX",
    ".xls": "XLS",
    ".xlsx": "XLSX",
    ".wps": "WPS",
    ".et": "ET",
    ".zip": "ZIP",
    ".rar": "RAR",
    ".ofd": "OFD",
}
"""File suffixes listed as attachments when an article links to them, with their labels."""
_SHOWN_NAMES = ("showname", "oldname", "name", "title", "filetitle")
"""Query keys of download scripts that carry the name a reader sees."""


@dataclass(frozen=True)
class Attachment:
    """One file offered for download, as the list under an article shows it."""

    path: str
    """Site path of the file (its path under ``content/``)."""
    name: str
    """The file name shown (``实施细则.pdf``)."""
    kind: str
    """The type label (``PDF``)."""
    size: int | None
    """Bytes; None for a file kept only at its legacy address (``url``)."""
    url: str = ""
    """For a file not kept in the archive: the address it has on the legacy site
    (``attachments:`` entry ``{url: …, title: …}``); empty for a file under ``content/``."""

    @property
    def size_text(self) -> str:
        """The size as readers expect it: ``236 KB``, ``1.2 MB``, ``512 B`` ("" unknown)."""
        return "" if self.size is None else format_size(self.size)


def is_attachment(path: str) -> bool:
    """Whether ``path`` names a document that is listed as an attachment."""
    return "." + path.rsplit(".", 1)[-1].lower() in ATTACHMENT_TYPES if "." in path else False


def attachment_suffix(address: str) -> str | None:
    """The attachment suffix (``.pdf``) of a link's target: its path's, else that of a
    query value naming a file (``downfile.jsp?filename=a.doc``); None for other links."""
    parts = urlsplit(address.strip())
    for name in (unquote(parts.path), *(value for _, value in parse_qsl(parts.query))):
        suffix = _suffix(name)
        if suffix in ATTACHMENT_TYPES:
            return suffix
    return None


def file_name(address: str) -> str:
    """The document's file name a link's target names: a query value shown to readers
    (``showname=``, ``oldname=``), else its path's last part, else another query value;
    "" when it names none."""
    parts = urlsplit(address)
    query = [(key.lower(), value.rsplit("/", 1)[-1]) for key, value in parse_qsl(parts.query)]
    names = [value for key, value in query if key in _SHOWN_NAMES]
    names += [unquote(parts.path).rsplit("/", 1)[-1], *(value for _, value in query)]
    return next((name for name in names if _suffix(name) in ATTACHMENT_TYPES), "")


def linked_attachment(url: str, title: str) -> Attachment:
    """The :class:`Attachment` of a file kept only at its legacy address ``url``."""
    suffix = attachment_suffix(url) or _suffix(title)
    return Attachment(
        path="", name=title, kind=ATTACHMENT_TYPES.get(suffix, ""), size=None, url=url
    )


def _suffix(name: str) -> str:
    """``name``'s suffix, lower case with its dot ("" for none)."""
    last = name.rsplit("/", 1)[-1]
    return "." + last.rsplit(".", 1)[-1].lower() if "." in last else ""


def attachment(path: str, size: int) -> Attachment:
    """The :class:`Attachment` for the file ``path`` of ``size`` bytes."""
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    return Attachment(
        path=path, name=name, kind=ATTACHMENT_TYPES.get(suffix, suffix[1:].upper()), size=size
    )


def format_size(size: int) -> str:
    """``size`` bytes in B, KB (whole) or MB (one decimal), 1 KB being 1,024 bytes."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"
