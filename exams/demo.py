"""Demo data: knowledge points, an exam and a practice bank for the demo exam centre, blueprints."""

from datetime import date

from sqlalchemy import select

from courses.models import Lesson
from exams.demo_content import KNOWLEDGE_TREE, all_questions
from exams.models import BankPurpose, BankTier, KnowledgePoint, QuestionBank
from exams.services.blueprints import principal_paper, special_ops_theory
from exams.services.lesson_quiz import attach_quiz
from exams.services.questions import add_knowledge_point, write_items
from lms import clock
from lms.extensions import db
from lms.models import Organization, OrgKind, Post

CENTRE = "无锡市安全生产培训考试考核中心"
ENTERPRISE = "无锡恒通化工有限公司"
#: Demo lesson title, knowledge point, questions per round, pass share.
DEMO_QUIZZES = [("触电急救", "elec", 5, 0.8), ("火灾逃生", "fire", 5, 0.6)]


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
    write_items(exam, items[0::2], None, now)
    write_items(practice, items[1::2], None, now)
    enterprise = db.session.scalar(select(Organization).where(Organization.name == ENTERPRISE))
    if enterprise is not None:
        own = QuestionBank(code="HT-PRACTICE", name="恒通化工内部练习题", purpose=BankPurpose.PRACTICE,
                           tier=BankTier.PROVINCIAL, organization=enterprise)
        db.session.add(own)
        db.session.flush()
    special_ops_theory(centre, "LV-ELEC-THEORY", "低压电工作业安全技术理论考试", "1.2", today)
    principal_paper(centre, "PRINCIPAL-HAZCHEM", "主要负责人安全生产知识考试", Post.PRINCIPAL.value, today)
    db.session.flush()


def add_demo_quizzes(_sender=None, **_kwargs) -> None:
    """Receiver of lms.signals.demo_finished: practice quizzes under two demo lessons."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "JS-PRACTICE"))
    if bank is None:
        return
    now = clock.now()
    for title, kp_code, count, share in DEMO_QUIZZES:
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == title).order_by(Lesson.id).limit(1))
        kp = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == kp_code))
        if lesson is not None and kp is not None:
            attach_quiz(lesson, bank, kp, count, share, None, now)
