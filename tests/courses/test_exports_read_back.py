"""The training archive PDF and the training-ledger workbook read back: what a reader gets out of the
files (text from poppler's pdftotext, cells from openpyxl), not just their first bytes."""

import io
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from courses.labels import LEVEL_LABELS, REQUIREMENT_LABELS, REQUIREMENT_STATUS, label
from courses.models import Enrollment, InductionRecord
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.i18n import _
from lms.idcard import mask_id_number
from lms.labels import POST_LABELS
from lms.models import Post
from lms.roles import Role

HOUR = 45 * 60  # hours.class_hour_minutes = 45


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def records(app, make, cf):
    """A safety manager and a worker of a high-risk enterprise with study in 2024 and 2025, an
    induction record, and the enterprise's admin; the app's clock stands on 2025-06-15."""
    make.rules()
    install_clock(app, FixedClock(at(2025, 6, 15, 4, 0)))
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    manager = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    worker = make.person("赵工人", org=ent, post=Post.OTHER)
    manager.employments[0].start_date = date(2020, 5, 1)
    manager.employments[0].department = "安环部"
    worker.employments[0].start_date = date(2019, 3, 1)
    chemicals = cf.course(ent, title="危险化学品安全管理")
    confined = cf.course(ent, title="有限空间作业安全")
    db.session.add(Enrollment(course_id=chemicals.id, person_id=manager.id, organization_id=ent.id,
                              due_date=date(2025, 9, 30)))
    db.session.add(InductionRecord(person_id=worker.id, organization_id=ent.id, level="workshop",
                                   held_on=date(2025, 2, 3), trainer="王师傅", class_hours=4,
                                   content="车间级安全教育"))
    db.session.commit()
    cf.study(manager, chemicals.lessons[0], at(2025, 3, 1, 1, 0), 2 * HOUR)
    cf.study(manager, chemicals.lessons[1], at(2025, 3, 2, 1, 0), HOUR)
    cf.study(manager, confined.lessons[0], at(2025, 4, 1, 1, 0), 30 * 60)
    cf.study(worker, confined.lessons[0], at(2025, 5, 6, 1, 0), 90 * 60)
    cf.study(worker, confined.lessons[0], at(2024, 12, 31, 15, 0), 600)  # 23:00 local: still 2024
    make.account("ledger_admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("ledger_learner", Role.LEARNER, org=ent, person=manager)
    yield {"ent": ent, "manager": manager, "worker": worker}
    app.extensions.pop("lms.clock")


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text as poppler reads it, laid out in lines like the page."""
    path = tmp_path / "archive.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def row(*cells) -> re.Pattern:
    """A table row as pdftotext lays it out: the cells in order on one line."""
    return re.compile(r"\s+".join(re.escape(str(c)) for c in cells))


@pytest.mark.parametrize("who", ["ledger_admin", "ledger_learner"])
def test_the_archive_pdf_holds_the_persons_courses_and_requirements(client, login, records, tmp_path,
                                                                   who):
    manager = records["manager"]
    login(who)
    url = "/courses/mine/archive.pdf" if who == "ledger_learner" else \
        f"/courses/admin/people/{manager.id}/archive.pdf"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "李安全" in text and mask_id_number(manager.id_number) in text
    assert manager.id_number not in text
    # Courses with the minutes credited (135 and 30) and the first and last day of study.
    assert row("危险化学品安全管理", 135, "2025-03-01", "2025-03-02").search(text)
    assert row("有限空间作业安全", 30, "2025-04-01", "2025-04-01").search(text)
    # Every year's requirement since the start in 2020, with the rule's version; this year's
    # 16 class hours (令3号 第9条, high risk) are 165 minutes / 45 = 3.66 done, still open.
    annual, initial = (label(REQUIREMENT_LABELS, k) for k in ("annual", "initial"))
    overdue, open_ = (label(REQUIREMENT_STATUS, k) for k in ("overdue", "open"))
    assert row(2020, initial, "48.0", "0.0", overdue, "令3号 第9条").search(text)
    assert row(2024, annual, "16.0", "0.0", overdue, "令3号 第9条").search(text)
    assert row(2025, annual, "16.0", "3.66", open_, "令3号 第9条").search(text)
    assert "2026" not in text
    assert "赵工人" not in text and "车间级安全教育" not in text  # the worker's records stay out


def ledger(client, records, start: str, end: str):
    response = client.get(f"/courses/admin/ledger.xlsx?org={records['ent'].id}&start={start}&end={end}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def rows(sheet) -> list[tuple]:
    """The data rows below the header, empty cells as ""."""
    return [tuple("" if v is None else v for v in r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_ledger_workbook_lists_the_periods_study_per_person_and_course(client, login, records):
    manager, worker = records["manager"], records["worker"]
    login("ledger_admin")
    book = ledger(client, records, "2025-01-01", "2025-12-31")
    study, induction = book.worksheets
    assert [c.value for c in study[1]] == [_("Name"), _("ID number"), _("Post"), _("Department"),
                                           _("Course"), _("Minutes credited"), _("Class hours"),
                                           _("Due date")]
    manager_post, worker_post = label(POST_LABELS, Post.SAFETY_MANAGER), label(POST_LABELS, Post.OTHER)
    without_id = [r[:1] + r[2:] for r in rows(study)]
    assert without_id == [
        ("李安全", manager_post, "安环部", "危险化学品安全管理", 135, 3, "2025-09-30"),
        ("李安全", manager_post, "安环部", "有限空间作业安全", 30, 0.67, ""),
        ("赵工人", worker_post, "", "有限空间作业安全", 90, 2, ""),  # 23:00 on 31 Dec 2024 is 2024's
    ]
    # The ID column names the person (how much of the number it shows: see the test below).
    numbers = {p.name: p.id_number for p in (manager, worker)}
    assert [r[1][-4:] for r in rows(study)] == [numbers[r[0]][-4:] for r in rows(study)]
    assert [c.value for c in induction[1]][:3] == [_("Name"), _("Level"), _("Date")]
    assert rows(induction) == [("赵工人", label(LEVEL_LABELS, "workshop"), "2025-02-03", "王师傅", 4,
                                "车间级安全教育", _("No"))]
    last_year = ledger(client, records, "2024-01-01", "2024-12-31")
    assert [r[:1] + r[2:] for r in rows(last_year.worksheets[0])] == [
        ("赵工人", worker_post, "", "有限空间作业安全", 10, 0.22, "")]
    assert rows(last_year.worksheets[1]) == []


def test_the_ledger_workbook_masks_id_numbers_like_every_list(client, login, records):
    login("ledger_admin")
    study = ledger(client, records, "2025-01-01", "2025-12-31").worksheets[0]
    numbers = {p.name: p.id_number for p in (records["manager"], records["worker"])}
    assert [r[1] for r in rows(study)] == [mask_id_number(numbers[r[0]]) for r in rows(study)]
