"""Demo data: knowledge points, an exam and a practice bank for the demo exam centre, blueprints."""

from datetime import date

from sqlalchemy import select

from courses.models import Lesson
from exams.demo_content import KNOWLEDGE_TREE, all_questions
from exams.models import (
    BankPurpose,
    BankTier,
    Blueprint,
    BlueprintCell,
    KnowledgePoint,
    QuestionBank,
    QuestionType,
)
from exams.services.blueprints import principal_paper, special_ops_theory
from exams.services.lesson_quiz import attach_quiz
from exams.services.questions import add_knowledge_point, write_items
from lms import clock
from lms.extensions import db
from lms.models import Organization, OrgKind, Post

CENTRE = "无锡市安全生产培训考试考核中心"
#: Demo lesson title, knowledge point, questions per round, pass share.
DEMO_QUIZZES = [("触电急救", "elec", 5, 0.8), ("火灾逃生", "fire", 5, 0.6),
                ("停电、验电、挂接地线", "elec.work", 5, 0.8), ("受限空间作业", "space", 5, 0.8),
                # An enterprise-owned lesson: the enterprise's trainer sees and edits this one.
                ("厂级教育", "space", 5, 0.8)]
#: Questions of each type the electrician's paper draws from 电气安全; the rest from any topic
#: (fire, law), so a mock exam is mostly electrical as the real one is.
ELECTRICAL_SHARE = {QuestionType.TRUE_FALSE: 45, QuestionType.SINGLE: 14}


def add_knowledge_tree() -> None:
    """The demo knowledge-point tree (skipped where codes exist)."""
    existing = {kp.code: kp for kp in db.session.scalars(select(KnowledgePoint))}
    for code, name, parent in KNOWLEDGE_TREE:
        if code not in existing:
            existing[code] = add_knowledge_point(code, name, existing.get(parent))


def add_demo_data(_sender=None, *, rng=None, today: date | None = None, **_kwargs) -> None:
    """Receiver of lms.signals.demo_loaded."""
    today = today or clock.today()
    centre = db.session.scalar(select(Organization).where(Organization.name == CENTRE,
                                                           Organization.kind == OrgKind.EXAM_CENTRE))
    if centre is None:
        return
    add_knowledge_tree()
    now = clock.now()
    exam = QuestionBank(code="JS-EXAM", name="江苏省特种作业与安全管理考试题库", purpose=BankPurpose.EXAM,
                        tier=BankTier.PROVINCIAL, organization=centre)
    practice = QuestionBank(code="JS-PRACTICE", name="江苏省安全生产练习题库", purpose=BankPurpose.PRACTICE,
                            tier=BankTier.PROVINCIAL, organization=centre)
    db.session.add_all([exam, practice])
    db.session.flush()
    items = all_questions()
    # Alternate questions between the banks: same topics in both, never the same question (教考分离).
    write_items(exam, items[0::2], None, now)
    write_items(practice, items[1::2], None, now)
    # No empty enterprise bank: learners would be offered topics and mock exams with nothing behind
    # them. Trainers create their enterprise's bank when they have questions for it.
    electrician = special_ops_theory(centre, "LV-ELEC-THEORY", "低压电工作业安全技术理论考试", "1.2", today)
    _mostly_electrical(electrician)
    principal_paper(centre, "PRINCIPAL-HAZCHEM", "主要负责人安全生产知识考试", Post.PRINCIPAL.value, today)
    db.session.flush()


def _mostly_electrical(blueprint: Blueprint) -> None:
    """Split each rule-given cell into an 电气安全 cell and an any-topic cell of the same type."""
    elec = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == "elec"))
    cells = []
    for cell in blueprint.cells:
        share = min(cell.count, ELECTRICAL_SHARE.get(cell.qtype, 0))
        # The specific cell first: assembly fills cells in order, so "any" takes what is left.
        if share:
            cells.append(BlueprintCell(qtype=cell.qtype, count=share, knowledge_point=elec))
        if cell.count > share:
            cells.append(BlueprintCell(qtype=cell.qtype, count=cell.count - share))
    blueprint.cells = cells
    db.session.flush()


def add_demo_quizzes(_sender=None, **_kwargs) -> None:
    """Receiver of lms.signals.demo_finished: practice quizzes under demo lessons (DEMO_QUIZZES)."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "JS-PRACTICE"))
    if bank is None:
        return
    now = clock.now()
    for title, kp_code, count, share in DEMO_QUIZZES:
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == title).order_by(Lesson.id).limit(1))
        kp = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == kp_code))
        if lesson is not None and kp is not None:
            attach_quiz(lesson, bank, kp, count, share, None, now)
