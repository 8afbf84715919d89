"""A learner's own training: assignments, progress, hours against each requirement, archive."""

import io
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from courses.archive import build_archive
from courses.enrolment import progress
from courses.induction import confirm_induction
from courses.models import Enrollment, InductionRecord
from courses.requirements import Calculator
from courses.routes import bp
from lms import clock
from lms.auth.forms import EmptyForm
from lms.authz import signed_in
from lms.clock import local_tz
from lms.extensions import db
from lms.i18n import _


def chosen_year(today: date) -> int:
    """The year asked for in ?year=, within a sensible range, else this year."""
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= today.year + 1 else today.year


def enrolment_rows(person_id: int) -> list[tuple]:
    """(enrolment, progress) for each of a person's courses."""
    enrollments = db.session.scalars(select(Enrollment).where(Enrollment.person_id == person_id)
                                     .order_by(Enrollment.due_date, Enrollment.id)).all()
    return [(e, progress(person_id, e.course_id)) for e in enrollments]


@bp.get("/mine")
@signed_in
def my_training():
    person = current_user.person
    today = clock.today()
    year = chosen_year(today)
    requirements = Calculator(local_tz()).for_person(person, year) if person else []
    inductions = db.session.scalars(select(InductionRecord).where(
        InductionRecord.person_id == person.id).order_by(InductionRecord.held_on)).all() \
        if person else []
    return render_template("courses/mine.html", person=person, year=year, today=today,
                           requirements=requirements, inductions=inductions,
                           rows=enrolment_rows(person.id) if person else [], form=EmptyForm())


@bp.post("/mine/induction/<int:record_id>/confirm")
@signed_in
def confirm_induction_view(record_id: int):
    record = db.session.get(InductionRecord, record_id)
    if (record is None or current_user.person_id != record.person_id
            or not EmptyForm().validate_on_submit()):
        abort(404)
    confirm_induction(current_user, record, clock.now())
    db.session.commit()
    flash(_("Induction record confirmed."), "success")
    return redirect(url_for("courses.my_training"))


@bp.get("/mine/archive.pdf")
@signed_in
def my_archive():
    if current_user.person is None:
        return redirect(url_for("courses.my_training"))
    pdf = build_archive(current_user.person, clock.today(), local_tz())
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name="training-archive.pdf")
