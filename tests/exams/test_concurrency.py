"""Two identical requests at once: exactly one import is written, the other is told it was handled."""

import io

import pytest
from sqlalchemy import func, select

from exams.models import Question, QuestionImport
from exams.services import imports as import_services
from lms.extensions import db
from lms.models import ImportStatus

from support import PASSWORD, at_once, slowed

STEMS = ["并发第一题", "并发第二题", "并发第三题"]


def csv_file() -> bytes:
    rows = ["题型 Type,题干 Stem,答案 Key,知识点 Knowledge point"]
    rows += [f"判断,{stem},对,fire.class" for stem in STEMS]
    return "\n".join(rows).encode()


def upload(client, bank):
    return client.post(f"/exams/banks/{bank.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(csv_file()), "q.csv"), "fmt": "auto",
                             "default_difficulty": "3", "default_kp": ""})


def count(bank) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Question.id)).where(Question.bank_id == bank.id))


def signed_in(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def staged(app, client, login, exam_bank, editor, monkeypatch):
    """A pending import, and writes slowed down to widen the window where doubles used to happen."""
    login("editor")
    assert upload(client, exam_bank).status_code == 302
    monkeypatch.setattr(import_services, "write_items", slowed(import_services.write_items))
    return db.session.scalar(select(QuestionImport))


def test_two_confirms_at_once_import_the_file_once(app, exam_bank, staged):
    first, second = signed_in(app, "editor"), signed_in(app, "editor")
    url = f"/exams/imports/{staged.id}/confirm"
    responses = at_once(lambda: first.post(url), lambda: second.post(url))
    assert [r.status_code for r in responses] == [302, 302]
    assert count(exam_bank) == len(STEMS)
    landed = sorted(r.headers["Location"] for r in responses)
    assert landed == sorted([f"/exams/banks/{exam_bank.id}", f"/exams/imports/{staged.id}"])


def test_confirm_and_discard_at_once_do_one_of_the_two(app, exam_bank, staged):
    first, second = signed_in(app, "editor"), signed_in(app, "editor")
    base = f"/exams/imports/{staged.id}"
    at_once(lambda: first.post(base + "/confirm"), lambda: second.post(base + "/cancel"))
    db.session.expire_all()
    status = db.session.get(QuestionImport, staged.id).status
    assert (status, count(exam_bank)) in {(ImportStatus.CONFIRMED, len(STEMS)), (ImportStatus.CANCELLED, 0)}


def test_a_double_click_on_hand_in_grades_the_mock_exam_once(app, client, login, learner, centre,
                                                             practice_bank, fill, monkeypatch):
    from datetime import date

    from exams.models import PracticeAnswer, PracticeAttempt
    from exams.services import practice as practice_services
    from exams.services.blueprints import special_ops_theory

    fill(practice_bank, "练习", 80, 40)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    db.session.commit()
    login("learner")
    location = client.post(f"/exams/practice/{practice_bank.id}/mock",
                           data={"blueprint": blueprint.id}).headers["Location"]
    hand_in = client.get(location).headers["Location"] + "/submit"
    monkeypatch.setattr(practice_services, "book_answers", slowed(practice_services.book_answers))
    first, second = signed_in(app, "learner"), signed_in(app, "learner")
    responses = at_once(lambda: first.post(hand_in), lambda: second.post(hand_in))
    assert [r.status_code for r in responses] == [302, 302]
    db.session.expire_all()
    attempt = db.session.scalar(select(PracticeAttempt))
    assert attempt.submitted_at is not None
    answers = db.session.scalar(select(func.count(PracticeAnswer.id)))
    assert answers == len(attempt.paper.items) == 100
