"""Question-bank imports refuse spreadsheet bombs (web and CLI) and exports keep formulas as text."""

import io
from datetime import UTC, datetime
from functools import cache

import pytest
import xlsx_packages as xp
from openpyxl import load_workbook
from sqlalchemy import func, select

from exams.formats.common import MAX_ITEMS
from exams.formats.table import COLUMNS
from exams.models import BankPurpose, Question, QuestionBank, QuestionImport
from exams.services.imports import bank_items
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import OrgKind

from support import Factory

HEADER = [h for _f, h in COLUMNS]
ROW = ["判断", "煤油着火属于B类火灾", *[None] * 8, "对", "", "fire.class", 2]

#: Each bomb (built once, on first use), and what its refusal says in any language: the limit it hit.
BOMBS = {
    "merged": (cache(lambda: xp.merged_bomb(HEADER)), "A2:J1000001"),
    "shared-strings": (cache(lambda: xp.shared_strings_bomb(HEADER)), "300.0 MB"),
    "rows": (cache(lambda: xp.too_many_rows(HEADER, ROW, MAX_ITEMS)), str(MAX_ITEMS)),
}
#: The same refusals as an English page shows them.
ENGLISH = {
    "merged": "Merged cells A2:J1000001 reach beyond row 20001",
    "shared-strings": "unpacks to 300.0 MB, more than the 100.0 MB accepted",
    "rows": "more than 20000 rows below the header",
}


def nothing_written() -> bool:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Question.id))) == 0
            and db.session.scalar(select(func.count(QuestionImport.id))) == 0)


@pytest.fixture
def cli_bank(app):
    """A bank EXAM, and no request context left open: the command runs as it does from a shell."""
    with app.app_context():
        Factory().regions()
        centre = Factory().org("无锡考点", kind=OrgKind.EXAM_CENTRE, industry=None)
        db.session.add(QuestionBank(code="EXAM", name="考试题库", purpose=BankPurpose.EXAM,
                                    organization=centre))
        db.session.commit()


def cli_import(app, runner, path):
    """Run ``lms questions import PATH --bank EXAM``; the result, and whether nothing was written."""
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "EXAM"])
    with app.app_context():
        return result, nothing_written()


def upload(client, bank, data: bytes, name: str = "bank.xlsx"):
    return client.post(f"/exams/banks/{bank.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "fmt": "auto", "default_difficulty": "3",
                             "default_kp": ""}, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("name", list(BOMBS))
def test_bank_upload_refuses_each_bomb_with_a_clear_message(client, login, exam_bank, editor, name):
    login("editor")
    response = upload(client, exam_bank, BOMBS[name][0]())
    assert response.status_code == 200 and ENGLISH[name] in response.get_data(as_text=True)
    assert nothing_written()


@pytest.mark.parametrize("name", list(BOMBS))
def test_cli_import_refuses_each_bomb_with_exit_code_2(app, runner, cli_bank, tmp_path, name):
    bomb, says = BOMBS[name]
    path = tmp_path / "bank.xlsx"
    path.write_bytes(bomb())
    result, clean = cli_import(app, runner, path)
    assert result.exit_code == 2, result.exception or result.output
    assert says in result.output and clean


def test_cli_refuses_a_large_file_by_its_size(app, runner, cli_bank, tmp_path):
    path = tmp_path / "bank.csv"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB that costs no disk
    result, clean = cli_import(app, runner, path)
    assert result.exit_code == 2, result.exception or result.output
    assert "50.0 MB" in result.output and "10.0 MB" in result.output and clean


def test_cli_reports_a_broken_file_instead_of_crashing(app, runner, cli_bank, tmp_path):
    path = tmp_path / "bank.xml"
    path.write_bytes(b"<quiz><question>")
    result, clean = cli_import(app, runner, path)
    # Before: "RuntimeError: Working outside of request context", the message rendered too late.
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.output == "Error: XML 在第 1 行附近有错误。\n" and clean  # rendered, in zh_CN


def question(stem: str, options=(), key=(0,)) -> dict:
    """A checked item: true/false unless options are given."""
    return {"qtype": "single" if options else "true_false", "stem": stem, "options": list(options),
            "key": list(key), "explanation": "", "knowledge_point": "fire.class", "difficulty": 3,
            "posts": [], "operation_codes": [], "status": "published", "image": None}


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1 是否等于2", "-5℃以下应停止作业", "@SUM(A1)"]


def test_bank_export_keeps_formula_like_stems_as_text_and_reimports_them(client, login, exam_bank,
                                                                         centre, editor):
    items = [question(stem) for stem in FORMULAS]
    items.append(question("下列哪个是公式？", options=["=1+1", "甲", "乙"]))
    write_items(exam_bank, items, None, datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    login("editor")
    exported = client.get(f"/exams/banks/{exam_bank.id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(exported.data)).active
    stems = {row[1].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for text in FORMULAS:
        assert stems[text].data_type == "s", text
    option = next(row[2] for row in sheet.iter_rows(min_row=2) if row[1].value == "下列哪个是公式？")
    assert (option.value, option.data_type) == ("=1+1", "s")

    copy = QuestionBank(code="COPY", name="副本", purpose=BankPurpose.PRACTICE, organization=centre)
    db.session.add(copy)
    db.session.commit()
    response = upload(client, copy, exported.data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    client.post(f"/exams/imports/{db.session.scalar(select(func.max(QuestionImport.id)))}/confirm")
    db.session.expire_all()
    assert bank_items(db.session.get(QuestionBank, copy.id)) == bank_items(exam_bank)
    assert {i["stem"] for i in bank_items(exam_bank)} >= set(FORMULAS)
