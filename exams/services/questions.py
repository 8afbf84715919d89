"""Questions: create, edit (a new version once published or used), change status, knowledge points."""

from datetime import datetime

from sqlalchemy import exists, insert, select

from exams.models import (
    KnowledgePoint,
    PaperItem,
    PracticeAnswer,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionType,
    QuestionVersion,
)
from exams.text import normalise_stem
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account

#: Fields of an item that belong to the question rather than to one version.
QUESTION_FIELDS = ("qtype", "difficulty", "posts", "operation_codes")


def knowledge_point_map() -> dict[str, str]:
    """Lower-case code and name of every knowledge point -> its code."""
    found = {}
    for kp in db.session.scalars(select(KnowledgePoint)):
        found[kp.name.lower()] = kp.code
        found[kp.code.lower()] = kp.code
    return found


def knowledge_point_ids() -> dict[str, int]:
    """Code -> id of every knowledge point."""
    return dict(db.session.execute(select(KnowledgePoint.code, KnowledgePoint.id)).all())


def add_knowledge_point(code: str, name: str, parent: KnowledgePoint | None) -> KnowledgePoint:
    """A new node under ``parent`` (or a root)."""
    path = (parent.path if parent else "/") + code + "/"
    kp = KnowledgePoint(code=code, name=name, parent=parent, path=path)
    db.session.add(kp)
    db.session.flush()
    return kp


def knowledge_tree() -> list[KnowledgePoint]:
    """Every knowledge point in tree order."""
    return list(db.session.scalars(select(KnowledgePoint).order_by(KnowledgePoint.path)))


def duplicate_in_bank(bank: QuestionBank, stem: str, ignore_id: int | None = None) -> int | None:
    """Id of a question of the bank whose folded stem equals this one's."""
    query = select(Question.id).where(Question.bank_id == bank.id,
                                      Question.norm_stem == normalise_stem(stem))
    if ignore_id is not None:
        query = query.where(Question.id != ignore_id)
    return db.session.scalar(query.limit(1))


def write_items(bank: QuestionBank, items: list[dict], actor: Account | None,
                now: datetime) -> list[int]:
    """Insert checked items as questions with their first version, in two bulk statements."""
    if not items:
        return []
    kp_ids = knowledge_point_ids()
    rows = [{"bank_id": bank.id, "qtype": QuestionType(i["qtype"]),
             "knowledge_point_id": kp_ids[i["knowledge_point"]], "difficulty": i["difficulty"],
             "status": QuestionStatus(i["status"]), "posts": i["posts"],
             "operation_codes": i["operation_codes"], "norm_stem": normalise_stem(i["stem"]),
             "version_no": 1, "created_at": now} for i in items]
    ids = list(db.session.scalars(
        insert(Question).returning(Question.id, sort_by_parameter_order=True), rows))
    db.session.execute(insert(QuestionVersion), [
        {"question_id": qid, "number": 1, "stem": i["stem"], "image": i.get("image"),
         "options": i["options"], "key": i["key"], "explanation": i["explanation"],
         "created_at": now, "created_by_id": getattr(actor, "id", None)}
        for qid, i in zip(ids, items, strict=True)])
    return ids


def create_question(bank: QuestionBank, item: dict, actor: Account, now: datetime) -> Question:
    """One new question from a checked item."""
    (qid,) = write_items(bank, [item], actor, now)
    question = db.session.get(Question, qid)
    record_event("exams.question.created", actor=actor, target=question,
                 organization_id=bank.organization_id, bank=bank.code)
    return question


def version_in_use(version: QuestionVersion) -> bool:
    """True when a paper or an answer points at the version."""
    return bool(db.session.scalar(select(
        exists().where(PaperItem.question_version_id == version.id)
        | exists().where(PracticeAnswer.question_version_id == version.id))))


def edit_question(question: Question, item: dict, actor: Account, now: datetime) -> QuestionVersion:
    """Apply an edit: drafts change in place; published or used questions get a new version."""
    current = question.current
    kp = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == item["knowledge_point"]))
    question.knowledge_point_id = kp.id
    for name in QUESTION_FIELDS:
        setattr(question, name, QuestionType(item[name]) if name == "qtype" else item[name])
    question.norm_stem = normalise_stem(item["stem"])
    content = {"stem": item["stem"], "options": item["options"], "key": item["key"],
               "explanation": item["explanation"], "image": item.get("image", current.image)}
    if question.status is QuestionStatus.DRAFT and not version_in_use(current):
        for name, value in content.items():
            setattr(current, name, value)
        version = current
    else:
        version = QuestionVersion(question=question, number=question.version_no + 1,
                                  created_at=now, created_by_id=actor.id, **content)
        db.session.add(version)
        question.version_no = version.number
    db.session.flush()
    record_event("exams.question.edited", actor=actor, target=question,
                 organization_id=question.bank.organization_id, version=version.number)
    return version


ALLOWED_MOVES = {
    QuestionStatus.DRAFT: {QuestionStatus.REVIEWED, QuestionStatus.PUBLISHED, QuestionStatus.RETIRED},
    QuestionStatus.REVIEWED: {QuestionStatus.DRAFT, QuestionStatus.PUBLISHED, QuestionStatus.RETIRED},
    QuestionStatus.PUBLISHED: {QuestionStatus.RETIRED},
    QuestionStatus.RETIRED: {QuestionStatus.DRAFT},
}


def set_status(bank: QuestionBank, ids: list[int], status: QuestionStatus, actor: Account) -> int:
    """Move the bank's listed questions to ``status`` where the workflow allows; return how many."""
    questions = db.session.scalars(select(Question).where(Question.bank_id == bank.id,
                                                          Question.id.in_(ids))).all()
    moved = [q for q in questions if status in ALLOWED_MOVES[q.status]]
    for question in moved:
        question.status = status
    db.session.flush()
    record_event("exams.question.status", actor=actor, target=bank,
                 organization_id=bank.organization_id, status=status.value,
                 question_ids=[q.id for q in moved])
    return len(moved)


def item_of(question: Question, version: QuestionVersion | None = None) -> dict:
    """A question as an item dict (the shape the formats read and write)."""
    version = version or question.current
    return {"qtype": question.qtype.value, "stem": version.stem, "options": list(version.options),
            "key": list(version.key), "explanation": version.explanation or "",
            "knowledge_point": question.knowledge_point.code, "difficulty": question.difficulty,
            "posts": list(question.posts), "operation_codes": list(question.operation_codes),
            "status": question.status.value, "image": version.image}
