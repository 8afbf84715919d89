"""Lesson quizzes: attach one to a lesson, draw its questions, grade answers with instant feedback."""

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true

from courses.models import Lesson
from exams.assembly import derive_seed
from exams.grading import score_answer
from exams.models import (
    AttemptKind,
    BankPurpose,
    KnowledgePoint,
    LessonQuiz,
    PracticeAnswer,
    PracticeAttempt,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionVersion,
)
from exams.services.practice import _book
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account

#: Most questions one quiz round may ask (a lesson quiz is a short check, not an exam).
MAX_QUESTIONS = 50


class QuizRefused(ValueError):
    """The quiz settings or the answer are not allowed (e.g. an exam bank: 教考分离)."""


def attach_quiz(lesson: Lesson, bank: QuestionBank, kp: KnowledgePoint | None, count: int,
                pass_share: float | None, actor: Account | None, now: datetime) -> LessonQuiz:
    """Attach (or change) the lesson's quiz; only a practice bank may feed it."""
    if bank.purpose is not BankPurpose.PRACTICE:
        raise QuizRefused("Lesson quizzes draw on practice banks only.")
    if not 1 <= count <= MAX_QUESTIONS or (pass_share is not None and not 0 < pass_share <= 1):
        raise QuizRefused("Question count or pass share out of range.")
    quiz = db.session.scalar(select(LessonQuiz).where(LessonQuiz.lesson_id == lesson.id))
    if quiz is None:
        quiz = LessonQuiz(lesson_id=lesson.id)
        db.session.add(quiz)
    quiz.bank_id, quiz.knowledge_point_id = bank.id, kp.id if kp else None
    quiz.question_count, quiz.pass_share = count, pass_share
    quiz.created_by_id, quiz.updated_at, quiz.removed_at = getattr(actor, "id", None), now, None
    db.session.flush()
    record_event("exams.lesson_quiz.attached", actor=actor, target=quiz,
                 organization_id=lesson.module.course.owner_org_id, lesson=lesson.id, bank=bank.id,
                 knowledge_point=kp.code if kp else None, count=count, pass_share=pass_share)
    return quiz


def detach_quiz(quiz: LessonQuiz, actor: Account | None, now: datetime) -> None:
    """Take the quiz off its lesson; past rounds stay in the learners' records."""
    quiz.removed_at = now
    db.session.flush()
    record_event("exams.lesson_quiz.removed", actor=actor, target=quiz,
                 organization_id=quiz.lesson.module.course.owner_org_id, lesson=quiz.lesson_id)


def active_quiz(lesson_id: int) -> LessonQuiz | None:
    """The quiz currently attached to the lesson, if any."""
    return db.session.scalar(select(LessonQuiz).where(LessonQuiz.lesson_id == lesson_id,
                                                      LessonQuiz.removed_at.is_(None)))


def pool_query(quiz: LessonQuiz, column=Question):
    """Published questions (or ``column`` of them) of the quiz's practice bank and knowledge-point subtree."""
    query = (select(column).join(QuestionBank, QuestionBank.id == Question.bank_id)
             .where(Question.bank_id == quiz.bank_id, Question.status == QuestionStatus.PUBLISHED,
                    # Checked again here so an exam question can never reach a learner.
                    QuestionBank.purpose == BankPurpose.PRACTICE))
    if quiz.knowledge_point is not None:
        query = query.join(KnowledgePoint, KnowledgePoint.id == Question.knowledge_point_id).where(
            KnowledgePoint.path.startswith(quiz.knowledge_point.path))
    return query


def round_size(quiz: LessonQuiz) -> int:
    """Questions per round: the set number, or fewer when the bank holds fewer."""
    available = db.session.scalar(pool_query(quiz, func.count(Question.id)))
    return min(quiz.question_count, available or 0)


def latest_round(account: Account, quiz: LessonQuiz) -> PracticeAttempt | None:
    """The account's most recent round of this quiz."""
    return db.session.scalar(select(PracticeAttempt).where(
        PracticeAttempt.account_id == account.id, PracticeAttempt.lesson_quiz_id == quiz.id,
        PracticeAttempt.kind == AttemptKind.LESSON_QUIZ).order_by(PracticeAttempt.id.desc()).limit(1))


def _finished_rounds(account: Account, quiz: LessonQuiz) -> int:
    return db.session.scalar(select(func.count(PracticeAttempt.id)).where(
        PracticeAttempt.account_id == account.id, PracticeAttempt.lesson_quiz_id == quiz.id,
        PracticeAttempt.submitted_at.is_not(None)))


def _open_round(account: Account, quiz: LessonQuiz) -> PracticeAttempt | None:
    latest = latest_round(account, quiz)
    return latest if latest is not None and latest.submitted_at is None else None


def _asked(attempt: PracticeAttempt | None) -> set[int]:
    return {a.version.question_id for a in attempt.answers} if attempt else set()


def next_question(account: Account, quiz: LessonQuiz, size: int | None = None) -> QuestionVersion | None:
    """The next question of the account's open (or next) round; stable across page reloads."""
    attempt = _open_round(account, quiz)
    asked = _asked(attempt)
    if len(asked) >= (round_size(quiz) if size is None else size):
        return None
    # Count and pick by offset in SQL: a practice bank may hold tens of thousands of questions.
    fresh = Question.id.not_in(asked) if asked else true()
    left = db.session.scalar(pool_query(quiz, func.count(Question.id)).where(fresh))
    if not left:
        return None
    rng = random.Random(derive_seed("lesson-quiz", account.id, quiz.id,
                                    _finished_rounds(account, quiz), len(asked)))
    picked = db.session.scalar(pool_query(quiz).where(fresh).order_by(Question.id)
                               .offset(rng.randrange(left)).limit(1))
    return picked.current


def _start_round(account: Account, quiz: LessonQuiz, now: datetime) -> PracticeAttempt:
    attempt = PracticeAttempt(account_id=account.id, bank_id=quiz.bank_id, kind=AttemptKind.LESSON_QUIZ,
                              knowledge_point_id=quiz.knowledge_point_id, lesson_quiz_id=quiz.id,
                              started_at=now)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def answer_quiz(account: Account, quiz: LessonQuiz, version: QuestionVersion, chosen: list[int],
                now: datetime) -> PracticeAnswer:
    """Grade one answer at once, keep it in the round, update the wrong-answer book, close a full round."""
    in_pool = db.session.scalar(pool_query(quiz).where(Question.id == version.question_id))
    if in_pool is None or version.number != in_pool.version_no:
        raise QuizRefused("The question is not part of this quiz.")
    attempt = _open_round(account, quiz) or _start_round(account, quiz, now)
    earlier = next((a for a in attempt.answers if a.version.question_id == version.question_id), None)
    if earlier is not None:  # the same form sent twice: keep the first answer
        return earlier
    correct, points = score_answer(version.question.qtype.value, version.key, chosen, 1)
    answer = PracticeAnswer(attempt_id=attempt.id, question_version_id=version.id, chosen=chosen,
                            correct=correct, points=points, answered_at=now)
    db.session.add(answer)
    _book(account, version, correct, chosen, now, "lesson_quiz")
    db.session.flush()
    db.session.refresh(attempt, ["answers"])
    if len(attempt.answers) >= round_size(quiz):
        _finish(attempt, quiz, account, now)
    return answer


def _finish(attempt: PracticeAttempt, quiz: LessonQuiz, account: Account, now: datetime) -> None:
    right = sum(1 for a in attempt.answers if a.correct)
    attempt.score, attempt.submitted_at = float(right), now
    attempt.passed = None if quiz.pass_share is None else right >= quiz.pass_share * len(attempt.answers)
    db.session.flush()
    record_event("exams.lesson_quiz.finished", actor=account, target=attempt, quiz=quiz.id,
                 right=right, asked=len(attempt.answers), passed=attempt.passed)


@dataclass
class QuizView:
    """What the lesson panel shows: the last answer's feedback, the next question or the result."""

    quiz: LessonQuiz
    size: int
    attempt: PracticeAttempt | None
    last_answer: PracticeAnswer | None
    question: QuestionVersion | None
    number: int

    @property
    def finished(self) -> bool:
        """True when the shown round is complete."""
        return self.attempt is not None and self.attempt.submitted_at is not None


def quiz_view(account: Account, quiz: LessonQuiz, fresh: bool = False) -> QuizView:
    """The panel state; ``fresh`` starts a new round after a finished one."""
    latest = latest_round(account, quiz)
    if latest is not None and latest.submitted_at is not None and fresh:
        latest = None
    shown_done = latest is not None and latest.submitted_at is not None
    last = latest.answers[-1] if latest is not None and latest.answers else None
    asked = len(latest.answers) if latest is not None and not shown_done else 0
    size = round_size(quiz)
    return QuizView(quiz=quiz, size=size, attempt=latest, last_answer=last,
                    question=None if shown_done else next_question(account, quiz, size), number=asked + 1)
