"""Stage an upload for review, then write every valid item in one go; exports of a whole bank."""

from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exams.formats import ImportContext, detect_format, moodle, parse_file
from exams.formats.table import COLUMNS, item_row
from exams.models import Question, QuestionBank, QuestionImport
from exams.services.questions import item_of, knowledge_point_map, write_items
from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, ImportStatus
from lms.spreadsheets import append_row, save_workbook
from lms.staging import leave_pending


def stage_import(bank: QuestionBank, uploader: Account, filename: str, data: bytes, *,
                 fmt: str = "auto", default_kp: str | None = None,
                 default_difficulty: int = 3) -> QuestionImport:
    """Parse and check an upload against the file and the bank, and keep it pending."""
    fmt = detect_format(filename, data) if fmt == "auto" else fmt
    ctx = ImportContext(knowledge_points=knowledge_point_map(), default_knowledge_point=default_kp,
                        default_difficulty=default_difficulty)
    result = parse_file(data, fmt, ctx)
    in_bank = dict(db.session.execute(select(Question.norm_stem, Question.id)
                                      .where(Question.bank_id == bank.id)).all())
    valid, errors = [], list(result.errors)
    for item in result.items:
        if item["norm"] in in_bank:
            errors.append({"pos": item["pos"], "reason": str(_l(
                "Already in the bank as question %(id)d.", id=in_bank[item["norm"]]))})
        else:
            valid.append(item)
    staged = QuestionImport(bank_id=bank.id, uploaded_by_id=uploader.id, filename=filename[:255],
                            fmt=fmt, encoding=result.encoding, items=valid,
                            errors=sorted(errors, key=lambda e: e["pos"][1]))
    db.session.add(staged)
    db.session.flush()
    return staged


def confirm_import(staged: QuestionImport, actor: Account | None, now: datetime) -> list[int]:
    """Write the valid items of a pending import; the caller commits them all at once.

    :raises AlreadyChanged: the import is no longer pending (perhaps confirmed by a request running
        alongside); nothing is written.
    """
    leave_pending(staged, ImportStatus.CONFIRMED)
    ids = write_items(staged.bank, staged.items, actor, now)
    db.session.flush()
    record_event("exams.import.confirmed", actor=actor, target=staged,
                 organization_id=staged.bank.organization_id, bank=staged.bank.code,
                 added=len(ids), rejected=len(staged.errors), fmt=staged.fmt)
    return ids


def cancel_import(staged: QuestionImport, actor: Account) -> None:
    """Discard a pending import; raises AlreadyChanged when it is no longer pending."""
    leave_pending(staged, ImportStatus.CANCELLED)
    record_event("exams.import.cancelled", actor=actor, target=staged,
                 organization_id=staged.bank.organization_id)


def bank_items(bank: QuestionBank) -> list[dict]:
    """Every question of the bank (current version) as items, in id order."""
    questions = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
        .options(selectinload(Question.versions), selectinload(Question.knowledge_point))).all()
    return [item_of(q) for q in questions]


def workbook_bytes(items: list[dict]) -> bytes:
    """The Excel template, with ``items`` as rows; text that looks like a formula stays text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库 Questions"
    append_row(sheet, [header for _f, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.column_dimensions["B"].width = 60
    for item in items:
        append_row(sheet, item_row(item))
    return save_workbook(workbook)


TEMPLATE_EXAMPLES = [
    {"qtype": "true_false",
     "stem": "低压电工作业是指对1千伏以下的低压电器设备进行安装、调试、运行操作等的作业。",
     "options": [], "key": [0], "explanation": "低压：1 kV 以下。", "knowledge_point": "",
     "difficulty": 2, "posts": [], "operation_codes": ["1.2"], "status": "draft", "image": None},
    {"qtype": "single", "stem": "扑救带电设备火灾（E类）时，不得选用下列哪种灭火器？",
     "options": ["ABC干粉灭火器", "装有金属喇叭喷筒的二氧化碳灭火器", "BC干粉灭火器"], "key": [1],
     "explanation": "GB 50140-2005 第4.2.5条。", "knowledge_point": "", "difficulty": 3, "posts": [],
     "operation_codes": [], "status": "draft", "image": None},
]


def export_bank(bank: QuestionBank, fmt: str, actor: Account) -> bytes:
    """The whole bank as .xlsx or Moodle XML; audited because exam banks are confidential."""
    items = bank_items(bank)
    record_event("exams.bank.exported", actor=actor, target=bank,
                 organization_id=bank.organization_id, fmt=fmt, count=len(items))
    return workbook_bytes(items) if fmt == "xlsx" else moodle.export(items)
