"""One store for uploaded files: the type is read from the content, the bytes kept under their SHA-256.

Lesson files and question images go through it. Files are named by the SHA-256 of their bytes, so
the same upload is kept once, a name can never point at other bytes, and a backup can check what
it restores. The local backend keeps them in a folder (the instance folder by default, or a shared
path that several app servers mount); another backend only has to implement ``FileStore``.
"""

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, Response, current_app, send_file
from werkzeug.exceptions import NotFound

#: Bytes read to decide the type; every signature below fits in them.
HEAD_BYTES = 64
CHUNK_BYTES = 1 << 20
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DIGEST = re.compile(r"[0-9a-f]{64}")
_EXTENSION_KEY = "lms_file_store"


class FileRefused(ValueError):
    """The upload is empty, too large or not an accepted type; ``args[0]`` says which.

    The reason is one of ``"empty"``, ``"type"`` or ``"too_large"``.
    """


@dataclass(frozen=True)
class StoredFile:
    """A file in the store: its SHA-256, the type its content shows and its size in bytes."""

    digest: str
    mime: str
    size: int


def sniff(head: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF, WebP, MP4, WebM or PDF bytes from their start; None otherwise."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def is_digest(name: str) -> bool:
    """Whether ``name`` is a SHA-256 in the form the store uses (64 lower-case hex digits)."""
    return bool(DIGEST.fullmatch(name or ""))


class FileStore(ABC):
    """Files kept by SHA-256. Subclasses say where the bytes live; checking uploads is shared."""

    def put(self, stream: BinaryIO, *, limit: int | None = None,
            accept: Collection[str] | None = None) -> StoredFile:
        """Check and store a stream read in chunks; ``accept`` limits the MIME types taken.

        :raises FileRefused: empty, larger than ``limit`` bytes, or not an accepted type by content.
        """
        head = stream.read(HEAD_BYTES)
        if not head:
            raise FileRefused("empty")
        mime = sniff(head)
        if mime is None or (accept is not None and mime not in accept):
            raise FileRefused("type")
        if limit is not None and len(head) > limit:
            raise FileRefused("too_large")
        digest, size = self._write(head, stream, limit)
        return StoredFile(digest, mime, size)

    def mime(self, digest: str) -> str | None:
        """The type the stored content shows (None for unknown content or a missing file)."""
        if not self.exists(digest):
            return None
        with self.open(digest) as fh:
            return sniff(fh.read(HEAD_BYTES))

    @abstractmethod
    def _write(self, head: bytes, stream: BinaryIO, limit: int | None) -> tuple[str, int]:
        """Keep ``head`` and the rest of ``stream``; return their SHA-256 and size."""

    @abstractmethod
    def exists(self, digest: str) -> bool:
        """Whether the file with this digest is stored (False for anything not a digest)."""

    @abstractmethod
    def open(self, digest: str) -> BinaryIO:
        """The stored bytes for reading; raise FileNotFoundError when they are not there."""

    @abstractmethod
    def send(self, digest: str, mime: str, *, download_name: str | None = None,
             max_age: int = 3600) -> Response:
        """A response with the stored bytes as ``mime``; 404 when they are not there."""

    @abstractmethod
    def digests(self) -> Iterator[str]:
        """Every stored digest, in order."""


class LocalStore(FileStore):
    """Files in a folder on this machine or a mounted share: ``<root>/<first two hex>/<sha256>``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        """Where the bytes with this digest live (whether or not they are there yet)."""
        if not is_digest(digest):
            raise ValueError(f"not a SHA-256 digest: {digest!r}")
        return self.root / digest[:2] / digest

    def exists(self, digest: str) -> bool:
        """Whether the file with this digest is stored (False for anything not a digest)."""
        return is_digest(digest) and self.path(digest).is_file()

    def open(self, digest: str) -> BinaryIO:
        """The stored bytes for reading; raise FileNotFoundError when they are not there."""
        return self.path(digest).open("rb")

    def send(self, digest: str, mime: str, *, download_name: str | None = None,
             max_age: int = 3600) -> Response:
        """A response with the stored bytes as ``mime``; 404 when they are not there.

        Range requests get 206 (video seeking); the digest is the ETag. The files sit behind
        access checks, so shared caches must not keep them, and browsers must not guess a type.
        """
        if not self.exists(digest):
            raise NotFound()
        response = send_file(self.path(digest), mimetype=mime, conditional=True, etag=digest,
                             download_name=download_name, max_age=max_age)
        response.cache_control.public = False
        response.cache_control.private = True
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def digests(self) -> Iterator[str]:
        """Every stored digest, in order (temporary files of uploads in progress are skipped)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for file in sorted(folder.iterdir()):
                if is_digest(file.name) and file.name[:2] == folder.name and file.is_file():
                    yield file.name

    def _write(self, head: bytes, stream: BinaryIO, limit: int | None) -> tuple[str, int]:
        # The temporary file sits in the root, on the same file system as its final place, so the
        # rename is atomic: readers on any server see the whole file or none.
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".upload.{os.getpid()}.{os.urandom(6).hex()}"
        try:
            digest, size = _copy_hashed(head, stream, tmp, limit)
            target = self.path(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return digest, size


def _copy_hashed(head: bytes, stream: BinaryIO, tmp: Path, limit: int | None) -> tuple[str, int]:
    hasher, size = hashlib.sha256(head), len(head)
    with tmp.open("wb") as out:
        out.write(head)
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if limit is not None and size > limit:
                raise FileRefused("too_large")
            hasher.update(chunk)
            out.write(chunk)
        # The database row naming the digest is committed right after: the bytes must be on disk
        # first, or a power cut could leave the row pointing at an empty file.
        out.flush()
        os.fsync(out.fileno())
    return hasher.hexdigest(), size


def store_for(app: Flask) -> FileStore:
    """The store an app's configuration describes (FILES_DIR, inside the instance folder if relative)."""
    return LocalStore(Path(app.instance_path) / app.config["FILES_DIR"])


def current_store() -> FileStore:
    """The current app's file store, made from its configuration on first use."""
    store = current_app.extensions.get(_EXTENSION_KEY)
    if store is None:
        store = current_app.extensions[_EXTENSION_KEY] = store_for(current_app)
    return store
