"""One-step actions from a row of an enterprise's gap list: enrol the person in the missing training,
or register them for the next exam session that leads to the certificate they lack.

Both reuse the services of the courses and exam-centre pages (enrolment with its audit event,
registration with its scope, capacity and eligibility checks), so the rules live in one place. The
compliance figures follow at commit through the session hooks; neither action changes a rate.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from certificates.compliance.blueprint import bp, enterprise_or_404
from certificates.compliance.forms import AssignTrainingForm, RegisterExamForm
from courses import perms as course_perms
from courses.access import catalogue_clause
from courses.enrolment import EnrolmentRefused, assign
from courses.models import Catalogue, Course, Enrollment
from exams.centres.access import sessions_clause
from exams.centres.labels import describe_check
from exams.centres.models import ExamSession, Registration, RegistrationStatus, SessionKind, SessionStatus
from exams.centres.registration import RegistrationRefused, record_refusal, register
from exams.permissions import REGISTER
from lms import clock
from lms.authz import can_access_org, ensure_org, requires
from lms.extensions import db
from lms.i18n import _
from lms.models import Account, Employment, Organization, Post

#: Gaps an exam leads out of: no certificate of the required kind, or one that no longer counts
#: and must be earned again. A suspension ends by itself; a certificate not yet in force needs nothing.
EXAM_GAPS = frozenset({"none", "wrong_subtype", "expired", "review_overdue", "revoked", "cancelled"})
#: Gaps whose way back starts with training (review or renewal training).
TRAINING_GAPS = frozenset({"review_overdue", "expired"})
#: The session that starts the way to each key post's certificate (special operations: the theory
#: exam of the same operation sub-type).
KIND_OF_POST = {Post.PRINCIPAL: SessionKind.PRINCIPAL, Post.SAFETY_MANAGER: SessionKind.SAFETY_MANAGER,
                Post.SPECIAL_OPERATIONS: SessionKind.SPECIAL_OPS_THEORY}
#: The course catalogue that trains each post.
CATALOGUE_OF_POST = {Post.PRINCIPAL: Catalogue.PRINCIPAL, Post.SAFETY_MANAGER: Catalogue.SAFETY_MANAGER,
                     Post.SPECIAL_OPERATIONS: Catalogue.SPECIAL_OPERATIONS, Post.OTHER: Catalogue.ALL_STAFF}
#: Sessions not yet over: a registration for one of them is the exam step already taken.
UPCOMING = (SessionStatus.PUBLISHED, SessionStatus.REGISTRATION_CLOSED, SessionStatus.OPEN)


def init_app(app) -> None:
    """Nothing to register: the views are on the compliance blueprint."""


# --- which row needs what -----------------------------------------------------------------------
def _measure(fact, name: str) -> int:
    """A measure of a computed fact (``measures`` dict) or a kept fact row (a column)."""
    measures = getattr(fact, "measures", None)
    if isinstance(measures, dict):
        return int(measures.get(name) or 0)
    return int(getattr(fact, name, 0) or 0)


def needs_training(fact) -> bool:
    """Behind an overdue hour rule, or a certificate to review or renew (overdue or expiring)."""
    expiring = any(_measure(fact, f"expiring_{days}") for days in (30, 60, 90))
    return bool(getattr(fact, "behind_hours", None)) or fact.gap in TRAINING_GAPS or expiring


def needs_exam(fact) -> bool:
    """A key post without a covering certificate for a reason an exam answers."""
    return Post(fact.post).is_key_post and fact.certificate_id is None and fact.gap in EXAM_GAPS


def exam_key(employment: Employment) -> tuple[str, str | None]:
    """(post, operation sub-type) of the exam the employment's certificate comes from."""
    post = Post(employment.post)
    return post.value, employment.operation_subtype if post is Post.SPECIAL_OPERATIONS else None


def course_suits(course: Course, employment: Employment) -> bool:
    """The course belongs to the post's catalogue (special operations: the same category or any)."""
    post = Post(employment.post)
    if course.catalogue is not CATALOGUE_OF_POST[post]:
        return False
    return (post is not Post.SPECIAL_OPERATIONS or course.operation_category is None
            or course.operation_category == employment.operation_category)


# --- what the page offers -----------------------------------------------------------------------
@dataclass
class RowActions:
    """What one gap-list row offers: courses to assign and the exam session to register for."""

    training: bool = False
    courses: list[Course] = field(default_factory=list)
    enrolled: list[Course] = field(default_factory=list)
    exam: bool = False
    session: ExamSession | None = None
    registration: Registration | None = None


def assignable_courses(account: Account, catalogues: Iterable[Catalogue]) -> list[Course]:
    """Published courses of these catalogues the account may assign (as on the courses' assign page)."""
    wanted = sorted(set(catalogues))
    if not wanted:
        return []
    return list(db.session.scalars(select(Course).where(catalogue_clause(account),
                                                        Course.catalogue.in_(wanted))
                                   .order_by(Course.title, Course.id)))


def next_sessions(account: Account, keys: set[tuple[str, str | None]], now: datetime
                  ) -> dict[tuple[str, str | None], ExamSession]:
    """The soonest session open for registration with places left, per (post, sub-type) key."""
    if not keys:
        return {}
    rows = db.session.scalars(
        select(ExamSession).where(sessions_clause(account, REGISTER),
                                  ExamSession.status == SessionStatus.PUBLISHED,
                                  ExamSession.registration_closes_at > now,
                                  ExamSession.registered_count < ExamSession.capacity,
                                  ExamSession.kind.in_(list(KIND_OF_POST.values())),
                                  ExamSession.post.in_(sorted({post for post, _s in keys})))
        .order_by(ExamSession.starts_at, ExamSession.id))
    found: dict = {}
    for session in rows:
        key = (session.post, session.operation_subtype)
        if key in keys and key not in found:
            found[key] = session
    return found


def _registrations(org: Organization, person_ids: list[int]) -> dict[tuple, Registration]:
    """Active registrations made through the enterprise for sessions not over, by (person, post, sub-type)."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(Registration, ExamSession).join(ExamSession, Registration.session_id == ExamSession.id)
        .where(Registration.person_id.in_(person_ids), Registration.organization_id == org.id,
               Registration.status == RegistrationStatus.ACTIVE, ExamSession.status.in_(UPCOMING),
               ExamSession.kind.in_(list(KIND_OF_POST.values())))
        .order_by(ExamSession.starts_at))
    found: dict = {}
    for reg, session in rows:
        found.setdefault((reg.person_id, session.post, session.operation_subtype), reg)
    return found


def _enrolments(person_ids: list[int], course_ids: list[int]) -> set[tuple[int, int]]:
    if not person_ids or not course_ids:
        return set()
    rows = db.session.execute(select(Enrollment.person_id, Enrollment.course_id).where(
        Enrollment.person_id.in_(person_ids), Enrollment.course_id.in_(course_ids)))
    return {(person_id, course_id) for person_id, course_id in rows}


def actions_for(org: Organization, lines: list) -> dict:
    """What each row of the enterprise's gap list offers, worked out once for the page.

    Returns ``rows`` (employment id -> RowActions, only rows with an action), ``assign_url`` and
    ``register_url``. Regulators, who may read the list but act on nothing, get no rows.
    """
    may_assign = can_access_org(current_user, course_perms.ASSIGN, org)
    may_register = can_access_org(current_user, REGISTER, org)
    training = [ln for ln in lines if may_assign and needs_training(ln.fact)]
    exams = [ln for ln in lines if may_register and needs_exam(ln.fact)]
    rows: dict[int, RowActions] = {}
    _offer_training(training, rows)
    _offer_exams(org, exams, rows)
    return {"rows": rows,
            "assign_url": url_for("compliance.assign_training", org_id=org.id),
            "register_url": url_for("compliance.register_exam", org_id=org.id)}


def _offer_training(lines: list, rows: dict[int, RowActions]) -> None:
    courses = assignable_courses(current_user, {CATALOGUE_OF_POST[Post(ln.employment.post)] for ln in lines})
    have = _enrolments(sorted({ln.person.id for ln in lines}), [c.id for c in courses])
    for line in lines:
        row = rows.setdefault(line.employment.id, RowActions())
        row.training = True
        for course in (c for c in courses if course_suits(c, line.employment)):
            (row.enrolled if (line.person.id, course.id) in have else row.courses).append(course)


def _offer_exams(org: Organization, lines: list, rows: dict[int, RowActions]) -> None:
    sessions = next_sessions(current_user, {exam_key(ln.employment) for ln in lines}, clock.now())
    registered = _registrations(org, sorted({ln.person.id for ln in lines}))
    for line in lines:
        row = rows.setdefault(line.employment.id, RowActions())
        row.exam = True
        key = exam_key(line.employment)
        row.registration = registered.get((line.person.id, *key))
        row.session = sessions.get(key)


# --- the actions --------------------------------------------------------------------------------
def _back(org: Organization):
    return redirect(url_for("compliance.enterprise", org_id=org.id))


def _bad(message: str):
    """Bad input: say why on an error page (400); nothing was changed."""
    flash(message, "error")
    return render_template("errors/error.html", status=400, title=_("Nothing was changed"),
                           message=_("Go back to the gap list and try again.")), 400


def _employment_or_404(org: Organization, employment_id: int | None) -> Employment:
    """An employment of this enterprise, else 404 (another enterprise's looks absent)."""
    employment = db.session.get(Employment, employment_id) if employment_id else None
    if employment is None or employment.organization_id != org.id:
        flash(_("No such employee in this enterprise."), "error")
        abort(404)
    return employment


def _current(employment: Employment, today: date) -> bool:
    return employment.end_date is None or employment.end_date >= today


@bp.post("/enterprise/<int:org_id>/assign-training")
@requires(course_perms.ASSIGN)
def assign_training(org_id: int):
    """Enrol one employee in one suitable course through the courses' enrolment service."""
    org = ensure_org(course_perms.ASSIGN, enterprise_or_404(org_id))
    form = AssignTrainingForm()
    if not form.validate_on_submit():
        return _bad(_("Choose a course for the employee."))
    employment = _employment_or_404(org, form.employment.data)
    if not _current(employment, clock.today()):
        return _bad(_("This employment has ended."))
    course = db.session.get(Course, form.course.data)
    if (course is None or not course_suits(course, employment)
            or course.id not in {c.id for c in assignable_courses(current_user, [course.catalogue])}):
        return _bad(_("This course cannot be assigned to this employee."))
    person = employment.person
    if db.session.scalar(select(Enrollment.id).where(Enrollment.course_id == course.id,
                                                     Enrollment.person_id == person.id)):
        flash(_("%(name)s is already enrolled in %(course)s.", name=person.name, course=course.title),
              "info")
        return _back(org)
    try:
        assign(current_user, org, [course], [person.id], None, clock.now())
    except EnrolmentRefused:
        db.session.rollback()
        return _bad(_("Only published courses can be assigned."))
    db.session.commit()
    flash(_("%(name)s is enrolled in %(course)s.", name=person.name, course=course.title), "success")
    return _back(org)


@bp.post("/enterprise/<int:org_id>/register-exam")
@requires(REGISTER)
def register_exam(org_id: int):
    """Register one employee for an exam session through the exam centre's registration service."""
    org = ensure_org(REGISTER, enterprise_or_404(org_id))
    form = RegisterExamForm()
    if not form.validate_on_submit():
        return _bad(_("Choose an employee and an exam session."))
    employment = _employment_or_404(org, form.employment.data)
    if not Post(employment.post).is_key_post:
        return _bad(_("Only the three key posts sit certificate exams."))
    session = db.session.scalar(select(ExamSession).where(ExamSession.id == form.session.data,
                                                          sessions_clause(current_user, REGISTER)))
    if session is None:
        return _bad(_("There is no open exam session to register for."))
    person = employment.person
    try:
        reg = register(session, person, employment, current_user, clock.now(),
                       health_commitment=bool(form.health_commitment.data))
    except RegistrationRefused as refused:
        _refused(session.id, person.id_number, org, refused)
        return _back(org)
    db.session.commit()
    flash(_("%(name)s is registered for %(session)s: ticket %(ticket)s.", name=person.name,
            session=session.code, ticket=reg.ticket_number), "success")
    return _back(org)


def _refused(session_id: int, id_number: str, org: Organization, refused: RegistrationRefused) -> None:
    """Undo everything, keep the service's audit line of the refusal, and say why."""
    db.session.rollback()
    record_refusal(db.session.get(ExamSession, session_id), current_user, id_number, refused,
                   organization_id=org.id)
    db.session.commit()
    reasons = [describe_check(c.as_dict()) for c in (refused.verdict.refusals if refused.verdict else [])]
    flash(" ".join([str(refused.message), *reasons]), "error")
