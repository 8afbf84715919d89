"""Practice with instant feedback, the wrong-answer book, mock exams graded on the frozen key."""

import re
from datetime import date

from sqlalchemy import select

from exams.models import AttemptKind, PracticeAttempt, Question, QuestionVersion, WrongAnswer
from exams.services.blueprints import special_ops_theory
from exams.services.stats import blueprint_stats
from lms.extensions import db


def _shown_version(html: str) -> QuestionVersion:
    return db.session.get(QuestionVersion, int(re.search(r'name="version" value="(\d+)"', html).group(1)))


def test_wrong_answer_goes_to_the_book_and_leaves_it_when_answered_right(client, login, learner,
                                                                        practice_bank, fill):
    fill(practice_bank, "练习", 3, 3, kp="fire.ext")
    login("learner")
    page = client.get(f"/exams/practice/{practice_bank.id}?kp=fire").get_data(as_text=True)
    version = _shown_version(page)
    wrong = [k for k in range(4) if k not in version.key][:1]
    feedback = client.post(f"/exams/practice/{practice_bank.id}?kp=fire",
                           data={"version": version.id, "choice": wrong}).get_data(as_text=True)
    assert "错题本" in feedback and version.explanation in feedback
    book = client.get("/exams/practice/wrong-answers").get_data(as_text=True)
    assert version.stem in book
    again = client.get(f"/exams/practice/{practice_bank.id}?question={version.question_id}")
    assert _shown_version(again.get_data(as_text=True)).id == version.id
    client.post(f"/exams/practice/{practice_bank.id}", data={"version": version.id, "choice": version.key})
    entry = db.session.scalar(select(WrongAnswer))
    db.session.refresh(entry)
    assert entry.resolved and entry.times_wrong == 1
    assert version.stem not in client.get("/exams/practice/wrong-answers").get_data(as_text=True)


def test_mock_exam_uses_the_blueprint_and_grades_against_the_shuffled_key(client, login, learner, centre,
                                                                          practice_bank, fill):
    fill(practice_bank, "练习", 80, 40)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    db.session.commit()
    login("learner")
    response = client.post(f"/exams/practice/{practice_bank.id}/mock", data={"blueprint": blueprint.id})
    attempt = db.session.scalar(select(PracticeAttempt).where(PracticeAttempt.kind == AttemptKind.MOCK))
    items = attempt.paper.items
    assert len(items) == 100
    # The mock runs on the attempt page: its clock, autosave and hand-in.
    sitting = client.get(response.headers["Location"]).headers["Location"]
    assert sitting.startswith("/exam/online/")
    page = client.get(sitting).get_data(as_text=True)
    assert 'id="time-left"' in page and page.count('class="question"') == 100
    # Right on every item but the first ten, which get a wrong shown option.
    for index, item in enumerate(items):
        choice = item.key if index >= 10 else [p for p in range(max(2, len(item.option_order)))
                                                if p not in item.key][:1]
        saved = client.post(f"{sitting}/answers", json={"item": item.id, "choice": choice, "seq": 1})
        assert saved.get_json()["outcome"] == "saved"
    assert client.post(f"{sitting}/submit").headers["Location"] == f"{sitting}/done"
    assert client.get(f"{sitting}/done").headers["Location"] == f"/exams/mock/{attempt.id}"
    db.session.refresh(attempt)
    assert attempt.score == 90 and attempt.passed is True
    assert db.session.scalar(select(WrongAnswer.id).where(WrongAnswer.source == "mock")) is not None
    stats = blueprint_stats(blueprint, practice_bank)
    assert stats.attempts == 1 and len(stats.items) == 100
    first = db.session.get(Question, items[0].question_id)
    assert next(s for s in stats.items if s.item == first.id).facility == 0


def test_another_learners_mock_is_404(client, login, learner, make, ent, centre, practice_bank, fill):
    from lms.roles import Role

    fill(practice_bank, "练习", 80, 40)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    db.session.commit()
    make.account("other", Role.LEARNER, org=ent)
    login("other")
    location = client.post(f"/exams/practice/{practice_bank.id}/mock",
                           data={"blueprint": blueprint.id}).headers["Location"]
    sitting = client.get(location).headers["Location"]
    client.post("/logout")
    login("learner")
    assert client.get(location).status_code == 404
    assert client.get(sitting).status_code == 404
    assert client.post(f"{sitting}/answers", json={"item": 1, "choice": [0], "seq": 1}).status_code == 404
