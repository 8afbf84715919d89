"""Catalogue, course page, lesson page, lesson files and self-enrolment."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from courses import perms
from courses.access import authorable_clause, can_browse, catalogue_clause, own_enrollment
from courses.enrolment import EnrolmentRefused, lesson_plan, progress, self_enrol
from courses.ledger import seconds_by_lesson
from courses.markdown import render_markdown
from courses.models import Catalogue, Course, CourseStatus, Enrollment, Lesson, LessonAsset
from courses.routes import bp
from courses.signals import collect, lesson_panel_wanted
from lms.auth.forms import EmptyForm
from lms.authz import has_permission, signed_in
from lms.clock import now
from lms.extensions import db
from lms.i18n import _
from lms.storage import current_store


@bp.get("/")
@signed_in
def catalogue():
    chosen = request.args.get("catalogue", "")
    query = select(Course).where(catalogue_clause(current_user))
    if chosen in {c.value for c in Catalogue}:
        query = query.where(Course.catalogue == chosen)
    page = db.paginate(query.order_by(Course.catalogue, Course.title), per_page=30, error_out=False)
    mine = set()
    if current_user.person_id and page.items:
        mine = set(db.session.scalars(select(Enrollment.course_id).where(
            Enrollment.person_id == current_user.person_id,
            Enrollment.course_id.in_([c.id for c in page.items]))))
    return render_template("courses/catalogue.html", page=page, chosen=chosen,
                           catalogues=list(Catalogue), enrolled=mine)


def _may_author(course: Course) -> bool:
    return has_permission(current_user, perms.AUTHOR) and db.session.scalar(
        select(Course.id).where(Course.id == course.id,
                                authorable_clause(current_user, perms.AUTHOR))) is not None


@bp.get("/<int:course_id>")
@signed_in
def course(course_id: int):
    found = db.session.get(Course, course_id)
    enrollment = own_enrollment(current_user, course_id) if found else None
    if found is None or not (enrollment or can_browse(current_user, found) or _may_author(found)):
        abort(404)
    done = progress(current_user.person_id, found.id) if enrollment else None
    studied = seconds_by_lesson(current_user.person_id, found.id) if enrollment else {}
    return render_template("courses/course.html", course=found, enrollment=enrollment,
                           progress=done, studied=studied, form=EmptyForm(),
                           may_enrol=found.catalogue is Catalogue.PUBLIC
                           and current_user.person_id is not None)


@bp.post("/<int:course_id>/enrol")
@signed_in
def enrol(course_id: int):
    found = db.session.get(Course, course_id)
    if found is None or not can_browse(current_user, found) or not EmptyForm().validate_on_submit():
        abort(404)
    if current_user.person is None:
        abort(403)
    try:
        self_enrol(current_user, found, current_user.person, now())
    except EnrolmentRefused:
        db.session.rollback()
        flash(_("Only public courses are open to self-enrolment."), "error")
    else:
        db.session.commit()
        flash(_("You are enrolled. Start with the first lesson."), "success")
    return redirect(url_for("courses.course", course_id=found.id))


@bp.get("/lessons/<int:lesson_id>")
@signed_in
def lesson(lesson_id: int):
    found = db.session.get(Lesson, lesson_id)
    enrollment = own_enrollment(current_user, found.course_id) if found else None
    # An enrolment gives access while the course is published, whoever owns it.
    if found is None or enrollment is None or found.module.course.status is not CourseStatus.PUBLISHED:
        abort(404)
    course_obj = found.module.course
    studied = seconds_by_lesson(current_user.person_id, course_obj.id)
    return render_template(
        "courses/lesson.html", lesson=found, course=course_obj, enrollment=enrollment,
        body=render_markdown(found.body_md), studied=studied.get(found.id, 0),
        course_seconds=sum(studied.values()), plan=lesson_plan(course_obj.id),
        panels=collect(lesson_panel_wanted, found, viewer=current_user,
                       fresh=request.args.get("quiz") == "new"), preview=False,
        heartbeat_seconds=current_app.config["COURSES_HEARTBEAT_SECONDS"],
        idle_seconds=current_app.config["COURSES_IDLE_SECONDS"])


@bp.get("/files/<int:asset_id>")
@signed_in
def asset(asset_id: int):
    found = db.session.get(LessonAsset, asset_id)
    if found is None:
        abort(404)
    course_obj = found.lesson.module.course
    enrolled = own_enrollment(current_user, course_obj.id) is not None
    if not ((enrolled and course_obj.status is CourseStatus.PUBLISHED) or _may_author(course_obj)):
        abort(404)
    # Range requests get 206 (video seeking); kept private, since the file sits behind the check.
    return current_store().send(found.sha256, found.mime, download_name=found.filename)
