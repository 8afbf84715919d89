"""Who may grant which role where, and the audit trail of grants and logins."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts import GrantRefused, grant_role
from lms.extensions import db
from lms.models import Account, AuditEvent
from lms.models.audit import AuditLogIsAppendOnly
from lms.regions import region_by_code
from lms.roles import Role

from support import valid_id_number


@pytest.fixture
def world(make):
    ent = make.org("无锡甲企业")
    other = make.org("六安乙企业", region_code="341502")
    return {
        "ent": ent, "other": other,
        "admin": make.account("entadmin", Role.ENTERPRISE_ADMIN, org=ent),
        "root": make.account("root", Role.SYSTEM_ADMIN),
        "bob": make.account("bob"),
    }


def test_enterprise_admin_grants_learner_in_own_enterprise_only(world):
    grant_role(world["admin"], world["bob"], Role.LEARNER, org=world["ent"])
    with pytest.raises(GrantRefused):
        grant_role(world["admin"], world["bob"], Role.LEARNER, org=world["other"])
    with pytest.raises(GrantRefused):
        grant_role(world["admin"], world["bob"], Role.REGULATOR, region=region_by_code("320200"))
    assert [g.role for g in world["bob"].grants] == ["learner"]


def test_role_scope_must_fit_the_role(world):
    with pytest.raises(GrantRefused):
        grant_role(world["root"], world["bob"], Role.REGULATOR, org=world["ent"])
    with pytest.raises(GrantRefused):
        grant_role(world["root"], world["bob"], Role.LEARNER, region=region_by_code("320200"))
    grant_role(world["root"], world["bob"], Role.REGULATOR, region=region_by_code("320200"))


def test_grants_and_revocations_are_audited_through_the_ui(client, world, login):
    bob = world["bob"]
    grant_role(world["root"], bob, Role.LEARNER, org=world["ent"])
    db.session.commit()
    login("entadmin")
    client.post(f"/accounts/{bob.id}", data={"role": "trainer", "organization": world["ent"].id,
                                             "region": 0})
    db.session.expire_all()
    trainer = next(g for g in db.session.get(Account, bob.id).grants if g.role == "trainer")
    client.post(f"/accounts/{bob.id}/grants/{trainer.id}/revoke")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["role.granted", "auth.login", "role.granted", "role.revoked"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role.granted")
                               .order_by(AuditEvent.id)).all()[-1]
    assert event.actor.username == "entadmin" and event.organization_id == world["ent"].id
    assert event.ip == "127.0.0.1" and event.details["role"] == "trainer"


def test_accounts_outside_the_enterprise_are_invisible(client, world, login):
    login("entadmin")
    assert client.get(f"/accounts/{world['bob'].id}").status_code == 404
    assert b"root" not in client.get("/accounts").data


def test_enterprise_admin_creates_a_login_for_an_employee(client, world, make, login):
    employee = make.person("钱学员", org=world["ent"])
    login("entadmin")
    response = client.post("/accounts", data={
        "username": "qian", "display_name": "钱学员", "password": "a-long-password",
        "role": "learner", "organization": world["ent"].id, "region": 0,
        "id_number": employee.id_number})
    assert response.status_code == 302
    db.session.expire_all()
    created = db.session.scalar(select(Account).where(Account.username == "qian"))
    assert created.person_id == employee.id


def test_employee_of_another_enterprise_cannot_be_linked(client, world, login):
    login("entadmin")
    response = client.post("/accounts", data={
        "username": "stranger", "display_name": "x", "password": "a-long-password",
        "role": "learner", "organization": world["ent"].id, "region": 0,
        "id_number": valid_id_number("341502")}, headers={"Accept-Language": "en"})
    assert b"No employee with that ID number" in response.data
    db.session.expire_all()
    assert db.session.scalar(select(Account).where(Account.username == "stranger")) is None


def test_audit_events_cannot_be_changed_or_deleted(world):
    grant_role(world["root"], world["bob"], Role.LEARNER, org=world["ent"])
    db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_usernames_differing_only_in_case_are_one_name(world):
    from lms.accounts import create_account

    with pytest.raises(GrantRefused):
        create_account(world["admin"], username="BOB", display_name="Bob", password="a-long-password",
                       role=Role.LEARNER, org=world["ent"])
    db.session.add(Account(username="Bob", display_name="x", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
