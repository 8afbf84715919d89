"""Sentences for the question-bank, blueprint, paper and practice events on the audit page."""

from lms.audit_sentences import register_detail_words, register_group, register_sentences, register_target
from lms.i18n import _, _l


def _status_words(code: str) -> str:
    from exams.labels import STATUS_LABELS
    from exams.models import QuestionStatus

    return str(STATUS_LABELS.get(QuestionStatus(code), code)) if code in set(QuestionStatus) else code


def register() -> None:
    """Register this package's action codes, groups and linked objects."""
    from exams import permissions

    register_group("question_bank", _l("Question bank"))
    register_group("imports", _l("Imports and exports"))
    register_group("exams", _l("Papers and practice"))
    register_sentences("question_bank", {
        "exams.bank.created": _l("%(actor)s created the question bank %(target)s"),
        "exams.question.created": _l("%(actor)s added the question %(target)s"),
        "exams.question.edited": _l("%(actor)s edited the question %(target)s (version %(version)s)"),
        "exams.question.status": _l("%(actor)s marked %(question_ids)s question(s) of %(target)s as "
                                    "%(status)s"),
        "exams.knowledge_point.created": _l("%(actor)s added the knowledge point %(target)s"),
        "exams.blueprint.created": _l("%(actor)s created the blueprint %(target)s"),
        "exams.blueprint.updated": _l("%(actor)s changed the blueprint %(target)s (%(cells)s cells)"),
    })
    register_sentences("imports", {
        "exams.import.confirmed": _l("%(actor)s imported questions (%(added)s added, %(rejected)s rejected)"),
        "exams.import.cancelled": _l("%(actor)s cancelled a question import"),
        "exams.bank.exported": _l("%(actor)s exported %(count)s questions of %(target)s"),
    })
    register_sentences("exams", {
        "exams.papers.assembled": _l("%(actor)s assembled %(papers)s paper(s) from %(target)s"),
        "exams.mock.started": _l("%(actor)s started a mock exam"),
        "exams.mock.submitted": _l("%(actor)s handed in a mock exam (score %(score)s, passed: %(passed)s)"),
        "exams.lesson_quiz.attached": _l("%(actor)s attached a practice quiz of %(count)s questions "
                                         "to a lesson"),
        "exams.lesson_quiz.removed": _l("%(actor)s removed a practice quiz from a lesson"),
        "exams.lesson_quiz.finished": _l("%(actor)s finished a practice quiz (%(right)s of %(asked)s right)"),
    })
    register_target("QuestionBank", "exams.bank", "bank_id", permissions.BANK_EDIT, lambda b: b.name)
    register_target("Question", "exams.question", "question_id", permissions.BANK_EDIT,
                    lambda q: _("No. %(id)s", id=q.id))
    register_target("KnowledgePoint", "exams.knowledge_points", "kp", permissions.EXAM_BANK, lambda k: k.name)
    register_target("Blueprint", "exams.blueprint", "blueprint_id", permissions.BLUEPRINT, lambda b: b.name)
    register_target("QuestionImport", "exams.review", "import_id", permissions.BANK_EDIT,
                    lambda i: i.filename)
    register_detail_words("status", _status_words)
