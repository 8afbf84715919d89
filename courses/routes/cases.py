"""Warning-education case library (事故警示教育): read by every signed-in user."""

from flask import abort, render_template, request
from sqlalchemy import select

from courses.models import WarningCase
from courses.routes import bp
from lms.authz import signed_in
from lms.extensions import db


@bp.get("/cases")
@signed_in
def cases():
    industry = request.args.get("industry", "")
    found = db.session.scalars(select(WarningCase).order_by(WarningCase.id)).all()
    if industry:
        found = [c for c in found if industry in (c.industries or [])]
    return render_template("courses/cases.html", cases=found, industry=industry)


@bp.get("/cases/<int:case_id>")
@signed_in
def case(case_id: int):
    found = db.session.get(WarningCase, case_id)
    if found is None:
        abort(404)
    return render_template("courses/case.html", case=found)
