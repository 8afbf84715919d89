"""An enterprise admin records that someone left a post or went on leave and came back: the
employment's end date and on-the-job flag, which the certified-on-the-job figures count by."""

from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from lms.audit import record_event
from lms.authz import can_access_org, requires
from lms.clock import now, today
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Account, Employment
from lms.roles import Perm
from lms.signals import employment_ended
from lms.transitions import change_if
from lms.web import bp

#: How far ahead an end date may be recorded (a notice period), in days.
LATEST_END_AHEAD_DAYS = 366


class EndEmploymentForm(FlaskForm):
    """The last day in the post and why."""

    end_date = DateField(_l("Last day in the post"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class LeaveForm(FlaskForm):
    """Why the person is away from (or back on) the job."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class EmploymentRefused(ValueError):
    """The change cannot be made; the message says why."""


def end_employment(employment: Employment, actor: Account, last_day: date, reason: str, at: datetime,
                   on: date) -> None:
    """Set the last day of an open employment; the caller commits."""
    if last_day < employment.start_date:
        raise EmploymentRefused(_("The last day cannot be before the start date (%(start)s).",
                                  start=employment.start_date.isoformat()))
    if last_day > on + timedelta(days=LATEST_END_AHEAD_DAYS):
        raise EmploymentRefused(_("The last day can be at most a year ahead."))
    if not change_if(employment, Employment.end_date.is_(None), end_date=last_day):
        raise EmploymentRefused(_("This post has already ended."))
    db.session.flush()
    record_event("employment.ended", actor=actor, target=employment.person,
                 organization_id=employment.organization_id, employment_id=employment.id,
                 end_date=last_day.isoformat(), reason=reason)
    employment_ended.send(employment, actor=actor, now=at)


def set_on_the_job(employment: Employment, actor: Account, working: bool, reason: str, at: datetime) -> None:
    """Mark an open employment as on leave (or back on the job); the caller commits."""
    if not change_if(employment, Employment.end_date.is_(None),
                     Employment.is_on_the_job.is_(not working), is_on_the_job=working):
        raise EmploymentRefused(_("Nothing to change: the post has ended or is already in that state."))
    db.session.flush()
    record_event("employment.returned" if working else "employment.leave", actor=actor,
                 target=employment.person, organization_id=employment.organization_id,
                 employment_id=employment.id, reason=reason)
    if not working:
        employment_ended.send(employment, actor=actor, now=at)


def _employment_or_404(person_id: int, employment_id: int) -> Employment:
    employment = db.session.get(Employment, employment_id)
    if (employment is None or employment.person_id != person_id
            or not can_access_org(current_user, Perm.ROSTER_IMPORT, employment.organization)):
        abort(404)
    return employment


def _back(person_id: int):
    return redirect(url_for("web.person", person_id=person_id))


@bp.post("/people/<int:person_id>/employments/<int:employment_id>/end")
@requires(Perm.ROSTER_IMPORT)
def end_post(person_id: int, employment_id: int):
    employment = _employment_or_404(person_id, employment_id)
    form = EndEmploymentForm()
    if not form.validate_on_submit():
        flash(_("Give the last day and a reason."), "error")
        return _back(person_id)
    try:
        end_employment(employment, current_user, form.end_date.data, form.reason.data.strip(), now(), today())
    except EmploymentRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return _back(person_id)
    db.session.commit()
    flash(_("The post ends on %(day)s.", day=form.end_date.data.isoformat()), "success")
    return _back(person_id)


@bp.post("/people/<int:person_id>/employments/<int:employment_id>/leave")
@requires(Perm.ROSTER_IMPORT)
def leave_post(person_id: int, employment_id: int):
    return _set_working(person_id, employment_id, working=False)


@bp.post("/people/<int:person_id>/employments/<int:employment_id>/return")
@requires(Perm.ROSTER_IMPORT)
def return_to_post(person_id: int, employment_id: int):
    return _set_working(person_id, employment_id, working=True)


def _set_working(person_id: int, employment_id: int, *, working: bool):
    employment = _employment_or_404(person_id, employment_id)
    form = LeaveForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return _back(person_id)
    try:
        set_on_the_job(employment, current_user, working, form.reason.data.strip(), now())
    except EmploymentRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return _back(person_id)
    db.session.commit()
    flash(_("Back on the job.") if working else _("Recorded as away from the job."), "success")
    return _back(person_id)
