"""The attempt's rules: saves are ordered and idempotent, refused outside the attempt's time, and
every attempt is submitted exactly once, whoever submits it."""

from datetime import timedelta

import pytest
from attempts_world import MORNING, registrations
from sqlalchemy import func, select

from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt
from exams.attempts.services import (
    AttemptRefused,
    check_choice,
    extend,
    pause,
    resume,
    save_answer,
    seconds_left,
    start_attempt,
    submit,
    submit_due,
    terminate,
)
from lms.extensions import db
from lms.models import AuditEvent
from lms.transitions import AlreadyChanged

from support import at_once

START = MORNING + timedelta(minutes=5)  # 09:00


def _start(exam, index=0):
    attempt = start_attempt(registrations(exam)[index], START)
    db.session.commit()
    return attempt


def _stored(attempt) -> dict[int, tuple]:
    return {a.paper_item_id: (a.choice, a.seq) for a in db.session.scalars(
        select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))}


def test_start_is_one_row_with_the_papers_duration_and_a_second_start_resumes_it(exam):
    attempt = _start(exam)
    assert attempt.deadline_at == START + timedelta(minutes=120) and attempt.paper_id
    again = start_attempt(registrations(exam)[0], START + timedelta(minutes=3))
    assert again.id == attempt.id
    assert db.session.scalar(select(func.count()).select_from(ExamAttempt)) == 1


def test_a_late_start_ends_with_the_session(exam):
    attempt = start_attempt(registrations(exam)[1], START + timedelta(minutes=30))
    assert attempt.deadline_at == exam.session.ends_at


def test_saves_are_ordered_by_sequence_and_a_resend_is_acknowledged_without_change(exam):
    attempt = _start(exam)
    item = attempt.paper.items[0]
    assert save_answer(attempt.id, item.id, [0], False, 1, START).outcome == "saved"
    assert save_answer(attempt.id, item.id, [1], True, 3, START).outcome == "saved"
    # An older save arriving late, and a resend of the newest, change nothing.
    assert save_answer(attempt.id, item.id, [0], False, 2, START).outcome == "kept"
    assert save_answer(attempt.id, item.id, [1], True, 3, START).outcome == "kept"
    db.session.commit()
    assert _stored(attempt) == {item.id: ([1], 3)}


@pytest.mark.parametrize("case", ["after_deadline", "paused", "terminated", "not_on_paper", "other_paper"])
def test_saves_outside_the_attempt_are_refused_and_change_nothing(exam, case):
    attempt = _start(exam)
    other = _start(exam, 1)
    item = attempt.paper.items[0]
    when, target, item_id = START, attempt, item.id
    if case == "after_deadline":
        when = attempt.deadline_at
    elif case == "paused":
        pause(attempt, exam.accounts["invigilator"], START, "停电")
    elif case == "terminated":
        terminate(attempt, exam.accounts["invigilator"], START, "夹带")
    elif case == "not_on_paper":
        item_id = 10 ** 9
    else:
        target, item_id = other, item.id
    db.session.commit()
    with pytest.raises(AttemptRefused) as refused:
        save_answer(target.id, item_id, [0], False, 1, when)
    assert refused.value.code == {"after_deadline": "over", "paused": "paused", "terminated": "terminated",
                                  "not_on_paper": "item", "other_paper": "item"}[case]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ExamAnswer)) == 0


def test_an_option_that_does_not_exist_is_refused(exam):
    attempt = _start(exam)
    single = next(i for i in attempt.paper.items if i.qtype == "single")
    judge = next(i for i in attempt.paper.items if i.qtype == "true_false")
    assert check_choice(single, [3]) == [3]
    for item, choice in ((single, [4]), (single, [-1]), (single, [0, 1]), (judge, [2]), (single, ["x"])):
        with pytest.raises(AttemptRefused):
            check_choice(item, choice)


def test_candidate_and_deadline_worker_submit_once(app, exam):
    attempt = _start(exam)
    key = {i.id: i.key for i in attempt.paper.items}
    for seq, (item_id, right) in enumerate(list(key.items())[:85], start=1):
        save_answer(attempt.id, item_id, right, False, seq, START)
    db.session.commit()
    deadline = attempt.deadline_at

    def candidate():
        with app.test_request_context():
            try:
                submit(db.session.get(ExamAttempt, attempt.id), deadline, by="candidate")
                db.session.commit()
                return "candidate"
            except AlreadyChanged:
                db.session.rollback()
                return "late"

    def worker():
        with app.test_request_context():
            return submit_due(deadline)

    results = at_once(candidate, worker, worker)
    assert sorted(map(str, results)).count("1") + results.count("candidate") == 1, results
    db.session.expire_all()
    done = db.session.get(ExamAttempt, attempt.id)
    assert done.status is AttemptStatus.SUBMITTED and done.points == 85.0 and done.passed
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "exams.attempt.submitted")) == 1
    reg = done.registration
    assert reg.score == 85.0 and reg.passed and reg.result_on.isoformat() == "2026-12-15"


def test_a_blank_paper_fails_with_zero(exam):
    attempt = _start(exam)
    submit(attempt, START + timedelta(minutes=1), by="candidate")
    db.session.commit()
    assert attempt.points == 0 and attempt.passed is False


def test_pause_stops_the_clock_and_extension_adds_time(exam):
    attempt = _start(exam)
    invigilator = exam.accounts["invigilator"]
    pause(attempt, invigilator, START + timedelta(minutes=10), "停电")
    db.session.commit()
    assert seconds_left(attempt, START + timedelta(minutes=50)) == 110 * 60
    resume(attempt, invigilator, START + timedelta(minutes=25))
    extend(attempt, 10, invigilator, START + timedelta(minutes=26), "视力障碍")
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.deadline_at == START + timedelta(minutes=120 + 15 + 10)
    assert attempt.paused_seconds == 15 * 60 and attempt.extra_seconds == 600
    assert submit_due(START + timedelta(minutes=140)) == 0
    assert submit_due(START + timedelta(minutes=145)) == 1


def test_termination_cancels_the_sessions_score(exam):
    attempt = _start(exam)
    terminate(attempt, exam.accounts["invigilator"], START + timedelta(minutes=20), "使用手机")
    db.session.commit()
    reg = attempt.registration
    assert attempt.status is AttemptStatus.TERMINATED and reg.score_cancelled and reg.passed is False
    with pytest.raises(AlreadyChanged):
        submit(attempt, START + timedelta(minutes=21), by="candidate")


def test_item_statistics_come_from_handed_in_exam_attempts(exam):
    from exams.services.stats import blueprint_stats

    strong, weak = _start(exam, 0), _start(exam, 1)
    for attempt, right_share in ((strong, 1.0), (weak, 0.5)):
        items = attempt.paper.items
        for seq, item in enumerate(items[:int(len(items) * right_share)], start=1):
            save_answer(attempt.id, item.id, item.key, False, seq, START)
        submit(attempt, START + timedelta(minutes=30), by="candidate")
    running = _start(exam, 2)  # not handed in: not counted
    save_answer(running.id, running.paper.items[0].id, [0], False, 1, START)
    db.session.commit()
    stats = blueprint_stats(exam.blueprint, exam.bank)
    assert stats.attempts == 2
    by_question = {s.item: s for s in stats.items}
    both = set(i.question_id for i in strong.paper.items) & set(i.question_id for i in weak.paper.items)
    assert both and all(by_question[q].n == 2 for q in both)
