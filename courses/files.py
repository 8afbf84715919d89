"""Lesson files: kept by the core file store (lms.storage); here only their lesson asset kind."""

from dataclasses import dataclass

from courses.models import AssetKind
from lms.storage import FileRefused, current_store
from lms.storage import sniff as sniff_mime

__all__ = ["KINDS", "FileRefused", "Sniffed", "sniff", "store_upload"]

#: The types a lesson accepts, by what the content shows, and how the lesson page shows each.
KINDS = {
    "image/png": AssetKind.IMAGE, "image/jpeg": AssetKind.IMAGE, "image/gif": AssetKind.IMAGE,
    "image/webp": AssetKind.IMAGE, "video/mp4": AssetKind.VIDEO, "video/webm": AssetKind.VIDEO,
    "application/pdf": AssetKind.PDF,
}


@dataclass(frozen=True)
class Sniffed:
    """What the content says the file is."""

    kind: AssetKind
    mime: str


def sniff(head: bytes) -> Sniffed | None:
    """Identify PNG, JPEG, GIF, WebP, MP4, WebM or PDF from the leading bytes; None otherwise."""
    mime = sniff_mime(head)
    return Sniffed(KINDS[mime], mime) if mime in KINDS else None


def store_upload(stream, limit: int) -> tuple[Sniffed, str, int]:
    """Check and store an uploaded stream in chunks; return its type, SHA-256 and size.

    :raises FileRefused: empty, larger than ``limit``, or not an accepted type by content.
    """
    stored = current_store().put(stream, limit=limit, accept=KINDS)
    return Sniffed(KINDS[stored.mime], stored.mime), stored.digest, stored.size
