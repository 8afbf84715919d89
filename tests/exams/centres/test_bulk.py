"""Registering from a spreadsheet: every awkward row refused with its reason, confirm exactly once,
all or nothing when the session fills up or closes meanwhile, and only the uploader's scope."""

import io
from datetime import date, timedelta

import pytest
from centres_world import NOW, REGISTRATION_CLOSES, add_person
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from exams.centres.bulk import stage_import
from exams.centres.models import ExamSession, Registration, RegistrationImport, RegistrationStatus
from exams.centres.registration import register
from lms.extensions import db
from lms.idcard import check_digit
from lms.models import AuditEvent, Person

from support import at_once

HEADER = ["姓名 Name", "身份证号 ID number", "个人健康书面承诺 Health commitment", "学历 Education"]
START = date(2022, 3, 1)


def _with_x(name: str, org) -> Person:
    """A person whose ID number ends in X (sequence numbers 308, 316 give X for this birth date)."""
    seq = next(s for s in range(300, 400) if check_digit(f"32021319850309{s:03d}") == "X"
               and db.session.scalar(select(Person.id).where(
                   Person.id_number == f"32021319850309{s:03d}X")) is None)
    return add_person(name, org, seq=seq, start=START)


def _workbook(rows: dict[int, list]) -> bytes:
    """A workbook written cell by cell as the template's rules say: header in row 1, then ``rows``
    by row number (missing numbers stay blank rows)."""
    book = Workbook()
    sheet = book.active
    for column, text in enumerate(HEADER, start=1):
        sheet.cell(row=1, column=column, value=text)
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def awkward(day):
    """People and a hand-written workbook with every awkward case; returns (people, bytes)."""
    ent, other = day.enterprise, day.other_enterprise
    people = {
        "plain": add_person("李明", ent, seq=301, start=START),
        "lost_x": _with_x("赵强", ent),
        "lower_x": _with_x("孙伟", ent),
        "wide": add_person("周　杰", ent, seq=302, start=START),
        "outsider": add_person("钱秘密", other, seq=303, start=START),
        "young": add_person("吴小", ent, born=date(2009, 6, 1), seq=304, start=START),
        "no_health": add_person("郑重", ent, seq=305, start=START),
        "wrong_name": add_person("王芳", ent, seq=306, start=START),
        "registered": add_person("冯敏", ent, seq=307, start=START),
        "education": add_person("陈静", ent, seq=309, start=START, education="junior_middle"),
    }
    register(day.session, people["registered"], day.employment(people["registered"]),
             day.accounts["ent_admin"], NOW, health_commitment=True)
    db.session.commit()
    p = people
    wide_digits = p["wide"].id_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    data = _workbook({
        2: [p["plain"].name, p["plain"].id_number, "是", None],
        3: [p["lost_x"].name, int(p["lost_x"].id_number[:17]), "是", None],
        4: ["  孙伟 ", "  " + p["lower_x"].id_number.lower() + " ", " yes ", "高中"],
        5: ["周杰", wide_digits, "是", None],
        # row 6 is blank
        7: ["某某", p["outsider"].id_number, "是", None],
        8: [p["plain"].name, p["plain"].id_number, "是", None],
        9: [p["young"].name, p["young"].id_number, "是", None],
        10: [p["no_health"].name, p["no_health"].id_number, "否", None],
        11: ["王芬", p["wrong_name"].id_number, "是", None],
        12: [p["registered"].name, p["registered"].id_number, "是", None],
        13: [p["education"].name, p["education"].id_number, "yes", "大专及以上"],
        14: ["查无此人", "32021319850309399" + check_digit("32021319850309399"), "是", None],
        15: [p["plain"].name, float(p["plain"].id_number), "是", None],
        16: [p["education"].name, p["education"].id_number, "maybe", None],
    })
    return people, data


def _english(client, login, username: str) -> None:
    login(username)
    client.post("/lang", data={"code": "en", "next": "/"})


def _upload(client, session_id: int, data: bytes, name: str = "list.xlsx"):
    return client.post(f"/centre/sessions/{session_id}/registrations/import",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _active(session) -> set[int]:
    return set(db.session.scalars(select(Registration.person_id).where(
        Registration.session_id == session.id, Registration.status == RegistrationStatus.ACTIVE)))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _staged() -> RegistrationImport:
    return db.session.scalars(select(RegistrationImport).order_by(RegistrationImport.id.desc())).first()


def test_template_has_the_columns_drop_downs_and_an_instructions_sheet(client, login, day, day_clock):
    login("ent_admin")
    response = client.get(f"/centre/sessions/{day.session.id}/registrations/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert any(k.startswith("C2") and '"是,否"' == f for k, f in lists.items())
    assert any(k.startswith("D2") and "大专及以上" in f for k, f in lists.items())
    assert sheet.column_dimensions["B"].number_format == "@"
    assert "Instructions" in book.sheetnames[1] and book.worksheets[1].max_row > 4


def test_upload_checks_every_row_and_writes_only_the_staged_import(client, login, day, day_clock,
                                                                    awkward):
    people, data = awkward
    before = _active(day.session)
    _english(client, login, "ent_admin")
    response = _upload(client, day.session.id, data)
    assert response.status_code == 302
    staged = _staged()
    assert staged.status == "pending" and staged.uploaded_by_id == day.accounts["ent_admin"].id
    assert [r["row"] for r in staged.valid_rows] == [2, 4, 5, 13]
    errors = {e["row"]: e for e in staged.errors}
    assert sorted(errors) == [3, 7, 8, 9, 10, 11, 12, 14, 15, 16]
    assert "stored as a number" in errors[3]["reasons"][0] and "final X" in errors[3]["reasons"][0]
    assert "stored as a number" in errors[15]["reasons"][0]
    assert errors[7]["reasons"] == ["No employee with this ID number in your scope."]
    assert errors[14]["reasons"] == errors[7]["reasons"]  # unknown and out of scope read alike
    assert errors[8]["reasons"] == ["ID number repeats row 2."]
    (young,) = errors[9]["checks"]
    assert (young["check"], young["version"], young["params"]["age"]) == ("min_age", "令30号 第4条", 17)
    assert "17" in errors[9]["reasons"][0]
    assert [c["check"] for c in errors[10]["checks"]] == ["health"]
    assert errors[11]["reasons"] == ["The name does not match the ID number: the name on file is 王芳."]
    assert "Already registered" in errors[12]["reasons"][0]
    assert "Health commitment must be" in errors[16]["reasons"][0]
    valid = {r["row"]: r for r in staged.valid_rows}
    assert valid[13]["education"] == "college" and valid[4]["education"] is None  # 高中 is on file
    assert all(c["ok"] for c in valid[2]["checks"]) and valid[2]["masked_id"].startswith("320213****")
    assert _active(day.session) == before  # nothing registered yet
    db.session.refresh(people["education"])
    assert people["education"].education == "junior_middle"
    (staged_event,) = _events("exams.registration_import.staged")
    assert staged_event.details["valid"] == 4 and staged_event.details["refused"] == 10

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for row in errors.values():
        for reason in row["reasons"]:
            assert reason.replace("'", "&#39;") in page
    assert "钱秘密" not in page  # the out-of-scope person's name on file is never shown
    assert "Register the 4 valid rows" in page


def test_confirm_registers_exactly_the_valid_rows_once(client, login, day, day_clock, awkward):
    people, data = awkward
    _english(client, login, "ent_admin")
    _upload(client, day.session.id, data)
    staged = _staged()
    before = _active(day.session)
    response = client.post(f"/centre/registration-imports/{staged.id}/confirm")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/centre/sessions/{day.session.id}/registrations")
    expected = {people[k].id for k in ("plain", "lower_x", "wide", "education")}
    assert _active(day.session) == before | expected
    db.session.refresh(people["education"])
    assert people["education"].education == "college"
    assert [e.details["person"] for e in _events("exams.person.education")] == \
        [people["education"].masked_id]
    (confirmed,) = _events("exams.registration_import.confirmed")
    assert confirmed.details["count"] == 4
    db.session.refresh(day.session)
    assert day.session.registered_count == len(before) + 4
    assert db.session.get(RegistrationImport, staged.id).status == "confirmed"

    again = client.post(f"/centre/registration-imports/{staged.id}/confirm")
    assert again.status_code == 302
    assert _active(day.session) == before | expected
    assert len(_events("exams.registration_import.confirmed")) == 1
    assert "already been handled" in client.get(again.headers["Location"]).get_data(as_text=True)
    cancel = client.post(f"/centre/registration-imports/{staged.id}/cancel")
    assert cancel.status_code == 302 and not _events("exams.registration_import.cancelled")


def test_rows_beyond_the_places_left_are_refused_saying_how_many_remain(client, login, day, day_clock):
    people = [add_person(f"焊工{i}", day.enterprise, seq=320 + i, start=START) for i in range(4)]
    day.session.capacity = 2
    db.session.commit()
    _english(client, login, "ent_admin")
    _upload(client, day.session.id, _workbook({2 + i: [p.name, p.id_number, "是", None]
                                               for i, p in enumerate(people)}))
    staged = _staged()
    assert [r["row"] for r in staged.valid_rows] == [2, 3]
    assert [e["row"] for e in staged.errors] == [4, 5]
    assert "2 places left" in staged.errors[0]["reasons"][0]


def test_confirm_is_all_or_nothing_when_the_session_filled_up_meanwhile(client, login, day, day_clock):
    people = [add_person(f"焊工{i}", day.enterprise, seq=330 + i, start=START) for i in range(3)]
    day.session.capacity = 3
    db.session.commit()
    _english(client, login, "ent_admin")
    _upload(client, day.session.id, _workbook({2 + i: [p.name, p.id_number, "是", None]
                                               for i, p in enumerate(people)}))
    staged = _staged()
    assert len(staged.valid_rows) == 3
    late = day.employees[0]
    register(day.session, late, day.employment(late), day.accounts["centre_admin"], NOW,
             health_commitment=True)
    db.session.commit()
    response = client.post(f"/centre/registration-imports/{staged.id}/confirm")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nothing was registered" in page and "full" in page
    assert _active(day.session) == {late.id}
    db.session.expire_all()
    assert db.session.get(RegistrationImport, staged.id).status == "pending"
    assert db.session.get(ExamSession, day.session.id).registered_count == 1
    (refused,) = _events("exams.registration_import.refused")
    assert refused.details["row"] == 4
    assert not _events("exams.registration_import.confirmed")


def test_after_registration_closes_upload_and_confirm_are_refused(client, login, day, day_clock):
    person = add_person("迟到", day.enterprise, seq=340, start=START)
    db.session.commit()
    data = _workbook({2: [person.name, person.id_number, "是", None]})
    _english(client, login, "ent_admin")
    _upload(client, day.session.id, data)
    staged = _staged()
    day_clock.set(REGISTRATION_CLOSES + timedelta(minutes=1))
    _english(client, login, "ent_admin")  # a week later: signed in again
    response = client.post(f"/centre/registration-imports/{staged.id}/confirm")
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    assert _active(day.session) == set()
    late = _upload(client, day.session.id, data)
    assert late.status_code == 422 and "closed" in late.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RegistrationImport)) == 1
    page = client.get(f"/centre/sessions/{day.session.id}/registrations/import").get_data(as_text=True)
    assert "Registration for this session is closed." in page and 'type="file"' not in page


def test_another_enterprises_import_is_not_found_the_centre_sees_it(client, login, day, day_clock):
    person = add_person("本厂", day.enterprise, seq=341, start=START)
    db.session.commit()
    _english(client, login, "ent_admin")
    _upload(client, day.session.id, _workbook({2: [person.name, person.id_number, "是", None]}))
    staged = _staged()
    client.post("/logout")
    login("other_admin")
    base = f"/centre/registration-imports/{staged.id}"
    assert client.get(base).status_code == 404
    assert client.post(base + "/confirm").status_code == 404
    assert client.post(base + "/cancel").status_code == 404
    assert _active(day.session) == set() and _staged().status == "pending"
    client.post("/logout")
    login("invigilator")
    assert client.get(base).status_code == 403
    client.post("/logout")
    login("centre_admin")
    assert client.get(base).status_code == 200


def test_centre_admin_registers_employees_of_any_enterprise_and_cancel_changes_once(
        client, login, day, day_clock):
    mine, theirs = day.employees[0], day.employees[6]
    _english(client, login, "centre_admin")
    _upload(client, day.session.id, _workbook({2: [mine.name, mine.id_number, "是", None],
                                               3: [theirs.name, theirs.id_number, "否", None]}))
    staged = _staged()
    assert [r["row"] for r in staged.valid_rows] == [2]
    assert [c["check"] for c in staged.errors[0]["checks"]] == ["health"]  # no override in a list
    first = client.post(f"/centre/registration-imports/{staged.id}/cancel")
    assert first.headers["Location"].endswith(f"/centre/sessions/{day.session.id}/registrations/import")
    client.post(f"/centre/registration-imports/{staged.id}/cancel")
    client.post(f"/centre/registration-imports/{staged.id}/confirm")
    assert len(_events("exams.registration_import.cancelled")) == 1
    assert _staged().status == "cancelled" and _active(day.session) == set()


def test_csv_in_gbk_and_a_missing_column_said_plainly(client, login, day, day_clock):
    person = add_person("刘洋", day.enterprise, seq=342, start=START)
    db.session.commit()
    _english(client, login, "ent_admin")
    text = f"姓名,身份证号,个人健康书面承诺\r\n{person.name},{person.id_number},是\r\n"
    assert _upload(client, day.session.id, text.encode("gbk"), "list.csv").status_code == 302
    assert [r["person_id"] for r in _staged().valid_rows] == [person.id]
    wrong = _upload(client, day.session.id, "姓名,身份证号\r\n张三,1\r\n".encode(), "list.csv")
    assert wrong.status_code == 422 and "Missing column(s): Health commitment" in wrong.get_data(as_text=True)


def _count_queries(action) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_staging_takes_a_fixed_number_of_queries_whatever_the_rows(day):
    admin = day.accounts["centre_admin"]
    warm = [add_person(f"丙{i}", day.enterprise, seq=700 + i, start=START) for i in range(2)]
    few = [add_person(f"甲{i}", day.enterprise, seq=500 + i, start=START) for i in range(3)]
    many = [add_person(f"乙{i}", day.other_enterprise, seq=600 + i, start=START) for i in range(25)]
    db.session.commit()

    def stage(people):
        data = _workbook({2 + i: [p.name, p.id_number, "是", None] for i, p in enumerate(people)})
        return lambda: stage_import(day.session, admin, "x.xlsx", data, now=NOW, today=NOW.date())

    stage(warm)()  # the first upload also loads the rules, grants and the session's centre
    small, large = _count_queries(stage(few)), _count_queries(stage(many))
    assert small == large
    assert len(_staged().valid_rows) == 25


def test_two_confirms_at_once_register_the_rows_once(app, day):
    people = [add_person(f"并发{i}", day.enterprise, seq=350 + i, start=START) for i in range(3)]
    db.session.commit()
    admin = day.accounts["ent_admin"]
    data = _workbook({2 + i: [p.name, p.id_number, "是", None] for i, p in enumerate(people)})
    staged_id = stage_import(day.session, admin, "x.xlsx", data, now=NOW, today=NOW.date()).id
    db.session.commit()
    admin_id = admin.id

    def confirm():
        from exams.centres.bulk import confirm_import
        from lms.models import Account
        from lms.transitions import AlreadyChanged

        with app.test_request_context():
            try:
                made = confirm_import(db.session.get(RegistrationImport, staged_id),
                                      db.session.get(Account, admin_id), NOW)
                db.session.commit()
                return len(made)
            except AlreadyChanged:
                db.session.rollback()
                return "already"
            finally:
                db.session.remove()

    assert sorted(at_once(confirm, confirm), key=str) == [3, "already"]
    db.session.expire_all()
    assert _active(day.session) == {p.id for p in people}
    assert len(_events("exams.registration_import.confirmed")) == 1
    assert len(_events("exams.registration.created")) == 3


def test_a_title_above_the_header_is_passed_over_and_rows_keep_their_sheet_numbers(day):
    from exams.centres.bulk import parse_rows

    person = day.employees[0]
    rows = [("无锡甲电气 特种作业报名表", None, None), (None, None, None), tuple(HEADER[:3]),
            (person.name, person.id_number, "是")]
    found, refused = parse_rows(rows, today=NOW.date())
    assert [r["row"] for r in found] == [4] and not refused
