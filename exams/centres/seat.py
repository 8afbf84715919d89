"""Candidates sign in at their exam seat with ticket number, ID number and the session's access code.

There is no password: the three together, the session being open and the candidate checked in at
the door are what admit them. Failed guesses are counted in the database per ticket number (the
sign-in throttle of lms.auth), so every worker sees the same count. A seat's browser keeps a random
token; only its SHA-256 digest is stored, and every request checks it against the database.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, joinedload

from exams.attempts.models import AttemptEvent, ExamAttempt
from exams.centres.models import (
    Attendance,
    ExamSession,
    Registration,
    RegistrationStatus,
    SeatSignIn,
    SessionStatus,
)
from lms.audit import record_event
from lms.auth.throttle import clear_failures, register_failure, throttle_key, wait_remaining
from lms.extensions import db
from lms.i18n import _
from lms.idcard import normalize_id_number

#: Key of the seat's token inside Flask's session cookie.
SEAT_TOKEN_KEY = "seat_token"
#: Refusals that are guesses (counted towards the per-ticket delay); the others are waiting candidates.
_GUESSES = {"mismatch", "access_code"}


class SeatRefused(Exception):
    """A seat sign-in refused, with the one message the candidate sees."""

    def __init__(self, code: str, message: str, retry_after: timedelta | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def digest(token: str) -> str:
    """SHA-256 of a seat token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _same(typed: str, expected: str) -> bool:
    """Constant-time comparison, so response times do not tell how much of a secret was right."""
    return hmac.compare_digest(typed.encode(), expected.encode())


def _throttle_key(ticket: str) -> str:
    # Keyed by the ticket alone: guesses at one candidate's ID number from many seats add up.
    return throttle_key("seat:" + ticket, None)


def _refuse(code: str, message: str, ticket: str, now: datetime, reg: Registration | None = None,
            retry_after: timedelta | None = None) -> SeatRefused:
    """Count a guess, log the refusal (no account acts: the centre is named instead) and return it."""
    if code in _GUESSES:
        register_failure(_throttle_key(ticket), now=now)
    centre_id = reg.session.centre_id if reg is not None else None
    record_event("exams.seat.refused", actor=None, target=reg, organization_id=centre_id,
                 seat_refusal=code, ticket=ticket[:24],
                 session=reg.session.code if reg is not None else "")
    return SeatRefused(code, message, retry_after)


def _status_refusal(session: ExamSession) -> tuple[str, str] | None:
    if session.status is SessionStatus.OPEN:
        return None
    if session.status in (SessionStatus.CLOSED, SessionStatus.RESULTS_RELEASED, SessionStatus.CANCELLED):
        return "over", _("This exam session is over or was cancelled.")
    return "not_open", _("This exam session is not open yet: wait until the invigilator opens it.")


def check_credentials(ticket: str, id_number: str, access_code: str, *, now: datetime) -> Registration:
    """The registration the three typed values admit to an open session, or SeatRefused."""
    ticket = ticket.strip()
    wait = wait_remaining(_throttle_key(ticket), now=now)
    if wait is not None:
        raise _refuse("throttled", _("Too many failed attempts with this ticket number: ask the "
                                     "invigilator, or wait and try again."), ticket, now, retry_after=wait)
    reg = db.session.scalar(select(Registration).where(Registration.ticket_number == ticket))
    # One message whether the ticket is unknown or the ID number is wrong: a wrong ID number must
    # not tell whether the ticket exists.
    if reg is None or not _same(normalize_id_number(id_number), reg.person.id_number):
        raise _refuse("mismatch", _("The ticket number and ID number do not match. Check both and try "
                                    "again."), ticket, now)
    if reg.status is not RegistrationStatus.ACTIVE:
        raise _refuse("withdrawn", _("This registration was withdrawn: ask the invigilator."),
                      ticket, now, reg)
    if not _same(access_code.strip(), reg.session.access_code):
        raise _refuse("access_code", _("The session access code is not right: it is shown in the exam "
                                       "room."), ticket, now, reg)
    refusal = _status_refusal(reg.session)
    if refusal:
        raise _refuse(*refusal, ticket, now, reg)
    if reg.attendance is not Attendance.PRESENT:
        raise _refuse("not_checked_in", _("You have not been checked in: ask the invigilator."),
                      ticket, now, reg)
    return reg


def _hold(reg: Registration) -> bool:
    """Lock the registration's row (a no-op update) while still checked in; True when held.

    Two seats signing in for one registration queue on this row, so the second one, once it may
    go on, sees the sign-in the first one wrote and is refused.
    """
    result = db.session.execute(update(Registration).where(
        Registration.id == reg.id, Registration.status == RegistrationStatus.ACTIVE,
        Registration.attendance == Attendance.PRESENT).values(attendance=Registration.attendance))
    return result.rowcount == 1


def live_sign_in(reg: Registration) -> SeatSignIn | None:
    """The registration's sign-in that has not ended, if any."""
    return db.session.scalar(select(SeatSignIn).where(SeatSignIn.registration_id == reg.id,
                                                      SeatSignIn.ended_at.is_(None)))


def _take_move(reg: Registration) -> bool:
    """Use up the invigilator's approval of a move (ExamAttempt.move_allowed); True when there was one.

    One conditional UPDATE, so an approval admits exactly one new seat; a later sign-in needs a
    new approval.
    """
    result = db.session.execute(update(ExamAttempt).where(
        ExamAttempt.registration_id == reg.id, ExamAttempt.move_allowed.is_(True))
        .values(move_allowed=False))
    return result.rowcount == 1


def _end_for_move(old: SeatSignIn, reg: Registration, now: datetime) -> None:
    """End the sign-in at the seat the candidate leaves; the attempt notes the move for the console."""
    db.session.execute(update(SeatSignIn).where(SeatSignIn.id == old.id, SeatSignIn.ended_at.is_(None))
                       .values(ended_at=now))
    attempt_id = db.session.scalar(select(ExamAttempt.id).where(ExamAttempt.registration_id == reg.id))
    db.session.add(AttemptEvent(attempt_id=attempt_id, kind="seat_moved", at=now, data={}))
    record_event("exams.seat.moved", actor=None, target=reg, organization_id=reg.session.centre_id,
                 ticket=reg.ticket_number, session=reg.session.code)


def sign_in(ticket: str, id_number: str, access_code: str, locale: str, *,
            now: datetime) -> tuple[SeatSignIn, str]:
    """Admit a candidate to their seat; return the sign-in and the token for the cookie.

    A candidate already signed in elsewhere is refused, unless the invigilator allowed a move: then
    the old seat's sign-in ends and the approval is used up, in the same transaction.
    """
    reg = check_credentials(ticket, id_number, access_code, now=now)
    ticket = reg.ticket_number
    if not _hold(reg):
        raise _refuse("not_checked_in", _("You have not been checked in: ask the invigilator."),
                      ticket, now, reg)
    live = live_sign_in(reg)
    moving = _take_move(reg)
    if live is not None and not moving:
        raise _refuse("already_signed_in", _("You are already signed in at another seat; the invigilator "
                                             "must approve a move."), ticket, now, reg)
    if live is not None:
        _end_for_move(live, reg, now)
    clear_failures(_throttle_key(ticket))
    token = secrets.token_urlsafe(32)
    seat_sign_in = SeatSignIn(registration_id=reg.id, token_digest=digest(token), locale=locale[:8],
                              started_at=now)
    db.session.add(seat_sign_in)
    db.session.flush()
    record_event("exams.seat.signed_in", actor=None, target=reg, organization_id=reg.session.centre_id,
                 ticket=ticket, session=reg.session.code, locale=locale)
    return seat_sign_in, token


def current_sign_in(token: str | None) -> SeatSignIn | None:
    """The live sign-in behind a seat token whose registration still stands, else None."""
    if not token:
        return None
    # One query on every seat and exam request: the registration, its session and person (which
    # every page shows) come with the sign-in instead of as three lazy loads.
    return db.session.scalar(
        select(SeatSignIn).join(SeatSignIn.registration)
        .where(SeatSignIn.token_digest == digest(token), SeatSignIn.ended_at.is_(None),
               Registration.status == RegistrationStatus.ACTIVE)
        .options(contains_eager(SeatSignIn.registration).options(
            joinedload(Registration.session), joinedload(Registration.person),
            joinedload(Registration.seat))))


def sign_out(seat_sign_in: SeatSignIn, *, now: datetime) -> bool:
    """End a seat sign-in; False when it had ended already."""
    result = db.session.execute(update(SeatSignIn).where(SeatSignIn.id == seat_sign_in.id,
                                                         SeatSignIn.ended_at.is_(None))
                                .values(ended_at=now))
    if result.rowcount != 1:
        return False
    reg = seat_sign_in.registration
    record_event("exams.seat.signed_out", actor=None, target=reg, organization_id=reg.session.centre_id,
                 ticket=reg.ticket_number, session=reg.session.code)
    return True
