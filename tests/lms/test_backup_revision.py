"""`lms restore` refuses a backup from another schema revision and then writes nothing at all."""

import io
import json
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Post
from lms.roles import Role
from lms.storage import current_store

from support import empty_all_tables

#: A revision the database is not at (the test schema is built without migrations: no revision).
OTHER_REVISION = "b1c2d3e40006"
PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 20


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def with_revision(archive: Path, revision: str | None, target: Path) -> Path:
    """A copy of the backup whose manifest names ``revision``; every other entry is unchanged."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["revision"] = revision
                data = json.dumps(manifest).encode()
            copy.writestr(info, data)
    return target


def test_a_backup_from_another_schema_revision_is_refused_and_nothing_is_written(ctx, runner, make,
                                                                                   tmp_path):
    org = make.org("无锡备份企业")
    make.person("备份员工", org=org, post=Post.SAFETY_MANAGER)
    make.account("backup_admin", Role.ENTERPRISE_ADMIN, org=org)
    digest = current_store().put(io.BytesIO(PDF)).digest
    archive = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with zipfile.ZipFile(archive) as backup:
        assert json.loads(backup.read("manifest.json"))["revision"] is None
    foreign = with_revision(archive, OTHER_REVISION, tmp_path / "other-revision.zip")
    db.session.remove()
    empty_all_tables()
    current_store().path(digest).unlink()

    refused = runner.invoke(args=["restore", str(foreign)])
    assert refused.exit_code != 0
    assert f"backup schema {OTHER_REVISION} differs from database schema None" in refused.output
    db.session.remove()
    assert set(row_counts().values()) == {0}
    assert not current_store().exists(digest)

    # The same backup at the database's revision restores: the refusal was the revision's doing.
    restored = runner.invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert (row_counts()["people"], row_counts()["accounts"]) == (1, 1)
    assert current_store().exists(digest)
