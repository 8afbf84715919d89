"""Certificates issued before the system: a list is checked row by row (awkward workbooks and CSV
files included), nothing is written before confirm, confirm writes every valid row once however
many clicks arrive, the scope keeps an enterprise to its own employees, and the imported
certificates then show like any other."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from certificates import imports
from certificates.imports import COLUMNS, CertificateImport, read_date
from certificates.models import Certificate, CertificateEvent, CertificateSource, CertificateStatus
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.idcard import check_digit
from lms.models import AuditEvent, Employment, ImportStatus, Person, Post
from lms.roles import Role

from support import PASSWORD, at_once, slowed, valid_id_number

EN = {"Accept-Language": "en"}
TODAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HEADER = [h for _f, h, _w in COLUMNS]
AUTHORITY = "无锡市应急管理局"


def id_with_x() -> str:
    """A valid ID number whose check character is X."""
    for seq in range(1000):
        first17 = f"320213{date(1979, 8, 8):%Y%m%d}{seq:03d}"
        if check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit in 1000 sequences")


@pytest.fixture
def world(app, make):
    """An enterprise with a welder, a safety manager and a man whose ID ends in X; a second
    enterprise of the same city; one in another province; their admins and a Wuxi officer."""
    make.rules()
    ent = make.org("无锡甲机械")
    other = make.org("无锡乙电力", region_code="320205")
    far = make.org("六安丙矿业", region_code="341502")
    welder = make.person("王焊工", org=ent, post=Post.SPECIAL_OPERATIONS, subtype="2.1")
    manager = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    electrician = make.person("赵电工", org=other, post=Post.SPECIAL_OPERATIONS, subtype="1.2")
    stranger = make.person("钱远方", org=far, post=Post.SPECIAL_OPERATIONS, subtype="6.8",
                           region_code="341502")
    xman = Person(id_number=id_with_x(), name="孙晓", birth_date=date(1979, 8, 8))
    db.session.add_all([xman, Employment(person=xman, organization=ent, post=Post.SPECIAL_OPERATIONS,
                                         operation_category="3", operation_subtype="3.1",
                                         start_date=date(2015, 1, 1))])
    db.session.commit()
    make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("other_admin", Role.ENTERPRISE_ADMIN, org=other)
    make.account("officer", Role.CERTIFICATE_OFFICER, region_code="320200")
    make.account("officer2", Role.CERTIFICATE_OFFICER, region_code="320200")
    make.account("learner", Role.LEARNER, org=ent)
    install_clock(app, FixedClock(TODAY))
    yield {"ent": ent, "other": other, "far": far, "welder": welder, "manager": manager,
           "electrician": electrician, "stranger": stranger, "xman": xman}
    app.extensions.pop("lms.clock", None)


def row(person: Person | None = None, **values) -> list:
    """A list row in the template's column order; a special-operations certificate of ``person``
    by default, issued 2021-03-01 for six years with a review in 2024."""
    person_id = person.id_number if person else valid_id_number()
    fields = {"number": "T" + person_id, "id_number": person_id, "name": person.name if person else "无名",
              "cert_type": "特种作业操作证", "category": "2", "subtype": "2.1",
              "issued_on": "2021-03-01", "expires_on": "2027-02-28", "next_review_on": "2024-03-01",
              "authority": AUTHORITY}
    fields.update(values)
    return [fields[name] for name, _h, _w in COLUMNS]


def workbook(rows: list[list], header: list | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header or HEADER)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, scope: str, filename: str = "certs.xlsx"):
    return client.post("/certificates/import/", headers=EN, content_type="multipart/form-data",
                       data={"scope": scope, "file": (io.BytesIO(data), filename)})


def staged_import() -> CertificateImport:
    return db.session.scalars(select(CertificateImport).order_by(CertificateImport.id.desc())).first()


def certificates() -> list[Certificate]:
    db.session.expire_all()
    return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("certificates.import.%")).order_by(AuditEvent.id)).all()


def signed_in(app, username: str):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


# -- the happy path ------------------------------------------------------------------------------

def test_upload_stages_rows_and_confirm_writes_imported_certificates_once(app, world, client, login):
    w = world
    login("ent_admin")
    data = workbook([row(w["welder"]),
                     row(w["manager"], number="AQ3202002019000123",
                         cert_type="安全生产知识和管理能力考核合格证",
                         category=None, subtype=None, issued_on="2024-05-10", expires_on="2027-05-09",
                         next_review_on=None)])
    response = upload(client, data, f"org:{w['ent'].id}")
    staged = staged_import()
    assert response.status_code == 302 and response.location.endswith(f"/certificates/import/{staged.id}")
    assert staged.status is ImportStatus.PENDING and len(staged.valid_rows) == 2 and staged.errors == []
    # Nothing reaches the certificates before confirm; the staged rows keep no full ID number.
    assert certificates() == []
    assert all("id_number" not in r and r["masked_id"] for r in staged.valid_rows)
    page = client.get(f"/certificates/import/{staged.id}", headers=EN).get_data(as_text=True)
    assert "T" + w["welder"].id_number in page and "Import the 2 valid rows" in page
    assert client.get(f"/certificates/import/{staged.id}").status_code == 200  # in Chinese, the default

    assert client.post(f"/certificates/import/{staged.id}/confirm", headers=EN).status_code == 302
    assert client.post(f"/certificates/import/{staged.id}/confirm", headers=EN).status_code == 302
    welder_cert, manager_cert = certificates()
    assert welder_cert.source is CertificateSource.IMPORT and welder_cert.status is CertificateStatus.ISSUED
    assert (welder_cert.pass_key, manager_cert.pass_key) == (f"import:{staged.id}:2", f"import:{staged.id}:3")
    assert (welder_cert.number, welder_cert.operation_category, welder_cert.operation_subtype) == (
        "T" + w["welder"].id_number, "2", "2.1")
    assert (welder_cert.issued_on, welder_cert.expires_on, welder_cert.next_review_on) == (
        date(2021, 3, 1), date(2027, 2, 28), date(2024, 3, 1))
    assert welder_cert.employment.organization_id == w["ent"].id and welder_cert.post == "special_operations"
    assert welder_cert.rule_versions == {} and welder_cert.issuing_authority == AUTHORITY
    assert manager_cert.post == "safety_manager" and manager_cert.next_review_on is None
    events = db.session.scalars(select(CertificateEvent)).all()
    assert sorted(e.kind for e in events) == ["imported", "imported"]
    assert db.session.get(CertificateImport, staged.id).status is ImportStatus.CONFIRMED
    assert actions() == ["certificates.import.staged", "certificates.import.confirmed"]

    listing = client.get("/certificates/employees", headers=EN).get_data(as_text=True)
    assert "T" + w["welder"].id_number in listing and "AQ3202002019000123" in listing


def test_discard_writes_nothing_and_a_later_confirm_does_nothing(world, client, login):
    login("ent_admin")
    upload(client, workbook([row(world["welder"])]), f"org:{world['ent'].id}")
    staged = staged_import()
    assert client.post(f"/certificates/import/{staged.id}/cancel", headers=EN).status_code == 302
    assert client.post(f"/certificates/import/{staged.id}/confirm", headers=EN).status_code == 302
    assert certificates() == []
    assert db.session.get(CertificateImport, staged.id).status is ImportStatus.CANCELLED
    assert actions() == ["certificates.import.staged", "certificates.import.cancelled"]
    page = client.get(f"/certificates/import/{staged.id}", headers=EN).get_data(as_text=True)
    assert "discarded" in page and 'id="confirm-form"' not in page


def test_two_confirms_at_once_write_each_certificate_once(app, world, monkeypatch):
    w = world
    first, second = signed_in(app, "officer"), signed_in(app, "officer2")
    upload(first, workbook([row(w["welder"]), row(w["electrician"], category="1", subtype="1.2")]),
           f"region:{w['ent'].region.parent_id}")
    staged = staged_import()
    assert len(staged.valid_rows) == 2, staged.errors
    monkeypatch.setattr(imports, "_certificate", slowed(imports._certificate, 0.2))
    url = f"/certificates/import/{staged.id}/confirm"
    responses = at_once(lambda: first.post(url), lambda: second.post(url))
    assert [r.status_code for r in responses] == [302, 302]
    assert len(certificates()) == 2
    assert actions().count("certificates.import.confirmed") == 1


def test_a_number_recorded_meanwhile_refuses_the_whole_confirm(world, client, login):
    w = world
    login("ent_admin")
    upload(client, workbook([row(w["welder"]), row(w["manager"], number="AQ1", cert_type="安全合格证",
                                                   category="", subtype="", next_review_on="")]),
           f"org:{w['ent'].id}")
    staged = staged_import()
    job = db.session.scalar(select(Employment).where(Employment.person_id == w["welder"].id))
    db.session.add(Certificate(cert_type="special_ops", status=CertificateStatus.ISSUED,
                               number="T" + w["welder"].id_number, person_id=w["welder"].id,
                               employment_id=job.id, post="special_operations", operation_category="2",
                               operation_subtype="2.1", pass_key="elsewhere"))
    db.session.commit()
    response = client.post(f"/certificates/import/{staged.id}/confirm", headers=EN)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Row 2: A certificate with this number has been recorded meanwhile." in page
    assert len(certificates()) == 1  # only the one recorded meanwhile
    assert db.session.get(CertificateImport, staged.id).status is ImportStatus.PENDING
    assert actions()[-1] == "certificates.import.confirm_refused"


# -- refusals ------------------------------------------------------------------------------------

REFUSALS = [
    ("not on the roster", lambda w: row(None), "Not on your roster: no employee with this ID number in"),
    ("name mismatch", lambda w: row(w["welder"], name="王焊公"),
     "The name does not match the ID number: the name on the roster is 王焊工."),
    ("unknown type", lambda w: row(w["welder"], cert_type="电工证"), 'Unknown certificate type "电工证"'),
    ("missing type", lambda w: row(w["welder"], cert_type=""), "The certificate type is missing"),
    ("unknown category", lambda w: row(w["welder"], category="99"), 'Unknown operation category "99".'),
    ("unknown sub-type", lambda w: row(w["welder"], subtype="2.9"), 'Unknown operation sub-type "2.9".'),
    ("sub-type missing", lambda w: row(w["welder"], subtype=None),
     "A special-operations certificate needs its operation sub-type"),
    ("sub-type of another category", lambda w: row(w["welder"], category="1", subtype="2.1"),
     "The operation sub-type 2.1 熔化焊接与热切割作业 is not in the category 1 电工作业."),
    ("operation on a safety certificate", lambda w: row(w["manager"], cert_type="安全合格证", number="AQ9"),
     "A safety qualification certificate has no operation category or sub-type"),
    ("unreadable date", lambda w: row(w["welder"], issued_on="2021-13-01"),
     'Issue date "2021-13-01" is not a date'),
    ("words for a date", lambda w: row(w["welder"], expires_on="六年"), 'Valid until "六年" is not a date'),
    ("missing date", lambda w: row(w["welder"], expires_on=None), "Valid until is missing."),
    ("expiry before issue", lambda w: row(w["welder"], expires_on="2021-03-01", next_review_on=None),
     "The expiry 2021-03-01 is not after the issue date 2021-03-01."),
    ("review after expiry", lambda w: row(w["welder"], next_review_on="2028-01-01"),
     "The next review 2028-01-01 lies outside the validity 2021-03-01 to 2027-02-28."),
    ("review before issue", lambda w: row(w["welder"], next_review_on="2020-01-01"),
     "The next review 2020-01-01 lies outside the validity"),
    ("issued in the future", lambda w: row(w["welder"], issued_on="2026-04-01", expires_on="2032-03-31",
                                            next_review_on=None),
     "The issue date 2026-04-01 lies in the future."),
    ("ID number stored as a number", lambda w: row(w["welder"], id_number=float(w["welder"].id_number[:15])),
     "The ID number is stored as a number"),
    ("bad check digit", lambda w: row(w["welder"], id_number=w["welder"].id_number[:17] +
                                      ("1" if w["welder"].id_number[17] != "1" else "2")),
     "ID number check digit does not match."),
    ("no authority", lambda w: row(w["welder"], authority="  "), "The issuing authority is missing"),
    ("no number", lambda w: row(w["welder"], number=None), "The certificate number is missing"),
]


@pytest.mark.parametrize(("case", "make_row", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_names_the_row_and_the_reason(world, client, login, case, make_row, reason):
    login("ent_admin")
    good = row(world["xman"], category="3", subtype="3.1")
    assert upload(client, workbook([good, make_row(world)]), f"org:{world['ent'].id}").status_code == 302
    staged = staged_import()
    assert [r["row"] for r in staged.valid_rows] == [2]
    (error,) = staged.errors
    assert error["row"] == 3 and any(reason in r for r in error["reasons"]), error
    page = client.get(f"/certificates/import/{staged.id}", headers=EN).get_data(as_text=True)
    assert "Rows that will not be imported" in page


def test_repeats_in_the_file_and_numbers_in_the_system_are_refused(world, client, login):
    w = world
    login("ent_admin")
    upload(client, workbook([row(w["welder"])]), f"org:{w['ent'].id}")
    client.post(f"/certificates/import/{staged_import().id}/confirm")
    # The same holder's number for a second operation is fine (the national number is per person).
    again = workbook([row(w["welder"]), row(w["welder"]), row(w["welder"], subtype="2.2")])
    upload(client, again, f"org:{w['ent'].id}")
    staged = staged_import()
    assert [r["row"] for r in staged.valid_rows] == [4]
    reasons = {e["row"]: e["reason"] for e in staged.errors}
    number = "T" + w["welder"].id_number
    assert reasons[2] == f"A certificate with the number {number} (2.1) is already in the system."
    assert reasons[3] == f"Certificate number {number} repeats row 2."


def test_an_enterprise_admin_cannot_import_for_another_enterprises_employee(world, client, login):
    w = world
    login("ent_admin")
    upload(client, workbook([row(w["electrician"], category="1", subtype="1.2")]), f"org:{w['ent'].id}")
    (error,) = staged_import().errors
    assert error["reasons"] == ["Not on your roster: no employee with this ID number in 无锡甲机械."]
    # Nor aim the upload at the other enterprise: it is not offered, and nothing is staged.
    before = db.session.scalar(select(func.count(CertificateImport.id)))
    response = upload(client, workbook([row(w["electrician"], category="1", subtype="1.2")]),
                      f"org:{w['other'].id}")
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CertificateImport.id))) == before
    # And another enterprise's admin cannot open, confirm or discard the upload.
    staged = staged_import()
    other = signed_in(client.application, "other_admin")
    assert other.get(f"/certificates/import/{staged.id}").status_code == 404
    assert other.post(f"/certificates/import/{staged.id}/confirm").status_code == 404
    assert other.post(f"/certificates/import/{staged.id}/cancel").status_code == 404


def test_an_officer_imports_for_the_region_but_not_beyond(world, client, login):
    w = world
    login("officer")
    page = client.get("/certificates/import/", headers=EN).get_data(as_text=True)
    assert "all enterprises of the region" in page
    rows = [row(w["welder"]), row(w["electrician"], category="1", subtype="1.2"),
            row(w["stranger"], category="6", subtype="6.8")]
    upload(client, workbook(rows), f"region:{w['ent'].region.parent_id}")
    staged = staged_import()
    assert [(r["row"], r["organization"]) for r in staged.valid_rows] == [(2, "无锡甲机械"),
                                                                           (3, "无锡乙电力")]
    assert [e["row"] for e in staged.errors] == [4]
    assert "Not on your roster" in staged.errors[0]["reason"]
    assert "certs.xlsx" in client.get("/certificates/import/", headers=EN).get_data(as_text=True)
    # The enterprise admin sees the officer's region-wide upload as little as another region's.
    admin = signed_in(client.application, "ent_admin")
    assert admin.get(f"/certificates/import/{staged.id}").status_code == 404
    assert "certs.xlsx" not in admin.get("/certificates/import/", headers=EN).get_data(as_text=True)


def test_a_learner_has_no_import_page_and_the_menu_offers_it_to_importers(app, world, client, login):
    assert signed_in(app, "learner").get("/certificates/import/").status_code == 403
    for username in ("officer", "ent_admin"):
        home = signed_in(app, username).get("/", headers=EN, follow_redirects=True).get_data(as_text=True)
        assert "/certificates/import/" in home, username
    assert "/certificates/import/" not in signed_in(app, "learner").get(
        "/", headers=EN, follow_redirects=True).get_data(as_text=True)


# -- notes (accepted, shown on the review page) --------------------------------------------------

def test_numbers_off_the_national_practice_and_odd_validities_are_noted_not_refused(world, client, login):
    w = world
    login("ent_admin")
    data = workbook([row(w["welder"], number="苏AJ2021-0042"),
                     row(w["xman"], category="3", subtype="3.1", issued_on="2008-05-01",
                         expires_on="2012-04-30", next_review_on=None),
                     row(w["manager"], number="AQ-77", cert_type="安全合格证", category="", subtype="",
                         issued_on="2024-01-10", expires_on="2029-01-09", next_review_on="")])
    upload(client, data, f"org:{w['ent'].id}")
    staged = staged_import()
    assert staged.errors == []
    notes = {r["row"]: r["notes"] for r in staged.valid_rows}
    assert any('"T" + ID number' in n for n in notes[2])
    # 2008 lies before the rule on record (令30号 from 2010-07-01): older rules, nothing to compare.
    assert not any("rules in force" in n for n in notes[3]) and any("Already expired" in n for n in notes[3])
    assert any("令44号 第25条" in n and "until 2027-01-09" in n for n in notes[4])
    page = client.get(f"/certificates/import/{staged.id}", headers=EN).get_data(as_text=True)
    assert "Older certificates followed older rules" in page


def test_a_special_ops_validity_unlike_six_years_is_noted(world, client, login):
    login("ent_admin")
    upload(client, workbook([row(world["welder"], expires_on="2025-02-28", next_review_on=None)]),
           f"org:{world['ent'].id}")
    (valid,) = staged_import().valid_rows
    assert any("令30号 第19条" in n and "6 years, until 2027-02-28" in n for n in valid["notes"])


# -- awkward files -------------------------------------------------------------------------------

def test_an_awkward_workbook_is_read_as_people_fill_it_in(world, client, login):
    """A merged title row, header cells merged over two rows, dates as text in three formats, an
    Excel date cell and a serial number, trailing spaces, full-width digits, a lower-case x."""
    w = world
    book = Workbook()
    sheet = book.active
    sheet.append(["2019年特种作业操作证台账"])
    sheet.merge_cells("A1:J1")
    top = ["证书编号", "身份证号", "姓名", "证书类型", "作业类别", "准操项目", "日期", None, None, "发证机关"]
    sheet.append(top)
    sheet.append([None, None, None, None, None, None, "初领日期", "有效期至", "下次复审日期", None])
    for column in "ABCDEFJ":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("G2:I2")
    welder_id = w["welder"].id_number
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in welder_id)
    x_id = w["xman"].id_number
    sheet.append(["T" + welder_id + " ", full_width + "  ", " 王焊工 ", "特种作业操作证 ", "焊接与热切割作业",
                  "熔化焊接与热切割作业", "2021/03/01", "2027年2月28日", "2024-03-01", AUTHORITY + " "])
    sheet.append(["t" + x_id.lower(), x_id.lower(), "孙晓", "特种作业操作证", "3", "登高架设作业",
                  datetime(2022, 6, 1), (date(2028, 5, 31) - date(1899, 12, 30)).days, None, AUTHORITY])
    sheet.append(["T" + welder_id, welder_id, "王焊工", "特种作业操作证", "2", "2.2",
                  "2022年7月1日", "2028-06-30", None, AUTHORITY])
    sheet.merge_cells("A6:B6")  # a merged data row is refused: its cells are ambiguous
    buffer = io.BytesIO()
    book.save(buffer)
    login("ent_admin")
    assert upload(client, buffer.getvalue(), f"org:{w['ent'].id}").status_code == 302
    staged = staged_import()
    by_row = {r["row"]: r for r in staged.valid_rows}
    assert sorted(by_row) == [4, 5], staged.errors
    assert (by_row[4]["number"], by_row[4]["subtype"], by_row[4]["issued_on"], by_row[4]["expires_on"],
            by_row[4]["authority"]) == ("T" + welder_id, "2.1", "2021-03-01", "2027-02-28", AUTHORITY)
    assert (by_row[5]["number"], by_row[5]["subtype"], by_row[5]["issued_on"], by_row[5]["expires_on"]) == (
        "T" + x_id, "3.1", "2022-06-01", "2028-05-31")
    assert by_row[5]["notes"] == []
    (merged,) = staged.errors
    assert merged["row"] == 6 and "Merged cells" in merged["reason"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_csv_file_in_utf8_with_bom_or_gbk_is_accepted(world, client, login, encoding):
    w = world
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["证书编号", "身份证号", "姓名", "证书类型", "作业类别", "准操项目", "初领日期",
                     "有效期至", "下次复审日期", "发证机关"])
    writer.writerow(row(w["welder"], issued_on="2021年3月1日", expires_on="2027/02/28"))
    writer.writerow(row(w["manager"], number="AQ5", cert_type="安全生产知识和管理能力考核合格证", category="",
                        subtype="", issued_on="45000", expires_on="2026-03-15", next_review_on=""))
    login("ent_admin")
    upload(client, text.getvalue().encode(encoding), f"org:{w['ent'].id}", filename="certs.csv")
    staged = staged_import()
    assert staged.errors == [] and [r["name"] for r in staged.valid_rows] == ["王焊工", "李安全"]
    assert staged.valid_rows[1]["issued_on"] == "2023-03-15"  # Excel serial 45000


def test_english_headers_are_accepted(world, client, login):
    header = ["Certificate number", "ID number", "Name", "Certificate type", "Operation category",
              "Operation sub-type", "Issue date", "Valid until", "Next review", "Issuing authority"]
    login("ent_admin")
    upload(client, workbook([row(world["welder"], cert_type="special operations")], header=header),
           f"org:{world['ent'].id}")
    assert len(staged_import().valid_rows) == 1


@pytest.mark.parametrize(("data", "message"), [
    (b"not a workbook at all", "This file is not an Excel workbook (.xlsx)."),
    (workbook([["x", "y"]], header=["证书编号", "姓名"]), "Missing column(s): ID number, Certificate type"),
    (workbook([]), "The file has a header but no rows of certificates."),
])
def test_a_file_refused_as_a_whole_is_shown_and_recorded(world, client, login, data, message):
    login("ent_admin")
    response = upload(client, data, f"org:{world['ent'].id}")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CertificateImport.id))) == 0
    assert actions() == ["certificates.import.file_refused"]


def test_the_template_has_drop_downs_codes_and_instructions(world, client, login):
    login("officer")
    response = client.get("/certificates/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["证书 Certificates", "说明 Instructions", "代码 Codes"]
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    ranges = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert "特种作业操作证" in ranges["D2"] and "Codes" in ranges["E2"] and "Codes" in ranges["F2"]
    codes = book["代码 Codes"]
    assert [codes.cell(row=r, column=3).value for r in (2, 3)] == ["1.1", "1.2"]
    # The template itself, uploaded as it is, has a header and no rows.
    refused = upload(client, response.data, f"region:{world['ent'].region.parent_id}")
    assert refused.status_code == 422


@pytest.mark.parametrize(("value", "expected"), [
    ("2019-03-01", date(2019, 3, 1)), ("2019/3/1", date(2019, 3, 1)), ("2019年3月1日", date(2019, 3, 1)),
    ("２０１９年３月１日", date(2019, 3, 1)), ("2019.03.01", date(2019, 3, 1)), (43525, date(2019, 3, 1)),
    (datetime(2019, 3, 1), date(2019, 3, 1)), ("2019-03-01 00:00:00", date(2019, 3, 1)), ("", None),
    (None, None),
])
def test_dates_are_read_from_cells_serials_and_text(value, expected):
    assert read_date(value) == expected


@pytest.mark.parametrize("value", ["2019-02-30", "01/03/2019", "soon", 12, True])
def test_what_is_no_date_is_refused(value):
    with pytest.raises((ValueError, OverflowError)):
        read_date(value)


def test_confirm_needs_the_csrf_token(strict_app, world):
    client = strict_app.test_client()
    staged = CertificateImport(organization_id=world["ent"].id, uploaded_by_id=1, filename="x.xlsx",
                               valid_rows=[], errors=[])
    db.session.add(staged)
    db.session.commit()
    client.post("/login", data={"username": "ent_admin", "password": PASSWORD})
    assert client.post(f"/certificates/import/{staged.id}/confirm").status_code in (302, 400)
    assert db.session.get(CertificateImport, staged.id).status is ImportStatus.PENDING


def test_a_certificate_outside_the_rostered_post_is_noted_and_kept_with_that_employment(world, client, login):
    """A safety manager who also holds a welding certificate: accepted, noted, kept with their job."""
    w = world
    login("ent_admin")
    upload(client, workbook([row(w["manager"])]), f"org:{w['ent'].id}")
    staged = staged_import()
    (valid,) = staged.valid_rows
    assert valid["post"] == "special_operations"
    assert any("On the roster as Safety manager" in n for n in valid["notes"])
    client.post(f"/certificates/import/{staged.id}/confirm")
    (cert,) = certificates()
    assert cert.employment.person_id == w["manager"].id and cert.post == "special_operations"
