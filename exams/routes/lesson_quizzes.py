"""Lesson quizzes: trainers attach them to their organization's lessons; enrolled learners answer them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from courses.access import authorable_clause, authorable_course_or_404, own_enrollment
from courses.models import Course, CourseStatus, Lesson
from exams import access
from exams.forms import LessonQuizForm, select_choices
from exams.models import LessonQuiz, QuestionBank, QuestionVersion
from exams.permissions import LESSON_QUIZ
from exams.routes import bp
from exams.routes.common import kp_by_code, kp_choices
from exams.services.lesson_quiz import QuizRefused, answer_quiz, attach_quiz, detach_quiz
from lms.auth.forms import EmptyForm
from lms.authz import requires, signed_in
from lms.clock import now
from lms.extensions import db
from lms.i18n import _, _l


@bp.get("/lesson-quizzes")
@requires(LESSON_QUIZ)
def lesson_quizzes():
    courses = db.session.scalars(select(Course).where(authorable_clause(current_user, LESSON_QUIZ))
                                 .order_by(Course.title)).all()
    quizzes = {q.lesson_id: q for q in db.session.scalars(select(LessonQuiz).where(
        LessonQuiz.removed_at.is_(None), LessonQuiz.lesson_id.in_(
            [lesson.id for c in courses for lesson in c.lessons])))}
    return render_template("exams/lesson_quizzes.html", courses=courses, quizzes=quizzes)


def _authorable_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        abort(404)
    authorable_course_or_404(current_user, LESSON_QUIZ, lesson.course_id)
    return lesson


def _practice_banks() -> list[QuestionBank]:
    """Practice banks the author may draw on (exam banks never appear: 教考分离)."""
    return db.session.scalars(select(QuestionBank).where(
        access.practice_clause(current_user, LESSON_QUIZ)).order_by(QuestionBank.name)).all()


def _quiz_form(quiz: LessonQuiz | None) -> LessonQuizForm:
    form = LessonQuizForm()
    form.bank.choices = select_choices((b.id, b.name) for b in _practice_banks())
    form.knowledge_point.choices = select_choices(kp_choices(_l("The whole bank")))
    if quiz is not None and request.method == "GET":
        form.bank.data, form.question_count.data = quiz.bank_id, quiz.question_count
        form.knowledge_point.data = quiz.knowledge_point.code if quiz.knowledge_point else ""
        form.pass_percent.data = round(quiz.pass_share * 100) if quiz.pass_share else None
    return form


@bp.route("/lessons/<int:lesson_id>/quiz", methods=["GET", "POST"])
@requires(LESSON_QUIZ)
def lesson_quiz_edit(lesson_id: int):
    lesson = _authorable_lesson(lesson_id)
    quiz = db.session.scalar(select(LessonQuiz).where(LessonQuiz.lesson_id == lesson.id,
                                                      LessonQuiz.removed_at.is_(None)))
    form = _quiz_form(quiz)
    if form.validate_on_submit():
        bank = db.session.get(QuestionBank, form.bank.data)
        share = form.pass_percent.data / 100 if form.pass_percent.data else None
        try:
            attach_quiz(lesson, bank, kp_by_code(form.knowledge_point.data), form.question_count.data,
                        share, current_user, now())
        except QuizRefused:
            db.session.rollback()
            abort(404)
        db.session.commit()
        flash(_("The quiz is attached to the lesson."), "success")
        return redirect(url_for("exams.lesson_quizzes"))
    return render_template("exams/lesson_quiz_form.html", lesson=lesson, quiz=quiz, form=form,
                           remove_form=EmptyForm())


@bp.post("/lessons/<int:lesson_id>/quiz/remove")
@requires(LESSON_QUIZ)
def lesson_quiz_remove(lesson_id: int):
    lesson = _authorable_lesson(lesson_id)
    quiz = db.session.scalar(select(LessonQuiz).where(LessonQuiz.lesson_id == lesson.id,
                                                      LessonQuiz.removed_at.is_(None)))
    if quiz is None or not EmptyForm().validate_on_submit():
        abort(404)
    detach_quiz(quiz, current_user, now())
    db.session.commit()
    flash(_("The quiz was removed from the lesson."), "success")
    return redirect(url_for("exams.lesson_quizzes"))


def _may_take(quiz: LessonQuiz) -> bool:
    """Only a learner enrolled in the published course answers; anyone else finds nothing here."""
    return (quiz.removed_at is None and own_enrollment(current_user, quiz.lesson.course_id) is not None
            and quiz.lesson.module.course.status is CourseStatus.PUBLISHED)


@bp.post("/lesson-quizzes/<int:quiz_id>/answer")
@signed_in
def lesson_quiz_answer(quiz_id: int):
    quiz = db.session.get(LessonQuiz, quiz_id)
    if quiz is None or not _may_take(quiz) or not EmptyForm().validate_on_submit():
        abort(404)
    version = db.session.get(QuestionVersion, request.form.get("version", type=int) or 0)
    chosen = sorted({int(c) for c in request.form.getlist("choice") if c.isdigit()})
    try:
        if version is None:
            raise QuizRefused("no such question")
        answer_quiz(current_user, quiz, version, chosen, now())
    except QuizRefused:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return redirect(url_for("courses.lesson", lesson_id=quiz.lesson_id, _anchor="lesson-quiz"))
