"""Candidate photos: JPEG and PNG by content only, capped in size, readable, with the person's photo
standing in for the registration's."""

import io
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from exams.centres.photos import PhotoRefused, photo_for, save_photo
from lms.storage import current_store


def portrait(fmt: str = "PNG", size=(300, 420)) -> bytes:
    """A small picture with some detail, in ``fmt``."""
    image = Image.new("RGB", size, (214, 228, 240))
    ImageDraw.Draw(image).ellipse((size[0] * 0.3, size[1] * 0.2, size[0] * 0.7, size[1] * 0.55),
                                  fill=(90, 90, 100))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name: str) -> FileStorage:
    """What a form's file field hands over: the browser's name means nothing to the check."""
    return FileStorage(io.BytesIO(data), filename=name)


def test_a_jpeg_and_a_png_are_kept_under_their_digest(ctx):
    for fmt in ("JPEG", "PNG"):
        data = portrait(fmt)
        digest = save_photo(upload(data, "me.jpg").stream)
        with current_store().open(digest) as fh:
            assert fh.read() == data
        assert current_store().mime(digest) == f"image/{fmt.lower()}"


def test_a_pdf_renamed_to_jpg_is_refused_by_its_content(ctx):
    with pytest.raises(PhotoRefused) as refused:
        save_photo(upload(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n", "photo.jpg").stream)
    assert refused.value.reason == "type"
    assert "JPEG" in refused.value.message and "PNG" in refused.value.message


def test_a_gif_is_refused_although_the_store_takes_gifs(ctx):
    with pytest.raises(PhotoRefused) as refused:
        save_photo(io.BytesIO(portrait("GIF")))
    assert refused.value.reason == "type"


def test_an_oversized_photo_is_refused_by_the_configured_cap(ctx, app):
    data = portrait("PNG", size=(600, 800))
    with pytest.raises(PhotoRefused) as refused:
        save_photo(io.BytesIO(data), limit=len(data) - 1)
    assert refused.value.reason == "too_large"
    app.config["EXAM_PHOTO_MAX_BYTES"] = 1024 * 1024 // 4
    try:
        big = portrait("PNG", size=(300, 300)) + b"\0" * (1024 * 1024 // 4)
        with pytest.raises(PhotoRefused) as refused:
            save_photo(io.BytesIO(big))
        assert refused.value.reason == "too_large" and "0.25 MB" in refused.value.message
    finally:
        app.config.pop("EXAM_PHOTO_MAX_BYTES")
    assert save_photo(io.BytesIO(data), limit=len(data))


def test_a_jpeg_header_over_garbage_and_an_empty_file_are_refused(ctx):
    with pytest.raises(PhotoRefused) as refused:
        save_photo(io.BytesIO(b"\xff\xd8\xff\xe0" + b"not really a picture" * 50))
    assert refused.value.reason == "unreadable"
    with pytest.raises(PhotoRefused) as refused:
        save_photo(io.BytesIO(b""))
    assert refused.value.reason == "empty"


def test_the_registrations_photo_comes_first_then_the_persons():
    person = SimpleNamespace(photo_digest="p" * 64)
    assert photo_for(SimpleNamespace(photo_digest="r" * 64, person=person)) == "r" * 64
    assert photo_for(SimpleNamespace(photo_digest=None, person=person)) == "p" * 64
    assert photo_for(SimpleNamespace(photo_digest=None, person=SimpleNamespace(photo_digest=None))) is None
