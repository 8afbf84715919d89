"""Scoring the practical exam: who may score whom, the draft sheet, the sign-off that writes the
result, the pass announcement with both parts, and the hold on releasing results.

Every change is one conditional UPDATE (lms.transitions): a double click on "sign off", or two
examiners on the same sheet, changes it once; the later request finds the state moved. Services
flush and never commit; a refusal raises PracticalRefused before anything is written.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from courses.requirements import add_months
from exams.attempts.signals import exam_passed
from exams.centres.eligibility import Eligibility, exam_date_of
from exams.centres.models import (
    Attendance,
    ExamSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    StaffDuty,
)
from exams.practical.checklists import Checklist, checklist_for, checklist_version
from exams.practical.models import PracticalScore, SheetStatus
from lms.audit import record_event
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Account
from lms.rules import rule_at
from lms.transitions import AlreadyChanged, change_or_raise

#: Rule of the pass mark, theory and practical alike (暂行办法 第9条).
PASS_MARK_RULE = "special_ops.exam.pass_mark"
#: Rule of how long a theory pass admits to the practical (暂行办法 第10条).
VALID_MONTHS_RULE = "special_ops.exam.score_valid_months"
#: Sessions whose candidates may be scored: from the opening until the results are released.
SCORABLE = (SessionStatus.OPEN, SessionStatus.CLOSED)
#: Form field prefix of an item's points (``item-K2.1``); critical items post "pass" or "fail".
FIELD_PREFIX = "item-"
#: Longest note an examiner may write on a sheet.
MAX_NOTE = 2000


class PracticalRefused(Exception):
    """A scoring step refused for a reason the examiner is told; nothing was changed.

    ``code`` goes to the audit log; ``errors`` maps item codes to their problem for bad input.
    """

    def __init__(self, code: str, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or {}


# --- who may score whom -----------------------------------------------------------------------

def examiner_rooms(account: Account, session: ExamSession) -> list[int | None]:
    """Room ids the account examines in the session (None: every room); empty if not an examiner."""
    return [s.room_id for s in session.staff if s.duty is StaffDuty.EXAMINER and s.account_id == account.id]


def examines(account: Account, session: ExamSession, room_id: int | None) -> bool:
    """True when the account is an examiner of the session assigned to that room (or to all)."""
    return any(r is None or r == room_id for r in examiner_rooms(account, session))


def _room_of(reg: Registration) -> int | None:
    return reg.seat.room_id if reg.seat is not None else None


def refusal(reg: Registration, actor: Account) -> PracticalRefused | None:
    """Why ``actor`` may not score ``reg`` now, or None when they may."""
    session, name = reg.session, reg.person.name
    if session.kind is not SessionKind.PRACTICAL:
        return PracticalRefused("not_practical", _("This is not a practical session."))
    if session.status not in SCORABLE:
        return PracticalRefused("not_scorable", _(
            "Sheets can be scored while the session is open or closed, before the results are "
            "released: nothing was changed."))
    if reg.status is not RegistrationStatus.ACTIVE:
        return PracticalRefused("withdrawn", _("The registration of %(name)s was withdrawn: nothing was "
                                               "changed.", name=name))
    if reg.score_cancelled:
        return PracticalRefused("cancelled", _("The score of %(name)s in this session was cancelled for "
                                               "misconduct: nothing was changed.", name=name))
    if reg.attendance is Attendance.ABSENT:
        return PracticalRefused("absent", _("%(name)s was marked absent: an absent candidate cannot be "
                                            "scored.", name=name))
    if reg.attendance is not Attendance.PRESENT:
        return PracticalRefused("not_checked_in", _("%(name)s has not been checked in: check the candidate "
                                                    "in at the door before scoring.", name=name))
    if not examines(actor, session, _room_of(reg)):
        room = reg.seat.room if reg.seat is not None else None
        return PracticalRefused("other_room", _(
            "Only an examiner assigned to room %(room)s of this session may score %(name)s: nothing was "
            "changed.", room=f"{room.code} {room.name}" if room else "—", name=name))
    return None


# --- the checklist's arithmetic ---------------------------------------------------------------

def sheet_checklist(reg: Registration, sheet: PracticalScore | None) -> Checklist | None:
    """The checklist of a sheet as scored, else the one in force on the exam day."""
    if sheet is not None:
        return checklist_version(sheet.checklist_code, sheet.checklist_version)
    return checklist_for(reg.session.operation_subtype, exam_date_of(reg.session))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_scores(checklist: Checklist, form: Mapping[str, str], *, complete: bool) -> dict[str, float]:
    """Points per item code from the posted form; PracticalRefused listing every bad entry.

    Plain items take 0 up to their points; critical items take "pass" (full points) or "fail" (0).
    A blank item is left out of a draft and refused at sign-off (``complete``).
    """
    errors: dict[str, str] = {}
    posted = {k[len(FIELD_PREFIX):]: (v or "").strip() for k, v in form.items() if k.startswith(FIELD_PREFIX)}
    for code in posted:
        if checklist.item(code) is None:
            errors[code] = _("%(code)s is not an item of this checklist.", code=code)
    scores: dict[str, float] = {}
    for item in checklist.items:
        text = posted.get(item.code, "")
        if not text:
            if complete:
                errors[item.code] = _("Score %(code)s before signing off.", code=item.code)
            continue
        if item.critical:
            if text not in ("pass", "fail"):
                errors[item.code] = _("%(code)s is a critical item: choose pass or fail.", code=item.code)
                continue
            scores[item.code] = float(item.points if text == "pass" else 0)
            continue
        value = _number(text)
        if value is None:
            errors[item.code] = _("%(code)s: give the points as a number.", code=item.code)
        elif value < 0:
            errors[item.code] = _("%(code)s: the points cannot be below 0.", code=item.code)
        elif value > item.points:
            errors[item.code] = _("%(code)s: at most %(max)s points.", code=item.code, max=item.points)
        else:
            scores[item.code] = value
    if errors:
        raise PracticalRefused("invalid", _("Some entries are not valid: nothing was changed."), errors)
    return scores


def totals(checklist: Checklist, scores: dict[str, float]) -> tuple[float, bool]:
    """Total points and whether a critical item failed."""
    failed = any(i.critical and i.code in scores and scores[i.code] < i.points for i in checklist.items)
    return round(sum(scores.values()), 2), failed


def pass_mark(session: ExamSession) -> float:
    """The pass mark in force on the session's exam day for its centre's region."""
    return float(rule_at(PASS_MARK_RULE, exam_date_of(session), session.centre.region).value)


# --- the sheet --------------------------------------------------------------------------------

def sheet_of(reg: Registration) -> PracticalScore | None:
    """The registration's score sheet, if one was started."""
    return db.session.scalar(select(PracticalScore).where(PracticalScore.registration_id == reg.id))


def signed_refusal(sheet: PracticalScore) -> PracticalRefused:
    who = sheet.signed_by.display_name or sheet.signed_by.username if sheet.signed_by else "—"
    return PracticalRefused("signed", _(
        "This sheet was signed off by %(name)s at %(time)s: a signed sheet cannot be changed.",
        name=who, time=local_time(sheet.signed_at)))


def local_time(instant: datetime | None) -> str:
    """Local HH:MM of an instant (empty for none)."""
    return instant.astimezone(local_tz()).strftime("%H:%M") if instant else ""


def _open_sheet(reg: Registration, actor: Account) -> tuple[PracticalScore | None, Checklist]:
    """The registration's draft sheet (None when not started) and its checklist; refused once signed."""
    found = refusal(reg, actor)
    if found is not None:
        raise found
    sheet = sheet_of(reg)
    if sheet is not None and sheet.is_signed:
        raise signed_refusal(sheet)
    checklist = sheet_checklist(reg, sheet)
    if checklist is None:
        raise PracticalRefused("no_checklist", _(
            "There is no practical checklist for operation %(code)s: nothing can be scored.",
            code=reg.session.operation_subtype or "—"))
    return sheet, checklist


def _start_sheet(reg: Registration, actor: Account, checklist: Checklist, now: datetime) -> PracticalScore:
    """A new draft sheet, once the input is known to be valid."""
    sheet = PracticalScore(registration_id=reg.id, session_id=reg.session_id, seat_id=reg.seat_id,
                           examiner_id=actor.id, checklist_code=checklist.code,
                           checklist_version=checklist.version, item_scores={}, created_at=now,
                           updated_at=now)
    db.session.add(sheet)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request started this sheet in the same moment (the unique registration key).
        db.session.rollback()
        raise AlreadyChanged("sheet") from None
    return sheet


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise PracticalRefused("invalid", _("The note is longer than %(n)d characters: nothing was "
                                            "changed.", n=MAX_NOTE))
    return note


def save_draft(reg: Registration, actor: Account, form: Mapping[str, str], note: str,
               now: datetime) -> PracticalScore:
    """Keep the examiner's scores so far on the draft sheet (blank items allowed)."""
    note = _note(note)
    sheet, checklist = _open_sheet(reg, actor)
    scores = parse_scores(checklist, form, complete=False)
    sheet = sheet or _start_sheet(reg, actor, checklist, now)
    total, critical = totals(checklist, scores)
    change_or_raise(sheet, PracticalScore.status == SheetStatus.DRAFT, item_scores=scores,
                    total_points=total, critical_failed=critical, note=note, examiner_id=actor.id,
                    updated_at=now)
    record_event("exams.practical.saved", actor=actor, target=sheet, organization_id=reg.session.centre_id,
                 ticket=reg.ticket_number, session=reg.session.code, points=total, scored=len(scores),
                 items=len(checklist.items))
    return sheet


def sign_off(reg: Registration, actor: Account, form: Mapping[str, str], note: str,
             now: datetime) -> PracticalScore:
    """Score every item and sign: the sheet turns read-only and its result becomes the registration's.

    The registration gets the 0-100 points, passed (total at the pass mark and no critical item
    failed) and the result date; a pass is announced with the theory points (announce_practical_pass).
    """
    note = _note(note)
    sheet, checklist = _open_sheet(reg, actor)
    scores = parse_scores(checklist, form, complete=True)
    sheet = sheet or _start_sheet(reg, actor, checklist, now)
    total, critical = totals(checklist, scores)
    mark = pass_mark(reg.session)
    passed = not critical and total >= mark
    change_or_raise(sheet, PracticalScore.status == SheetStatus.DRAFT, status=SheetStatus.SIGNED,
                    item_scores=scores, total_points=total, critical_failed=critical, passed=passed,
                    note=note, examiner_id=actor.id, updated_at=now, signed_at=now, signed_by_id=actor.id)
    change_or_raise(reg, Registration.passed.is_(None), Registration.score_cancelled.is_(False),
                    score=total, passed=passed, result_on=local_date(now, local_tz()))
    # Read back what the UPDATEs wrote, so the rest (and the signal's receivers) see the signed rows.
    db.session.refresh(sheet)
    db.session.refresh(reg)
    record_event("exams.practical.signed", actor=actor, target=sheet, organization_id=reg.session.centre_id,
                 ticket=reg.ticket_number, session=reg.session.code, points=total, pass_mark=mark,
                 passed=passed, critical=critical, note=note)
    if passed:
        announce_practical_pass(sheet)
    return sheet


def record_refusal(reg: Registration, actor: Account, refused: PracticalRefused) -> None:
    """Note a refused scoring step in the audit log (the caller commits it on its own)."""
    record_event("exams.practical.refused", actor=actor, target=reg, organization_id=reg.session.centre_id,
                 ticket=reg.ticket_number, session=reg.session.code, practical_refusal=refused.code)


# --- the two-part result ----------------------------------------------------------------------

@dataclass(frozen=True)
class TheoryPass:
    """The theory result that admits a candidate to the practical."""

    registration: Registration
    points: float
    passed_on: date


def theory_pass_of(reg: Registration) -> TheoryPass | None:
    """The candidate's latest theory pass of the same exam still valid on the practical's exam day.

    Found exactly as eligibility finds the practical's prerequisite (same post and sub-type, graded,
    not cancelled, within the rule's months).
    """
    # Eligibility's own loading and filtering, so the prerequisite and the announcement agree.
    check = Eligibility(reg.session, [reg.person_id])
    theory = check._results(check._sittings.get(reg.person_id, []), "theory")
    rule = check._rule(VALID_MONTHS_RULE)
    months = int(rule.value) if rule else 0
    valid = [r for r in theory if r.passed and check.exam_date < add_months(r.result_on, months)]
    if not valid:
        return None
    last = valid[-1]
    return TheoryPass(last, float(last.score or 0.0), last.result_on)


def announce_practical_pass(sheet: PracticalScore) -> bool:
    """Send ``exam_passed`` for a signed, passing practical with a valid theory pass; True when sent.

    Called once, at sign-off (which the conditional UPDATE lets happen once per sheet).
    """
    reg = sheet.registration
    if not sheet.is_signed or not sheet.passed or reg.score_cancelled:
        return False
    theory = theory_pass_of(reg)
    if theory is None:
        return False
    session = reg.session
    exam_passed.send(sheet, person_id=reg.person_id, employment_id=reg.employment_id,
                     exam_kind=session.kind.value, operation_subtype=session.operation_subtype,
                     theory_points=theory.points, practical_points=sheet.total_points,
                     passed_on=reg.result_on)
    return True


# --- releasing results ------------------------------------------------------------------------

def unsigned_present(session: ExamSession) -> int:
    """Present candidates of the session (score not cancelled) without a signed sheet."""
    signed = select(PracticalScore.registration_id).where(PracticalScore.session_id == session.id,
                                                          PracticalScore.status == SheetStatus.SIGNED)
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session.id, Registration.status == RegistrationStatus.ACTIVE,
        Registration.attendance == Attendance.PRESENT, Registration.score_cancelled.is_(False),
        Registration.id.not_in(signed)))


def release_blocker(session: ExamSession) -> str | None:
    """Why a practical session's results cannot be released yet: present candidates without a
    signed sheet."""
    if session.kind is not SessionKind.PRACTICAL:
        return None
    waiting = unsigned_present(session)
    if not waiting:
        return None
    return str(_l("%(n)d present candidate(s) have no signed practical score sheet; release the results "
                  "once every sheet is signed.", n=waiting))
