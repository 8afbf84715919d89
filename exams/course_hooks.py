"""What exams adds to courses through courses.signals: the lesson quiz panel and archive rows."""

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from courses.access import authorable_clause
from courses.models import Course
from exams.labels import template_helpers
from exams.models import AttemptKind, PracticeAttempt
from exams.permissions import LESSON_QUIZ
from exams.services.lesson_quiz import active_quiz, quiz_view
from lms.auth.forms import EmptyForm
from lms.authz import has_permission
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _
from lms.models import Account


def _may_edit(account: Account, course_id: int) -> bool:
    return has_permission(account, LESSON_QUIZ) and db.session.scalar(select(Course.id).where(
        Course.id == course_id, authorable_clause(account, LESSON_QUIZ))) is not None


def lesson_quiz_panel(lesson, *, viewer: Account, fresh: bool, **_kwargs) -> Markup | None:
    """The quiz under a lesson for ``viewer``, or None when the lesson has none."""
    quiz = active_quiz(lesson.id)
    if quiz is None:
        return None
    view = quiz_view(viewer, quiz, fresh=fresh)
    return Markup(render_template("exams/_lesson_quiz_panel.html", view=view, lesson=lesson,  # nosec B704  # output of an autoescaped Jinja .html template
                                  form=EmptyForm(), may_edit=_may_edit(viewer, lesson.course_id),
                                  **template_helpers()))


def _result(attempt: PracticeAttempt) -> str:
    if attempt.kind is AttemptKind.MOCK:
        score = _("%(score)s of %(total)s points", score=f"{attempt.score:g}",
                  total=f"{attempt.paper.total_points:g}")
    else:
        score = _("%(right)d of %(asked)d right", right=int(attempt.score), asked=len(attempt.answers))
    if attempt.passed is None:
        return score
    return f"{score} · {_('Passed') if attempt.passed else _('Not passed')}"


def _title(attempt: PracticeAttempt) -> str:
    if attempt.kind is AttemptKind.MOCK:
        return attempt.paper.blueprint.name
    lesson = attempt.lesson_quiz.lesson
    return f"{lesson.module.course.title} · {lesson.title}"


def archive_rows(person, **_kwargs) -> list[dict]:
    """Finished lesson-quiz rounds and mock exams of every account of the person, oldest first."""
    accounts = select(Account.id).where(Account.person_id == person.id)
    attempts = db.session.scalars(select(PracticeAttempt).where(
        PracticeAttempt.account_id.in_(accounts), PracticeAttempt.submitted_at.is_not(None),
        PracticeAttempt.kind.in_([AttemptKind.LESSON_QUIZ, AttemptKind.MOCK]))
        .order_by(PracticeAttempt.submitted_at, PracticeAttempt.id))
    tz = local_tz()
    kinds = {AttemptKind.LESSON_QUIZ: _("Lesson quiz"), AttemptKind.MOCK: _("Mock exam")}
    return [{"date": local_date(a.submitted_at, tz).isoformat(), "kind": kinds[a.kind],
             "title": _title(a), "result": _result(a)} for a in attempts]
