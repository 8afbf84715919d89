"""Two confirms of one roster upload at once write its people once."""

import io
from datetime import date

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Employment, RosterImport
from lms.roles import Role
from lms.roster import services as roster_services

from support import PASSWORD, at_once, roster_workbook, slowed, valid_id_number

ROWS = [["王建国", valid_id_number(seq=711), "主要负责人", None, "总经办", date(2023, 1, 5)],
        ["李安全", valid_id_number(seq=712), "安全管理人员", None, "安环部", date(2022, 6, 1)]]


def test_two_confirms_at_once_add_each_employee_once(app, make, monkeypatch):
    org = make.org("并发测试企业")
    make.account("entadmin", Role.ENTERPRISE_ADMIN, org=org)
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        client.post("/login", data={"username": "entadmin", "password": PASSWORD})
    clients[0].post("/roster/", content_type="multipart/form-data",
                    data={"organization": org.id, "file": (io.BytesIO(roster_workbook(ROWS)), "r.xlsx")})
    staged = db.session.scalar(select(RosterImport))
    monkeypatch.setattr(roster_services, "_add_employment", slowed(roster_services._add_employment, 0.2))
    url = f"/roster/imports/{staged.id}/confirm"
    responses = at_once(lambda: clients[0].post(url), lambda: clients[1].post(url))
    assert [r.status_code for r in responses] == [302, 302]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Employment.id))) == len(ROWS)


def test_each_imported_employment_is_announced_once(app, make, client, login):
    """Kept summaries follow the roster through the domain event the service sends."""
    from lms.signals import employment_started

    org = make.org("事件测试企业")
    make.account("entadmin", Role.ENTERPRISE_ADMIN, org=org)
    login("entadmin")
    client.post("/roster/", content_type="multipart/form-data",
                data={"organization": org.id, "file": (io.BytesIO(roster_workbook(ROWS)), "r.xlsx")})
    staged = db.session.scalar(select(RosterImport))
    heard = []
    with employment_started.connected_to(lambda e, **kw: heard.append((e.id, kw["actor"].username))):
        client.post(f"/roster/imports/{staged.id}/confirm")
        client.post(f"/roster/imports/{staged.id}/confirm")
    db.session.expire_all()
    ids = db.session.scalars(select(Employment.id).order_by(Employment.id)).all()
    assert sorted(heard) == [(i, "entadmin") for i in ids] and len(ids) == len(ROWS)
