"""Concurrent saves: no "database is locked" on SQLite, no serialization failure on PostgreSQL, and
the newest sequence number wins whatever order the saves commit in."""

from datetime import timedelta

from attempts_world import MORNING, registrations
from sqlalchemy import select

from exams.attempts.models import ExamAnswer, ExamAttempt
from exams.attempts.services import save_answer, start_attempt
from lms.extensions import db

from support import at_once

NOW = MORNING + timedelta(minutes=10)


def _attempts(exam) -> list[int]:
    ids = [start_attempt(reg, MORNING + timedelta(minutes=5)).id for reg in registrations(exam)]
    db.session.commit()
    return ids


def _saver(app, attempt_id: int, item_id: int, choice: list[int], seq: int):
    def run():
        with app.test_request_context():
            try:
                outcome = save_answer(attempt_id, item_id, choice, False, seq, NOW).outcome
                db.session.commit()
                return outcome
            except Exception as exc:  # the test reports any error by name
                db.session.rollback()
                return f"error: {exc!r}"[:200]
    return run


def test_candidates_saving_at_once_are_all_acknowledged_and_stored(app, exam):
    ids = _attempts(exam)
    items = {a: [i.id for i in db.session.get(ExamAttempt, a).paper.items[:4]] for a in ids}
    calls = [_saver(app, a, item, [1], n + 1) for a in ids for n, item in enumerate(items[a])]
    results = at_once(*calls)
    assert results == ["saved"] * len(calls)
    db.session.expire_all()
    stored = db.session.scalars(select(ExamAnswer)).all()
    assert len(stored) == len(calls) and all(a.choice == [1] for a in stored)


def test_racing_saves_of_one_item_leave_the_newest(app, exam):
    (attempt_id, *_rest) = _attempts(exam)
    item_id = db.session.get(ExamAttempt, attempt_id).paper.items[0].id
    calls = [_saver(app, attempt_id, item_id, [seq % 2], seq) for seq in range(1, 9)]
    results = at_once(*calls)
    assert all(r in ("saved", "kept") for r in results), results
    db.session.expire_all()
    answer = db.session.scalar(select(ExamAnswer))
    assert answer.seq == 8 and answer.choice == [0]
