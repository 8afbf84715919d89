"""Registering candidates for a session (报名): scope, capacity, eligibility, override, withdrawal.

Services take the actor and the time, flush and never commit. A refusal raises
:class:`RegistrationRefused` before anything is written; the caller rolls back and records the
refusal with :func:`record_refusal`, so a refused attempt leaves only its audit line.
"""

from datetime import datetime

from sqlalchemy import select, update

from exams.centres.access import manages_session
from exams.centres.eligibility import Eligibility, Verdict
from exams.centres.models import ExamSession, Registration, RegistrationStatus, SessionStatus
from exams.permissions import REGISTER
from lms.audit import record_event
from lms.authz import can_access_org
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.idcard import mask_id_number, normalize_id_number
from lms.models import Account, Employment, Person

#: Shortest written reason accepted for an override (characters, after trimming).
MIN_OVERRIDE_REASON = 5


class RegistrationRefused(ValueError):
    """Registration refused: ``code`` names the reason, ``verdict`` carries failed eligibility checks."""

    def __init__(self, code: str, message, verdict: Verdict | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.verdict = verdict


def registration_open(session: ExamSession, now: datetime) -> bool:
    """Published and before the registration deadline."""
    return session.status is SessionStatus.PUBLISHED and now < session.registration_closes_at


def may_override(actor: Account, session: ExamSession) -> bool:
    """Only the exam body (the session's centre staff) may set an eligibility refusal aside."""
    return manages_session(actor, session, REGISTER)


def in_scope(actor: Account, session: ExamSession, employment: Employment) -> bool:
    """Centre staff register anyone; an enterprise admin only employees of their enterprises."""
    return manages_session(actor, session, REGISTER) or can_access_org(actor, REGISTER,
                                                                       employment.organization)


def find_candidate(actor: Account, session: ExamSession, id_number: str) -> tuple[Person, Employment]:
    """The person with ``id_number`` and the employment they would sit this session for.

    An enterprise admin finds only people employed in their scope; the employment matching the
    session's post and sub-type is preferred, so a mismatch shows up as the "post" check.
    """
    number = normalize_id_number(id_number)
    person = db.session.scalar(select(Person).where(Person.id_number == number))
    employments = [e for e in (person.employments if person else []) if in_scope(actor, session, e)]
    if not employments:
        raise RegistrationRefused("not_found", _l("No employee with this ID number in your scope."))
    exam_day = local_date(session.starts_at, local_tz())
    current = [e for e in employments if e.end_date is None or e.end_date >= exam_day] or employments
    current.sort(key=lambda e: (e.post.value != session.post,
                                e.operation_subtype != session.operation_subtype, -e.id))
    return person, current[0]


def _existing(session: ExamSession, person: Person) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.session_id == session.id,
                                                        Registration.person_id == person.id))


def _take_place(session: ExamSession, now: datetime) -> int:
    """Count one more registration and hand out the next ticket sequence number, atomically.

    One conditional UPDATE: the session must still take registrations and have room. Returns the
    sequence number, or raises RegistrationRefused saying which condition failed.
    """
    result = db.session.execute(
        update(ExamSession)
        .where(ExamSession.id == session.id, ExamSession.status == SessionStatus.PUBLISHED,
               ExamSession.registration_closes_at > now,
               ExamSession.registered_count < ExamSession.capacity)
        .values(registered_count=ExamSession.registered_count + 1, ticket_seq=ExamSession.ticket_seq + 1)
        .returning(ExamSession.ticket_seq)
        .execution_options(synchronize_session=False))
    seq = result.scalar()
    if seq is None:
        db.session.refresh(session)
        if not registration_open(session, now):
            raise RegistrationRefused("closed", _l("Registration for this session is closed."))
        raise RegistrationRefused("full", _l("The session is full (%(capacity)s places).",
                                             capacity=session.capacity))
    return seq


def _give_back_place(session: ExamSession) -> None:
    db.session.execute(update(ExamSession).where(ExamSession.id == session.id)
                       .values(registered_count=ExamSession.registered_count - 1)
                       .execution_options(synchronize_session=False))


def ticket_number(session: ExamSession, seq: int) -> str:
    """准考证号: year of the exam, session id and sequence, digits only (scanners type it)."""
    return f"{local_date(session.starts_at, local_tz()):%y}{session.id:06d}{seq:04d}"


def _admit(verdict: Verdict, actor: Account, session: ExamSession, override_reason: str | None) -> str | None:
    """The override reason to record, or raise when the verdict refuses and no override applies."""
    if verdict.eligible:
        return None
    reason = (override_reason or "").strip()
    if not reason:
        raise RegistrationRefused("ineligible", _l("The candidate does not meet the conditions."), verdict)
    if not verdict.overridable:
        raise RegistrationRefused("not_overridable",
                                  _l("These conditions cannot be set aside by an override."), verdict)
    if not may_override(actor, session):
        raise RegistrationRefused("override_denied",
                                  _l("Only the exam centre may register a candidate despite a refusal."),
                                  verdict)
    if len(reason) < MIN_OVERRIDE_REASON:
        raise RegistrationRefused("reason_short", _l("Write the reason for the override in full."), verdict)
    return reason


def register(session: ExamSession, person: Person, employment: Employment, actor: Account,
             now: datetime, *, health_commitment: bool, override_reason: str | None = None,
             photo_digest: str | None = None, eligibility: Eligibility | None = None) -> Registration:
    """Register ``person`` for ``session`` after every check; raises RegistrationRefused."""
    if not in_scope(actor, session, employment):
        raise RegistrationRefused("scope", _l("No employee with this ID number in your scope."))
    if not registration_open(session, now):
        raise RegistrationRefused("closed", _l("Registration for this session is closed."))
    existing = _existing(session, person)
    if existing is not None and existing.is_active:
        raise RegistrationRefused("twice", _l("%(name)s is already registered for this session "
                                              "(ticket %(ticket)s).", name=person.name,
                                              ticket=existing.ticket_number))
    checker = eligibility or Eligibility(session, [person.id])
    verdict = checker.check(person, employment, health_commitment=health_commitment)
    override = _admit(verdict, actor, session, override_reason)
    seq = _take_place(session, now)
    reg = existing or Registration(session_id=session.id, person_id=person.id,
                                   ticket_number=ticket_number(session, seq))
    reg.status = RegistrationStatus.ACTIVE
    reg.employment_id, reg.organization_id = employment.id, employment.organization_id
    reg.registered_by_id, reg.registered_at = actor.id, now
    reg.health_commitment_at = now if health_commitment else None
    reg.eligibility = [c.as_dict() for c in verdict.checks]
    reg.override_reason = override
    reg.photo_digest = photo_digest or reg.photo_digest
    db.session.add(reg)
    db.session.flush()
    record_event("exams.registration.created", actor=actor, target=reg,
                 organization_id=employment.organization_id, session=session.code,
                 ticket=reg.ticket_number, person=person.masked_id)
    if override:
        record_event("exams.registration.overridden", actor=actor, target=reg,
                     organization_id=employment.organization_id, session=session.code,
                     reason=override, checks=", ".join(c.check for c in verdict.refusals))
    return reg


def withdraw(reg: Registration, actor: Account, now: datetime, reason: str = "") -> None:
    """Withdraw an active registration while registration is open; gives the place back."""
    from lms.transitions import change_or_raise

    if not registration_open(reg.session, now):
        raise RegistrationRefused("closed", _l("Registration for this session is closed."))
    change_or_raise(reg, Registration.status == RegistrationStatus.ACTIVE,
                    status=RegistrationStatus.WITHDRAWN)
    _give_back_place(reg.session)
    record_event("exams.registration.withdrawn", actor=actor, target=reg,
                 organization_id=reg.organization_id, session=reg.session.code, reason=reason)


def record_refusal(session: ExamSession, actor: Account, id_number: str, refused: RegistrationRefused,
                   *, organization_id: int | None = None) -> None:
    """Audit a refused registration (call after rolling back; the caller commits)."""
    checks = [c.check for c in refused.verdict.refusals] if refused.verdict else []
    record_event("exams.registration.refused", actor=actor, target=session,
                 organization_id=organization_id, session=session.code,
                 person=mask_id_number(normalize_id_number(id_number)) if id_number else "",
                 reason=refused.code, checks=", ".join(checks))
