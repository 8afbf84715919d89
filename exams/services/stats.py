"""Item statistics for a blueprint on a bank, from submitted mock exams and real exam attempts."""

from dataclasses import dataclass

from sqlalchemy import select

from exams.models import (
    AttemptKind,
    Blueprint,
    Paper,
    PaperItem,
    PracticeAnswer,
    PracticeAttempt,
    Question,
    QuestionBank,
)
from exams.statistics import ItemStats, Response, cronbach_alpha, item_statistics
from lms.extensions import db


@dataclass
class BlueprintStats:
    """Per-item statistics plus alpha per form (papers sharing the same questions)."""

    items: list[ItemStats]
    questions: dict[int, Question]
    alphas: list[tuple[int, int, float | None]]
    attempts: int


def _attempt_rows(blueprint: Blueprint, bank: QuestionBank):
    return db.session.execute(
        select(PracticeAttempt.id, Paper.id, PaperItem.question_id, PaperItem.points,
               PracticeAnswer.points, PracticeAnswer.chosen)
        .join(Paper, PracticeAttempt.paper_id == Paper.id)
        .join(PracticeAnswer, PracticeAnswer.attempt_id == PracticeAttempt.id)
        .join(PaperItem, PracticeAnswer.paper_item_id == PaperItem.id)
        .where(Paper.blueprint_id == blueprint.id, Paper.bank_id == bank.id,
               PracticeAttempt.kind == AttemptKind.MOCK, PracticeAttempt.submitted_at.is_not(None))
        .order_by(PracticeAttempt.id, PaperItem.position)).all()


def _exam_rows(blueprint: Blueprint, bank: QuestionBank):
    """(attempt, question, points, earned, chosen) of every item of handed-in exam attempts; an
    unanswered item earns nothing and chose nothing. Mock exams are counted from their practice
    round (_attempt_rows), not a second time here."""
    from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt, SittingKind
    from exams.grading import score_answer

    rows = db.session.execute(
        select(ExamAttempt.id, PaperItem.question_id, PaperItem.points, PaperItem.qtype, PaperItem.key,
               Paper.partial_credit, ExamAnswer.choice)
        .join(Paper, ExamAttempt.paper_id == Paper.id)
        .join(PaperItem, PaperItem.paper_id == Paper.id)
        .outerjoin(ExamAnswer, (ExamAnswer.attempt_id == ExamAttempt.id)
                   & (ExamAnswer.paper_item_id == PaperItem.id))
        .where(Paper.blueprint_id == blueprint.id, Paper.bank_id == bank.id,
               ExamAttempt.status == AttemptStatus.SUBMITTED, ExamAttempt.kind != SittingKind.MOCK)
        .order_by(ExamAttempt.id, PaperItem.position)).all()
    for attempt_id, qid, worth, qtype, key, partial, choice in rows:
        _right, earned = score_answer(qtype, key, choice or [], worth, partial)
        yield attempt_id, qid, worth, earned, choice or []


def _responses(blueprint: Blueprint, bank: QuestionBank) -> dict[tuple, dict[int, Response]]:
    """Per attempt (mock or exam), its response to each question."""
    attempts: dict[tuple, dict[int, Response]] = {}
    for attempt_id, _paper_id, qid, worth, earned, chosen in _attempt_rows(blueprint, bank):
        attempts.setdefault(("mock", attempt_id), {})[qid] = Response(earned / worth if worth else 0.0,
                                                                      tuple(chosen))
    for attempt_id, qid, worth, earned, chosen in _exam_rows(blueprint, bank):
        attempts.setdefault(("exam", attempt_id), {})[qid] = Response(earned / worth if worth else 0.0,
                                                                      tuple(chosen))
    return attempts


def blueprint_stats(blueprint: Blueprint, bank: QuestionBank) -> BlueprintStats:
    """Facility, discrimination and distractors per question; alpha per form."""
    attempts = _responses(blueprint, bank)
    forms: dict[tuple, list[list[float]]] = {}
    for responses in attempts.values():
        forms.setdefault(tuple(sorted(responses)), []).append(
            [responses[q].score for q in sorted(responses)])
    items = item_statistics(list(attempts.values()))
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_([s.item for s in items])))}
    alphas = [(index, len(rows), cronbach_alpha(rows))
              for index, rows in enumerate(forms.values(), start=1)]
    items.sort(key=lambda s: (not s.flags, s.item))
    return BlueprintStats(items=items, questions=questions, alphas=alphas, attempts=len(attempts))
