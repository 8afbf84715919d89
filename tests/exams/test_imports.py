"""Staged imports through the pages and the CLI: preview, every error with its position, confirm or cancel."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from exams.formats.table import COLUMNS
from exams.models import BankPurpose, Question, QuestionBank, QuestionImport
from exams.services.imports import bank_items
from lms.extensions import db
from lms.models import AuditEvent, ImportStatus

HEADER = [h for _f, h in COLUMNS]


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for values in rows:
        book.active.append(values + [None] * (len(HEADER) - len(values)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [["单选", "第一题", "甲", "乙", "丙", None, None, None, None, None, "B", "解析", "fire.class", 2],
        ["判断", "第二题", None, None, None, None, None, None, None, None, "错", "", "fire.ext", 4]]
BAD = [["单选", "", "甲", "乙", None, None, None, None, None, None, "A", "", "fire.class", 2],
       ["单选", "第四题", "甲", "乙", None, None, None, None, None, None, "", "", "fire.class", 2]]


def count(bank=None):
    db.session.expire_all()
    query = select(func.count(Question.id))
    return db.session.scalar(query.where(Question.bank_id == bank.id) if bank else query)


def upload(client, bank, data, name="题库.xlsx", fmt="auto"):
    return client.post(f"/exams/banks/{bank.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "fmt": fmt, "default_difficulty": "3",
                             "default_kp": ""}, headers={"Accept-Language": "en"})


def test_nothing_is_written_until_confirmed_and_errors_show_their_rows(client, login, exam_bank, editor):
    login("editor")
    response = upload(client, exam_bank, sheet(GOOD + BAD))
    assert response.status_code == 302 and count() == 0
    page = client.get(response.headers["Location"],
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Row 4" in page and "The stem is empty." in page
    assert "Row 5" in page and "The key is missing." in page
    assert "Import the 2 valid questions" in page
    staged = db.session.scalar(select(QuestionImport))
    client.post(f"/exams/imports/{staged.id}/confirm")
    assert count() == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exams.import.confirmed"))
    assert event.details["added"] == 2 and event.details["rejected"] == 2
    again = upload(client, exam_bank, sheet(GOOD))
    review = client.get(again.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert review.count("Already in the bank as question") == 2


def test_cancel_writes_nothing(client, login, exam_bank, editor):
    login("editor")
    upload(client, exam_bank, sheet(GOOD))
    staged = db.session.scalar(select(QuestionImport))
    client.post(f"/exams/imports/{staged.id}/cancel")
    client.post(f"/exams/imports/{staged.id}/confirm")
    db.session.expire_all()
    assert db.session.get(QuestionImport, staged.id).status is ImportStatus.CANCELLED and count() == 0


def test_a_broken_file_gets_a_clear_message(client, login, exam_bank, editor):
    login("editor")
    response = upload(client, exam_bank, b"<quiz><question>", name="bank.xml")
    assert response.status_code == 200 and b"The XML is broken near line" in response.data
    assert db.session.scalar(select(func.count(QuestionImport.id))) == 0


def _round_trip(client, exam_bank, centre, fmt, fill, purpose=BankPurpose.EXAM):
    fill(exam_bank, "甲", 5, 4, 3)
    exported = client.get(f"/exams/banks/{exam_bank.id}/export.{fmt}")
    assert exported.status_code == 200
    copy = QuestionBank(code="COPY" + fmt, name="副本", purpose=purpose, organization=centre)
    db.session.add(copy)
    db.session.commit()
    upload(client, copy, exported.data, name=f"bank.{fmt}")
    client.post(f"/exams/imports/{db.session.scalar(select(func.max(QuestionImport.id)))}/confirm")
    db.session.expire_all()
    return bank_items(exam_bank), bank_items(db.session.get(QuestionBank, copy.id))


def without_status(items):
    return [{k: v for k, v in i.items() if k != "status"} for i in items]


@pytest.mark.parametrize("fmt", ["xlsx", "xml"])
def test_an_export_reimported_into_an_exam_bank_gives_the_same_questions_as_drafts(
        client, login, exam_bank, centre, editor, fill, fmt):
    """Exam-bank imports wait for an editor to read and publish them, whatever the file says."""
    login("editor")
    original, copy = _round_trip(client, exam_bank, centre, fmt, fill)
    assert without_status(copy) == without_status(original) and len(copy) == 12
    assert {i["status"] for i in original} == {"published"} and {i["status"] for i in copy} == {"draft"}


@pytest.mark.parametrize("fmt", ["xlsx", "xml"])
def test_an_export_reimported_into_a_practice_bank_gives_the_same_bank(client, login, exam_bank, centre,
                                                                       editor, fill, fmt):
    login("editor")
    original, copy = _round_trip(client, exam_bank, centre, fmt, fill, purpose=BankPurpose.PRACTICE)
    assert copy == original and len(copy) == 12


def test_cli_import_dry_run_and_export(runner, exam_bank, tmp_path, fill):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(sheet(GOOD + BAD))
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "EXAM", "--dry-run"])
    assert "2 valid, 2 rejected" in result.output and "第 4 行: 题干为空。" in result.output
    assert result.exit_code == 1 and count() == 0
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "EXAM"])
    assert result.exit_code == 1 and "Nothing written" in result.output and count() == 0
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "EXAM", "--skip-invalid"])
    # Some items were rejected, so a script learns it even though the valid ones were imported.
    assert result.exit_code == 1 and "Imported 2 questions" in result.output and count() == 2
    out = tmp_path / "out.xml"
    result = runner.invoke(args=["questions", "export", "--bank", "EXAM", "--format", "moodlexml", str(out)])
    assert result.exit_code == 0 and out.read_bytes().count(b"<question ") == 2
    gbk = tmp_path / "bank.csv"
    csv_row = "判断,煤油着火属于B类火灾,,,,,,,,,对,,fire.class,1"
    gbk.write_bytes("\n".join([",".join(HEADER), csv_row]).encode("gbk"))
    result = runner.invoke(args=["questions", "import", str(gbk), "--bank", "EXAM"])
    assert "encoding GB18030" in result.output and count() == 3
