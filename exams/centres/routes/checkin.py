"""Exam-day pages: check-in at the room door, incidents, and the exam-room record sign-off."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from exams.centres import checkin as svc
from exams.centres.access import session_or_404
from exams.centres.labels import ATTENDANCE_LABELS, INCIDENT_LABELS, SESSION_STATUS_LABELS
from exams.centres.models import IncidentKind, Registration
from exams.centres.routes import bp
from exams.forms import select_choices
from exams.permissions import CHECK_IN
from lms.audit_sentences import register_detail_words
from lms.auth.forms import EmptyForm
from lms.authz import requires
from lms.clock import now
from lms.extensions import db
from lms.i18n import _, _l
from lms.web.templating import local_time_text

REFUSAL_WORDS = {
    "not_accepting": _l("the session takes no check-ins now"),
    "other_session": _l("ticket of another session"),
    "unknown": _l("no such candidate in the session"),
    "withdrawn": _l("registration withdrawn"),
    "other_room": _l("seated in another room"),
    "changed": _l("changed meanwhile"),
    "already_present": _l("already checked in"),
    "already_signed": _l("room record already signed off"),
    "not_signable": _l("session not open yet"),
    "not_assigned": _l("not an invigilator of the room"),
}

AUDIT_SENTENCES = {
    "exams.checkin.present": _l("%(actor)s checked in the candidate with ticket %(ticket)s "
                                "(session %(session)s)"),
    "exams.checkin.absent": _l("%(actor)s marked the candidate with ticket %(ticket)s absent "
                               "(session %(session)s)"),
    "exams.checkin.refused": _l("%(actor)s was refused a check-in step in session %(session)s: "
                                "%(checkin_refusal)s (%(query)s)"),
    "exams.incident.recorded": _l("%(actor)s noted an incident (%(kind)s) in session %(session)s"),
    "exams.room_record.signed": _l("%(actor)s signed off the record of room %(room)s in session "
                                   "%(session)s (%(present)s of %(registered)s present)"),
}

register_detail_words("checkin_refusal", lambda code: REFUSAL_WORDS.get(code, code))


class DoubtForm(FlaskForm):
    """Why the candidate's identity is in doubt."""

    reason = TextAreaField(_l("Why the identity is in doubt"), validators=[DataRequired(), Length(max=2000)])


class IncidentForm(FlaskForm):
    """An incident for the whole room or for one candidate."""

    kind = SelectField(_l("Kind"), choices=select_choices((k.value, v) for k, v in INCIDENT_LABELS.items()))
    registration = SelectField(_l("Candidate"), coerce=int, choices=[])
    note = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=4000)])


class SignOffForm(FlaskForm):
    """Remarks written into the room record."""

    remarks = TextAreaField(_l("Remarks for the room record"), validators=[Optional(), Length(max=4000)])


def register_navigation() -> None:
    """The check-in menu entry and the dashboard tile of today's sessions."""
    from lms.web.templating import add_home_task, add_nav_item

    add_nav_item("exams", "centres.checkin_sessions", _l("Check-in"), CHECK_IN)
    add_home_task(_l("Sessions to check in today"), "centres.checkin_sessions",
                  lambda account: svc.todays_session_count(account, now()), CHECK_IN, "exams")


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of a page another module provides, or None while it does not exist (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _room(session):
    """The room picked by ?room= (or the form's room field), else the account's own; 404 if foreign."""
    room_id = request.values.get("room", type=int)
    room = svc.session_room_or_none(session, room_id)
    if room is False:
        abort(404)
    return room if room is not None else svc.default_room(session, current_user)


def _registration(session, registration_id: int) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.session_id != session.id:
        abort(404)
    return reg


def _back(session, room, **args):
    return redirect(url_for("centres.checkin", session_id=session.id, room=room.id if room else None,
                            **args))


@bp.get("/checkin")
@requires(CHECK_IN)
def checkin_sessions():
    """Today's and upcoming sessions of the invigilator's centre, assigned ones first."""
    return render_template("centres/checkin/sessions.html",
                           sessions=svc.checkin_sessions(current_user, now()),
                           status_labels=SESSION_STATUS_LABELS, local=_local)


_local = local_time_text


@bp.get("/sessions/<int:session_id>/checkin")
@requires(CHECK_IN)
def checkin(session_id: int):
    """The check-in page of one room: scan, the match, the roster, incidents and the room record."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    query = request.args.get("q", "").strip()[:64]
    match, refusal = None, None
    if query:
        try:
            match = svc.find_candidate(session, room, query, current_user)
        except svc.CheckinRefused as refused:
            refusal = refused.message
        db.session.commit()  # the refusal's audit event; a lookup changes nothing else
    rows = svc.roster(session, room)
    incident_form = IncidentForm()
    incident_form.registration.choices = select_choices([(0, _("The whole room"))] + [
        (r.id, f"{r.seat.label if r.seat else '—'} {r.person.name}") for r in rows])
    record = svc.room_record(session, room)
    return render_template(
        "centres/checkin/checkin.html", session=session, room=room, rooms=svc.session_rooms(session),
        query=query, shown_query=svc.shown_query(query) if query else "", match=match, refusal=refusal,
        closed_reason=svc.not_accepting_reason(session),
        rows=rows, counts=svc.counts(rows), incidents=svc.incidents(session, room),
        record=record, may_sign=svc.may_sign_off(current_user, session, room),
        signable=session.status in svc.SIGNABLE, button_form=EmptyForm(),
        doubt_form=DoubtForm(), incident_form=incident_form,
        sign_form=SignOffForm(), status_labels=SESSION_STATUS_LABELS,
        attendance_labels=ATTENDANCE_LABELS, incident_labels=INCIDENT_LABELS, local=_local, hm=svc.hm,
        photo_url=optional_url("centres.registration_photo", registration_id=match.id)
        if match and (match.photo_digest or match.person.photo_digest) else None,
        pdf_url=optional_url("centres.room_record_pdf", session_id=session.id, room_id=room.id)
        if record and room else None)


def _mark(session_id: int, registration_id: int, action) -> object:
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    reg = _registration(session, registration_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        changed = action(session, room, reg, current_user, now())
    except svc.CheckinRefused as refused:
        db.session.commit()  # keeps the refusal's audit event; nothing else changed
        flash(refused.message, "error")
        return _back(session, room)
    db.session.commit()
    return session, room, reg, changed


@bp.post("/sessions/<int:session_id>/checkin/<int:registration_id>/present")
@requires(CHECK_IN)
def checkin_present(session_id: int, registration_id: int):
    """Mark the candidate present (a second scan only says since when)."""
    outcome = _mark(session_id, registration_id, svc.mark_present)
    if not isinstance(outcome, tuple):
        return outcome
    session, room, reg, changed = outcome
    seat = reg.seat.label if reg.seat else "—"
    if changed:
        flash(_("%(name)s is checked in: seat %(seat)s.", name=reg.person.name, seat=seat), "success")
    else:
        flash(_("%(name)s was already checked in at %(time)s: seat %(seat)s.", name=reg.person.name,
                time=svc.hm(reg.checked_in_at), seat=seat), "info")
    return _back(session, room)


@bp.post("/sessions/<int:session_id>/checkin/<int:registration_id>/absent")
@requires(CHECK_IN)
def checkin_absent(session_id: int, registration_id: int):
    """Mark an expected candidate absent."""
    outcome = _mark(session_id, registration_id, svc.mark_absent)
    if not isinstance(outcome, tuple):
        return outcome
    session, room, reg, changed = outcome
    message = (_("%(name)s is marked absent.", name=reg.person.name) if changed
               else _("%(name)s was already marked absent.", name=reg.person.name))
    flash(message, "success" if changed else "info")
    return _back(session, room)


@bp.post("/sessions/<int:session_id>/checkin/<int:registration_id>/doubt")
@requires(CHECK_IN)
def checkin_doubt(session_id: int, registration_id: int):
    """Note an identity doubt; the candidate stays as they were (not checked in unless marked)."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    reg = _registration(session, registration_id)
    form = DoubtForm()
    if not form.validate_on_submit():
        flash(_("Write why the identity is in doubt."), "error")
        return _back(session, room, q=reg.ticket_number)
    try:
        svc.note_identity_doubt(session, room, reg, form.reason.data, current_user, now())
    except svc.CheckinRefused as refused:
        db.session.commit()
        flash(refused.message, "error")
        return _back(session, room)
    db.session.commit()
    flash(_("The identity doubt is noted. %(name)s is not checked in unless you mark them present.",
            name=reg.person.name), "success")
    return _back(session, room, q=reg.ticket_number)


@bp.post("/sessions/<int:session_id>/incidents")
@requires(CHECK_IN)
def incident_record(session_id: int):
    """Note an incident for the room or one of its candidates."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    form = IncidentForm()
    form.registration.choices = select_choices([(0, "")] + [(r.id, "") for r in svc.roster(session, room)])
    if not form.validate_on_submit():
        flash(_("Choose the kind and describe what happened."), "error")
        return _back(session, room)
    reg = _registration(session, form.registration.data) if form.registration.data else None
    svc.record_incident(session, room, reg, IncidentKind(form.kind.data), form.note.data, current_user,
                        now())
    db.session.commit()
    flash(_("The incident is noted."), "success")
    return _back(session, room)


@bp.post("/sessions/<int:session_id>/rooms/<int:room_id>/record")
@requires(CHECK_IN)
def room_record_sign(session_id: int, room_id: int):
    """Sign off the room's exam-room record once, freezing its counts."""
    session = session_or_404(session_id, CHECK_IN)
    room = svc.session_room_or_none(session, room_id)
    if not room:
        abort(404)
    form = SignOffForm()
    if not form.validate_on_submit():
        flash(_("The remarks are too long."), "error")
        return _back(session, room)
    try:
        svc.sign_off(session, room, form.remarks.data or "", current_user, now())
        db.session.commit()
    except svc.CheckinRefused as refused:
        db.session.commit()
        flash(refused.message, "error")
        return _back(session, room)
    except IntegrityError:
        # Signed by someone else in the same moment: report theirs.
        db.session.rollback()
        refused = svc.already_signed(session, svc.room_record(session, room), current_user)
        db.session.commit()
        flash(refused.message, "error")
        return _back(session, room)
    flash(_("The room record is signed off."), "success")
    return _back(session, room)
