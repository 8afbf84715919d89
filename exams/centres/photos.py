"""Candidate photos: checked by content (JPEG or PNG only), size-capped, kept in the file store."""

import io
import warnings
from typing import BinaryIO

from flask import current_app
from PIL import Image, UnidentifiedImageError

from lms.i18n import _l
from lms.storage import HEAD_BYTES, IMAGE_TYPES, FileRefused, current_store, sniff

#: Photos print on tickets and show at check-in: the two formats every camera and printer takes.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"}) & IMAGE_TYPES
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
#: A portrait has no use for more pixels than this; more is a decompression bomb or a mistake.
MAX_PIXELS = 40_000_000

_REASONS = {
    "empty": _l("The photo file is empty."),
    "type": _l("The photo must be a JPEG or PNG image."),
    "too_large": _l("The photo is larger than %(mb)s MB."),
    "unreadable": _l("The photo could not be read as an image."),
}


class PhotoRefused(ValueError):
    """A photo was refused; ``reason`` is one of empty, type, too_large, unreadable."""

    def __init__(self, reason: str, limit: int):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit

    @property
    def message(self) -> str:
        """The reason as a sentence in the active language."""
        return str(_REASONS[self.reason]) % {"mb": f"{self.limit / (1024 * 1024):g}"}

    def __str__(self) -> str:
        return self.message


def max_photo_bytes() -> int:
    """The configured cap on a photo's size (EXAM_PHOTO_MAX_BYTES, 2 MiB by default)."""
    return int(current_app.config.get("EXAM_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def save_photo(stream: BinaryIO, *, limit: int | None = None) -> str:
    """Check a JPEG or PNG photo and keep it in the file store; return its digest.

    :raises PhotoRefused: empty, over the cap, not JPEG/PNG by content, or not a decodable image.
    """
    cap = limit if limit is not None else max_photo_bytes()
    # The cap is small, so the photo is read whole: Pillow must decode it before it is kept, or a
    # JPEG header over garbage would only fail when a batch of tickets is printed.
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise PhotoRefused("too_large", cap)
    _check_decodes(data, cap)
    try:
        stored = current_store().put(io.BytesIO(data), limit=cap, accept=PHOTO_TYPES)
    except FileRefused as refused:
        raise PhotoRefused(refused.args[0], cap) from None
    return stored.digest


def _check_decodes(data: bytes, cap: int) -> None:
    if not data:
        raise PhotoRefused("empty", cap)
    if sniff(data[:HEAD_BYTES]) not in PHOTO_TYPES:
        raise PhotoRefused("type", cap)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                too_big = image.width * image.height > MAX_PIXELS
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused("unreadable", cap) from None
    if too_big:
        raise PhotoRefused("unreadable", cap)


def photo_for(registration) -> str | None:
    """The registration's own photo, else the person's; None when neither has one."""
    return registration.photo_digest or registration.person.photo_digest
