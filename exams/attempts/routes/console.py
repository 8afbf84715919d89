"""The invigilator's live console: the room's candidates and their attempts, refreshed in place, and
the invigilator's actions on one candidate (extra time, pause and resume, a move to another seat,
termination for misconduct, an incident).

Every action form carries the state the invigilator saw (``seen``: status, deadline, move flag).
The view first holds the attempt's row with a conditional UPDATE on exactly that state, so a double
click, or a colleague acting on the same candidate meanwhile, changes nothing a second time: the
later request finds the state moved and is told so.
"""

from datetime import datetime, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Integer, String, case, cast, func, select
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from exams.attempts import services as svc
from exams.attempts.models import AttemptEvent, AttemptStatus, ExamAnswer, ExamAttempt
from exams.attempts.routes import bp
from exams.centres import checkin
from exams.centres.access import session_or_404, sessions_clause
from exams.centres.labels import INCIDENT_LABELS, SESSION_STATUS_LABELS
from exams.centres.models import Attendance, ExamSession, IncidentKind, Registration, SessionStatus
from exams.forms import select_choices
from exams.models import PaperItem
from exams.permissions import CHECK_IN
from lms.authz import requires
from lms.clock import local_midnight, local_tz, now
from lms.extensions import db
from lms.i18n import _, _l, ngettext
from lms.transitions import AlreadyChanged, change_or_raise
from lms.web.templating import local_time_text

#: Most minutes one extension gives: a guard against typing slips in the form, not a rule of the
#: regulations (those say nothing about extra time; each extension is audited with its reason).
MAX_EXTRA_MINUTES = 60

#: Roster states, in the order the counts are shown.
STATE_LABELS = {
    "not_checked_in": _l("Not checked in"),
    "absent": _l("Absent"),
    "checked_in": _l("Checked in, not started"),
    "in_progress": _l("In progress"),
    "paused": _l("Paused"),
    "submitted": _l("Handed in"),
    "terminated": _l("Ended by the invigilator"),
}

#: Events the candidate's page (or the seat sign-in) reports, shown as the row's last page event.
PAGE_EVENTS = {
    "focus_lost": _l("Focus lost at %(time)s"),
    "reconnected": _l("Reconnected at %(time)s"),
    "seat_moved": _l("Moved to another seat at %(time)s"),
}

SUBMITTED_BY = {
    "candidate": _l("by the candidate"),
    "deadline": _l("at the deadline"),
    "invigilator": _l("by the invigilator"),
}

#: Actions the console offers, by the attempt states they apply to.
_LIVE = (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)

AUDIT_SENTENCES = {
    "exams.seat.moved": _l("The candidate with ticket %(ticket)s moved to another exam seat with the "
                           "invigilator's approval (session %(session)s)"),
}


def register_navigation() -> None:
    """The console's menu entry."""
    from lms.web.templating import add_nav_item

    add_nav_item("exams", "attempts.console_sessions", _l("Exam console"), CHECK_IN)


# --- forms ------------------------------------------------------------------------------------

class SeenForm(FlaskForm):
    """A button acting on the state the invigilator saw."""

    seen = HiddenField(validators=[DataRequired()])


class ExtendForm(SeenForm):
    """Extra time with its reason."""

    minutes = IntegerField(_l("Extra minutes"), validators=[InputRequired(),
                                                           NumberRange(1, MAX_EXTRA_MINUTES)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class PauseForm(SeenForm):
    """Why the clock stops."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class TerminateForm(SeenForm):
    """Termination for misconduct: a reason and an explicit confirmation."""

    reason = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=2000)])
    confirm = BooleanField(_l("I confirm that I end this exam for misconduct; the score of this "
                              "session is cancelled."), validators=[DataRequired()])


class IncidentForm(FlaskForm):
    """An incident noted for one candidate from the console."""

    kind = SelectField(_l("Kind"), choices=select_choices((k.value, v) for k, v in INCIDENT_LABELS.items()))
    note = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=4000)])


# --- the roster -------------------------------------------------------------------------------

def stamp(attempt: ExamAttempt) -> str:
    """The attempt's state as an action form carries it: status, deadline and move flag."""
    return f"{attempt.status.value}|{attempt.deadline_at.isoformat()}|{int(bool(attempt.move_allowed))}"


def _clock(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _answered(attempt_ids: list[int]) -> dict[int, int]:
    """Answered items per attempt, one GROUP BY (an answer cleared back to nothing does not count)."""
    if not attempt_ids:
        return {}
    rows = db.session.execute(select(ExamAnswer.attempt_id, func.count(ExamAnswer.id))
                              .where(ExamAnswer.attempt_id.in_(attempt_ids),
                                     cast(ExamAnswer.choice, String) != "[]")
                              .group_by(ExamAnswer.attempt_id))
    return dict(rows.all())


def _totals(paper_ids: set[int]) -> dict[int, int]:
    """Items per paper, one GROUP BY."""
    if not paper_ids:
        return {}
    rows = db.session.execute(select(PaperItem.paper_id, func.count(PaperItem.id))
                              .where(PaperItem.paper_id.in_(paper_ids)).group_by(PaperItem.paper_id))
    return dict(rows.all())


def _page_events(attempt_ids: list[int]) -> dict[int, tuple[AttemptEvent, int]]:
    """Each attempt's latest page event and its number of focus losses, in one query."""
    if not attempt_ids:
        return {}
    per_attempt = (select(AttemptEvent.attempt_id, func.max(AttemptEvent.id).label("last_id"),
                          func.sum(case((AttemptEvent.kind == "focus_lost", 1), else_=0),
                                   type_=Integer).label("losses"))
                   .where(AttemptEvent.attempt_id.in_(attempt_ids), AttemptEvent.kind.in_(PAGE_EVENTS))
                   .group_by(AttemptEvent.attempt_id).subquery())
    rows = db.session.execute(select(AttemptEvent, per_attempt.c.losses)
                              .join(per_attempt, AttemptEvent.id == per_attempt.c.last_id))
    return {event.attempt_id: (event, losses or 0) for event, losses in rows.all()}


def _state(reg: Registration, attempt: ExamAttempt | None) -> str:
    if attempt is not None:
        return attempt.status.value
    if reg.attendance is Attendance.PRESENT:
        return "checked_in"
    return "absent" if reg.attendance is Attendance.ABSENT else "not_checked_in"


def _actions(attempt: ExamAttempt | None, left: int) -> list[str]:
    """The actions that apply to the attempt now (the incident form always does)."""
    found = ["incident"]
    if attempt is None or attempt.status not in _LIVE:
        return found
    paused = attempt.status is AttemptStatus.PAUSED
    if paused or left > 0:
        found += ["extend", "resume" if paused else "pause"]
    if not attempt.move_allowed:
        found.append("move")
    return found + ["terminate"]


def _state_text(state: str, attempt: ExamAttempt | None, answered: int, total: int, left: int) -> str:
    label = str(STATE_LABELS[state])
    if attempt is None:
        return label
    if state in ("in_progress", "paused"):
        detail = _("%(answered)s of %(total)s answered, %(left)s left", answered=answered, total=total,
                   left=_clock(left))
        return f"{label} · {detail}"
    if state == "submitted":
        by = SUBMITTED_BY.get(attempt.submitted_by or "", "")
        return f"{label} · {checkin.hm(attempt.submitted_at)} {by}".rstrip()
    return f"{label} · {checkin.hm(attempt.submitted_at)}"


def _event_text(found: tuple[AttemptEvent, int] | None) -> str:
    if found is None:
        return ""
    event, losses = found
    text = str(PAGE_EVENTS[event.kind]) % {"time": checkin.hm(event.at)}
    if losses:
        text += " · " + ngettext("focus lost %(num)d time", "focus lost %(num)d times", losses)
    return text


def _extra_text(attempt: ExamAttempt | None) -> str:
    if attempt is None:
        return ""
    parts = []
    if attempt.extra_seconds:
        parts.append(_("+%(minutes)s min", minutes=attempt.extra_seconds // 60))
    if attempt.paused_seconds:
        parts.append(_("paused %(minutes)s min", minutes=attempt.paused_seconds // 60))
    if attempt.move_allowed:
        parts.append(_("may move to another seat"))
    return " · ".join(parts)


def roster_rows(session: ExamSession, room, when: datetime) -> list[dict]:
    """The room's candidates with their attempts, in a fixed number of queries."""
    regs = checkin.roster(session, room)
    attempts = {a.registration_id: a for a in db.session.scalars(
        select(ExamAttempt).where(ExamAttempt.registration_id.in_([r.id for r in regs])))} if regs else {}
    ids = [a.id for a in attempts.values()]
    answered, totals = _answered(ids), _totals({a.paper_id for a in attempts.values()})
    events = _page_events(ids)
    rows = []
    for reg in regs:
        attempt = attempts.get(reg.id)
        state = _state(reg, attempt)
        left = svc.seconds_left(attempt, when) if attempt is not None else 0
        done = answered.get(attempt.id, 0) if attempt else 0
        total = totals.get(attempt.paper_id, 0) if attempt else 0
        found = events.get(attempt.id) if attempt else None
        rows.append({
            "id": reg.id, "seat": reg.seat.label if reg.seat else "", "name": reg.person.name,
            "ticket": reg.ticket_number, "state": state,
            "state_text": _state_text(state, attempt, done, total, left),
            "answered": done, "total": total, "seconds_left": left if attempt else None,
            "submitted_at": checkin.hm(attempt.submitted_at) if attempt and attempt.submitted_at else None,
            "event": _event_text(found),
            "last_event": {"kind": found[0].kind, "at": checkin.hm(found[0].at)} if found else None,
            "focus_losses": found[1] if found else 0,
            "extra_minutes": (attempt.extra_seconds // 60) if attempt else 0,
            "extra": _extra_text(attempt), "move_allowed": bool(attempt and attempt.move_allowed),
            "stamp": stamp(attempt) if attempt else "", "actions": _actions(attempt, left),
        })
    return rows


def state_counts(rows: list[dict]) -> dict[str, int]:
    """Candidates per roster state, every state present."""
    tally = dict.fromkeys(STATE_LABELS, 0)
    for row in rows:
        tally[row["state"]] += 1
    return tally


def summary(counts: dict[str, int]) -> str:
    """One short line of the states that have candidates, read out when it changes."""
    parts = [f"{STATE_LABELS[state]}: {n}" for state, n in counts.items() if n]
    return "; ".join(parts) if parts else _("No candidates in this room.")


# --- pages ------------------------------------------------------------------------------------

def _room(session: ExamSession):
    """The room picked by ?room= (or the form's room field), else the account's own; 404 if foreign."""
    room = checkin.session_room_or_none(session, request.values.get("room", type=int))
    if room is False:
        abort(404)
    return room if room is not None else checkin.default_room(session, current_user)


def _registration(session: ExamSession, registration_id: int) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.session_id != session.id:
        abort(404)
    return reg


def _back(session: ExamSession, room, reg: Registration | None = None):
    return redirect(url_for("attempts.console", session_id=session.id, room=room.id if room else None,
                            _anchor=f"cand-{reg.id}" if reg else None))


_local = local_time_text


def todays_open_sessions(account, when: datetime) -> list[ExamSession]:
    """Today's open sessions the account may invigilate, by start."""
    tz = local_tz()
    day = when.astimezone(tz).date()
    return list(db.session.scalars(select(ExamSession).where(
        sessions_clause(account, CHECK_IN), ExamSession.status == SessionStatus.OPEN,
        ExamSession.starts_at >= local_midnight(day, tz),
        ExamSession.starts_at < local_midnight(day + timedelta(days=1), tz))
        .order_by(ExamSession.starts_at, ExamSession.code)))


@bp.get("/console")
@requires(CHECK_IN)
def console_sessions():
    """Today's open sessions of the invigilator's centre, with a console per room."""
    return render_template("attempts/console/sessions.html",
                           sessions=todays_open_sessions(current_user, now()), local=_local)


@bp.get("/console/<int:session_id>")
@requires(CHECK_IN)
def console(session_id: int):
    """The live roster of one room with the invigilator's actions per candidate."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    rows = roster_rows(session, room, now())
    counts = state_counts(rows)
    return render_template(
        "attempts/console/console.html", session=session, room=room, rooms=checkin.session_rooms(session),
        rows=rows, counts=counts, summary=summary(counts), state_labels=STATE_LABELS,
        status_labels=SESSION_STATUS_LABELS, local=_local, extend_form=ExtendForm(),
        pause_form=PauseForm(), terminate_form=TerminateForm(), incident_form=IncidentForm(),
        max_minutes=MAX_EXTRA_MINUTES, updated=_local(now(), "%H:%M:%S"))


@bp.get("/console/<int:session_id>/roster.json")
@requires(CHECK_IN)
def console_roster(session_id: int):
    """The room's roster as data for the console's refresh."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    when = now()
    rows = roster_rows(session, room, when)
    counts = state_counts(rows)
    response = jsonify(rows=rows, counts=counts, summary=summary(counts),
                       labels={k: str(v) for k, v in STATE_LABELS.items()},
                       updated=_local(when, "%H:%M:%S"))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- actions ----------------------------------------------------------------------------------

def _hold_seen(attempt: ExamAttempt, seen: str) -> None:
    """Lock the attempt's row while it is still in the state the form was shown in, else refuse."""
    try:
        status, deadline, moved = seen.split("|")
        conditions = [ExamAttempt.status == AttemptStatus(status),
                      ExamAttempt.deadline_at == datetime.fromisoformat(deadline),
                      ExamAttempt.move_allowed == (moved == "1")]
    except ValueError:
        raise AlreadyChanged("seen") from None
    change_or_raise(attempt, *conditions, move_allowed=ExamAttempt.move_allowed)


def _refusal(reg: Registration, attempt_id: int, when: datetime) -> str:
    """Why an action changed nothing, in the invigilator's words."""
    attempt = db.session.get(ExamAttempt, attempt_id)
    name = reg.person.name
    if attempt.status is AttemptStatus.SUBMITTED:
        return _("%(name)s handed in at %(time)s: the exam is over and nothing was changed.",
                 name=name, time=checkin.hm(attempt.submitted_at))
    if attempt.status is AttemptStatus.TERMINATED:
        return _("The exam of %(name)s was already ended at %(time)s: nothing was changed.",
                 name=name, time=checkin.hm(attempt.submitted_at))
    if attempt.status is AttemptStatus.IN_PROGRESS and attempt.deadline_at <= when:
        return _("The time of %(name)s ran out at %(time)s: the exam is being handed in and nothing "
                 "was changed.", name=name, time=checkin.hm(attempt.deadline_at))
    return _("The exam of %(name)s changed meanwhile (now: %(state)s): nothing was changed. Check the "
             "roster and try again.", name=name, state=STATE_LABELS[attempt.status.value])


def _act(session_id: int, registration_id: int, form: SeenForm, invalid: str, action, done):
    """Run one invigilator action on the candidate's attempt: validate, hold the seen state, change,
    commit; any refusal is flashed and changes nothing."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    reg = _registration(session, registration_id)
    if not form.validate_on_submit():
        flash(invalid, "error")
        return _back(session, room, reg)
    attempt = svc.attempt_of(reg.id)
    if attempt is None:
        flash(_("%(name)s has not started the exam: nothing was changed.", name=reg.person.name), "error")
        return _back(session, room, reg)
    when, attempt_id = now(), attempt.id
    try:
        _hold_seen(attempt, form.seen.data)
        action(attempt, when)
    except AlreadyChanged:
        db.session.rollback()
        flash(_refusal(reg, attempt_id, when), "error")
        return _back(session, room, reg)
    db.session.commit()
    flash(done(reg), "success")
    return _back(session, room, reg)


@bp.post("/console/<int:session_id>/<int:registration_id>/extend")
@requires(CHECK_IN)
def console_extend(session_id: int, registration_id: int):
    """Give the candidate extra time."""
    form = ExtendForm()
    return _act(session_id, registration_id, form,
                _("Give 1 to %(max)s extra minutes and write the reason: nothing was changed.",
                  max=MAX_EXTRA_MINUTES),
                lambda a, when: svc.extend(a, form.minutes.data, current_user, when,
                                           form.reason.data.strip()),
                lambda reg: _("%(name)s has %(minutes)s more minutes.", name=reg.person.name,
                              minutes=form.minutes.data))


@bp.post("/console/<int:session_id>/<int:registration_id>/pause")
@requires(CHECK_IN)
def console_pause(session_id: int, registration_id: int):
    """Stop the candidate's clock."""
    form = PauseForm()
    return _act(session_id, registration_id, form, _("Write why the exam is paused: nothing was changed."),
                lambda a, when: svc.pause(a, current_user, when, form.reason.data.strip()),
                lambda reg: _("The exam of %(name)s is paused; the clock has stopped.", name=reg.person.name))


@bp.post("/console/<int:session_id>/<int:registration_id>/resume")
@requires(CHECK_IN)
def console_resume(session_id: int, registration_id: int):
    """Restart the candidate's clock."""
    return _act(session_id, registration_id, SeenForm(), _("The form has expired: reload the page."),
                lambda a, when: svc.resume(a, current_user, when),
                lambda reg: _("The exam of %(name)s goes on.", name=reg.person.name))


@bp.post("/console/<int:session_id>/<int:registration_id>/move")
@requires(CHECK_IN)
def console_allow_move(session_id: int, registration_id: int):
    """Let the candidate sign in at another seat once."""
    return _act(session_id, registration_id, SeenForm(), _("The form has expired: reload the page."),
                lambda a, when: svc.allow_move(a, current_user, when),
                lambda reg: _("%(name)s may now sign in at another seat; the first seat is signed out "
                              "then.", name=reg.person.name))


@bp.post("/console/<int:session_id>/<int:registration_id>/terminate")
@requires(CHECK_IN)
def console_terminate(session_id: int, registration_id: int):
    """End the candidate's exam for misconduct (reason and confirmation required)."""
    form = TerminateForm()
    return _act(session_id, registration_id, form,
                _("Write what happened and tick the confirmation to end the exam: nothing was changed."),
                lambda a, when: svc.terminate(a, current_user, when, form.reason.data.strip()),
                lambda reg: _("The exam of %(name)s is ended for misconduct; the score of this session "
                              "is cancelled.", name=reg.person.name))


@bp.post("/console/<int:session_id>/<int:registration_id>/incident")
@requires(CHECK_IN)
def console_incident(session_id: int, registration_id: int):
    """Note an incident for the candidate (the same record as the check-in page's)."""
    session = session_or_404(session_id, CHECK_IN)
    room = _room(session)
    reg = _registration(session, registration_id)
    form = IncidentForm()
    if not form.validate_on_submit():
        flash(_("Choose the kind and describe what happened."), "error")
        return _back(session, room, reg)
    checkin.record_incident(session, room, reg, IncidentKind(form.kind.data), form.note.data, current_user,
                            now())
    db.session.commit()
    flash(_("The incident is noted for %(name)s.", name=reg.person.name), "success")
    return _back(session, room, reg)
