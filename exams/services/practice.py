"""Practice by knowledge point with instant feedback, the wrong-answer book and mock exams."""

import random
from datetime import datetime

from sqlalchemy import and_, func, select

from exams.assembly import derive_seed
from exams.grading import score_answer
from exams.models import (
    AttemptKind,
    Blueprint,
    KnowledgePoint,
    PaperPurpose,
    PracticeAnswer,
    PracticeAttempt,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionVersion,
    WrongAnswer,
)
from exams.services.papers import assemble_one
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account


def _published_in(bank: QuestionBank, kp: KnowledgePoint | None):
    query = select(Question).where(Question.bank_id == bank.id,
                                   Question.status == QuestionStatus.PUBLISHED)
    if kp is not None:
        query = query.join(KnowledgePoint).where(KnowledgePoint.path.startswith(kp.path))
    return query


def kp_counts(bank: QuestionBank) -> dict[int, int]:
    """Published questions per knowledge point id (own node only)."""
    return dict(db.session.execute(
        select(Question.knowledge_point_id, func.count(Question.id))
        .where(Question.bank_id == bank.id, Question.status == QuestionStatus.PUBLISHED)
        .group_by(Question.knowledge_point_id)).all())


def next_question(account: Account, bank: QuestionBank, kp: KnowledgePoint | None,
                  rng: random.Random) -> Question | None:
    """A published question of the knowledge point, preferring ones the learner has not answered."""
    answered = select(QuestionVersion.question_id).join(
        PracticeAnswer, PracticeAnswer.question_version_id == QuestionVersion.id).join(
        PracticeAttempt, PracticeAttempt.id == PracticeAnswer.attempt_id).where(
        PracticeAttempt.account_id == account.id)
    fresh = db.session.scalars(_published_in(bank, kp).where(Question.id.not_in(answered))
                               .order_by(Question.id)).all()
    pool = fresh or db.session.scalars(_published_in(bank, kp).order_by(Question.id)).all()
    return rng.choice(pool) if pool else None


def practice_attempt(account: Account, bank: QuestionBank, kp: KnowledgePoint | None,
                     now: datetime) -> PracticeAttempt:
    """The learner's open practice round for this bank and knowledge point (created on demand)."""
    attempt = db.session.scalar(select(PracticeAttempt).where(
        PracticeAttempt.account_id == account.id, PracticeAttempt.bank_id == bank.id,
        PracticeAttempt.kind == AttemptKind.PRACTICE, PracticeAttempt.submitted_at.is_(None),
        PracticeAttempt.knowledge_point_id == (kp.id if kp else None)))
    if attempt is None:
        attempt = PracticeAttempt(account_id=account.id, bank_id=bank.id, kind=AttemptKind.PRACTICE,
                                  knowledge_point_id=kp.id if kp else None, started_at=now)
        db.session.add(attempt)
        db.session.flush()
    return attempt


def _book(account: Account, version: QuestionVersion, correct: bool, chosen: list[int],
          now: datetime, source: str) -> None:
    entry = db.session.scalar(select(WrongAnswer).where(
        WrongAnswer.account_id == account.id, WrongAnswer.question_id == version.question_id))
    if correct:
        if entry is not None:
            entry.resolved = True
        return
    if entry is None:
        entry = WrongAnswer(account_id=account.id, question_id=version.question_id, times_wrong=0,
                            question_version_id=version.id, source=source)
        db.session.add(entry)
    entry.times_wrong += 1
    entry.question_version_id, entry.last_chosen, entry.last_wrong_at = version.id, chosen, now
    entry.resolved = False


def answer_practice(attempt: PracticeAttempt, account: Account, version: QuestionVersion,
                    chosen: list[int], now: datetime) -> PracticeAnswer:
    """Grade one practice answer at once, record it and update the wrong-answer book."""
    correct, points = score_answer(version.question.qtype.value, version.key, chosen, 1)
    answer = PracticeAnswer(attempt_id=attempt.id, question_version_id=version.id, chosen=chosen,
                            correct=correct, points=points, answered_at=now)
    db.session.add(answer)
    _book(account, version, correct, chosen, now, "practice")
    db.session.flush()
    return answer


def wrong_book(account: Account, include_resolved: bool = False) -> list[WrongAnswer]:
    """The learner's wrong answers, latest first."""
    query = select(WrongAnswer).where(WrongAnswer.account_id == account.id)
    if not include_resolved:
        query = query.where(WrongAnswer.resolved.is_(False))
    return list(db.session.scalars(query.order_by(WrongAnswer.last_wrong_at.desc())))


def start_mock(account: Account, bank: QuestionBank, blueprint: Blueprint, now: datetime) -> PracticeAttempt:
    """A mock exam: the real blueprint, assembled on the practice bank and frozen for this learner."""
    count = db.session.scalar(select(func.count(PracticeAttempt.id)).where(
        PracticeAttempt.account_id == account.id, PracticeAttempt.kind == AttemptKind.MOCK))
    paper = assemble_one(blueprint, bank, derive_seed("mock", account.id, blueprint.id, count), now,
                         purpose=PaperPurpose.MOCK, account_id=account.id)
    attempt = PracticeAttempt(account_id=account.id, bank_id=bank.id, kind=AttemptKind.MOCK,
                              paper_id=paper.id, started_at=now)
    db.session.add(attempt)
    db.session.flush()
    record_event("exams.mock.started", actor=account, target=attempt, paper=paper.id)
    return attempt


def submit_mock(attempt: PracticeAttempt, account: Account, shown: dict[int, list[int]],
                now: datetime) -> PracticeAttempt:
    """Grade every item against the paper's frozen key; ``shown`` maps item id to shown positions."""
    paper = attempt.paper
    total = 0.0
    for item in paper.items:
        picks = sorted(p for p in shown.get(item.id, []) if 0 <= p < max(2, len(item.option_order)))
        correct, points = score_answer(item.qtype, item.key, picks, item.points, paper.partial_credit)
        original = [item.option_order[p] for p in picks] if item.option_order else picks
        db.session.add(PracticeAnswer(attempt_id=attempt.id, question_version_id=item.question_version_id,
                                      paper_item_id=item.id, chosen=original, correct=correct,
                                      points=points, answered_at=now))
        _book(account, item.version, correct, original, now, "mock")
        total += points
    attempt.score, attempt.submitted_at = round(total, 2), now
    attempt.passed = total >= paper.pass_mark
    db.session.flush()
    record_event("exams.mock.submitted", actor=account, target=attempt, score=attempt.score,
                 passed=attempt.passed)
    return attempt


def my_attempts(account: Account) -> list[PracticeAttempt]:
    """The learner's own mock exams, latest first."""
    return list(db.session.scalars(select(PracticeAttempt).where(
        and_(PracticeAttempt.account_id == account.id, PracticeAttempt.kind == AttemptKind.MOCK))
        .order_by(PracticeAttempt.id.desc())))
