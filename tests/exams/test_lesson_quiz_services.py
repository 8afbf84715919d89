"""Lesson quizzes: practice banks only (教考分离), rounds with instant marking, the wrong-answer book."""

import pytest
from sqlalchemy import func, select

from exams.models import (
    AttemptKind,
    KnowledgePoint,
    LessonQuiz,
    PracticeAttempt,
    QuestionVersion,
    WrongAnswer,
)
from exams.services.lesson_quiz import (
    QuizRefused,
    answer_quiz,
    attach_quiz,
    detach_quiz,
    next_question,
    quiz_view,
    round_size,
)
from lms.audit import AuditEvent
from lms.extensions import db


def kp(code: str) -> KnowledgePoint:
    return db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == code))


@pytest.fixture
def lesson(centre, kit):
    return kit.course(centre).lessons[0]


def wrong_choice(version: QuestionVersion) -> list[int]:
    return [k for k in range(max(2, len(version.options))) if k not in version.key][:1]


def test_an_exam_bank_is_refused_and_nothing_is_attached(lesson, exam_bank, fill, now):
    fill(exam_bank, "考", 5, 5)
    with pytest.raises(QuizRefused):
        attach_quiz(lesson, exam_bank, None, 3, None, None, now)
    assert db.session.scalar(select(func.count(LessonQuiz.id))) == 0


def test_a_quiz_pointing_at_an_exam_bank_still_draws_nothing(make, kit, centre, lesson, exam_bank, fill, now):
    """Even a row written around the service (or a bank re-purposed) never serves exam questions."""
    ids = fill(exam_bank, "考", 5, 5)
    quiz = LessonQuiz(lesson_id=lesson.id, bank_id=exam_bank.id, question_count=3)
    db.session.add(quiz)
    db.session.commit()
    learner = kit.enrol(make, centre, lesson.module.course)
    assert round_size(quiz) == 0 and next_question(learner, quiz) is None
    with pytest.raises(QuizRefused):
        answer_quiz(learner, quiz, db.session.get(QuestionVersion, ids[0]), [0], now)
    assert db.session.scalar(select(func.count(PracticeAttempt.id))) == 0


@pytest.mark.parametrize("count, share", [(0, None), (51, None), (3, 0.0), (3, 1.5)])
def test_out_of_range_settings_are_refused(lesson, practice_bank, now, count, share):
    with pytest.raises(QuizRefused):
        attach_quiz(lesson, practice_bank, None, count, share, None, now)


def test_attaching_again_changes_the_quiz_and_is_audited(lesson, practice_bank, trainer, now):
    first = attach_quiz(lesson, practice_bank, kp("fire"), 3, 0.6, trainer, now)
    second = attach_quiz(lesson, practice_bank, None, 4, None, trainer, now)
    assert first.id == second.id and second.question_count == 4 and second.knowledge_point_id is None
    detach_quiz(second, trainer, now)
    assert second.removed_at == now
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["exams.lesson_quiz.attached"] * 2 + ["exams.lesson_quiz.removed"]


def test_a_round_draws_from_the_subtree_marks_at_once_and_closes(make, kit, centre, lesson, practice_bank,
                                                                 fill, now):
    fill(practice_bank, "火", 4, 2, kp="fire.ext")
    fill(practice_bank, "电", 5, 0, kp="elec.shock")
    quiz = attach_quiz(lesson, practice_bank, kp("fire"), 3, 0.6, None, now)
    learner = kit.enrol(make, centre, lesson.module.course)
    seen = []
    for n in range(3):
        version = next_question(learner, quiz)
        assert version == next_question(learner, quiz), "a reload shows the same question"
        assert version.question.knowledge_point.code == "fire.ext" and version.question_id not in seen
        seen.append(version.question_id)
        chosen = wrong_choice(version) if n == 0 else version.key
        answer = answer_quiz(learner, quiz, version, chosen, now)
        assert answer.correct is (n != 0)
    attempt = db.session.scalar(select(PracticeAttempt))
    assert attempt.kind is AttemptKind.LESSON_QUIZ and attempt.lesson_quiz_id == quiz.id
    assert attempt.submitted_at == now and attempt.score == 2 and attempt.passed is True
    book = db.session.scalars(select(WrongAnswer)).all()
    assert [(w.question_id, w.source) for w in book] == [(seen[0], "lesson_quiz")]
    view = quiz_view(learner, quiz)
    assert view.finished and view.question is None and view.last_answer.correct
    fresh = quiz_view(learner, quiz, fresh=True)
    assert not fresh.finished and fresh.question is not None and fresh.number == 1


def test_a_repeated_answer_counts_once_and_a_low_score_fails(make, kit, centre, lesson, practice_bank,
                                                             fill, now):
    fill(practice_bank, "火", 2, 0, kp="fire.ext")
    quiz = attach_quiz(lesson, practice_bank, None, 5, 0.5, None, now)
    learner = kit.enrol(make, centre, lesson.module.course)
    version = next_question(learner, quiz)
    first = answer_quiz(learner, quiz, version, wrong_choice(version), now)
    assert answer_quiz(learner, quiz, version, version.key, now).id == first.id
    other = next_question(learner, quiz)
    answer_quiz(learner, quiz, other, wrong_choice(other), now)
    attempt = db.session.scalar(select(PracticeAttempt))
    # The bank holds two questions, so the round of five closes after two.
    assert round_size(quiz) == 2 and len(attempt.answers) == 2
    assert attempt.score == 0 and attempt.passed is False


def test_a_question_outside_the_quiz_is_refused(make, kit, centre, lesson, practice_bank, fill, now):
    ids = fill(practice_bank, "电", 2, 0, kp="elec.shock")
    fill(practice_bank, "火", 2, 0, kp="fire.ext")
    quiz = attach_quiz(lesson, practice_bank, kp("fire"), 2, None, None, now)
    learner = kit.enrol(make, centre, lesson.module.course)
    with pytest.raises(QuizRefused):
        answer_quiz(learner, quiz, db.session.get(QuestionVersion, ids[0]), [0], now)


def test_demo_quizzes_are_attached_once_every_demo_receiver_has_run(kit, centre, practice_bank):
    from datetime import date
    from random import Random

    from lms.signals import demo_finished

    practice_bank.code = "JS-PRACTICE"
    course = kit.course(centre, title="全员安全生产知识")
    course.lessons[0].title, course.lessons[1].title = "触电急救", "火灾逃生"
    db.session.commit()
    demo_finished.send(None, rng=Random(1), today=date(2026, 3, 1))
    quizzes = db.session.scalars(select(LessonQuiz).order_by(LessonQuiz.id)).all()
    assert [(q.lesson.title, q.knowledge_point.code, q.bank_id) for q in quizzes] == [
        ("触电急救", "elec", practice_bank.id), ("火灾逃生", "fire", practice_bank.id)]
