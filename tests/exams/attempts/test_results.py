"""Results after grading: the release deadline in working days, who sees a result before and after
release, the score report PDF, and the pass signal for certificates."""

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from attempts_world import MORNING, registrations

from exams.attempts import results
from exams.attempts.report_pdf import score_report_pdf
from exams.attempts.services import pause, save_answer, start_attempt, submit, terminate
from exams.attempts.signals import exam_passed
from exams.centres.models import SessionKind
from exams.centres.sessions import close_session, release_results
from lms.extensions import db
from lms.i18n import _
from lms.models import Post
from lms.roles import Role
from lms.rule_labels import version_label
from lms.transitions import AlreadyChanged

START = MORNING + timedelta(minutes=5)  # 09:00 Beijing
HANDED_IN = START + timedelta(minutes=60)
AFTER = START + timedelta(hours=3)  # the session (09:00-11:00) is over
SHOTS = Path("/tmp/attempt-shots")


def _sit(exam, index: int, *, right: int, when=HANDED_IN):
    """Candidate ``index`` answers the first ``right`` items correctly, the rest wrongly, and hands in."""
    reg = registrations(exam)[index]
    attempt = start_attempt(reg, START)
    for seq, item in enumerate(attempt.paper.items, start=1):
        choice = item.key if seq <= right else [c for c in (0, 1) if c not in item.key][:1]
        save_answer(attempt.id, item.id, choice, False, seq, START + timedelta(minutes=1))
    submit(attempt, when, by="candidate")
    db.session.commit()
    return attempt


def _close(exam):
    close_session(exam.session, exam.accounts["centre_admin"], AFTER)
    db.session.commit()


def _release(exam):
    release_results(exam.session, exam.accounts["centre_admin"], AFTER + timedelta(days=1))
    db.session.commit()


def _candidate_account(make, exam, index: int):
    person = registrations(exam)[index].person
    return make.account(f"cand{index}", Role.LEARNER, org=exam.enterprise, person=person)


# --- the release deadline -----------------------------------------------------------------------

def test_working_days_skip_the_weekend():
    assert results.add_working_days(date(2026, 12, 18), 1) == date(2026, 12, 21)  # Fri -> Mon
    assert results.add_working_days(date(2026, 12, 19), 1) == date(2026, 12, 21)  # Sat -> Mon
    assert results.add_working_days(date(2026, 12, 15), 3) == date(2026, 12, 18)  # Tue -> Fri
    assert results.add_working_days(date(2026, 12, 17), 2) == date(2026, 12, 21)  # Thu -> Mon


def test_the_release_deadline_is_ten_working_days_after_the_exam_by_the_rule(exam):
    # Tuesday 2026-12-15: two weekends fall inside the ten working days.
    assert results.release_deadline(exam.session) == date(2026, 12, 29)
    # An exam on Friday 07:30 Beijing (Thursday 23:30 UTC) counts from the local Friday; 2027-01-01
    # is a public holiday, which is not modelled.
    exam.session.starts_at = datetime(2026, 12, 17, 23, 30, tzinfo=UTC)
    assert results.exam_day(exam.session) == date(2026, 12, 18)
    assert results.release_deadline(exam.session) == date(2027, 1, 1)
    from lms.rules import rule_at

    answer = rule_at(results.RELEASE_RULE, date(2026, 12, 15))
    assert (answer.value, answer.version, answer.tag) == (10, "令30号 第15条", "C")


def test_unfinished_attempts_are_the_running_and_the_paused_ones(exam):
    regs = registrations(exam)
    assert results.unfinished_attempts(exam.session) == 0
    running = start_attempt(regs[0], START)
    paused = start_attempt(regs[1], START)
    pause(paused, exam.accounts["invigilator"], START + timedelta(minutes=2), "停电")
    ended = start_attempt(regs[2], START)
    terminate(ended, exam.accounts["invigilator"], START + timedelta(minutes=3), "夹带")
    done = start_attempt(regs[3], START)
    submit(done, START + timedelta(minutes=4), by="candidate")
    db.session.commit()
    assert running.status.value == "in_progress"
    assert results.unfinished_attempts(exam.session) == 2


# --- visibility ---------------------------------------------------------------------------------

def _row_of(html: str, ticket: str) -> str:
    """The table row holding ``ticket``, as text."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if ticket in r)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_the_candidate_sees_the_result_only_after_release(client, login, make, exam):
    _candidate_account(make, exam, 0)
    attempt = _sit(exam, 0, right=90)
    reg = attempt.registration
    code = exam.session.code
    report = f"/exam/registrations/{reg.id}/report.pdf"
    login("cand0")
    page = client.get("/exam/results")
    assert page.status_code == 200
    row = _row_of(page.get_data(as_text=True), code)
    assert _("Handed in") in row and "90" not in row and "report.pdf" not in row
    assert client.get(report).status_code == 404

    _close(exam)
    row = _row_of(client.get("/exam/results").get_data(as_text=True), code)
    assert _("Result pending release") in row and "2026-12-29" in row and "90 / 100" not in row
    assert client.get(report).status_code == 404

    _release(exam)
    html = client.get("/exam/results").get_data(as_text=True)
    row = _row_of(html, code)
    assert _("Passed") in row and "90 / 100" in row and "80" in row
    assert report in html
    response = client.get(report)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "no-store" in response.headers["Cache-Control"]


def test_a_learner_sees_the_nav_entry_and_a_status_before_the_exam(client, login, make, exam):
    _candidate_account(make, exam, 1)
    login("cand1")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "/exam/results" in html and _("My exam results") in html
    row = _row_of(client.get("/exam/results").get_data(as_text=True), exam.session.code)
    assert _("Checked in") in row


def test_a_failed_and_a_cancelled_result_after_release(client, login, make, exam):
    _candidate_account(make, exam, 0)
    _candidate_account(make, exam, 1)
    _sit(exam, 0, right=50)
    cheat = start_attempt(registrations(exam)[1], START)
    terminate(cheat, exam.accounts["invigilator"], START + timedelta(minutes=30), "使用手机")
    db.session.commit()
    _close(exam)
    _release(exam)
    login("cand0")
    assert _("Failed") in _row_of(client.get("/exam/results").get_data(as_text=True), exam.session.code)
    client.post("/logout")
    login("cand1")
    row = _row_of(client.get("/exam/results").get_data(as_text=True), exam.session.code)
    assert _("Score cancelled") in row and " / 100" not in row
    assert client.get(f"/exam/registrations/{cheat.registration_id}/report.pdf").status_code == 200


def test_centre_staff_see_results_at_once_enterprises_after_release(client, login, exam):
    attempt = _sit(exam, 0, right=90)
    page = f"/exam/sessions/{exam.session.id}/results"
    report = f"/exam/registrations/{attempt.registration_id}/report.pdf"
    ticket = attempt.registration.ticket_number
    login("centre_admin")
    row = _row_of(client.get(page).get_data(as_text=True), ticket)
    assert _("Passed") in row and "90 / 100" in row
    assert client.get(report).status_code == 200
    client.post("/logout")
    login("invigilator")  # checks candidates in: centre staff, but registers no one
    assert client.get(report).status_code == 200
    assert client.get(page).status_code == 403
    client.post("/logout")

    login("ent_admin")
    assert exam.session.code in client.get("/exam/results/sessions").get_data(as_text=True)
    row = _row_of(client.get(page).get_data(as_text=True), ticket)
    assert _("Handed in") in row and "90 / 100" not in row
    assert client.get(report).status_code == 404
    _close(exam)
    _release(exam)
    row = _row_of(client.get(page).get_data(as_text=True), ticket)
    assert _("Passed") in row and "90 / 100" in row
    assert client.get(report).status_code == 200


def test_outside_the_scope_everything_answers_404(client, login, make, exam):
    attempt = _sit(exam, 0, right=90)
    _close(exam)
    _release(exam)
    report = f"/exam/registrations/{attempt.registration_id}/report.pdf"
    # Another enterprise's admin (no candidate in the session), another learner, a missing id.
    login("other_admin")
    assert client.get(f"/exam/sessions/{exam.session.id}/results").status_code == 404
    assert exam.session.code not in client.get("/exam/results/sessions").get_data(as_text=True)
    assert client.get(report).status_code == 404
    client.post("/logout")
    _candidate_account(make, exam, 1)
    login("cand1")
    assert client.get(report).status_code == 404
    assert client.get("/exam/registrations/999999/report.pdf").status_code == 404
    assert client.get(f"/exam/sessions/{exam.session.id}/results").status_code == 403


def test_a_report_needs_a_result(client, login, exam):
    reg = registrations(exam)[2]  # checked in, never started
    login("centre_admin")
    assert client.get(f"/exam/registrations/{reg.id}/report.pdf").status_code == 404


# --- the score report PDF -----------------------------------------------------------------------

def _run(*command) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True).stdout


def test_the_report_states_the_result_per_type_and_a_digest_in_the_cjk_font(ctx, exam, tmp_path):
    attempt = _sit(exam, 0, right=90)  # the paper lists 70 true/false, then 30 single choice
    reg = attempt.registration
    data = score_report_pdf(reg)
    assert data == score_report_pdf(reg)  # byte-stable
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = _run("pdffonts", path)
    line = next(row for row in fonts.splitlines() if "MicroHei" in row)
    assert "+" in line.split()[0] and " yes yes " in line  # embedded as a subset
    text = _run("pdftotext", "-layout", path, "-")
    types = results.breakdown(attempt)
    by_type = {t.qtype: (t.right, t.count) for t in types}
    assert sum(c for _r, c in by_type.values()) == 100 and sum(r for r, _c in by_type.values()) == 90
    facts = results.result_facts(reg, attempt, types)
    for expected in (_("Exam score report"), reg.person.name, reg.person.masked_id, reg.ticket_number,
                     exam.session.code, "2026-12-15 09:00–11:00", "90 / 100", _("Passed"),
                     _("True/false"), _("Single choice"), results.digest(facts)):
        assert expected in text, expected
    for qtype, (right, count) in by_type.items():
        assert f"{right} / {count}" in text, qtype
    assert reg.paper.rule_versions
    for key, recorded in reg.paper.rule_versions.items():
        assert version_label(recorded["version"]) in text, key
    assert reg.person.id_number not in text
    assert len(results.digest(facts)) == 64
    png = tmp_path / "report.png"
    _run("pdftoppm", "-png", "-r", 110, "-f", 1, "-l", 1, "-singlefile", path, png.with_suffix(""))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, SHOTS / "report.png")


def test_the_digest_changes_with_any_fact(ctx, exam):
    attempt = _sit(exam, 0, right=90)
    facts = results.result_facts(attempt.registration, attempt, results.breakdown(attempt))
    assert results.digest(dict(facts)) == results.digest(facts)
    assert results.digest({**facts, "points": 91.0}) != results.digest(facts)


# --- the pass signal ----------------------------------------------------------------------------

@pytest.fixture
def heard():
    """exam_passed as received (grading announces passes itself)."""
    received = []

    def listen(sender, **kwargs):
        received.append((sender, kwargs))

    exam_passed.connect(listen)
    yield received
    exam_passed.disconnect(listen)


def _principal(exam):
    session = exam.session
    session.kind, session.post, session.operation_subtype = SessionKind.PRINCIPAL, Post.PRINCIPAL.value, None
    db.session.commit()


def test_a_principal_pass_is_announced_once_with_its_facts(exam, heard):
    _principal(exam)
    attempt = _sit(exam, 0, right=85)
    with pytest.raises(AlreadyChanged):
        submit(attempt, HANDED_IN + timedelta(minutes=1), by="candidate")
    db.session.rollback()
    assert len(heard) == 1
    sender, facts = heard[0]
    reg = attempt.registration
    assert sender is attempt
    assert facts == {"person_id": reg.person_id, "employment_id": reg.employment_id,
                     "exam_kind": "principal", "operation_subtype": None, "theory_points": 85.0,
                     "practical_points": None, "passed_on": date(2026, 12, 15)}


def test_no_announcement_for_a_fail_a_cancelled_score_or_special_operations(exam, heard):
    _sit(exam, 0, right=90)  # special-operations theory pass: waits for the practical part
    assert heard == []
    _principal(exam)
    _sit(exam, 1, right=79)  # below the pass mark
    cheat = start_attempt(registrations(exam)[2], START)
    terminate(cheat, exam.accounts["invigilator"], START + timedelta(minutes=10), "夹带")
    db.session.commit()
    assert heard == []
    assert results.announce_pass(cheat) is False
