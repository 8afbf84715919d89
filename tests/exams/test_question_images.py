"""Question images: accepted by content only, kept in the core file store, served as their real type."""

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from exams.models import Question, QuestionVersion
from lms.extensions import db

HTML = b"<!doctype html><html><script>fetch('/account/tokens')</script></html>"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00" \
      b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def png(side: int = 2) -> bytes:
    """A valid PNG of grey pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * side for _ in range(side)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def form(stem: str = "扑救电气火灾首先应", image: tuple[bytes, str] | None = None) -> dict:
    data = {"qtype": "single", "stem": stem, "options": "切断电源\n用水扑救\n打开窗户", "key": "A",
            "knowledge_point": "elec.shock", "difficulty": "2", "explanation": "先断电"}
    if image is not None:
        data["image"] = (io.BytesIO(image[0]), image[1])
    return data


def stored() -> set[Path]:
    """Every file under the instance folder, wherever a store or an older version put it."""
    return {p for p in Path(current_app.instance_path).rglob("*") if p.is_file()}


def current_store():
    from lms.storage import current_store  # here, so the other tests also run against older code

    return current_store()


def questions() -> int:
    return db.session.scalar(select(func.count(Question.id)))


@pytest.fixture
def editor_in(client, login, editor):
    login("editor")
    return client


@pytest.mark.parametrize("data", [HTML, b"", b"MZ\x90\x00 not an image"])
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(editor_in, exam_bank, data):
    before = stored()
    response = editor_in.post(f"/exams/banks/{exam_bank.id}/questions/new", data=form(image=(data, "x.png")),
                              headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing was saved." in page and 'id="image-errors"' in page
    assert questions() == 0 and stored() == before


def test_an_image_over_the_limit_is_refused(editor_in, exam_bank, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_UPLOAD_MAX_BYTES", 1024 * 1024)
    before = stored()
    big = png() + b"\x00" * (1024 * 1024)  # PNG by its signature, one MiB and a bit by its size
    # Encoded here in memory: the test client would spool a body this size to a file it never closes.
    boundary, body = encode_multipart({**form(), "image": FileStorage(io.BytesIO(big), "a.png")})
    response = editor_in.post(f"/exams/banks/{exam_bank.id}/questions/new", data=body,
                              content_type=f"multipart/form-data; boundary={boundary}",
                              headers={"Accept-Language": "en"})
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert questions() == 0 and stored() == before


def test_a_refused_image_on_edit_makes_no_new_version(editor_in, exam_bank, fill):
    [qid] = fill(exam_bank, "甲", 1, 0)
    versions = db.session.scalar(select(func.count(QuestionVersion.id)))
    response = editor_in.post(f"/exams/questions/{qid}/edit", data=form("改过的题干", (HTML, "x.jpg")),
                              headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "Nothing was saved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(QuestionVersion.id))) == versions
    assert db.session.get(Question, qid).current.stem != "改过的题干"


@pytest.mark.parametrize(("data", "name", "mime"), [(png(), "photo.png", "image/png"),
                                                    (GIF, "named-wrongly.png", "image/gif")])
def test_an_image_is_stored_by_digest_and_served_as_its_content_type(editor_in, exam_bank, data, name, mime):
    response = editor_in.post(f"/exams/banks/{exam_bank.id}/questions/new", data=form(image=(data, name)))
    assert response.status_code == 302
    version = db.session.scalar(select(Question)).current
    digest = hashlib.sha256(data).hexdigest()
    assert version.image == digest and current_store().exists(digest)
    served = editor_in.get(f"/exams/versions/{version.id}/image")
    assert served.status_code == 200 and served.data == data
    assert served.mimetype == mime
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in served.headers["Cache-Control"] and "public" not in served.headers["Cache-Control"]
    served.close()


def _legacy(name: str, data: bytes) -> None:
    folder = Path(current_app.instance_path) / "question-images"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_images_saved_before_the_store_still_serve_by_their_content(editor_in, exam_bank, fill):
    [qid] = fill(exam_bank, "乙", 1, 0)
    version = db.session.get(Question, qid).current
    name = hashlib.sha256(b"legacy").hexdigest()[:32] + ".jpg"
    _legacy(name, png())  # a PNG that was uploaded as .jpg
    version.image = name
    db.session.commit()
    served = editor_in.get(f"/exams/versions/{version.id}/image")
    assert served.status_code == 200 and served.data == png()
    assert served.mimetype == "image/png" and served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_stored_non_image_is_never_served_as_an_image(editor_in, exam_bank, fill):
    [qid] = fill(exam_bank, "丙", 1, 0)
    version = db.session.get(Question, qid).current
    name = hashlib.sha256(b"html").hexdigest()[:32] + ".png"
    _legacy(name, HTML)  # what the old extension check let through
    version.image = name
    db.session.commit()
    assert editor_in.get(f"/exams/versions/{version.id}/image").status_code == 404
    pdf = current_store().put(io.BytesIO(b"%PDF-1.4\n%%EOF\n")).digest
    version.image = pdf  # a lesson PDF's digest typed into an import
    db.session.commit()
    assert editor_in.get(f"/exams/versions/{version.id}/image").status_code == 404
