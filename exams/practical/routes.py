"""The practical examiner's pages: today's practical sessions, the room's roster of candidates with
their sheets, and the score sheet of one candidate (save a draft, sign off).

Examiners score where they are assigned (SessionStaff EXAMINER, to the room or to every room); the
centre's admins see the same pages read-only. Any refusal is flashed, written to the audit log and
changes nothing else.
"""

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Length

from exams.centres import checkin
from exams.centres.access import manages_session, session_or_404, sessions_clause
from exams.centres.labels import SESSION_STATUS_LABELS
from exams.centres.models import Attendance, ExamSession, Registration, SessionKind
from exams.permissions import CENTRE_MANAGE
from exams.practical import services as svc
from exams.practical.models import PracticalScore
from exams.practical.permissions import PRACTICAL_SCORE, PRACTICAL_VIEW
from lms.audit_sentences import register_detail_words
from lms.authz import has_permission, requires
from lms.clock import local_midnight, local_tz, now
from lms.extensions import db
from lms.i18n import _, _l, current_locale
from lms.transitions import AlreadyChanged
from lms.web.templating import local_time_text

bp = Blueprint("practical", __name__, url_prefix="/exam/practical", template_folder="templates")

#: Roster states of a candidate, in the order the counts are shown.
STATE_LABELS = {
    "not_checked_in": _l("Not checked in"),
    "absent": _l("Absent"),
    "to_score": _l("To score"),
    "draft": _l("Draft saved"),
    "signed": _l("Signed off"),
    "cancelled": _l("Score cancelled"),
}

REFUSAL_WORDS = {
    "not_practical": _l("not a practical session"),
    "not_scorable": _l("the session is not open for scoring"),
    "withdrawn": _l("registration withdrawn"),
    "cancelled": _l("score cancelled"),
    "absent": _l("candidate absent"),
    "not_checked_in": _l("candidate not checked in"),
    "other_room": _l("not the examiner of that room"),
    "no_checklist": _l("no checklist for the operation"),
    "signed": _l("sheet already signed"),
    "invalid": _l("entries not valid"),
}
register_detail_words("practical_refusal", lambda code: str(REFUSAL_WORDS.get(code, code)))


def register_navigation() -> None:
    """The examiner's menu entry."""
    from lms.web.templating import add_home_task, add_nav_item

    add_nav_item("exams", "practical.sessions", _l("Practical scoring"), PRACTICAL_VIEW)
    add_home_task(_l("Practical sessions to score today"), "practical.sessions",
                  lambda account: len(todays_sessions(account, now())) or None, PRACTICAL_VIEW, "exams")


class SheetForm(FlaskForm):
    """The sheet's note; the items' points are read from the posted ``item-<code>`` fields."""

    note = TextAreaField(_l("Note"), validators=[Length(max=svc.MAX_NOTE)])


# --- pages ------------------------------------------------------------------------------------

def todays_sessions(account, when: datetime) -> list[ExamSession]:
    """Today's practical sessions open for scoring that the account examines (or whose centre it runs)."""
    tz = local_tz()
    day = when.astimezone(tz).date()
    found = db.session.scalars(select(ExamSession).where(
        sessions_clause(account, PRACTICAL_VIEW), ExamSession.kind == SessionKind.PRACTICAL,
        ExamSession.status.in_(svc.SCORABLE), ExamSession.starts_at >= local_midnight(day, tz),
        ExamSession.starts_at < local_midnight(day + timedelta(days=1), tz))
        .order_by(ExamSession.starts_at, ExamSession.code))
    return [s for s in found if svc.examiner_rooms(account, s) or manages_session(account, s, CENTRE_MANAGE)]


def _practical_or_404(session_id: int) -> ExamSession:
    session = session_or_404(session_id, PRACTICAL_VIEW)
    if session.kind is not SessionKind.PRACTICAL:
        abort(404)
    return session


def _room(session: ExamSession):
    """The room picked by ?room=, else the examiner's own, else the first; 404 for a foreign id."""
    room = checkin.session_room_or_none(session, request.values.get("room", type=int))
    if room is False:
        abort(404)
    if room is not None:
        return room
    own = [r for r in svc.examiner_rooms(current_user, session) if r is not None]
    rooms = checkin.session_rooms(session)
    return next((r for r in rooms if r.id in own), rooms[0] if rooms else None)


def _state(reg: Registration, sheet: PracticalScore | None) -> str:
    if reg.score_cancelled:
        return "cancelled"
    if sheet is not None:
        return "signed" if sheet.is_signed else "draft"
    if reg.attendance is Attendance.PRESENT:
        return "to_score"
    return "absent" if reg.attendance is Attendance.ABSENT else "not_checked_in"


def roster_rows(session: ExamSession, room) -> list[dict]:
    """The room's candidates with their sheets, in two queries."""
    regs = checkin.roster(session, room)
    ids = [r.id for r in regs]
    sheets = {s.registration_id: s for s in db.session.scalars(
        select(PracticalScore).where(PracticalScore.registration_id.in_(ids)))} if ids else {}
    return [{"reg": reg, "sheet": sheets.get(reg.id), "state": _state(reg, sheets.get(reg.id))}
            for reg in regs]


@bp.get("/")
@requires(PRACTICAL_VIEW)
def sessions():
    """Today's practical sessions the examiner scores in, with a roster per room."""
    return render_template("practical/sessions.html", sessions=todays_sessions(current_user, now()),
                           local=local_time_text, examiner_rooms=svc.examiner_rooms)


@bp.get("/<int:session_id>")
@requires(PRACTICAL_VIEW)
def roster(session_id: int):
    """The candidates of one room and where their score sheets stand."""
    session = _practical_or_404(session_id)
    room = _room(session)
    rows = roster_rows(session, room)
    counts = dict.fromkeys(STATE_LABELS, 0)
    for row in rows:
        counts[row["state"]] += 1
    return render_template("practical/roster.html", session=session, room=room, rows=rows, counts=counts,
                           rooms=checkin.session_rooms(session), state_labels=STATE_LABELS,
                           status_labels=SESSION_STATUS_LABELS, local=local_time_text,
                           examines=svc.examines(current_user, session, room.id if room else None))


def _registration(session: ExamSession, registration_id: int) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.session_id != session.id:
        abort(404)
    return reg


def _render_sheet(session: ExamSession, reg: Registration, *, form: SheetForm | None = None,
                  values: dict | None = None, errors: dict | None = None, status: int = 200):
    sheet = svc.sheet_of(reg)
    checklist = svc.sheet_checklist(reg, sheet)
    scorer = current_user_may_score()
    # A centre admin reads the sheet; the reasons an examiner could not score it are not theirs.
    refused = svc.refusal(reg, current_user) if scorer else None
    if sheet is not None and sheet.is_signed:
        refused = None  # the signed sheet is shown as the result it is
    if form is None:
        form = SheetForm(note=sheet.note if sheet else "")
    if values is None:
        values = _values_of(checklist, sheet)
    editable = (scorer and refused is None and checklist is not None
                and (sheet is None or not sheet.is_signed))
    return render_template(
        "practical/sheet.html", session=session, reg=reg, sheet=sheet, checklist=checklist, form=form,
        values=values, errors=errors or {}, refused=refused, editable=editable,
        locale=current_locale(), pass_mark=svc.pass_mark(session), prefix=svc.FIELD_PREFIX,
        local=local_time_text, room=reg.seat.room if reg.seat else None), status


def current_user_may_score() -> bool:
    """The signed-in account holds the scoring permission (examiners; not centre admins)."""
    return has_permission(current_user, PRACTICAL_SCORE)


def _values_of(checklist, sheet: PracticalScore | None) -> dict[str, str]:
    """What each item's field shows: the saved points, "pass"/"fail" for critical items."""
    if checklist is None or sheet is None:
        return {}
    found = {}
    for item in checklist.items:
        if item.code not in sheet.item_scores:
            continue
        points = sheet.item_scores[item.code]
        if item.critical:
            found[item.code] = "pass" if points >= item.points else "fail"
        else:
            found[item.code] = f"{points:g}"
    return found


@bp.get("/<int:session_id>/<int:registration_id>")
@requires(PRACTICAL_VIEW)
def sheet(session_id: int, registration_id: int):
    """The score sheet of one candidate: editable by the room's examiner until signed."""
    session = _practical_or_404(session_id)
    return _render_sheet(session, _registration(session, registration_id))


def _act(session_id: int, registration_id: int, action, done):
    """Validate, run the service, commit; a refusal re-shows the sheet or flashes, changing nothing."""
    session = _practical_or_404(session_id)
    reg = _registration(session, registration_id)
    form = SheetForm()
    back = redirect(url_for("practical.sheet", session_id=session.id, registration_id=reg.id))
    if not form.validate_on_submit():
        flash(_("The form has expired or the note is too long: nothing was changed."), "error")
        return back
    posted = {k: v for k, v in request.form.items() if k.startswith(svc.FIELD_PREFIX)}
    try:
        action(reg, current_user, posted, form.note.data or "", now())
    except svc.PracticalRefused as refused:
        db.session.rollback()
        svc.record_refusal(reg, current_user, refused)
        db.session.commit()
        if refused.errors:
            values = {k[len(svc.FIELD_PREFIX):]: v for k, v in posted.items()}
            return _render_sheet(session, reg, form=form, values=values, errors=refused.errors, status=400)
        flash(refused.message, "error")
        return back
    except AlreadyChanged:
        db.session.rollback()
        found = svc.sheet_of(reg)
        if found is not None and found.is_signed:
            flash(svc.signed_refusal(found).message, "error")
        else:
            flash(_("The sheet of %(name)s changed meanwhile: nothing was changed. Check it and try again.",
                    name=reg.person.name), "error")
        return back
    db.session.commit()
    flash(done(reg), "success")
    return back


@bp.post("/<int:session_id>/<int:registration_id>/save")
@requires(PRACTICAL_SCORE)
def save(session_id: int, registration_id: int):
    """Keep the scores so far as a draft."""
    return _act(session_id, registration_id, svc.save_draft,
                lambda reg: _("The draft sheet of %(name)s is saved.", name=reg.person.name))


@bp.post("/<int:session_id>/<int:registration_id>/sign")
@requires(PRACTICAL_SCORE)
def sign(session_id: int, registration_id: int):
    """Sign the sheet off: the result is final and the sheet read-only."""
    return _act(session_id, registration_id, svc.sign_off,
                lambda reg: _("The sheet of %(name)s is signed off: %(points)s points, %(result)s.",
                              name=reg.person.name, points=f"{reg.score:g}",
                              result=_("passed") if reg.passed else _("failed")))
