"""Logins in bulk from the roster import: asked for on upload, handed over as an Excel list, the
initial password to be changed at the first sign-in, never stored in clear."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.services import authenticate
from lms.extensions import db
from lms.models import Account, AuditEvent, RosterImport
from lms.models.base import utcnow
from lms.roles import Role
from lms.spreadsheets import XLSX_MIME

from support import roster_workbook, valid_id_number

ROWS = [
    ["孙电工", valid_id_number(seq=41), "特种作业人员", "1.2", "设备部", date(2024, 7, 1)],
    ["周员工", valid_id_number(seq=42), "其他从业人员", None, "仓储部", "2025-02-01"],
]


def upload(client, org, create_logins: bool):
    data = {"organization": org.id, "file": (io.BytesIO(roster_workbook(ROWS)), "roster.xlsx")}
    if create_logins:
        data["create_logins"] = "y"
    response = client.post("/roster/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    return db.session.scalar(select(RosterImport).order_by(RosterImport.id.desc()))


def test_confirming_with_logins_hands_over_an_excel_list_of_working_logins(make, client, login):
    org = make.org("无锡登录化工", high_risk=True, industry="hazardous_chemicals")
    make.account("roster_admin", Role.ENTERPRISE_ADMIN, org=org)
    login("roster_admin")
    assert "create_logins" in client.get("/roster/").get_data(as_text=True)
    staged = upload(client, org, create_logins=True)
    response = client.post(f"/roster/imports/{staged.id}/confirm")
    assert response.status_code == 200 and response.mimetype == XLSX_MIME
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2, max_row=3)]
    assert sorted(r[0] for r in rows) == ["周员工", "孙电工"]
    for name, username, password in rows:
        account = db.session.scalar(select(Account).where(Account.username == username))
        assert account.person.name == name and account.must_change_password
        assert [(g.role, g.organization_id) for g in account.grants] == [(Role.LEARNER.value, org.id)]
        assert password not in account.password_hash and len(password) >= 12
        assert authenticate(username, password, client=None, now=utcnow()).account is not None
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.created")).all()
    assert len(created) == 2


def test_without_the_checkbox_no_login_is_made(make, client, login):
    org = make.org("无锡无登录机械")
    make.account("roster_admin2", Role.ENTERPRISE_ADMIN, org=org)
    login("roster_admin2")
    staged = upload(client, org, create_logins=False)
    response = client.post(f"/roster/imports/{staged.id}/confirm")
    assert response.status_code == 302
    assert db.session.scalar(select(Account).where(Account.person_id.is_not(None))) is None
