"""Group commit of heartbeats: beats that queue during a write share the next transaction."""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

import courses.beat_committer as committer_module
import lms.group_commit as group_commit
from courses.beat_committer import BeatCommitter
from courses.ledger import Beat
from courses.models import StudyRecord
from lms.extensions import db
from lms.models import Post
from lms.models.base import utcnow


@pytest.fixture
def learners(make, cf):
    """Six safety managers, each enrolled in the same course: (person id, enrolment id, lesson id)."""
    make.rules()
    ent = make.org("无锡丙电子")
    course = cf.course(ent)
    rows = []
    for n in range(6):
        person = make.person(f"学员{n}", org=ent, post=Post.SAFETY_MANAGER)
        enrollment = cf.enrol(course, person, ent, due=date(2030, 1, 1))
        rows.append((person.id, enrollment.id, course.lessons[0].id))
    return rows


class GatedWrites:
    """Wraps record_beats: notes each batch's size; the first batch waits until released."""

    def __init__(self, real):
        self.real, self.sizes = real, []
        self.first_started, self.release = threading.Event(), threading.Event()

    def __call__(self, beats, policy):
        self.sizes.append(len(beats))
        if len(self.sizes) == 1:
            self.first_started.set()
            assert self.release.wait(10)
        return self.real(beats, policy)


def beat_for(learner) -> Beat:
    person_id, enrollment_id, lesson_id = learner
    return Beat(person_id=person_id, enrollment_id=enrollment_id, lesson_id=lesson_id, now=utcnow())


def submit_in_threads(committer, learners) -> tuple[list, list[threading.Thread]]:
    results = [None] * len(learners)

    def send(i):
        results[i] = committer.submit(beat_for(learners[i]))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(learners))]
    for t in threads:
        t.start()
    return results, threads


def wait_for_queue(committer, size: int) -> None:
    deadline = time.monotonic() + 10
    while committer._queue.qsize() < size:
        assert time.monotonic() < deadline, "beats never queued"
        time.sleep(0.01)


def open_records() -> int:
    db.session.rollback()  # see what the writer thread committed
    return db.session.scalar(select(func.count()).select_from(StudyRecord)
                             .where(StudyRecord.open_person_id.is_not(None)))


@pytest.mark.parametrize("max_batch, sizes", [(64, [1, 5]), (2, [1, 2, 2, 1])])
def test_beats_queued_during_a_write_share_the_next_transactions(app, learners, monkeypatch,
                                                                 max_batch, sizes):
    gate = GatedWrites(committer_module.record_beats)
    monkeypatch.setattr(committer_module, "record_beats", gate)
    committer = BeatCommitter(app, max_batch=max_batch, wait_seconds=10)
    first, first_threads = submit_in_threads(committer, learners[:1])
    assert gate.first_started.wait(10)
    rest, rest_threads = submit_in_threads(committer, learners[1:])
    wait_for_queue(committer, 5)
    gate.release.set()
    for t in first_threads + rest_threads:
        t.join(10)
    assert gate.sizes == sizes
    assert all(r is not None and r.refused is None for r in first + rest)
    assert open_records() == 6


def test_a_failed_batch_answers_none_to_each_beat_and_the_writer_goes_on(app, learners, monkeypatch,
                                                                         caplog):
    real = committer_module.record_beats
    calls = []

    def fail_once(beats, policy):
        calls.append(len(beats))
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(beats, policy)

    monkeypatch.setattr(committer_module, "record_beats", fail_once)
    committer = BeatCommitter(app, max_batch=64, wait_seconds=10)
    assert committer.submit(beat_for(learners[0])) is None
    assert "writing 1 heartbeats failed" in caplog.text
    assert open_records() == 0
    result = committer.submit(beat_for(learners[0]))
    assert result is not None and result.refused is None
    assert open_records() == 1


def test_a_beat_not_written_in_time_is_not_acknowledged_but_still_written(app, learners, monkeypatch):
    gate = GatedWrites(committer_module.record_beats)
    monkeypatch.setattr(committer_module, "record_beats", gate)
    committer = BeatCommitter(app, max_batch=64, wait_seconds=0.05)
    assert committer.submit(beat_for(learners[0])) is None  # the sender is told to try again
    gate.release.set()
    deadline = time.monotonic() + 10
    while open_records() == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_forked_process_starts_its_own_writer(app, learners):
    committer = BeatCommitter(app, max_batch=64, wait_seconds=10)
    assert committer.submit(beat_for(learners[0])) is not None
    old_queue = committer._queue
    committer._pid = -1  # as seen from a child process after fork()
    assert committer.submit(beat_for(learners[1])) is not None
    assert committer._queue is not old_queue
    assert open_records() == 2


def test_sqlite_writers_take_turns_on_a_lock_file_beside_the_database(app):
    with app.app_context():
        lock_file = group_commit.writer_lock_file("beats")
        url = db.engine.url
    if url.get_backend_name() != "sqlite":
        assert lock_file is None
        return
    try:
        assert lock_file.name == f"{url.database}-beats.lock"
    finally:
        lock_file.close()


def test_a_failing_lock_file_fails_the_batch_not_the_writer(app, learners, monkeypatch):
    calls = []
    real = group_commit.exclusive

    def flaky(lock_file):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("no locks on this file system")
        return real(lock_file)

    monkeypatch.setattr(group_commit, "exclusive", flaky)
    committer = BeatCommitter(app, max_batch=64, wait_seconds=10)
    assert committer.submit(beat_for(learners[0])) is None
    assert committer.submit(beat_for(learners[0])) is not None
    assert open_records() == 1
