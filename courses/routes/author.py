"""Trainers' pages: create courses, add modules, lessons and files, preview, publish, retire."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from courses import perms
from courses.access import authorable_clause, authorable_course_or_404
from courses.authoring import (
    AuthoringRefused,
    add_lesson,
    add_module,
    attach_file,
    create_course,
    publish,
    retire,
    update_lesson,
)
from courses.files import FileRefused
from courses.forms import CourseForm, FileForm, LessonForm, ModuleForm, NewLessonForm
from courses.labels import CATALOGUE_LABELS, LEVEL_LABELS, REFUSAL_LABELS, label
from courses.markdown import render_markdown
from courses.models import Catalogue, Course, InductionLevel, Lesson
from courses.routes import bp
from lms import catalog
from lms.auth.forms import EmptyForm
from lms.authz import org_scope_clause, requires
from lms.extensions import db
from lms.i18n import _
from lms.models import Organization
from lms.models.base import utcnow


def _fill_course_form(form: CourseForm) -> None:
    owners = db.session.scalars(select(Organization).where(
        org_scope_clause(current_user, perms.AUTHOR)).order_by(Organization.name)).all()
    form.owner.choices = [(o.id, o.name) for o in owners]
    form.catalogue.choices = [(c.value, label(CATALOGUE_LABELS, c)) for c in Catalogue]
    form.operation_category.choices = [("", "—")] + [
        (c["code"], catalog.label(c)) for c in catalog.operation_categories()]
    form.induction_level.choices = [("", "—")] + [(lv.value, label(LEVEL_LABELS, lv))
                                                  for lv in InductionLevel]


@bp.route("/author", methods=["GET", "POST"])
@requires(perms.AUTHOR)
def author_index():
    form = CourseForm()
    _fill_course_form(form)
    if form.validate_on_submit():
        owner = db.session.get(Organization, form.owner.data)
        course = create_course(current_user, owner, title=form.title.data.strip(),
                               summary=form.summary.data.strip(),
                               catalogue=Catalogue(form.catalogue.data),
                               operation_category=form.operation_category.data or None,
                               induction_level=form.induction_level.data or None)
        db.session.commit()
        flash(_("Draft course created. Add modules and lessons next."), "success")
        return redirect(url_for("courses.author_course", course_id=course.id))
    courses = db.session.scalars(select(Course).where(authorable_clause(current_user, perms.AUTHOR))
                                 .order_by(Course.status, Course.title)).all()
    return render_template("courses/author_index.html", form=form, courses=courses)


@bp.route("/author/<int:course_id>", methods=["GET", "POST"])
@requires(perms.AUTHOR)
def author_course(course_id: int):
    course = authorable_course_or_404(current_user, perms.AUTHOR, course_id)
    module_form, lesson_form = ModuleForm(prefix="m"), NewLessonForm(prefix="l")
    lesson_form.module.choices = [(m.id, m.title) for m in course.modules]
    if request.method == "POST" and "m-module_title" in request.form and module_form.validate():
        add_module(course, module_form.module_title.data.strip())
        db.session.commit()
        return redirect(url_for("courses.author_course", course_id=course.id))
    if request.method == "POST" and "l-title" in request.form and lesson_form.validate():
        module = next(m for m in course.modules if m.id == lesson_form.module.data)
        lesson = add_lesson(module, title=lesson_form.title.data.strip(),
                            body_md=lesson_form.body_md.data, minutes=lesson_form.minutes.data)
        db.session.commit()
        return redirect(url_for("courses.author_lesson", lesson_id=lesson.id))
    return render_template("courses/author_course.html", course=course, module_form=module_form,
                           lesson_form=lesson_form, action_form=EmptyForm())


def _authorable_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        abort(404)
    authorable_course_or_404(current_user, perms.AUTHOR, lesson.course_id)
    return lesson


@bp.route("/author/lessons/<int:lesson_id>", methods=["GET", "POST"])
@requires(perms.AUTHOR)
def author_lesson(lesson_id: int):
    lesson = _authorable_lesson(lesson_id)
    form, file_form = LessonForm(obj=lesson), FileForm()
    if request.method == "POST" and "file" in request.files:
        # Lesson videos are larger than the site-wide request limit.
        request.max_content_length = current_app.config["COURSES_UPLOAD_MAX_BYTES"] + 65536
        if file_form.validate():
            try:
                attach_file(current_user, lesson, file_form.file.data.stream,
                            file_form.file.data.filename, current_app.config["COURSES_UPLOAD_MAX_BYTES"])
            except FileRefused as exc:
                db.session.rollback()
                file_form.file.errors.append(label(REFUSAL_LABELS, exc.args[0]))
            else:
                db.session.commit()
                flash(_("File attached."), "success")
                return redirect(url_for("courses.author_lesson", lesson_id=lesson.id))
    elif form.validate_on_submit():
        update_lesson(current_user, lesson, title=form.title.data.strip(), body_md=form.body_md.data,
                      minutes=form.minutes.data)
        db.session.commit()
        flash(_("Lesson saved."), "success")
        return redirect(url_for("courses.author_lesson", lesson_id=lesson.id))
    return render_template("courses/author_lesson.html", lesson=lesson, form=form,
                           file_form=file_form)


@bp.get("/author/lessons/<int:lesson_id>/preview")
@requires(perms.AUTHOR)
def preview_lesson(lesson_id: int):
    lesson = _authorable_lesson(lesson_id)
    return render_template("courses/lesson.html", lesson=lesson, course=lesson.module.course,
                           enrollment=None, body=render_markdown(lesson.body_md), studied=0,
                           course_seconds=0, plan={}, panels=[], preview=True)


def _change_status(course_id: int, change, done: str):
    course = authorable_course_or_404(current_user, perms.AUTHOR, course_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        change(current_user, course, utcnow())
    except AuthoringRefused:
        db.session.rollback()
        flash(_("A course needs at least one lesson and must not be retired to be published."),
              "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("courses.author_course", course_id=course.id))


@bp.post("/author/<int:course_id>/publish")
@requires(perms.AUTHOR)
def publish_course(course_id: int):
    return _change_status(course_id, publish, _("Course published."))


@bp.post("/author/<int:course_id>/retire")
@requires(perms.AUTHOR)
def retire_course(course_id: int):
    return _change_status(course_id, retire, _("Course retired."))
