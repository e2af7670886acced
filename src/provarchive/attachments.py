"""附件: the documents an article offers for download, with their type and size."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Attachment:
    """One file offered for download, as the list under an article shows it."""

    path: str
    """Site path of the file (its path under ``content/``)."""
    name: str
    """The file name shown (``实施细则.pdf``)."""
    kind: str
    """The type label (``PDF``)."""
    size: int
    """Bytes."""

    @property
    def size_text(self) -> str:
        """The size as readers expect it: ``236 KB``, ``1.2 MB``, ``512 B``."""
        return format_size(self.size)


def is_attachment(path: str) -> bool:
    """Whether ``path`` names a document that is listed as an attachment."""
    return "." + path.rsplit(".", 1)[-1].lower() in ATTACHMENT_TYPES if "." in path else False


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
