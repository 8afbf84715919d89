"""The examiner's score sheet: draft, sign-off, refusals that change nothing, the two-part pass
signal, attempt limits and the hold on releasing results."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from centres_world import add_session
from practical_world import DURING, GOOD, THEORY_POINTS, build_practical, theory_pass
from sqlalchemy import func, select

from exams.attempts import results
from exams.attempts.models import AttemptStatus
from exams.centres.eligibility import Eligibility
from exams.centres.models import Registration, SessionKind, SessionStatus
from exams.centres.sessions import SessionRefused, close_session, release_results
from exams.practical import services as svc
from exams.practical.models import PracticalScore, SheetStatus
from lms.extensions import db
from lms.models import AuditEvent

EN = {"Accept-Language": "en"}


def url(p, i: int, action: str = "") -> str:
    base = f"/exam/practical/{p.session.id}/{p.regs[i].id}"
    return f"{base}/{action}" if action else base


def post(client, p, i: int, action: str, data: dict):
    return client.post(url(p, i, action), data=data, headers=EN, follow_redirects=True)


def sheet(p, i: int) -> PracticalScore | None:
    db.session.expire_all()
    return db.session.scalar(select(PracticalScore).where(PracticalScore.registration_id == p.regs[i].id))


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def reg(p, i: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, p.regs[i].id)


@pytest.fixture
def examiner(client, login, practical, during):
    login("examiner")
    return practical


# --- the happy path ---------------------------------------------------------------------------

def test_examiner_saves_a_draft_then_signs_off_and_the_result_is_written(client, examiner, heard):
    p = examiner
    page = client.get(url(p, 0), headers=EN).get_data(as_text=True)
    assert "Use of electrical meters" in page and "Critical" in page and "Pass mark: 80" in page
    half = {"item-K1.1": "8", "item-K2.1": "pass", "note": "first half"}
    assert "draft sheet" in post(client, p, 0, "save", half).get_data(as_text=True)
    draft = sheet(p, 0)
    assert draft.status is SheetStatus.DRAFT and draft.item_scores == {"K1.1": 8.0, "K2.1": 10.0}
    assert draft.total_points == 18 and draft.examiner.username == "examiner"
    assert draft.seat_id == p.regs[0].seat_id
    assert reg(p, 0).passed is None
    body = post(client, p, 0, "sign", {**GOOD, "note": "steady work"}).get_data(as_text=True)
    assert "signed off: 90 points, passed" in body
    signed = sheet(p, 0)
    assert signed.status is SheetStatus.SIGNED and signed.signed_at == DURING and signed.passed
    assert signed.signed_by.username == "examiner" and signed.note == "steady work"
    assert signed.checklist_code == "1.2" and signed.checklist_version == "2026.1"
    result = reg(p, 0)
    assert (result.score, result.passed, result.result_on.isoformat()) == (90.0, True, "2026-12-15")
    assert events("exams.practical.saved") == 1 and events("exams.practical.signed") == 1
    logged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exams.practical.signed"))
    assert logged.actor.username == "examiner" and logged.details["note"] == "steady work"
    assert logged.details["points"] == 90 and logged.details["passed"] is True


def test_a_failed_critical_item_fails_whatever_the_total(client, examiner, heard):
    p = examiner
    post(client, p, 1, "sign", {**GOOD, "item-K2.1": "fail", "item-K2.2": "20", "note": "touched live wire"})
    result = reg(p, 1)
    assert result.score == 85.0 and result.passed is False and sheet(p, 1).critical_failed
    assert heard == []


def test_below_the_pass_mark_fails(client, examiner):
    p = examiner
    post(client, p, 1, "sign", {**GOOD, "item-K2.2": "5"})
    assert (reg(p, 1).score, reg(p, 1).passed) == (80.0, True)  # at the pass mark
    post(client, p, 2, "sign", {**GOOD, "item-K2.2": "4.5"})
    assert (reg(p, 2).score, reg(p, 2).passed) == (79.5, False)


# --- refusals: each says why and changes nothing ----------------------------------------------

@pytest.mark.parametrize(("entry", "message"), [
    ({"item-K1.1": "11"}, "K1.1: at most 10 points."),
    ({"item-K1.1": "-1"}, "K1.1: the points cannot be below 0."),
    ({"item-K1.1": "ten"}, "K1.1: give the points as a number."),
    ({"item-K1.1": "nan"}, "K1.1: give the points as a number."),
    ({"item-K9.9": "3"}, "K9.9 is not an item of this checklist."),
    ({"item-K2.1": "10"}, "K2.1 is a critical item: choose pass or fail."),
])
@pytest.mark.parametrize("action", ["save", "sign"])
def test_bad_input_is_refused_and_nothing_changes(client, examiner, entry, message, action):
    p = examiner
    post(client, p, 0, "save", {"item-K1.2": "4"})
    before = sheet(p, 0).item_scores
    response = post(client, p, 0, action, {**GOOD, **entry})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and "nothing was changed" in body
    assert sheet(p, 0).item_scores == before and sheet(p, 0).status is SheetStatus.DRAFT
    assert reg(p, 0).passed is None and reg(p, 0).score is None
    assert events("exams.practical.refused") == 1


def test_sign_off_needs_every_item(client, examiner):
    p = examiner
    partial = {k: v for k, v in GOOD.items() if k != "item-K3.1"}
    body = post(client, p, 0, "sign", partial).get_data(as_text=True)
    assert "Score K3.1 before signing off." in body
    assert sheet(p, 0) is None and reg(p, 0).passed is None


@pytest.mark.parametrize(("i", "message"), [
    (3, "was marked absent: an absent candidate cannot be scored."),
    (4, "has not been checked in"),
    (5, "Only an examiner assigned to room P2"),
])
def test_absent_unchecked_and_other_rooms_candidates_cannot_be_scored(client, examiner, i, message):
    p = examiner
    for action in ("save", "sign"):
        body = post(client, p, i, action, GOOD).get_data(as_text=True)
        assert message in body
    assert message in client.get(url(p, i), headers=EN).get_data(as_text=True)
    assert sheet(p, i) is None and reg(p, i).score is None
    assert events("exams.practical.refused") == 2


def test_a_signed_sheet_is_read_only(client, examiner):
    p = examiner
    post(client, p, 0, "sign", GOOD)
    page = client.get(url(p, 0), headers=EN).get_data(as_text=True)
    assert "A signed sheet is read-only." in page and 'id="sign-off"' not in page
    for action in ("save", "sign"):
        body = post(client, p, 0, action, {**GOOD, "item-K1.1": "0"}).get_data(as_text=True)
        assert "a signed sheet cannot be changed" in body
    assert sheet(p, 0).item_scores["K1.1"] == 10.0 and reg(p, 0).score == 90.0
    assert events("exams.practical.signed") == 1


def test_a_double_sign_off_acts_once(app, practical, during, heard):
    """Two sign-offs of the same sheet: the conditional UPDATE lets the first through only."""
    p = practical
    examiner = p.day.accounts["examiner"]
    target = reg(p, 0)
    svc.save_draft(target, examiner, {"item-K1.1": "5"}, "", DURING)
    db.session.commit()
    stale = svc.sheet_of(target)
    svc.sign_off(target, examiner, GOOD, "", DURING)
    # The second click arrives with the sheet read before the first committed: the UPDATE's
    # condition (still a draft) no longer holds.
    from lms.transitions import AlreadyChanged, change_or_raise
    with pytest.raises(AlreadyChanged):
        change_or_raise(stale, PracticalScore.status == SheetStatus.DRAFT, status=SheetStatus.SIGNED)
    db.session.commit()
    with pytest.raises(svc.PracticalRefused, match="examiner"):
        svc.sign_off(reg(p, 0), examiner, GOOD, "", DURING)
    db.session.rollback()
    assert events("exams.practical.signed") == 1 and len(heard) == 1


def test_double_click_through_the_pages(client, examiner, heard):
    p = examiner
    first = post(client, p, 0, "sign", GOOD)
    second = post(client, p, 0, "sign", GOOD)
    assert "signed off: 90 points" in first.get_data(as_text=True)
    assert "was signed off by examiner" in second.get_data(as_text=True)
    assert events("exams.practical.signed") == 1 and len(heard) == 1


def test_a_centre_admin_sees_the_sheets_but_cannot_score(client, login, practical, during):
    p = practical
    login("centre_admin")
    assert client.get(f"/exam/practical/{p.session.id}", headers=EN).status_code == 200
    page = client.get(url(p, 0), headers=EN).get_data(as_text=True)
    assert 'id="sign-off"' not in page and "shown read-only" in page and 'role="alert"' not in page
    assert client.post(url(p, 0, "sign"), data=GOOD).status_code == 403
    assert sheet(p, 0) is None


def test_an_invigilator_has_no_practical_pages(client, login, practical):
    login("invigilator")
    assert client.get("/exam/practical/").status_code == 403


def test_the_sheet_needs_a_csrf_token(strict_app, practical, during):
    p = practical
    client = strict_app.test_client()
    client.post("/login", data={"username": "examiner", "password": "correct-horse-battery"})
    assert client.post(url(p, 0, "sign"), data=GOOD).status_code in (302, 400)
    assert sheet(p, 0) is None


# --- lists --------------------------------------------------------------------------------------

def test_examiner_finds_todays_session_and_the_roster(client, examiner):
    p = examiner
    listing = client.get("/exam/practical/", headers=EN).get_data(as_text=True)
    assert p.session.code in listing and f"room={p.room.id}" in listing
    roster = client.get(f"/exam/practical/{p.session.id}", headers=EN).get_data(as_text=True)
    names = [r.person.name for r in p.regs]
    assert all(n in roster for n in names[:5]) and names[5] not in roster
    assert "Absent" in roster and "Not checked in" in roster
    other = client.get(f"/exam/practical/{p.session.id}?room={p.other_room.id}", headers=EN)
    assert "not an examiner of this room" in other.get_data(as_text=True)


def test_another_examiner_sees_no_session_they_do_not_examine(client, login, practical, during, make):
    from lms.roles import Role

    make.account("stranger", Role.PRACTICAL_EXAMINER, org=practical.day.centre)
    login("stranger")
    assert practical.session.code not in client.get("/exam/practical/").get_data(as_text=True)


# --- the two-part pass ------------------------------------------------------------------------

def test_a_practical_pass_is_announced_once_with_both_results(client, examiner, heard):
    p = examiner
    post(client, p, 0, "sign", GOOD)
    post(client, p, 0, "sign", GOOD)
    assert len(heard) == 1
    sender, facts = heard[0]
    assert isinstance(sender, PracticalScore) and sender.registration_id == p.regs[0].id
    assert facts == {"person_id": p.regs[0].person_id, "employment_id": p.regs[0].employment_id,
                     "exam_kind": "practical", "operation_subtype": "1.2", "theory_points": THEORY_POINTS,
                     "practical_points": 90.0, "passed_on": datetime(2026, 12, 15).date()}


def test_the_latest_valid_theory_pass_gives_the_theory_points(practical, during, heard):
    p = practical
    person = p.regs[1].person
    theory_pass(p.day, person, on=datetime(2026, 11, 20).date(), points=95.0, code="TH-LATE")
    db.session.commit()
    found = svc.theory_pass_of(reg(p, 1))
    assert (found.points, found.passed_on.isoformat()) == (95.0, "2026-11-20")


def test_no_announcement_without_a_valid_theory_pass(practical, during, heard):
    p = practical
    theory = db.session.scalar(select(Registration).where(Registration.person_id == p.regs[2].person_id,
                                                          Registration.session_id != p.session.id))
    theory.result_on = datetime(2025, 12, 1).date()  # more than 12 months before the practical
    db.session.commit()
    svc.sign_off(reg(p, 2), p.day.accounts["examiner"], GOOD, "", DURING)
    db.session.commit()
    assert reg(p, 2).passed is True and heard == []


def test_a_special_operations_theory_pass_alone_is_not_announced(practical, heard):
    """announce_pass on a submitted, passing special-operations theory attempt sends nothing."""
    p = practical
    theory = db.session.scalar(select(Registration).where(Registration.person_id == p.regs[0].person_id,
                                                          Registration.session_id != p.session.id))
    assert theory.session.kind is SessionKind.SPECIAL_OPS_THEORY and theory.passed
    attempt = SimpleNamespace(registration=theory, status=AttemptStatus.SUBMITTED, passed=True)
    assert results.announce_pass(attempt) is False
    assert heard == []


def test_a_failed_practical_counts_toward_the_attempt_limit(client, examiner):
    p = examiner
    post(client, p, 1, "sign", {**GOOD, "item-K2.1": "fail"})
    later = add_session(p.day.centre, None, p.day.bank, [p.room], p.day.accounts["centre_admin"],
                        code="PR-LATER", kind=SessionKind.PRACTICAL,
                        starts_at=datetime(2026, 12, 22, 1, tzinfo=UTC),
                        ends_at=datetime(2026, 12, 22, 3, tzinfo=UTC))
    db.session.commit()
    person = reg(p, 1).person
    verdict = Eligibility(later, [person.id]).check(person, p.day.employment(person), health_commitment=True)
    attempts = next(c for c in verdict.checks if c.check == "attempts")
    assert attempts.params["failed"] == 1 and attempts.params["used"] == 1 and attempts.params["limit"] == 5
    assert next(c for c in verdict.checks if c.check == "theory_pass").ok


# --- releasing results ------------------------------------------------------------------------

def test_results_wait_for_every_present_candidates_signed_sheet(practical, during):
    p = practical
    admin, examiner = p.day.accounts["centre_admin"], p.day.accounts["examiner"]
    close_session(p.session, admin, DURING)
    db.session.commit()
    with pytest.raises(SessionRefused, match=r"\b4\b"):
        release_results(p.session, admin, DURING)
    db.session.rollback()
    for i in (0, 1, 2):
        svc.sign_off(reg(p, i), examiner, GOOD, "", DURING)
    svc.save_draft(reg(p, 5), p.day.accounts["examiner2"], {"item-K1.1": "3"}, "", DURING)
    db.session.commit()
    with pytest.raises(SessionRefused, match=r"\b1\b"):
        release_results(p.session, admin, DURING)
    db.session.rollback()
    svc.sign_off(reg(p, 5), p.day.accounts["examiner2"], GOOD, "", DURING)
    release_results(p.session, admin, DURING)
    db.session.commit()
    assert p.session.status is SessionStatus.RESULTS_RELEASED


def test_other_sessions_are_not_held_by_the_practical_check(practical):
    assert svc.release_blocker(practical.day.session) is None


def test_results_page_and_report_show_practical_points_and_pass_mark(client, login, practical, during):
    p = practical
    svc.sign_off(reg(p, 0), p.day.accounts["examiner"], GOOD, "", DURING)
    db.session.commit()
    row = next(r for r in results.session_rows(p.session, p.day.accounts["centre_admin"])
               if r.registration.id == p.regs[0].id)
    assert (row.state, row.points, row.total, row.pass_mark) == ("passed", 90.0, 100.0, 80.0)
    facts = results.result_facts(reg(p, 0), None, [])
    assert (facts["points"], facts["total"], facts["pass_mark"], facts["outcome"]) == (90.0, 100.0, 80.0,
                                                                                      "passed")
    login("centre_admin")
    page = client.get(f"/exam/sessions/{p.session.id}/results", headers=EN).get_data(as_text=True)
    assert "90 / 100" in page
    report = client.get(f"/exam/registrations/{p.regs[0].id}/report.pdf")
    assert report.status_code == 200 and report.data.startswith(b"%PDF-")


def test_the_world_builder_is_deterministic(make):
    """Sanity check of the fixture: who sits where."""
    p = build_practical(make, code="PR-CHECK")
    assert [r.seat.room.code for r in p.regs] == ["P1", "P1", "P1", "P1", "P1", "P2"]


def test_the_dashboard_counts_todays_practical_sessions(client, examiner):
    html = client.get("/dashboard", headers=EN).get_data(as_text=True)
    tile = html[html.index("Practical sessions to score today") - 200:]
    assert '<span class="num">1</span>' in tile and 'href="/exam/practical/"' in tile
