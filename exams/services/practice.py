"""Practice by knowledge point with instant feedback, the wrong-answer book and mock exams."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from exams.assembly import derive_seed
from exams.grading import score_answer
from exams.models import (
    AttemptKind,
    Blueprint,
    KnowledgePoint,
    Paper,
    PaperItem,
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
from lms.signals import result_recorded
from lms.transitions import change_or_raise


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


@dataclass(frozen=True)
class BookMark:
    """One graded answer as the wrong-answer book sees it."""

    question_id: int
    version_id: int
    correct: bool
    chosen: list[int]


_BOOK_COLUMNS = ("times_wrong", "question_version_id", "last_chosen", "last_wrong_at", "resolved")


def book_answers(account: Account, marks: list[BookMark], now: datetime, source: str) -> None:
    """Enter wrong answers in the learner's wrong-answer book and resolve entries answered right."""
    # One read and at most two writes however many answers, so a mock paper is not graded per item.
    if not marks:
        return
    rows = db.session.execute(select(WrongAnswer.id, WrongAnswer.question_id,
                                     *[getattr(WrongAnswer, c) for c in _BOOK_COLUMNS]).where(
        WrongAnswer.account_id == account.id,
        WrongAnswer.question_id.in_({m.question_id for m in marks})))
    book = {row.question_id: dict(row._mapping) for row in rows}
    before = {question_id: dict(state) for question_id, state in book.items()}
    for mark in marks:  # in order, so a question met twice counts as it did one by one
        _apply_mark(book, mark, now)
    added = [dict(state, account_id=account.id, source=source)
             for question_id, state in book.items() if question_id not in before]
    changed = [{key: state[key] for key in ("id", *_BOOK_COLUMNS)}
               for question_id, state in book.items()
               if question_id in before and state != before[question_id]]
    if added:
        db.session.execute(insert(WrongAnswer), added)
    if changed:
        db.session.execute(update(WrongAnswer), changed)


def _apply_mark(book: dict[int, dict], mark: BookMark, now: datetime) -> None:
    state = book.get(mark.question_id)
    if mark.correct:
        if state is not None:
            state["resolved"] = True
        return
    if state is None:
        state = book[mark.question_id] = {"question_id": mark.question_id, "times_wrong": 0}
    state.update(times_wrong=state["times_wrong"] + 1, question_version_id=mark.version_id,
                 last_chosen=mark.chosen, last_wrong_at=now, resolved=False)


def _book(account: Account, version: QuestionVersion, correct: bool, chosen: list[int],
          now: datetime, source: str) -> None:
    book_answers(account, [BookMark(version.question_id, version.id, correct, chosen)], now, source)


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
    mock_sitting(attempt, now)
    return attempt


def mock_sitting(attempt: PracticeAttempt, now: datetime):
    """The mock's sitting on the attempt engine (timer, autosave, hand-in), started when missing.

    A mock begun before mocks ran on the engine gets its sitting now, with the paper's full time.
    """
    from exams.attempts import services as engine
    from exams.attempts.models import ExamAttempt, SittingKind

    sitting = db.session.scalar(select(ExamAttempt).where(ExamAttempt.practice_attempt_id == attempt.id))
    if sitting is not None:
        return sitting
    paper = attempt.paper
    return engine.start_online(SittingKind.MOCK, attempt.account_id, paper,
                               now + timedelta(minutes=paper.duration_minutes), now,
                               practice_attempt_id=attempt.id)


def write_mock_result(sitting, now: datetime) -> None:
    """Grading's result for a mock: the practice round is marked from the sitting's saved answers,
    which also fills the wrong-answer book as before."""
    from exams.attempts.models import ExamAnswer

    shown = {item_id: list(choice) for item_id, choice in db.session.execute(
        select(ExamAnswer.paper_item_id, ExamAnswer.choice).where(ExamAnswer.attempt_id == sitting.id))}
    submit_mock(mock_attempt(sitting.practice_attempt_id), db.session.get(Account, sitting.account_id),
                shown, now)


def mock_audit_names(sitting) -> tuple[None, dict]:
    """A mock is nobody's organisation's business; its audit sentence names the paper and learner."""
    attempt = db.session.get(PracticeAttempt, sitting.practice_attempt_id)
    account = db.session.get(Account, sitting.account_id)
    return None, {"title": attempt.paper.blueprint.name, "who": account.display_name}


def mock_attempt(attempt_id: int) -> PracticeAttempt | None:
    """A mock attempt with its paper, items, their question versions and the answers loaded up front."""
    paper = joinedload(PracticeAttempt.paper)
    return db.session.scalar(select(PracticeAttempt).where(PracticeAttempt.id == attempt_id).options(
        paper.joinedload(Paper.blueprint),
        paper.selectinload(Paper.items).joinedload(PaperItem.version).joinedload(QuestionVersion.question),
        selectinload(PracticeAttempt.answers)))


def submit_mock(attempt: PracticeAttempt, account: Account, shown: dict[int, list[int]],
                now: datetime) -> PracticeAttempt:
    """Grade every item against the paper's frozen key; ``shown`` maps item id to shown positions.

    :raises AlreadyChanged: the attempt was handed in already (a double click); nothing is written.
    """
    change_or_raise(attempt, PracticeAttempt.submitted_at.is_(None), submitted_at=now)
    # With the attempt from mock_attempt nothing is read per item; answers and book are bulk writes.
    paper = attempt.paper
    answers, marks = [], []
    for item in paper.items:
        picks = sorted(p for p in shown.get(item.id, []) if 0 <= p < max(2, len(item.option_order)))
        correct, points = score_answer(item.qtype, item.key, picks, item.points, paper.partial_credit)
        original = [item.option_order[p] for p in picks] if item.option_order else picks
        answers.append({"attempt_id": attempt.id, "question_version_id": item.question_version_id,
                        "paper_item_id": item.id, "chosen": original, "correct": correct,
                        "points": points, "answered_at": now})
        marks.append(BookMark(item.question_id, item.question_version_id, correct, original))
    if answers:
        db.session.execute(insert(PracticeAnswer), answers)
        db.session.expire(attempt, ["answers"])  # written around the ORM: read them afresh
    book_answers(account, marks, now, "mock")
    total = sum(a["points"] for a in answers)
    attempt.score, attempt.passed = round(total, 2), total >= paper.pass_mark
    db.session.flush()
    record_event("exams.mock.submitted", actor=account, target=attempt, score=attempt.score,
                 passed=attempt.passed)
    result_recorded.send(attempt, person_id=account.person_id, passed=attempt.passed, actor=account,
                         now=now)
    return attempt


def my_attempts(account: Account) -> list[PracticeAttempt]:
    """The learner's own mock exams, latest first."""
    return list(db.session.scalars(select(PracticeAttempt).where(
        and_(PracticeAttempt.account_id == account.id, PracticeAttempt.kind == AttemptKind.MOCK))
        .order_by(PracticeAttempt.id.desc())))
