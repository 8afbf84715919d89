"""Portable backups: every table as JSON lines and every stored file in one zip, restorable on SQLite or
PostgreSQL and into any file store."""

import base64
import json
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Date, DateTime, LargeBinary, func, inspect, select, text

from lms import clock
from lms.extensions import db
from lms.storage import CHUNK_BYTES, FileRefused, current_store, is_digest

FORMAT_VERSION = 1
#: Stored files sit in the zip as files/<sha256>; backups without any restore as before.
FILES_PREFIX = "files/"


class RestoreRefused(RuntimeError):
    """The backup cannot be restored into this database."""


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decode(column, value):
    if value is None:
        return None
    kind = column.type
    impl = getattr(kind, "impl", kind)
    if isinstance(impl, DateTime) or isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(impl, Date):
        return date.fromisoformat(value)
    if isinstance(impl, LargeBinary):
        return base64.b64decode(value)
    return value


def _alembic_revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def write_backup(path: Path) -> dict[str, int]:
    """Write all tables to ``path`` (a zip) in one read transaction; return row counts."""
    counts = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            lines = [json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False)
                     for row in rows]
            archive.writestr(f"{table.name}.jsonl", "\n".join(lines))
            counts[table.name] = len(lines)
        manifest = {"format": FORMAT_VERSION, "revision": _alembic_revision(), "counts": counts,
                    "files": _write_files(archive),
                    "written_at": clock.now().isoformat()}
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    return counts


def restore_backup(path: Path) -> dict[str, int]:
    """Load a backup into an empty database with the same schema; all or nothing."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT_VERSION:
            raise RestoreRefused("unknown backup format")
        if manifest.get("revision") != _alembic_revision():
            raise RestoreRefused(f"backup schema {manifest.get('revision')} differs from "
                                 f"database schema {_alembic_revision()}; run `lms db upgrade` "
                                 "to the same revision first")
        for table in db.metadata.sorted_tables:
            if db.session.scalar(select(func.count()).select_from(table)):
                raise RestoreRefused(f"table {table.name} is not empty; restore needs an empty "
                                     "database")
        for table in db.metadata.sorted_tables:
            lines = archive.read(f"{table.name}.jsonl").decode().splitlines()
            rows = [{k: _decode(table.c[k], v) for k, v in json.loads(line).items()}
                    for line in lines if line]
            if rows:
                db.session.execute(table.insert(), rows)
        _reset_sequences()
        _restore_files(archive)
    return manifest["counts"]


def _write_files(archive: zipfile.ZipFile) -> int:
    """Copy every stored file into the archive as files/<sha256>; return how many."""
    store = current_store()
    written = 0
    for digest in store.digests():
        # Stored, not deflated: videos, images and PDFs are compressed already.
        info = zipfile.ZipInfo(FILES_PREFIX + digest)
        info.compress_type = zipfile.ZIP_STORED
        # Lesson videos may pass the 2 GiB a plain zip entry can hold.
        with store.open(digest) as source, archive.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, CHUNK_BYTES)
        written += 1
    return written


def _restore_files(archive: zipfile.ZipFile) -> None:
    """Put the archive's files into the store, each checked against the digest it is named by."""
    store = current_store()
    for name in archive.namelist():
        if not name.startswith(FILES_PREFIX):
            continue
        digest = name.removeprefix(FILES_PREFIX)
        if not is_digest(digest):
            raise RestoreRefused(f"{name} in the backup is not named by a SHA-256")
        if store.exists(digest):
            continue
        with archive.open(name) as source:
            try:
                stored = store.put(source)
            except FileRefused:
                raise RestoreRefused(f"{name} in the backup is not a file type the store keeps") from None
        if stored.digest != digest:
            raise RestoreRefused(f"{name} in the backup is damaged: its bytes do not match its name")


def _reset_sequences() -> None:
    """PostgreSQL keeps identity counters apart from the rows; move them past the restored ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "  # nosec B608  # names come from our own table metadata, never from input
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
