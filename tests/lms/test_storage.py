"""The core file store: type by content, size cap, files by SHA-256, and its place in backups."""

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from lms.extensions import db
from lms.storage import IMAGE_TYPES, FileRefused, LocalStore, current_store, sniff, store_for

from support import empty_all_tables


def png(width: int = 1, height: int = 1) -> bytes:
    """A valid PNG of grey pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 20
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def leftovers(root: Path) -> list[Path]:
    """Every file under the store's folder, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "files")


def test_sniff_reads_the_type_from_the_content_only():
    assert sniff(png()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0" + bytes(60)) == "image/jpeg"
    assert sniff(b"GIF89a" + bytes(10)) == "image/gif"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"\x00\x00\x00\x18ftypmp42") == "video/mp4"
    assert sniff(PDF) == "application/pdf"
    assert sniff(HTML) is None and sniff(b"") is None


def test_a_file_is_kept_under_its_sha256_and_read_back(store):
    data = png(40, 30)
    stored = store.put(io.BytesIO(data), limit=10_000, accept=IMAGE_TYPES)
    digest = hashlib.sha256(data).hexdigest()
    assert (stored.digest, stored.mime, stored.size) == (digest, "image/png", len(data))
    assert store.path(digest) == store.root / digest[:2] / digest
    assert store.exists(digest) and store.mime(digest) == "image/png"
    with store.open(digest) as fh:
        assert fh.read() == data
    assert leftovers(store.root) == [store.path(digest)]
    assert store.put(io.BytesIO(data)).digest == digest, "the same bytes are kept once"
    assert list(store.digests()) == [digest]


def test_a_file_larger_than_one_chunk_is_copied_whole(store):
    data = PDF + bytes(range(256)) * 9000  # over 2 MiB, so several chunks
    stored = store.put(io.BytesIO(data), limit=len(data))
    with store.open(stored.digest) as fh:
        assert fh.read() == data


@pytest.mark.parametrize(("data", "accept", "limit", "reason"), [
    (HTML, None, None, "type"),
    (b"", None, None, "empty"),
    (PDF, IMAGE_TYPES, None, "type"),
    (png(100, 100), IMAGE_TYPES, 100, "too_large"),
    (PDF + bytes(3 << 20), None, 1 << 20, "too_large"),
])
def test_refused_files_leave_nothing_behind(store, data, accept, limit, reason):
    with pytest.raises(FileRefused) as refused:
        store.put(io.BytesIO(data), limit=limit, accept=accept)
    assert refused.value.args[0] == reason
    assert leftovers(store.root) == []
    assert list(store.digests()) == []


def test_names_that_are_not_digests_never_reach_the_disk(store):
    for name in ("../../etc/passwd", "", "ABC", "a" * 63, "g" * 64):
        assert not store.exists(name)
        with pytest.raises(ValueError):
            store.path(name)


def test_the_listing_skips_uploads_in_progress_and_strangers(store):
    digest = store.put(io.BytesIO(PDF)).digest
    (store.root / ".upload.123.abc").write_bytes(b"half")
    (store.root / digest[:2] / "notes.txt").write_text("x")
    (store.root / "zz").mkdir()
    assert list(store.digests()) == [digest]


def test_the_app_store_is_in_the_instance_folder_or_a_configured_shared_path(app, other_app, tmp_path):
    with app.app_context():
        assert current_store().root == Path(app.instance_path) / "course_files"
    shared = other_app(FILES_DIR=str(tmp_path / "shared"))
    with shared.app_context():
        assert current_store().root == tmp_path / "shared"
    assert store_for(shared).root == tmp_path / "shared"


def test_backup_and_restore_give_the_stored_files_back_byte_for_byte(ctx, runner, other_app, tmp_path):
    store = current_store()
    big = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 12_000
    digests = {store.put(io.BytesIO(data)).digest for data in (png(8, 8), PDF, big)}
    before = {d: _read(store, d) for d in store.digests()}
    archive = tmp_path / "backup.zip"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(archive) as zf:
        assert {f"files/{d}" for d in digests} <= set(zf.namelist())
    db.session.remove()
    empty_all_tables()
    fresh = other_app(FILES_DIR=str(tmp_path / "empty-store"))
    with fresh.app_context():  # the command runs in the app whose context is current
        assert list(current_store().digests()) == []
        restored = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        target = current_store()
        assert {d: _read(target, d) for d in target.digests()} == before


def test_a_backup_file_whose_bytes_differ_from_its_name_is_refused(ctx, runner, other_app, tmp_path):
    archive = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("files/" + "0" * 64, PDF)
    db.session.remove()
    empty_all_tables()
    fresh = other_app(FILES_DIR=str(tmp_path / "empty-store"))
    with fresh.app_context():
        restored = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code != 0 and "damaged" in restored.output


def _read(store, digest: str) -> bytes:
    with store.open(digest) as fh:
        return fh.read()
