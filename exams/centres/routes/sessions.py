"""Exam-day pages: exam sessions with their status buttons, and the blueprints a centre may schedule."""

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from exams.centres import sessions as services
from exams.centres.access import managed_centres, manages_session, session_or_404, sessions_clause
from exams.centres.forms_admin import SessionForm
from exams.centres.models import ExamSession, Room, SessionKind, SessionStatus, StaffDuty
from exams.centres.rooms import centre_rooms
from exams.centres.routes import bp
from exams.centres.routes.rooms import chosen_centre, room_kind_label
from exams.forms import select_choices
from exams.labels import KIND_LABELS as BLUEPRINT_KIND_LABELS
from exams.labels import TYPE_LABELS
from exams.models import Blueprint, QuestionBank
from exams.permissions import CENTRE_MANAGE
from exams.services.blueprints import RulesChanged
from lms import catalog
from lms.auth.forms import EmptyForm
from lms.authz import requires
from lms.clock import local_tz, now
from lms.extensions import db
from lms.i18n import _, _l
from lms.rule_labels import rule_label, version_label
from lms.transitions import commit_once
from lms.web.templating import local_time_text

AUDIT_SENTENCES = {
    "exams.session.created": _l("%(actor)s created the exam session %(target)s"),
    "exams.session.updated": _l("%(actor)s changed the exam session %(target)s"),
    "exams.session.published": _l("%(actor)s published the exam session %(target)s: registration is open"),
    "exams.session.registration_closed": _l("%(actor)s closed registration for the exam session %(target)s "
                                            "(%(candidates)s candidates, %(papers)s papers frozen)"),
    "exams.session.opened": _l("%(actor)s opened the exam session %(target)s"),
    "exams.session.closed": _l("%(actor)s closed the exam session %(target)s"),
    "exams.session.results_released": _l("%(actor)s released the results of the exam session %(target)s"),
    "exams.session.cancelled": _l("%(actor)s cancelled the exam session %(target)s"),
    "exams.session.code_regenerated": _l("%(actor)s made a new access code for the exam session %(target)s"),
}

#: What the session page says after each status button.
DONE = {
    "publish": _l("The session is published; registration is open."),
    "close-registration": _l("Registration is closed; seats are drawn and papers frozen."),
    "open": _l("The session is open."),
    "close": _l("The session is closed."),
    "release-results": _l("The results are released."),
    "cancel": _l("The session is cancelled."),
}
ALREADY = _l("This session was changed meanwhile (perhaps by a second click); here is where it stands.")
NONE_CHOICE = 0


def register_navigation() -> None:
    """Menu entries, the dashboard tile of upcoming sessions and the audit page's link to sessions."""
    from lms.audit_sentences import register_target
    from lms.web.templating import add_home_task, add_nav_item

    add_nav_item("exams", "centres.sessions", _l("Exam sessions"), CENTRE_MANAGE)
    add_nav_item("exams", "centres.schedulable_blueprints", _l("Blueprints to schedule"), CENTRE_MANAGE)
    add_home_task(_l("Upcoming exam sessions"), "centres.sessions", upcoming_sessions, CENTRE_MANAGE, "exams")
    register_target("ExamSession", "centres.session", "session_id", CENTRE_MANAGE, lambda s: s.code)


def upcoming_sessions(account) -> int:
    """Dashboard count: sessions of the account's centres still ahead or under way."""
    return services.upcoming_count(account, now())


def when(instant: datetime | None) -> str:
    """A UTC instant as local date and time, e.g. "2026-12-15 09:00"."""
    return local_time_text(instant) if instant else "—"


def page_link(endpoint: str, **values) -> str | None:
    """The URL of a page another part of the exam day provides, or None while it does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _helpers() -> dict:
    return {"kind_label": services.kind_label, "status_label": services.status_label, "when": when,
            "room_kind_label": room_kind_label, "page_link": page_link,
            "subtype_name": lambda code: f"{code} {catalog.label(catalog.operation_subtype(code))}"
            if code else "—"}


# Lists --------------------------------------------------------------------------------------------


@bp.get("/sessions")
@requires(CENTRE_MANAGE)
def sessions():
    """The centre's sessions by date: upcoming first, then past and cancelled ones."""
    centre = chosen_centre()
    centres = managed_centres(current_user)
    query = select(ExamSession).where(sessions_clause(current_user, CENTRE_MANAGE))
    if centre is not None:
        query = query.where(ExamSession.centre_id == centre.id)
    listed = list(db.session.scalars(query.order_by(ExamSession.starts_at, ExamSession.id)))
    moment = now()
    upcoming = [s for s in listed if s.status in services.UPCOMING and s.ends_at >= moment]
    past = [s for s in reversed(listed) if s not in upcoming]
    counts = services.active_counts([s.id for s in listed])
    return render_template("centres/sessions/list.html", centre=centre, centres=centres, upcoming=upcoming,
                           past=past, counts=counts, **_helpers())


@bp.get("/blueprints")
@requires(CENTRE_MANAGE)
def schedulable_blueprints():
    """Blueprints owned in the centre's province: what a session of the centre may examine."""
    centre = chosen_centre()
    listed = services.schedulable_blueprints(centre) if centre else []
    return render_template("centres/sessions/blueprints.html", centre=centre,
                           centres=managed_centres(current_user), blueprints=listed,
                           blueprint_kind_label=lambda k: str(BLUEPRINT_KIND_LABELS.get(k, k)), **_helpers())


@bp.get("/blueprints/<int:blueprint_id>")
@requires(CENTRE_MANAGE)
def schedulable_blueprint(blueprint_id: int):
    """One schedulable blueprint read-only: its settings and cells, never a question."""
    blueprint = db.session.get(Blueprint, blueprint_id)
    centre = next((c for c in managed_centres(current_user)
                   if blueprint is not None and services.schedulable(c, blueprint)), None)
    if centre is None:
        abort(404)
    return render_template("centres/sessions/blueprint.html", blueprint=blueprint, centre=centre,
                           blueprint_kind_label=lambda k: str(BLUEPRINT_KIND_LABELS.get(k, k)),
                           qtype_label=lambda t: str(TYPE_LABELS.get(t, t)), rule_label=rule_label,
                           version_label=version_label, **_helpers())


# Creating and editing ---------------------------------------------------------------------------


def _staff_rows(centre, session: ExamSession | None) -> list[dict]:
    """One select per eligible account and duty: not in the session, any room, or one room."""
    current = {(s.account_id, s.duty): (str(s.room_id) if s.room_id else "any")
               for s in (session.staff if session else [])}
    rows = []
    for duty, role in services.DUTY_ROLES.items():
        for account in services.staff_with_role(centre, role):
            name = f"staff-{duty.value}-{account.id}"
            value = (request.form.get(name, "") if request.method == "POST"
                     else current.get((account.id, duty), ""))
            rows.append({"duty": duty, "account": account, "name": name, "value": value})
    return rows


def _choices(form: SessionForm, centre) -> list[Room]:
    blueprints = services.schedulable_blueprints(centre)
    subtypes = [(s["code"], f"{s['code']} {catalog.label(s)}")
                for c in catalog.operation_categories() for s in c["subtypes"]]
    form.operation_subtype.choices = select_choices([("", "—")] + subtypes)
    form.blueprint.choices = select_choices([(NONE_CHOICE, "—")] + [(b.id, f"{b.name} ({b.code})")
                                                                    for b in blueprints])
    form.bank.choices = select_choices([(NONE_CHOICE, "—")] + [(b.id, f"{b.name} ({b.organization.name})")
                                                               for b in services.exam_banks_for(blueprints)])
    rooms = centre_rooms(centre)
    form.rooms.choices = select_choices(
        (r.id, _("%(code)s %(name)s, %(kind)s, %(n)d seats in use", code=r.code, name=r.name,
                 kind=room_kind_label(r.kind), n=r.capacity)) for r in rooms)
    return rooms


def _local_naive(instant: datetime) -> datetime:
    return instant.astimezone(local_tz()).replace(tzinfo=None)


def _fill_from(form: SessionForm, session: ExamSession) -> None:
    start = _local_naive(session.starts_at)
    form.kind.data, form.title.data = session.kind.value, session.title
    form.operation_subtype.data = session.operation_subtype or ""
    form.blueprint.data, form.bank.data = session.blueprint_id or NONE_CHOICE, session.bank_id or NONE_CHOICE
    form.day.data, form.start.data = start.date(), start.time()
    form.end.data = _local_naive(session.ends_at).time()
    form.registration_closes.data = _local_naive(session.registration_closes_at)
    form.rooms.data = [sr.room_id for sr in session.rooms]
    form.capacity.data = session.capacity


def _plan(form: SessionForm, rooms: list[Room], staff_rows: list[dict]) -> services.SessionPlan:
    """The posted form as a plan; the service decides whether it holds."""
    by_id = {r.id: r for r in rooms}
    chosen = [by_id[i] for i in form.rooms.data or [] if i in by_id]
    staff = []
    for row in staff_rows:
        if row["value"] == "any":
            staff.append((row["account"], row["duty"], None))
        elif row["value"].isdigit() and int(row["value"]) in by_id:
            staff.append((row["account"], row["duty"], by_id[int(row["value"])]))
    kind = SessionKind(form.kind.data)
    closes = form.registration_closes.data.replace(tzinfo=local_tz()).astimezone(UTC)
    return services.SessionPlan(
        kind=kind, title=form.title.data, operation_subtype=form.operation_subtype.data or None,
        blueprint=db.session.get(Blueprint, form.blueprint.data) if form.blueprint.data else None,
        bank=db.session.get(QuestionBank, form.bank.data) if form.bank.data else None,
        starts_at=services.local_instant(form.day.data, form.start.data),
        ends_at=services.local_instant(form.day.data, form.end.data), registration_closes_at=closes,
        rooms=chosen, capacity=form.capacity.data, staff=staff)


def _checked_plan(form: SessionForm, centre, rooms, staff_rows) -> tuple[services.SessionPlan | None, list]:
    """The plan when the form and the rules accept it; else None, with the problems put on the fields."""
    if not form.validate_on_submit():
        return None, []
    plan = _plan(form, rooms, staff_rows)
    problems = services.plan_problems(centre, plan, now())
    staff_errors = [problems.pop("staff")] if "staff" in problems else []
    for name, message in problems.items():
        getattr(form, name).errors = [*getattr(form, name).errors, str(message)]
    return (None if problems or staff_errors else plan), staff_errors


def _form_page(form, centre, rooms, staff_rows, staff_errors, session=None):
    return render_template("centres/sessions/form.html", form=form, centre=centre, session=session,
                           rooms=rooms, staff_rows=staff_rows, staff_errors=staff_errors,
                           centres=managed_centres(current_user), **_helpers())


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires(CENTRE_MANAGE)
def new_session():
    """A new draft session at the chosen centre."""
    centre = chosen_centre()
    if centre is None:
        abort(404)
    form = SessionForm()
    rooms = _choices(form, centre)
    if request.method == "GET":
        form.code_prefix.data = services.default_prefix(centre)
    staff_rows = _staff_rows(centre, None)
    plan, staff_errors = _checked_plan(form, centre, rooms, staff_rows)
    if plan is not None:
        try:
            created = services.create_session(centre, current_user, plan, now(),
                                              prefix=form.code_prefix.data or services.default_prefix(centre))
        except services.SessionRefused as exc:
            db.session.rollback()
            staff_errors = exc.reasons
        else:
            db.session.commit()
            flash(_("Session %(code)s created as a draft.", code=created.code), "success")
            return redirect(url_for("centres.session", session_id=created.id))
    return _form_page(form, centre, rooms, staff_rows, staff_errors)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires(CENTRE_MANAGE)
def edit_session(session_id: int):
    """Change a draft session."""
    session = session_or_404(session_id, CENTRE_MANAGE)
    if session.status is not SessionStatus.DRAFT:
        flash(_("A session can be changed only while it is a draft."), "error")
        return redirect(url_for("centres.session", session_id=session.id))
    form = SessionForm()
    rooms = _choices(form, session.centre)
    if request.method == "GET":
        _fill_from(form, session)
    staff_rows = _staff_rows(session.centre, session)
    plan, staff_errors = _checked_plan(form, session.centre, rooms, staff_rows)
    if plan is not None:
        done = _run(lambda: services.update_session(session, current_user, plan, now()),
                    _("Session saved."))
        if done or session.status is not SessionStatus.DRAFT:
            return redirect(url_for("centres.session", session_id=session.id))
    return _form_page(form, session.centre, rooms, staff_rows, staff_errors, session)


# The session page and its buttons ---------------------------------------------------------------


def _terms(session: ExamSession) -> tuple[dict | None, str | None]:
    try:
        return services.exam_terms(session), None
    except RulesChanged as exc:
        return None, str(exc.args[0])


@bp.get("/sessions/<int:session_id>")
@requires(CENTRE_MANAGE)
def session(session_id: int):
    """A session: details, rules on the exam day, rooms, staff, access code, counts and buttons."""
    session = session_or_404(session_id, CENTRE_MANAGE)
    terms, terms_problem = _terms(session)
    buttons = [(action, label) for action, (_fn, label, starts) in services.TRANSITIONS.items()
               if session.status in starts]
    problems = services.publish_problems(session, now()) if session.status is SessionStatus.DRAFT else []
    return render_template(
        "centres/sessions/session.html", session=session, terms=terms, terms_problem=terms_problem,
        buttons=buttons, problems=problems, counts=services.registration_counts(session),
        show_code=manages_session(current_user, session),
        code_changeable=session.status in services.BEFORE_OPENING, form=EmptyForm(),
        invigilators=[s for s in session.staff if s.duty is StaffDuty.INVIGILATOR],
        examiners=[s for s in session.staff if s.duty is StaffDuty.EXAMINER],
        rule_label=rule_label, version_label=version_label, **_helpers())


def _run(action, success) -> bool:
    """Commit a session change once; flash why it was refused, or that it was made meanwhile."""
    try:
        done, _result = commit_once(action, already=str(ALREADY))
    except services.SessionRefused as exc:
        db.session.rollback()
        for reason in exc.reasons:
            flash(reason, "error")
        return False
    if done:
        flash(str(success), "success")
    return done


@bp.post("/sessions/<int:session_id>/status/<action>")
@requires(CENTRE_MANAGE)
def session_transition(session_id: int, action: str):
    """Move the session one step along its status machine."""
    session = session_or_404(session_id, CENTRE_MANAGE)
    if action not in services.TRANSITIONS:
        abort(404)
    service = services.TRANSITIONS[action][0]
    _run(lambda: service(session, current_user, now()), DONE[action])
    return redirect(url_for("centres.session", session_id=session.id))


@bp.post("/sessions/<int:session_id>/access-code")
@requires(CENTRE_MANAGE)
def regenerate_access_code(session_id: int):
    """Replace the access code, until the session opens."""
    session = session_or_404(session_id, CENTRE_MANAGE)
    _run(lambda: services.regenerate_access_code(session, current_user, now()),
         _("A new access code was made; tell it to the rooms on the day."))
    return redirect(url_for("centres.session", session_id=session.id))
