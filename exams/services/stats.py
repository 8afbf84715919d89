"""Item statistics for a blueprint on a bank, from submitted mock (and later real) attempts."""

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


def blueprint_stats(blueprint: Blueprint, bank: QuestionBank) -> BlueprintStats:
    """Facility, discrimination and distractors per question; alpha per form."""
    attempts: dict[int, dict[int, Response]] = {}
    forms: dict[tuple, list[list[float]]] = {}
    for attempt_id, _paper_id, qid, worth, earned, chosen in _attempt_rows(blueprint, bank):
        attempts.setdefault(attempt_id, {})[qid] = Response(earned / worth if worth else 0.0,
                                                            tuple(chosen))
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
