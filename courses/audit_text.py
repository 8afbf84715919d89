"""Sentences for the course, study-time and drill events on the audit page."""

from lms.audit_sentences import register_detail_words, register_group, register_sentences, register_target
from lms.i18n import _l

#: Why a study-time heartbeat was refused, in words (the codes come from courses.ledger).
REFUSAL_WORDS = {
    "overlapping_lessons": _l("another lesson was open at the same time"),
    "signed_out": _l("the learner had signed out"),
    "future_time": _l("the computer's clock was ahead"),
    "unknown_lesson": _l("the lesson does not exist"),
    "other_person": _l("the enrolment belongs to someone else"),
    "lesson_not_assigned": _l("the lesson is not part of the enrolment"),
    "bad_ticket": _l("the study ticket was not valid"),
    "expired_ticket": _l("the study ticket had expired"),
}


def register() -> None:
    """Register this package's action codes, groups and linked objects."""
    from courses import perms
    from courses.drills import perms as drill_perms
    from courses.drills.labels import drill_label

    register_group("courses", _l("Courses and training records"))
    register_group("drills", _l("Drills"))
    register_sentences("courses", {
        "courses.course_created": _l("%(actor)s created the course %(target)s"),
        "courses.course_published": _l("%(actor)s published the course %(target)s"),
        "courses.course_retired": _l("%(actor)s retired the course %(target)s"),
        "courses.lesson_updated": _l("%(actor)s edited the lesson %(target)s"),
        "courses.file_attached": _l("%(actor)s attached a file to a lesson"),
        "courses.assigned": _l("%(actor)s assigned %(course_ids)s course(s) to %(people)s people "
                               "(%(added)s new enrolments)"),
        "courses.self_enrolled": _l("%(actor)s enrolled in a course"),
        "courses.heartbeat_refused": _l("Study time was not credited: %(reason)s"),
        "courses.induction_recorded": _l("%(actor)s recorded induction training "
                                         "(%(class_hours)s class hours)"),
        "courses.induction_confirmed": _l("%(actor)s confirmed an induction training record"),
        "courses.absence_recorded": _l("%(actor)s recorded an absence from work"),
        "courses.external_training_recorded": _l("%(actor)s recorded training done elsewhere "
                                                 "(%(class_hours)s class hours)"),
    })
    register_sentences("drills", {
        "drill_result.recorded": _l("%(actor)s reported a run of the drill %(target)s (passed: %(passed)s)"),
    })
    register_target("Course", "courses.author_course", "course_id", perms.AUTHOR, lambda c: c.title)
    register_target("Lesson", "courses.author_lesson", "lesson_id", perms.AUTHOR, lambda lesson: lesson.title)
    register_target("DrillResult", "drills.run", "result_id", drill_perms.VIEW,
                    lambda run: drill_label(run.drill))
    register_detail_words("reason", lambda code: REFUSAL_WORDS.get(code, code))
    register_detail_words("drill", drill_label)
