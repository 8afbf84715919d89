"""Roster import: every bad row reported with its number and reason, nothing written until confirmed."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, Employment, ImportStatus, Person, RosterImport
from lms.roles import Role

from support import roster_workbook, valid_id_number


@pytest.fixture
def enterprise(make):
    return make.org("无锡测试化工有限公司", high_risk=True, industry="hazardous_chemicals")


@pytest.fixture
def admin(make, enterprise, login):
    make.account("entadmin", Role.ENTERPRISE_ADMIN, org=enterprise)
    login("entadmin")


def upload(client, org, data: bytes, name="roster.xlsx"):
    return client.post("/roster/", data={"organization": org.id, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": "en"})


def counts():
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Person.id))),
            db.session.scalar(select(func.count(Employment.id))))


GOOD = [
    ["王建国", valid_id_number(seq=11), "主要负责人", None, "总经办", date(2023, 1, 5)],
    ["李娜", valid_id_number(seq=12), "安全管理人员", None, "安环部", "2024-02-01"],
    ["张伟", valid_id_number(seq=13), "特种作业人员", "1.2", "设备部", date(2022, 7, 1)],
    ["赵敏", valid_id_number(seq=14), "Other employee", None, None, date(2025, 9, 1)],
]


def test_template_has_the_expected_columns_and_codes(client, admin):
    response = client.get("/roster/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[:3] == ["姓名 Name", "身份证号 ID number", "岗位 Post"]
    codes = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert len(codes) == 54 and "9.16" in codes


def test_valid_roster_is_staged_then_imported_on_confirmation(client, admin, enterprise):
    response = upload(client, enterprise, roster_workbook(GOOD))
    assert response.status_code == 302
    assert counts() == (0, 0), "nothing is written before confirmation"
    staged = db.session.scalar(select(RosterImport))
    review = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert b"Import the 4 valid rows" in review.data
    client.post(f"/roster/imports/{staged.id}/confirm")
    assert counts() == (4, 4)
    special = db.session.scalar(select(Employment).where(Employment.operation_subtype == "1.2"))
    assert special.operation_category == "1"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert event.details["added"] == 4 and event.organization_id == enterprise.id


def test_bad_rows_are_reported_with_row_number_and_reason(client, admin, enterprise):
    rows = GOOD[:1] + [
        ["", valid_id_number(seq=21), "其他从业人员", None, None, date(2024, 1, 1)],
        ["钱一", "320213199005170011", "其他从业人员", None, None, date(2024, 1, 1)],
        ["孙二", "12345", "其他从业人员", None, None, date(2024, 1, 1)],
        ["周三", valid_id_number(seq=22), "厂长", None, None, date(2024, 1, 1)],
        ["吴四", valid_id_number(seq=23), "特种作业人员", None, None, date(2024, 1, 1)],
        ["郑五", valid_id_number(seq=24), "特种作业人员", "99.9", None, date(2024, 1, 1)],
        ["冯六", valid_id_number(seq=25), "其他从业人员", None, None, "yesterday"],
        ["陈七", valid_id_number(seq=26), "其他从业人员", None, None, date(2099, 1, 1)],
        ["王建国", GOOD[0][1], "主要负责人", None, None, date(2023, 1, 5)],
    ]
    response = upload(client, enterprise, roster_workbook(rows))
    staged = db.session.scalar(select(RosterImport))
    reasons = {e["row"]: e["reason"] for e in staged.errors}
    assert len(staged.valid_rows) == 1
    assert sorted(reasons) == list(range(3, 12))
    assert "Name is missing" in reasons[3]
    assert "check digit" in reasons[4]
    assert "18 characters" in reasons[5]
    assert "Unknown post" in reasons[6]
    assert "needs an operation sub-type" in reasons[7]
    assert "Unknown operation sub-type" in reasons[8]
    assert "Start date must be a date" in reasons[9]
    assert "future" in reasons[10]
    assert "repeats row 2" in reasons[11]
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).data.decode()
    assert "check digit" in page and "Import the 1 valid row" in page
    assert counts() == (0, 0)


def test_cancelling_writes_nothing(client, admin, enterprise):
    upload(client, enterprise, roster_workbook(GOOD))
    staged = db.session.scalar(select(RosterImport))
    client.post(f"/roster/imports/{staged.id}/cancel")
    db.session.expire_all()
    assert db.session.get(RosterImport, staged.id).status is ImportStatus.CANCELLED
    assert client.post(f"/roster/imports/{staged.id}/confirm").status_code == 302
    assert counts() == (0, 0)


def test_same_person_twice_is_refused_on_the_second_import(client, admin, enterprise):
    for _ in range(2):
        upload(client, enterprise, roster_workbook(GOOD[:1]))
        staged = db.session.scalars(select(RosterImport).order_by(RosterImport.id.desc())).first()
        client.post(f"/roster/imports/{staged.id}/confirm")
    assert counts() == (1, 1)
    assert "Already on the roster" in staged.errors[0]["reason"]


@pytest.mark.parametrize("data, message", [
    (b"name,id\n\xe5\xbc\xa0,1\n", b"not an Excel workbook"),
    (b"PK\x03\x04 broken zip", b"not an Excel workbook"),
    (roster_workbook([["张三", "x"]], header=["姓名", "身份证号"]), b"Missing column(s): Post, Start date"),
    (roster_workbook([]), b"no rows of people"),
])
def test_unreadable_files_get_a_clear_message_and_change_nothing(client, admin, enterprise, data,
                                                                 message):
    response = upload(client, enterprise, data)
    if response.status_code == 302:
        response = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert message in response.data
    assert counts() == (0, 0)


def test_a_50_mb_upload_is_refused_before_reading(client, admin, enterprise):
    big = b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024)
    # A raw multipart body: the server must refuse it from Content-Length alone.
    response = client.post("/roster/", data=big, headers={"Accept-Language": "en"},
                           content_type="multipart/form-data; boundary=xyz")
    assert response.status_code == 413
    assert b"larger than 10 MB" in response.data
    assert counts() == (0, 0)
    assert db.session.scalar(select(func.count(RosterImport.id))) == 0


def test_another_enterprise_cannot_be_chosen(client, admin, make):
    other = make.org("别家企业", region_code="341502")
    response = upload(client, other, roster_workbook(GOOD))
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data, response.data.decode()
    assert db.session.scalar(select(func.count(RosterImport.id))) == 0
