"""教考分离: a trainer meets 404 on every exams route and API endpoint that touches the exam bank."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import current_app, url_for

from courses.models import Catalogue, Course, CourseModule, CourseStatus, Lesson
from exams.models import AttemptKind, LessonQuiz, PracticeAttempt, QuestionImport
from exams.services.blueprints import special_ops_theory
from exams.services.papers import assemble_one
from lms.api.tokens import issue_token
from lms.extensions import db

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
STEM = "考试题库机密题干"


@pytest.fixture
def exam_world(centre, exam_bank, practice_bank, editor, trainer, learner, fill):
    """The home exam centre's exam bank with a paper, an import and a mock attempt on it."""
    ids = fill(exam_bank, STEM, 70, 30)
    fill(practice_bank, "练习题", 70, 30)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    paper = assemble_one(blueprint, exam_bank, 3, NOW)
    staged = QuestionImport(bank_id=exam_bank.id, uploaded_by_id=editor.id, filename="a.xlsx",
                            fmt="xlsx", items=[], errors=[{"pos": ["row", 2], "reason": STEM}])
    attempt = PracticeAttempt(account_id=editor.id, bank_id=exam_bank.id, kind=AttemptKind.MOCK,
                              paper_id=paper.id, started_at=NOW)
    db.session.add_all([staged, attempt])
    lesson = _centre_lesson(centre)
    # Written around the service (which refuses exam banks) to prove the routes hold too.
    quiz = LessonQuiz(lesson_id=lesson.id, bank_id=exam_bank.id, question_count=3)
    db.session.add(quiz)
    db.session.commit()
    version = paper.items[0].version
    version.image = "separation-test.png"
    folder = Path(current_app.instance_path) / "question-images"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / version.image).write_bytes(b"\x89PNG\r\n\x1a\n")
    db.session.commit()
    return {"bank": exam_bank.id, "code": exam_bank.code, "question": ids[0], "version": version.id,
            "import": staged.id, "blueprint": blueprint.id, "paper": paper.id, "attempt": attempt.id,
            "lesson": lesson.id, "quiz": quiz.id}


def _centre_lesson(centre) -> Lesson:
    course = Course(title="考点课程", catalogue=Catalogue.ALL_STAFF, owner_org_id=centre.id,
                    status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    lesson = Lesson(module=module, course_id=course.id, title="第一课", position=1)
    db.session.add(lesson)
    db.session.flush()
    return lesson


def exam_requests(w):
    """Every exams route that takes an id or code, pointed at the exam bank and its objects."""
    b = w["bank"]
    return {
        "exams.bank": [("GET", f"/exams/banks/{b}"), ("GET", f"/exams/banks/{b}?q={STEM[:4]}")],
        "exams.bank_status": [("POST", f"/exams/banks/{b}/status")],
        "exams.new_question": [("GET", f"/exams/banks/{b}/questions/new")],
        "exams.question": [("GET", f"/exams/questions/{w['question']}")],
        "exams.edit": [("GET", f"/exams/questions/{w['question']}/edit")],
        "exams.image": [("GET", f"/exams/versions/{w['version']}/image")],
        "exams.upload": [("GET", f"/exams/banks/{b}/import")],
        "exams.review": [("GET", f"/exams/imports/{w['import']}")],
        "exams.confirm": [("POST", f"/exams/imports/{w['import']}/confirm")],
        "exams.cancel": [("POST", f"/exams/imports/{w['import']}/cancel")],
        "exams.export": [("GET", f"/exams/banks/{b}/export.xlsx"), ("GET", f"/exams/banks/{b}/export.xml")],
        "exams.blueprint": [("GET", f"/exams/blueprints/{w['blueprint']}?bank={b}")],
        "exams.assemble": [("POST", f"/exams/blueprints/{w['blueprint']}/assemble")],
        "exams.paper": [("GET", f"/exams/papers/{w['paper']}")],
        "exams.statistics": [("GET", f"/exams/blueprints/{w['blueprint']}/statistics?bank={b}")],
        "exams.practise": [("GET", f"/exams/practice/{b}"), ("POST", f"/exams/practice/{b}")],
        "exams.mock_start": [("POST", f"/exams/practice/{b}/mock")],
        "exams.mock": [("GET", f"/exams/mock/{w['attempt']}")],
        "exams.lesson_quiz_edit": [("GET", f"/exams/lessons/{w['lesson']}/quiz"),
                                   ("POST", f"/exams/lessons/{w['lesson']}/quiz")],
        "exams.lesson_quiz_remove": [("POST", f"/exams/lessons/{w['lesson']}/quiz/remove")],
        "exams.lesson_quiz_answer": [("POST", f"/exams/lesson-quizzes/{w['quiz']}/answer")],
        "exams_api.questions": [("GET", f"/api/v1/exams/banks/{w['code']}/questions")],
    }


def test_every_route_with_an_object_is_covered(app, exam_world):
    with_args = {r.endpoint for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("exams") and r.arguments and r.endpoint != "exams.asset"}
    assert with_args == set(exam_requests(exam_world))


def test_trainer_gets_404_everywhere_and_never_sees_an_exam_stem(app, client, login, exam_world, trainer):
    login("trainer")
    _token, clear = issue_token(trainer, "t", ["questions:read"], days=1)
    db.session.commit()
    headers = {"Authorization": f"Bearer {clear}"}
    for endpoint, requests in exam_requests(exam_world).items():
        for method, url in requests:
            response = client.open(url, method=method, data={}, headers=headers)
            assert response.status_code == 404, (endpoint, url, response.status_code)
            assert STEM.encode() not in response.data, (endpoint, url)
    listing = client.get("/exams/").get_data(as_text=True)
    assert ">考试题库<" not in listing and ">练习题库<" in listing
    api = client.get("/api/v1/exams/banks", headers=headers).get_json()
    assert [b["code"] for b in api["banks"]] == ["PRAC"]


def test_the_bank_editor_reaches_the_same_objects(client, login, exam_world, editor):
    """Positive control: the URLs are real, so the trainer's 404s are the separation at work."""
    login("editor")
    _token, clear = issue_token(editor, "e", ["questions:read"], days=1)
    db.session.commit()
    for endpoint, requests in exam_requests(exam_world).items():
        if endpoint in {"exams.practise", "exams.mock_start", "exams.mock"}:
            continue  # learner pages: the editor is no learner
        for method, url in requests:
            if method == "GET":
                response = client.get(url, headers={"Authorization": f"Bearer {clear}"})
                assert response.status_code == 200, (endpoint, url)
    assert STEM in client.get(f"/exams/questions/{exam_world['question']}").get_data(as_text=True)


def test_learners_cannot_practise_on_the_exam_bank(client, login, exam_world, learner):
    login("learner")
    assert client.get(f"/exams/practice/{exam_world['bank']}").status_code == 404
    assert client.get(f"/exams/banks/{exam_world['bank']}").status_code == 404
    assert STEM.encode() not in client.get("/exams/practice").data


def test_trainer_may_edit_own_practice_bank_only(client, login, trainer, ent, practice_bank, app):
    from exams.models import BankPurpose, QuestionBank

    own = QuestionBank(code="OWN", name="企业练习", purpose=BankPurpose.PRACTICE, organization=ent)
    db.session.add(own)
    db.session.commit()
    login("trainer")
    assert client.get(f"/exams/banks/{own.id}/questions/new").status_code == 200
    assert client.get(f"/exams/banks/{practice_bank.id}").status_code == 200
    assert client.get(f"/exams/banks/{practice_bank.id}/questions/new").status_code == 404
    with app.test_request_context():
        assert url_for("exams.banks") == "/exams/"


def test_trainer_gets_404_not_403_on_every_exams_page_without_an_object(app, client, login, trainer):
    """A 403 would tell the trainer the exam side exists; every refusal reads as absence."""
    login("trainer")
    # The learner's practice pages are not part of the exam side; a trainer may learn they exist.
    pages = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("exams")
             and not r.arguments and "GET" in r.methods and not r.rule.startswith("/exams/practice")]
    statuses = {r.rule: client.get(r.rule).status_code for r in pages}
    assert "/exams/blueprints" in statuses and "/exams/knowledge-points" in statuses
    assert statuses["/exams/blueprints"] == 404 and statuses["/exams/knowledge-points"] == 404
    assert not [rule for rule, status in statuses.items() if status == 403]
