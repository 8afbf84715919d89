"""Portable backups: every table as JSON lines in one zip, restorable on SQLite or PostgreSQL."""

import base64
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Date, DateTime, LargeBinary, func, inspect, select, text

from lms.extensions import db

FORMAT_VERSION = 1


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
                    "written_at": datetime.now().astimezone().isoformat()}
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
    return manifest["counts"]


def _reset_sequences() -> None:
    """PostgreSQL keeps identity counters apart from the rows; move them past the restored ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
