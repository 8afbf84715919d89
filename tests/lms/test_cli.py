"""The lms command: demo data, admin creation, backup and restore."""

from pathlib import Path

from sqlalchemy import func, select

from lms.auth.services import authenticate
from lms.extensions import db
from lms.models import Account, Employment, Organization, OrgKind, Person, Post, RoleGrant
from lms.models.base import utcnow

from support import empty_all_tables


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_a_realistic_dataset_once(ctx, runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "wuxi_regulator" in result.output and "Demo-2026-safety" in result.output
    enterprises = db.session.scalars(select(Organization).where(
        Organization.kind == OrgKind.ENTERPRISE)).all()
    assert 18 <= len(enterprises) <= 22
    assert sum(e.is_high_risk for e in enterprises) >= 6
    assert 450 <= count(Employment) <= 550
    posts = set(db.session.scalars(select(Employment.post)))
    assert {Post.PRINCIPAL, Post.SAFETY_MANAGER, Post.SPECIAL_OPERATIONS} <= posts
    categories = set(db.session.scalars(select(Employment.operation_category).where(
        Employment.operation_category.is_not(None))))
    assert len(categories) >= 5
    regulators = db.session.scalars(select(Organization).where(
        Organization.kind == OrgKind.REGULATOR)).all()
    assert {r.region.code for r in regulators} >= {"320200", "320500", "341500"}
    again = runner.invoke(args=["demo", "--if-empty"])
    assert "already present" in again.output
    assert count(Person) == count(Employment)


def test_demo_accounts_can_sign_in(ctx, runner):
    runner.invoke(args=["demo"])
    assert authenticate("wuxi_regulator", "Demo-2026-safety", client=None, now=utcnow()).account is not None
    assert authenticate("learner", "Demo-2026-safety", client=None, now=utcnow()).account.person is not None


def test_reference_data_adds_what_a_release_ships_and_only_that(ctx, runner):
    import json

    from lms.demo import database_is_empty
    from lms.models import Region, RuleValue
    from lms.regions import REGIONS_FILE
    from lms.rules import load_rule_file

    first = runner.invoke(args=["reference-data"])
    assert first.exit_code == 0, first.output
    shipped = load_rule_file()
    assert count(RuleValue) == len(shipped)
    assert count(Region) == len(json.loads(REGIONS_FILE.read_text(encoding="utf-8")))
    assert database_is_empty()  # no organization: `lms demo --if-empty` still loads the demo
    # A later release adds a rule value: only that one is inserted, nothing is duplicated.
    db.session.delete(db.session.scalar(select(RuleValue).where(RuleValue.key == shipped[-1]["key"])))
    db.session.commit()
    again = runner.invoke(args=["reference-data"])
    assert "0 regions and 1 rule values added" in again.output
    assert count(RuleValue) == len(shipped)


def test_create_admin(ctx, runner):
    result = runner.invoke(args=["create-admin", "boss", "--password", "a-very-long-secret"])
    assert result.exit_code == 0, result.output
    account = db.session.scalar(select(Account).where(Account.username == "boss"))
    assert [g.role for g in account.grants] == ["system_admin"]
    short = runner.invoke(args=["create-admin", "tiny", "--password", "short"])
    assert short.exit_code != 0
    assert db.session.scalar(select(Account).where(Account.username == "tiny")) is None


def test_backup_and_restore_round_trip(ctx, runner, tmp_path: Path):
    runner.invoke(args=["demo"])
    before = {m.__name__: count(m) for m in (Organization, Person, Employment, Account, RoleGrant)}
    names = sorted(db.session.scalars(select(Person.name)))
    archive = tmp_path / "backup.zip"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    db.session.remove()
    empty_all_tables()
    assert count(Person) == 0
    restored = runner.invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    after = {m.__name__: count(m) for m in (Organization, Person, Employment, Account, RoleGrant)}
    assert after == before
    assert sorted(db.session.scalars(select(Person.name))) == names
    assert authenticate("admin", "Demo-2026-safety", client=None, now=utcnow()).account is not None
    new_org = Organization(name="恢复后新建", code="NEW-AFTER-RESTORE", kind=OrgKind.SCHOOL,
                           region_id=1)
    db.session.add(new_org)
    db.session.commit()
    assert new_org.id > before["Organization"], "ids continue after the restored rows"

