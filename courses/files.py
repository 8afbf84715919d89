"""Lesson files: the type is read from the first bytes, the bytes stored under their SHA-256."""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from courses.models import AssetKind


class FileRefused(ValueError):
    """The upload is too large, empty, or not one of the accepted types."""


@dataclass(frozen=True)
class Sniffed:
    """What the content says the file is."""

    kind: AssetKind
    mime: str


def sniff(head: bytes) -> Sniffed | None:
    """Identify PNG, JPEG, GIF, WebP, MP4, WebM or PDF from the leading bytes; None otherwise."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(AssetKind.IMAGE, "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(AssetKind.IMAGE, "image/jpeg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(AssetKind.IMAGE, "image/gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(AssetKind.IMAGE, "image/webp")
    if head[4:8] == b"ftyp":
        return Sniffed(AssetKind.VIDEO, "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed(AssetKind.VIDEO, "video/webm")
    if head.startswith(b"%PDF-"):
        return Sniffed(AssetKind.PDF, "application/pdf")
    return None


def files_root() -> Path:
    """Folder holding the stored lesson files."""
    return Path(current_app.instance_path) / current_app.config["COURSES_FILES_DIR"]


def stored_path(sha256: str) -> Path:
    """Where the bytes with this digest live."""
    return files_root() / sha256[:2] / sha256


def store_upload(stream, limit: int) -> tuple[Sniffed, str, int]:
    """Check and store an uploaded stream in chunks; return its type, SHA-256 and size.

    :raises FileRefused: empty, larger than ``limit``, or not an accepted type by content.
    """
    head = stream.read(64)
    found = sniff(head) if head else None
    if not head:
        raise FileRefused("empty")
    if found is None:
        raise FileRefused("type")
    root = files_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".upload.{os.getpid()}.{os.urandom(6).hex()}"
    try:
        digest, size = _copy_hashed(head, stream, tmp, limit)
        target = stored_path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return found, digest, size


def _copy_hashed(head: bytes, stream, tmp: Path, limit: int) -> tuple[str, int]:
    hasher, size = hashlib.sha256(head), len(head)
    with tmp.open("wb") as out:
        out.write(head)
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise FileRefused("too_large")
            hasher.update(chunk)
            out.write(chunk)
    return hasher.hexdigest(), size
