"""Exam sessions: what a centre may schedule, creating and editing drafts, and the status machine.

draft -> published (registration open) -> registration_closed (seats drawn, papers frozen) -> open
(exam day) -> closed -> results_released; a session may be cancelled before it opens. Every move
checks and changes the status in one statement, so a double click moves it once.
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from exams.centres import freeze
from exams.centres.access import sessions_clause
from exams.centres.models import (
    Attendance,
    ExamSession,
    Registration,
    RegistrationStatus,
    Room,
    RoomKind,
    SessionKind,
    SessionRoom,
    SessionStaff,
    SessionStatus,
    StaffDuty,
)
from exams.models import BankPurpose, Blueprint, QuestionBank
from exams.permissions import CENTRE_MANAGE
from exams.services.blueprints import RulesChanged, terms_on, validate
from lms import catalog
from lms.audit import record_event
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Organization, Post, Region, RoleGrant
from lms.roles import Role
from lms.transitions import change_or_raise

KIND_LABELS = {
    SessionKind.SPECIAL_OPS_THEORY: _l("Special-operations theory exam"),
    SessionKind.PRACTICAL: _l("Special-operations practical exam"),
    SessionKind.MAKEUP: _l("Special-operations make-up theory exam"),
    SessionKind.PRINCIPAL: _l("Principal person in charge exam"),
    SessionKind.SAFETY_MANAGER: _l("Safety manager exam"),
}
STATUS_LABELS = {
    SessionStatus.DRAFT: _l("Draft"),
    SessionStatus.PUBLISHED: _l("Published: registration open"),
    SessionStatus.REGISTRATION_CLOSED: _l("Registration closed"),
    SessionStatus.OPEN: _l("Open: exam in progress"),
    SessionStatus.CLOSED: _l("Closed"),
    SessionStatus.RESULTS_RELEASED: _l("Results released"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}

#: The post each kind of session examines.
POST_OF_KIND = {
    SessionKind.SPECIAL_OPS_THEORY: Post.SPECIAL_OPERATIONS,
    SessionKind.PRACTICAL: Post.SPECIAL_OPERATIONS,
    SessionKind.MAKEUP: Post.SPECIAL_OPERATIONS,
    SessionKind.PRINCIPAL: Post.PRINCIPAL,
    SessionKind.SAFETY_MANAGER: Post.SAFETY_MANAGER,
}
#: Blueprint kinds (Blueprint.exam_kind) a session of a post may use.
BLUEPRINT_KINDS = {
    Post.SPECIAL_OPERATIONS: {"special_ops_theory", "custom"},
    Post.PRINCIPAL: {"principal", "custom"},
    Post.SAFETY_MANAGER: {"principal", "custom"},
}
#: Statuses in which the session has not opened yet: it may be cancelled, its code regenerated.
BEFORE_OPENING = (SessionStatus.DRAFT, SessionStatus.PUBLISHED, SessionStatus.REGISTRATION_CLOSED)
#: Statuses that count as "upcoming" on the dashboard.
UPCOMING = BEFORE_OPENING + (SessionStatus.OPEN,)
#: The role a centre account needs for each duty.
DUTY_ROLES = {StaffDuty.INVIGILATOR: Role.INVIGILATOR, StaffDuty.EXAMINER: Role.PRACTICAL_EXAMINER}


class SessionRefused(ValueError):
    """A session change that the rules or the session's status do not allow; carries the reasons."""

    def __init__(self, *reasons):
        super().__init__(*reasons)
        self.reasons = [str(r) for r in reasons]


def kind_label(kind) -> str:
    """A session kind in the active language."""
    return str(KIND_LABELS.get(SessionKind(kind), kind))


def status_label(status) -> str:
    """A session status in the active language."""
    return str(STATUS_LABELS.get(SessionStatus(status), status))


def needs_blueprint(kind: SessionKind) -> bool:
    """Theory sessions assemble papers from a blueprint; practical sessions have none."""
    return kind is not SessionKind.PRACTICAL


def room_kind_for(kind: SessionKind) -> RoomKind:
    """Practical sessions use practical rooms, every other kind computer theory rooms."""
    return RoomKind.PRACTICAL if kind is SessionKind.PRACTICAL else RoomKind.THEORY


def local_instant(day: date, at: time) -> datetime:
    """The UTC instant of a local date and time of day."""
    return datetime.combine(day, at, tzinfo=local_tz()).astimezone(UTC)


def local_day(instant: datetime) -> date:
    """The local calendar date of a UTC instant."""
    return local_date(instant, local_tz())


# What a centre may schedule --------------------------------------------------------------------


def province_prefix(org: Organization) -> str:
    """Path prefix of the province the organization lies in (as exams/access.py shares by)."""
    return "/" + org.region.path.strip("/").split("/")[0] + "/"


def schedulable_clause(centre: Organization):
    """Blueprints owned by an organization in the centre's province (a condition on Blueprint)."""
    in_province = select(Organization.id).join(Region, Organization.region_id == Region.id).where(
        Region.path.startswith(province_prefix(centre)))
    return Blueprint.organization_id.in_(in_province)


def schedulable_blueprints(centre: Organization) -> list[Blueprint]:
    """The blueprints the centre may schedule, by name."""
    return list(db.session.scalars(select(Blueprint).where(schedulable_clause(centre))
                                   .order_by(Blueprint.name, Blueprint.id)))


def schedulable(centre: Organization, blueprint: Blueprint) -> bool:
    """True when the centre may schedule ``blueprint``."""
    return db.session.scalar(select(Blueprint.id).where(
        Blueprint.id == blueprint.id, schedulable_clause(centre))) is not None


def exam_banks_for(blueprints: list[Blueprint]) -> list[QuestionBank]:
    """Exam banks owned by the organizations that own the blueprints."""
    owners = {b.organization_id for b in blueprints}
    if not owners:
        return []
    return list(db.session.scalars(select(QuestionBank).where(
        QuestionBank.purpose == BankPurpose.EXAM, QuestionBank.organization_id.in_(owners))
        .order_by(QuestionBank.name)))


def staff_with_role(centre: Organization, role: Role) -> list[Account]:
    """Accounts holding ``role`` at the centre, by name."""
    return list(db.session.scalars(select(Account).join(RoleGrant, RoleGrant.account_id == Account.id)
                                   .where(RoleGrant.role == role.value,
                                          RoleGrant.organization_id == centre.id)
                                   .order_by(Account.display_name, Account.username).distinct()))


# Creating and editing drafts -------------------------------------------------------------------


@dataclass
class SessionPlan:
    """What a draft session is to be, as the form gives it (instants in UTC)."""

    kind: SessionKind
    title: str
    operation_subtype: str | None
    blueprint: Blueprint | None
    bank: QuestionBank | None
    starts_at: datetime
    ends_at: datetime
    registration_closes_at: datetime
    rooms: list[Room] = field(default_factory=list)
    capacity: int | None = None
    #: (account, duty, room or None)
    staff: list[tuple] = field(default_factory=list)

    @property
    def post(self) -> Post:
        return POST_OF_KIND[self.kind]

    @property
    def seats(self) -> int:
        """Seats in use in the chosen rooms."""
        return sum(r.capacity for r in self.rooms)


def _blueprint_problems(centre: Organization, plan: SessionPlan) -> dict[str, str]:
    if not needs_blueprint(plan.kind):
        return {}
    found = {}
    bp = plan.blueprint
    if bp is None or not schedulable(centre, bp):
        found["blueprint"] = _l("Choose a blueprint this centre may schedule.")
    elif (bp.exam_kind not in BLUEPRINT_KINDS[plan.post] or bp.post not in (None, plan.post.value)
          or bp.operation_code not in (None, plan.operation_subtype)):
        found["blueprint"] = _l("This blueprint is for another exam: choose one for this kind of "
                                "session, post and operation sub-type.")
    if plan.bank is None or plan.bank.purpose is not BankPurpose.EXAM or (
            bp is not None and plan.bank.organization_id != bp.organization_id):
        found["bank"] = _l("Choose an exam bank of the organization that owns the blueprint.")
    return found


def _time_problems(plan: SessionPlan, now: datetime) -> dict[str, str]:
    found = {}
    if plan.starts_at <= now:
        found["day"] = _l("The exam must start in the future.")
    if plan.ends_at <= plan.starts_at:
        found["end"] = _l("The end time must come after the start time.")
    if plan.registration_closes_at >= plan.starts_at:
        found["registration_closes"] = _l("Registration must close before the exam starts.")
    return found


def _room_problems(centre: Organization, plan: SessionPlan) -> dict[str, str]:
    found = {}
    wanted = room_kind_for(plan.kind)
    if any(r.centre_id != centre.id or r.kind is not wanted for r in plan.rooms):
        found["rooms"] = (_l("Choose practical rooms for a practical exam.") if wanted is RoomKind.PRACTICAL
                          else _l("Choose computer theory rooms for a theory exam."))
    if plan.capacity is not None and not 1 <= plan.capacity <= plan.seats:
        found["capacity"] = _l("The capacity runs from 1 up to the %(n)d seats in use in the chosen rooms.",
                               n=plan.seats)
    room_ids = {r.id for r in plan.rooms}
    for account, duty, room in plan.staff:
        if not any(g.role == DUTY_ROLES[duty].value and g.organization_id == centre.id
                   for g in account.grants):
            found["staff"] = _l("Invigilators and examiners must hold that role at this centre.")
        elif room is not None and room.id not in room_ids:
            found["staff"] = _l("A staff member's room must be one of the session's rooms.")
    return found


def plan_problems(centre: Organization, plan: SessionPlan, now: datetime) -> dict[str, str]:
    """Why the plan cannot be saved, by form field; empty when it can."""
    found = {}
    if plan.post is Post.SPECIAL_OPERATIONS and not catalog.operation_subtype(plan.operation_subtype):
        found["operation_subtype"] = _l("Choose the operation sub-type examined.")
    found.update(_blueprint_problems(centre, plan))
    found.update(_time_problems(plan, now))
    found.update(_room_problems(centre, plan))
    return found


def new_access_code() -> str:
    """Six random digits for the room to type at the seats."""
    return f"{secrets.randbelow(10**6):06d}"


def default_prefix(centre: Organization) -> str:
    """The code prefix of the centre's latest session, else letters of its city's English name."""
    latest = db.session.scalar(select(ExamSession.code).where(ExamSession.centre_id == centre.id)
                               .order_by(ExamSession.id.desc()).limit(1))
    if latest and "-" in latest:
        return latest.split("-")[0]
    city = centre.region.parent if centre.region.parent is not None else centre.region
    letters = [c for c in city.name_en.upper() if "A" <= c <= "Z"]
    return "".join(letters[:2]) or "EX"


def next_code(prefix: str, day: date) -> str:
    """The first free code "<prefix>-<yyyymmdd>-<nn>" for sessions on ``day``."""
    stem = f"{prefix.upper()}-{day:%Y%m%d}-"
    taken = set(db.session.scalars(select(ExamSession.code).where(ExamSession.code.startswith(stem))))
    number = 1
    while f"{stem}{number:02d}" in taken:
        number += 1
    return f"{stem}{number:02d}"


def _plain_values(plan: SessionPlan) -> dict:
    return {"kind": plan.kind, "title": plan.title.strip(), "post": plan.post.value,
            "operation_subtype": plan.operation_subtype if plan.post is Post.SPECIAL_OPERATIONS else None,
            "blueprint_id": plan.blueprint.id if needs_blueprint(plan.kind) and plan.blueprint else None,
            "bank_id": plan.bank.id if needs_blueprint(plan.kind) and plan.bank else None,
            "starts_at": plan.starts_at, "ends_at": plan.ends_at,
            "registration_closes_at": plan.registration_closes_at,
            "capacity": plan.capacity if plan.capacity is not None else plan.seats}


def _place(session: ExamSession, plan: SessionPlan) -> None:
    """Make the session's rooms and staff those of the plan, keeping rows that stay."""
    wanted_rooms = {r.id: r for r in plan.rooms}
    session.rooms = [sr for sr in session.rooms if sr.room_id in wanted_rooms] + [
        SessionRoom(room=r) for rid, r in wanted_rooms.items()
        if rid not in {sr.room_id for sr in session.rooms}]
    wanted_staff = {(a.id, duty): (a, room) for a, duty, room in plan.staff}
    kept = []
    for row in session.staff:
        if (row.account_id, row.duty) in wanted_staff:
            row.room = wanted_staff[(row.account_id, row.duty)][1]
            kept.append(row)
    have = {(row.account_id, row.duty) for row in kept}
    session.staff = kept + [SessionStaff(account=a, duty=duty, room=room)
                            for (aid, duty), (a, room) in wanted_staff.items() if (aid, duty) not in have]


def create_session(centre: Organization, actor: Account, plan: SessionPlan, now: datetime, *,
                   prefix: str) -> ExamSession:
    """A draft session at the centre with a fresh code, access code and seed."""
    problems = plan_problems(centre, plan, now)
    if problems:
        raise SessionRefused(*problems.values())
    session = ExamSession(centre=centre, code=next_code(prefix, local_day(plan.starts_at)),
                          access_code=new_access_code(), seed=secrets.randbits(63),
                          status=SessionStatus.DRAFT, created_by_id=actor.id, created_at=now,
                          **_plain_values(plan))
    db.session.add(session)
    _place(session, plan)
    db.session.flush()
    record_event("exams.session.created", actor=actor, target=session, organization_id=centre.id,
                 code=session.code)
    return session


def update_session(session: ExamSession, actor: Account, plan: SessionPlan, now: datetime) -> None:
    """Replace a draft's settings, rooms and staff; AlreadyChanged once it left the draft status."""
    _expect(session, (SessionStatus.DRAFT,), _l("A session can be changed only while it is a draft."))
    problems = plan_problems(session.centre, plan, now)
    if problems:
        raise SessionRefused(*problems.values())
    change_or_raise(session, ExamSession.status == SessionStatus.DRAFT, **_plain_values(plan))
    _place(session, plan)
    db.session.flush()
    record_event("exams.session.updated", actor=actor, target=session, organization_id=session.centre_id,
                 code=session.code)


# The status machine ----------------------------------------------------------------------------


def _expect(session: ExamSession, statuses: tuple, why) -> None:
    """Refuse, saying why and what the status is, unless the session is in one of ``statuses``."""
    if session.status not in statuses:
        raise SessionRefused(why, _l("The session's status is: %(status)s.",
                                     status=status_label(session.status)))


def exam_terms(session: ExamSession) -> dict | None:
    """Duration, pass mark and rule versions in force on the exam day; None without a blueprint.

    Raises RulesChanged when the blueprint's layout no longer fits the rules of that day.
    """
    if session.blueprint is None:
        return None
    return terms_on(session.blueprint, local_day(session.starts_at))


def publish_problems(session: ExamSession, now: datetime) -> list[str]:
    """Why the session cannot be published yet; empty when it can."""
    found = []
    if session.blueprint is not None:
        try:
            terms = exam_terms(session)
        except RulesChanged as exc:
            found.append(str(exc.args[0]))
        else:
            if (session.ends_at - session.starts_at).total_seconds() < terms["duration_minutes"] * 60:
                found.append(str(_l("The exam takes %(n)d minutes on that day; the session is shorter.",
                                    n=terms["duration_minutes"])))
        bank = db.session.get(QuestionBank, session.bank_id) if session.bank_id else None
        if bank is None:
            found.append(str(_l("Choose the exam bank the papers are drawn from.")))
        elif validate(session.blueprint, bank):
            found.append(str(_l("The exam bank cannot fill every cell of the blueprint yet.")))
    elif needs_blueprint(session.kind):
        found.append(str(_l("Choose a blueprint for the papers.")))
    found += _place_problems(session, now)
    return found


def _place_problems(session: ExamSession, now: datetime) -> list[str]:
    found = []
    seats = sum(sr.room.capacity for sr in session.rooms)
    if not session.rooms:
        found.append(str(_l("Add at least one room.")))
    elif session.capacity > seats:
        found.append(str(_l("The capacity (%(capacity)d) exceeds the %(n)d seats in use in the rooms.",
                            capacity=session.capacity, n=seats)))
    duties = {s.duty for s in session.staff}
    if StaffDuty.INVIGILATOR not in duties:
        found.append(str(_l("Assign at least one invigilator.")))
    if session.kind is SessionKind.PRACTICAL and StaffDuty.EXAMINER not in duties:
        found.append(str(_l("Assign at least one practical examiner.")))
    if session.registration_closes_at <= now:
        found.append(str(_l("The registration closing time has passed; change it first.")))
    return found


def publish(session: ExamSession, actor: Account, now: datetime) -> None:
    """Open registration, once the blueprint, bank, rooms and staff are in order."""
    _expect(session, (SessionStatus.DRAFT,), _l("Only a draft can be published."))
    problems = publish_problems(session, now)
    if problems:
        raise SessionRefused(*problems)
    change_or_raise(session, ExamSession.status == SessionStatus.DRAFT, status=SessionStatus.PUBLISHED)
    record_event("exams.session.published", actor=actor, target=session, organization_id=session.centre_id,
                 code=session.code)


def close_registration(session: ExamSession, actor: Account, now: datetime) -> None:
    """Close registration: seats are drawn and every candidate's paper frozen (exams.centres.freeze,
    which also moves the status and records exams.session.registration_closed)."""
    _expect(session, (SessionStatus.PUBLISHED,), _l("Registration can be closed only while it is open."))
    try:
        freeze.close_registration(session, actor, now)
    except freeze.CannotClose as exc:
        raise SessionRefused(exc.args[0]) from exc


def open_session(session: ExamSession, actor: Account, now: datetime) -> None:
    """Open the exam on its day, once the papers are frozen."""
    _expect(session, (SessionStatus.REGISTRATION_CLOSED,),
            _l("A session opens only after its registration has been closed."))
    if local_day(now) != local_day(session.starts_at):
        raise SessionRefused(_l("A session can be opened only on its exam day (%(day)s).",
                                day=local_day(session.starts_at).isoformat()))
    conditions = [ExamSession.status == SessionStatus.REGISTRATION_CLOSED]
    if session.blueprint_id is not None:
        if session.papers_frozen_at is None:
            raise SessionRefused(_l("The candidates' papers are not frozen yet."))
        conditions.append(ExamSession.papers_frozen_at.is_not(None))
    change_or_raise(session, *conditions, status=SessionStatus.OPEN)
    record_event("exams.session.opened", actor=actor, target=session, organization_id=session.centre_id,
                 code=session.code)


def close_session(session: ExamSession, actor: Account, now: datetime) -> None:
    """End the exam, at the earliest once it has started."""
    _expect(session, (SessionStatus.OPEN,), _l("Only an open session can be closed."))
    if now < session.starts_at:
        raise SessionRefused(_l("The exam has not started yet."))
    change_or_raise(session, ExamSession.status == SessionStatus.OPEN, status=SessionStatus.CLOSED)
    record_event("exams.session.closed", actor=actor, target=session, organization_id=session.centre_id,
                 code=session.code)


#: Checks that may hold back the release of results, added by the packages that know why (the
#: attempts: none may still be running); each returns a reason or None.
RELEASE_BLOCKERS: list = []


def release_results(session: ExamSession, actor: Account, now: datetime) -> None:
    """Mark the session's results as released to candidates and enterprises."""
    _expect(session, (SessionStatus.CLOSED,), _l("Results are released after the session is closed."))
    for blocker in RELEASE_BLOCKERS:
        reason = blocker(session)
        if reason:
            raise SessionRefused(reason)
    change_or_raise(session, ExamSession.status == SessionStatus.CLOSED,
                    status=SessionStatus.RESULTS_RELEASED)
    record_event("exams.session.results_released", actor=actor, target=session,
                 organization_id=session.centre_id, code=session.code)


def cancel(session: ExamSession, actor: Account, now: datetime) -> None:
    """Cancel a session that has not opened."""
    _expect(session, BEFORE_OPENING, _l("A session can be cancelled only before it opens."))
    change_or_raise(session, ExamSession.status.in_(BEFORE_OPENING), status=SessionStatus.CANCELLED)
    record_event("exams.session.cancelled", actor=actor, target=session, organization_id=session.centre_id,
                 code=session.code)


def regenerate_access_code(session: ExamSession, actor: Account, now: datetime) -> str:
    """A new access code, until the session opens; the code itself stays out of the audit log."""
    _expect(session, BEFORE_OPENING, _l("The access code can be changed only until the session opens."))
    code = new_access_code()
    change_or_raise(session, ExamSession.status.in_(BEFORE_OPENING), access_code=code)
    record_event("exams.session.code_regenerated", actor=actor, target=session,
                 organization_id=session.centre_id, code=session.code)
    return code


#: Transitions by the name the session page posts: (service, button label, statuses it starts from).
TRANSITIONS = {
    "publish": (publish, _l("Publish and open registration"), (SessionStatus.DRAFT,)),
    "close-registration": (close_registration, _l("Close registration and freeze papers"),
                           (SessionStatus.PUBLISHED,)),
    "open": (open_session, _l("Open the exam"), (SessionStatus.REGISTRATION_CLOSED,)),
    "close": (close_session, _l("Close the exam"), (SessionStatus.OPEN,)),
    "release-results": (release_results, _l("Release the results"), (SessionStatus.CLOSED,)),
    "cancel": (cancel, _l("Cancel the session"), BEFORE_OPENING),
}


# Counts ----------------------------------------------------------------------------------------


def registration_counts(session: ExamSession) -> dict:
    """Registrations by status, and attendance of the active ones."""
    rows = db.session.execute(select(Registration.status, Registration.attendance, func.count())
                              .where(Registration.session_id == session.id)
                              .group_by(Registration.status, Registration.attendance)).all()
    counts = {"active": 0, "withdrawn": 0, "present": 0, "absent": 0, "expected": 0}
    for status, attendance, n in rows:
        if RegistrationStatus(status) is RegistrationStatus.WITHDRAWN:
            counts["withdrawn"] += n
            continue
        counts["active"] += n
        counts[Attendance(attendance).value] += n
    return counts


def active_counts(session_ids: list[int]) -> dict[int, int]:
    """Active registrations per session id."""
    if not session_ids:
        return {}
    return dict(db.session.execute(select(Registration.session_id, func.count())
                                   .where(Registration.session_id.in_(session_ids),
                                          Registration.status == RegistrationStatus.ACTIVE)
                                   .group_by(Registration.session_id)).all())


def upcoming_count(account: Account, now: datetime) -> int:
    """Sessions of the account's centres that have not ended nor been cancelled."""
    return db.session.scalar(select(func.count()).select_from(ExamSession).where(
        sessions_clause(account, CENTRE_MANAGE), ExamSession.status.in_(UPCOMING),
        ExamSession.ends_at >= now))
