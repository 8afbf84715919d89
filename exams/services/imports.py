"""Stage an upload for review, then write every valid item in one go; exports of a whole bank."""

import base64
import hashlib
import io
from datetime import datetime

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exams.formats import ImportContext, detect_format, moodle, parse_file
from exams.formats.common import NEW_KP
from exams.formats.table import COLUMNS, item_row
from exams.models import (
    BankPurpose,
    KnowledgePoint,
    Question,
    QuestionBank,
    QuestionImport,
    QuestionStatus,
)
from exams.services.questions import add_knowledge_point, item_of, knowledge_point_map, write_items
from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, ImportStatus
from lms.spreadsheets import append_row, save_workbook
from lms.staging import leave_pending
from lms.storage import IMAGE_TYPES, FileRefused, current_store


def stage_import(bank: QuestionBank, uploader: Account, filename: str, data: bytes, *,
                 fmt: str = "auto", default_kp: str | None = None, default_difficulty: int = 3,
                 unknown_categories: str = "create", publish: bool = False) -> QuestionImport:
    """Parse and check an upload against the file and the bank, and keep it pending.

    Exam-bank questions always arrive as drafts, for an editor to read and publish (教考分离);
    practice-bank questions keep the file's status, or are published at once with ``publish``.
    Categories matching no knowledge point are kept for a decision at confirmation unless
    ``unknown_categories`` settles them now ("reject" or "default").
    """
    fmt = detect_format(filename, data) if fmt == "auto" else fmt
    ctx = ImportContext(knowledge_points=knowledge_point_map(), default_knowledge_point=default_kp,
                        default_difficulty=default_difficulty, unknown_categories=unknown_categories)
    result = parse_file(data, fmt, ctx)
    in_bank = dict(db.session.execute(select(Question.norm_stem, Question.id)
                                      .where(Question.bank_id == bank.id)).all())
    valid, errors = [], list(result.errors)
    for item in result.items:
        if item["norm"] in in_bank:
            errors.append({"pos": item["pos"], "reason": str(_l(
                "Already in the bank as question %(id)d.", id=in_bank[item["norm"]]))})
        else:
            valid.append({**item, "status": _arrival_status(bank, item["status"], publish)})
    details = {"columns": result.columns, "categories": result.categories,
               "notes": [{"pos": n["pos"], "reason": str(n["reason"])} for n in result.notes]}
    staged = QuestionImport(bank_id=bank.id, uploaded_by_id=uploader.id, filename=filename[:255],
                            fmt=fmt, encoding=result.encoding, items=valid, details=details,
                            errors=sorted(errors, key=lambda e: e["pos"][1]))
    db.session.add(staged)
    db.session.flush()
    return staged


def _arrival_status(bank: QuestionBank, status: str, publish: bool) -> str:
    if bank.purpose is BankPurpose.EXAM:
        return QuestionStatus.DRAFT.value
    return QuestionStatus.PUBLISHED.value if publish else status


def waiting_categories(staged: QuestionImport) -> list[str]:
    """Category paths of the staged items that match no knowledge point yet."""
    return sorted({i["knowledge_point"][len(NEW_KP):] for i in staged.items
                   if i["knowledge_point"].startswith(NEW_KP)})


def confirm_import(staged: QuestionImport, actor: Account | None, now: datetime, *,
                   unknown_categories: str = "reject", under: str | None = None) -> list[int]:
    """Write the valid items of a pending import; the caller commits them all at once.

    Items whose category matches no knowledge point are dropped ("reject"), filed under the
    knowledge point ``under`` ("default") or get their category created as knowledge points,
    under ``under`` when given ("create"). Embedded images are stored in the file store.

    :raises AlreadyChanged: the import is no longer pending (perhaps confirmed by a request running
        alongside); nothing is written.
    """
    leave_pending(staged, ImportStatus.CONFIRMED)
    items, dropped = _settle_categories(staged.items, unknown_categories, under)
    ids = write_items(staged.bank, [_with_image(i) for i in items], actor, now)
    db.session.flush()
    record_event("exams.import.confirmed", actor=actor, target=staged,
                 organization_id=staged.bank.organization_id, bank=staged.bank.code,
                 added=len(ids), rejected=len(staged.errors) + dropped, fmt=staged.fmt,
                 status=sorted({i["status"] for i in items}), unknown_categories=unknown_categories)
    return ids


def _settle_categories(items: list[dict], policy: str, under: str | None) -> tuple[list[dict], int]:
    """The items to write, with every NEW_KP placeholder settled by ``policy``; and how many dropped."""
    waiting = [i for i in items if i["knowledge_point"].startswith(NEW_KP)]
    if not waiting:
        return items, 0
    if policy == "reject" or (policy == "default" and not under):
        return [i for i in items if not i["knowledge_point"].startswith(NEW_KP)], len(waiting)
    codes = ({i["knowledge_point"]: under for i in waiting} if policy == "default"
             else _create_categories({i["knowledge_point"][len(NEW_KP):] for i in waiting}, under))
    return [{**i, "knowledge_point": codes.get(i["knowledge_point"], i["knowledge_point"])}
            for i in items], 0


def _create_categories(paths: set[str], under: str | None) -> dict[str, str]:
    """Knowledge points for each category path (reusing same-named nodes); NEW_KP path -> code."""
    root = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == under)) if under else None
    codes = {}
    for path in sorted(paths):
        parent = root
        for name in path.split("/"):
            parent = _child(parent, name)
        codes[NEW_KP + path] = parent.code
    return codes


def _child(parent: KnowledgePoint | None, name: str) -> KnowledgePoint:
    """The node called ``name`` under ``parent``, created when there is none."""
    found = db.session.scalar(select(KnowledgePoint).where(
        KnowledgePoint.parent_id == (parent.id if parent else None), KnowledgePoint.name == name))
    if found is not None:
        return found
    # Codes must be short ASCII; names may be Chinese. A digest of the place keeps codes stable.
    digest = hashlib.sha256(f"{parent.code if parent else ''}/{name}".encode()).hexdigest()[:8]
    code = f"{parent.code}.{digest}" if parent else f"imported.{digest}"
    return add_knowledge_point(code, name[:200], parent)


def _with_image(item: dict) -> dict:
    """The item with an embedded image (Moodle XML) stored by digest as its question image."""
    encoded = item.get("image_b64")
    if not encoded:
        return item
    try:
        stored = current_store().put(io.BytesIO(base64.b64decode(encoded)), accept=IMAGE_TYPES,
                                     limit=current_app.config["IMAGE_UPLOAD_MAX_BYTES"])
    except (FileRefused, ValueError):  # the reader checked it; a question never fails for its image
        return item
    return {**item, "image": stored.digest}


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
