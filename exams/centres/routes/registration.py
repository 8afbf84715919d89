"""Registration pages: sessions open for registration, a session's candidates, register, withdraw."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from exams.centres.access import (
    centres_clause,
    manages_session,
    registration_or_404,
    registrations_clause,
    session_or_404,
    sessions_clause,
)
from exams.centres.forms_registration import RegisterForm, WithdrawForm
from exams.centres.models import ExamSession, Registration, RegistrationStatus, Seat, SessionStatus
from exams.centres.photos import PhotoRefused, save_photo
from exams.centres.registration import (
    RegistrationRefused,
    find_candidate,
    record_refusal,
    register,
    registration_open,
    withdraw,
)
from exams.centres.routes import bp
from exams.permissions import REGISTER
from lms import clock
from lms.audit import record_event
from lms.authz import org_scope_clause, requires
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Education, Organization, Person
from lms.transitions import AlreadyChanged

AUDIT_SENTENCES = {
    "exams.registration.created": _l("%(actor)s registered %(person)s for the session %(session)s "
                                     "(ticket %(ticket)s)"),
    "exams.registration.overridden": _l("%(actor)s registered a candidate for %(session)s despite "
                                        "a refusal (%(checks)s), because: %(reason)s"),
    "exams.registration.refused": _l("%(actor)s was refused registering %(person)s for %(session)s "
                                     "(%(reason)s %(checks)s)"),
    "exams.registration.withdrawn": _l("%(actor)s withdrew a registration for %(session)s "
                                       "(%(reason)s)"),
    "exams.person.education": _l("%(actor)s recorded the education of %(person)s"),
    "exams.person.photo": _l("%(actor)s added a photo for %(person)s"),
}


def register_navigation() -> None:
    """The registration entry for enterprise admins and centre staff."""
    from lms.web.templating import add_nav_item

    add_nav_item("exams", "centres.registration_sessions", _l("Exam registration"), REGISTER)


@bp.get("/registration")
@requires(REGISTER)
def registration_sessions():
    """Sessions the account may register candidates for, soonest first, with places left."""
    now = clock.now()
    sessions = db.session.scalars(
        select(ExamSession).where(sessions_clause(current_user, REGISTER),
                                  or_(ExamSession.starts_at >= now,
                                      ExamSession.status == SessionStatus.OPEN))
        .order_by(ExamSession.starts_at).limit(200)).all()
    mine = _own_counts([s.id for s in sessions])
    return render_template("centres/registration/sessions.html", sessions=sessions, mine=mine,
                           now=now, registration_open=registration_open)


def _own_counts(session_ids: list[int]) -> dict[int, int]:
    """Active registrations the account can see, per session (its enterprises', all for centre staff)."""
    staff_centres = select(Organization.id).where(centres_clause(current_user, REGISTER))
    own = select(Organization.id).where(org_scope_clause(current_user, REGISTER))
    rows = db.session.execute(
        select(Registration.session_id, func.count())
        .join(ExamSession, Registration.session_id == ExamSession.id)
        .where(Registration.session_id.in_(session_ids), Registration.status == RegistrationStatus.ACTIVE,
               or_(ExamSession.centre_id.in_(staff_centres), Registration.organization_id.in_(own)))
        .group_by(Registration.session_id))
    return dict(rows.all())


def _page(session: ExamSession, form: RegisterForm, refusal: RegistrationRefused | None = None,
          status: int = 200):
    page = db.paginate(
        select(Registration).where(registrations_clause(current_user, session))
        .options(joinedload(Registration.person), joinedload(Registration.organization),
                 joinedload(Registration.seat).joinedload(Seat.room))
        .order_by(Registration.status, Registration.ticket_number), per_page=100, error_out=False)
    staff = manages_session(current_user, session, REGISTER)
    return render_template("centres/registration/session.html", session=session, page=page, form=form,
                           refusal=refusal, staff=staff, is_open=registration_open(session, clock.now()),
                           withdraw_form=WithdrawForm()), status


@bp.get("/sessions/<int:session_id>/registrations")
@requires(REGISTER)
def registrations(session_id: int):
    """The session's candidates in the account's scope and the form to register one more."""
    return _page(session_or_404(session_id, REGISTER), RegisterForm())


def _photo(form: RegisterForm) -> str | None:
    """Store an uploaded photo (content-sniffed, size-capped); None when none was sent."""
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return save_photo(upload.stream)


def _record_person_facts(person: Person, form: RegisterForm, photo: str | None) -> None:
    """Education and photo given at registration complete the person's record (audited)."""
    if form.education.data and person.education != form.education.data:
        person.education = Education(form.education.data).value
        record_event("exams.person.education", actor=current_user, target=person, person=person.masked_id)
    if photo and not person.photo_digest:
        person.photo_digest = photo
        record_event("exams.person.photo", actor=current_user, target=person, person=person.masked_id)


@bp.post("/sessions/<int:session_id>/registrations")
@requires(REGISTER)
def register_candidate(session_id: int):
    """Register one candidate; a refusal shows every failed condition with its rule and version."""
    session = session_or_404(session_id, REGISTER)
    form = RegisterForm()
    if not form.validate_on_submit():
        return _page(session, form, status=400)
    now = clock.now()
    try:
        person, employment = find_candidate(current_user, session, form.id_number.data)
        photo = _photo(form)
        _record_person_facts(person, form, photo)
        reg = register(session, person, employment, current_user, now,
                       health_commitment=bool(form.health_commitment.data),
                       override_reason=form.override_reason.data, photo_digest=photo)
    except RegistrationRefused as refused:
        return _refuse(session, form, refused)
    except PhotoRefused as refused_photo:
        db.session.rollback()
        form.photo.errors.append(str(refused_photo.message))
        return _page(session, form, status=400)
    db.session.commit()
    flash(_("%(name)s is registered: ticket %(ticket)s.", name=person.name, ticket=reg.ticket_number),
          "success")
    return redirect(url_for("centres.registrations", session_id=session.id))


def _refuse(session: ExamSession, form: RegisterForm, refused: RegistrationRefused):
    """Undo everything, keep an audit line of the refusal, and show the reasons."""
    db.session.rollback()
    session = db.session.get(ExamSession, session.id)
    record_refusal(session, current_user, form.id_number.data, refused)
    db.session.commit()
    return _page(session, form, refused, status=422)


@bp.get("/registrations/<int:registration_id>")
@requires(REGISTER)
def registration(registration_id: int):
    """One registration: candidate, ticket, seat, every eligibility check with its rule version."""
    reg = registration_or_404(registration_id)
    return render_template("centres/registration/registration.html", reg=reg,
                           is_open=registration_open(reg.session, clock.now()),
                           withdraw_form=WithdrawForm())


@bp.post("/registrations/<int:registration_id>/withdraw")
@requires(REGISTER)
def withdraw_registration(registration_id: int):
    """Withdraw a registration while registration is open (gives the place back)."""
    reg = registration_or_404(registration_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; try again."), "error")
    else:
        try:
            withdraw(reg, current_user, clock.now(), form.reason.data or "")
        except RegistrationRefused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        except AlreadyChanged:
            db.session.rollback()
            flash(_("This registration was withdrawn already."), "error")
        else:
            db.session.commit()
            flash(_("The registration is withdrawn."), "success")
    return redirect(url_for("centres.registrations", session_id=reg.session_id))
