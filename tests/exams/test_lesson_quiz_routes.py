"""Lesson-quiz pages: a learner answers under the lesson; trainers attach quizzes in their own scope."""

import importlib.util
import re

import pytest
from sqlalchemy import func, select

from courses.archive import build_archive
from exams.course_hooks import archive_rows
from exams.models import LessonQuiz, PracticeAttempt, QuestionVersion, WrongAnswer
from exams.services.blueprints import special_ops_theory
from exams.services.lesson_quiz import attach_quiz
from exams.services.practice import start_mock, submit_mock
from lms.clock import local_tz
from lms.extensions import db
from lms.models import RoleGrant
from lms.roles import Role

from support import ROOT

_spec = importlib.util.spec_from_file_location("lms_i18n_tests", ROOT / "tests" / "lms" / "test_i18n.py")
_i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_i18n)


def shown(html: str) -> QuestionVersion:
    return db.session.get(QuestionVersion, int(re.search(r'name="version" value="(\d+)"', html).group(1)))


@pytest.fixture
def setup(make, kit, ent, centre, practice_bank, fill, now):
    """A course of the enterprise with a quiz on its first lesson and an enrolled learner."""
    fill(practice_bank, "火", 4, 2, kp="fire.ext")
    course = kit.course(ent, title="消防安全")
    quiz = attach_quiz(course.lessons[0], practice_bank, None, 2, 0.5, None, now)
    db.session.commit()
    pupil = kit.enrol(make, ent, course)
    return {"course": course, "lesson": course.lessons[0], "quiz": quiz, "pupil": pupil}


def test_learner_answers_under_the_lesson_with_instant_feedback(client, login, setup):
    lesson, quiz = setup["lesson"], setup["quiz"]
    login("pupil")
    page = client.get(f"/courses/lessons/{lesson.id}").get_data(as_text=True)
    assert "练习小测" in page and "第 1 题，共 2 题" in page
    first = shown(page)
    wrong = [k for k in range(max(2, len(first.options))) if k not in first.key][:1]
    response = client.post(f"/exams/lesson-quizzes/{quiz.id}/answer",
                           data={"version": first.id, "choice": wrong})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/lessons/{lesson.id}#lesson-quiz")
    page = client.get(f"/courses/lessons/{lesson.id}").get_data(as_text=True)
    assert "错题本" in page and first.explanation in page and "第 2 题，共 2 题" in page
    assert db.session.scalar(select(WrongAnswer.question_id)) == first.question_id
    second = shown(page)
    client.post(f"/exams/lesson-quizzes/{quiz.id}/answer", data={"version": second.id, "choice": second.key})
    page = client.get(f"/courses/lessons/{lesson.id}").get_data(as_text=True)
    assert "回答正确" in page and "小测完成" in page and "合格" in page
    attempt = db.session.scalar(select(PracticeAttempt))
    assert attempt.lesson_quiz_id == quiz.id and attempt.score == 1 and attempt.passed is True
    again = client.get(f"/courses/lessons/{lesson.id}?quiz=new").get_data(as_text=True)
    assert "第 1 题，共 2 题" in again


def test_a_learner_who_is_not_enrolled_cannot_answer(client, login, make, ent, setup):
    make.account("outsider", Role.LEARNER, org=ent, person=make.person("旁人", org=ent))
    version = db.session.scalar(select(QuestionVersion))
    login("outsider")
    response = client.post(f"/exams/lesson-quizzes/{setup['quiz'].id}/answer",
                           data={"version": version.id, "choice": version.key})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(PracticeAttempt.id))) == 0


def test_trainer_attaches_a_practice_quiz_but_never_an_exam_bank(client, login, trainer, setup, exam_bank,
                                                                 practice_bank):
    second = setup["course"].lessons[1]
    login("trainer")
    listing = client.get("/exams/lesson-quizzes").get_data(as_text=True)
    assert "消防安全" in listing and "添加小测" in listing
    form = client.get(f"/exams/lessons/{second.id}/quiz").get_data(as_text=True)
    offered = re.search(r'<select[^>]*name="bank".*?</select>', form, re.S).group(0)
    assert f'value="{practice_bank.id}"' in offered and f'value="{exam_bank.id}"' not in offered
    refused = client.post(f"/exams/lessons/{second.id}/quiz",
                          data={"bank": exam_bank.id, "knowledge_point": "", "question_count": 3})
    assert refused.status_code == 200 and "有效" in refused.get_data(as_text=True)
    assert db.session.scalar(select(LessonQuiz).where(LessonQuiz.lesson_id == second.id)) is None
    done = client.post(f"/exams/lessons/{second.id}/quiz", data={
        "bank": practice_bank.id, "knowledge_point": "fire", "question_count": 4, "pass_percent": 80})
    assert done.status_code == 302
    quiz = db.session.scalar(select(LessonQuiz).where(LessonQuiz.lesson_id == second.id))
    assert (quiz.bank_id, quiz.knowledge_point.code, quiz.question_count, quiz.pass_share) == (
        practice_bank.id, "fire", 4, 0.8)
    client.post(f"/exams/lessons/{second.id}/quiz/remove")
    db.session.refresh(quiz)
    assert quiz.removed_at is not None


def test_trainer_of_another_organization_finds_nothing(client, login, make, setup, practice_bank):
    other = make.org("无锡乙机械")
    make.account("stranger", Role.TRAINER, org=other)
    login("stranger")
    lesson = setup["lesson"]
    assert "消防安全" not in client.get("/exams/lesson-quizzes").get_data(as_text=True)
    assert client.get(f"/exams/lessons/{lesson.id}/quiz").status_code == 404
    response = client.post(f"/exams/lessons/{lesson.id}/quiz", data={
        "bank": practice_bank.id, "knowledge_point": "", "question_count": 9})
    assert response.status_code == 404
    assert client.post(f"/exams/lessons/{lesson.id}/quiz/remove").status_code == 404
    db.session.refresh(setup["quiz"])
    assert setup["quiz"].question_count == 2 and setup["quiz"].removed_at is None


def test_archive_lists_lesson_quiz_and_mock_exam_results(ctx, setup, centre, practice_bank, fill, now):
    pupil, quiz = setup["pupil"], setup["quiz"]
    from exams.services.lesson_quiz import answer_quiz, next_question

    for _ in range(2):
        version = next_question(pupil, quiz)
        answer_quiz(pupil, quiz, version, version.key, now)
    fill(practice_bank, "模", 70, 30)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论模拟", "1.2", now.date())
    attempt = start_mock(pupil, practice_bank, blueprint, now)
    submit_mock(attempt, pupil, {}, now)
    db.session.commit()
    rows = archive_rows(pupil.person)
    assert [(r["kind"], r["title"]) for r in rows] == [
        ("课后小测", "消防安全 · 消防安全第1课"), ("模拟考试", "低压电工理论模拟")]
    assert rows[0]["result"] == "答对 2 / 2 题 · 合格" and rows[0]["date"] == "2026-03-01"
    assert rows[1]["result"].startswith("0 分") and rows[1]["result"].endswith("不合格")
    assert build_archive(pupil.person, now.date(), local_tz()).startswith(b"%PDF-")


@pytest.mark.parametrize("path", ["/exams/lesson-quizzes", "/exams/lessons/{second}/quiz",
                                  "/exams/lessons/{first}/quiz", "/courses/lessons/{first}"])
def test_lesson_quiz_pages_in_chinese_show_no_untranslated_text(client, login, ent, setup, path):
    setup["pupil"].grants.append(RoleGrant(role=Role.TRAINER.value, organization=ent))
    db.session.commit()
    login("pupil")
    version = shown(client.get(f"/courses/lessons/{setup['lesson'].id}").get_data(as_text=True))
    client.post(f"/exams/lesson-quizzes/{setup['quiz'].id}/answer", data={"version": version.id})
    url = path.format(first=setup["lesson"].id, second=setup["course"].lessons[1].id)
    response = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200, url
    assert _i18n.untranslated_words(response.get_data(as_text=True)) == []
