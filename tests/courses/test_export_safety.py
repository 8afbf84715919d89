"""The training-ledger export writes text typed in by enterprise users as text, never as a formula."""

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from courses.models import InductionRecord
from lms.extensions import db
from lms.models import Post

EVIL_NAME = '=HYPERLINK("http://evil","x")'
EVIL_CONTENT = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_ledger_keeps_formula_like_names_and_records_as_text(client, login, make, course_world):
    ent, course, cf = course_world["ent"], course_world["course"], course_world["cf"]
    person = make.person(EVIL_NAME, org=ent, post=Post.OTHER)
    cf.enrol(course, person, ent)
    cf.study(person, course.lessons[0], datetime(2025, 6, 1, 2, 0, tzinfo=UTC), 1800)
    db.session.add(InductionRecord(person_id=person.id, organization_id=ent.id, level="factory",
                                   held_on=date(2025, 6, 2), trainer="+王师傅", class_hours=8.0,
                                   content=EVIL_CONTENT))
    db.session.commit()
    login("admin")
    response = client.get(f"/courses/admin/ledger.xlsx?org={ent.id}&start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200
    study, induction = load_workbook(io.BytesIO(response.data)).worksheets
    name = next(row[0] for row in study.iter_rows(min_row=2) if row[0].value == EVIL_NAME)
    assert name.data_type == "s"
    record = next(induction.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in (record[0], record[3], record[5])] == [
        (EVIL_NAME, "s"), ("+王师傅", "s"), (EVIL_CONTENT, "s")]
    assert record[4].value == 8.0 and record[4].data_type == "n", "numbers stay numbers"
