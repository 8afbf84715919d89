"""The practical exam (实际操作考试): checklists as data, the examiner's score sheets, the sign-off
that writes the result and announces a two-part pass, and the hold on releasing results."""

from flask import Flask

from lms.i18n import _l


def init_app(app: Flask) -> None:
    """Register the examiner's pages, permissions, navigation, audit sentences and release check."""
    from exams.centres.sessions import RELEASE_BLOCKERS
    from exams.practical import (
        models,  # noqa: F401  (registers tables for Alembic)
        permissions,
    )
    from exams.practical.routes import bp, register_navigation
    from exams.practical.services import release_blocker
    from lms.audit_sentences import register_group, register_sentences

    permissions.register()
    app.register_blueprint(bp)
    if release_blocker not in RELEASE_BLOCKERS:
        RELEASE_BLOCKERS.append(release_blocker)
    register_navigation()
    register_group("practical", _l("Practical exams"))
    register_sentences("practical", AUDIT_SENTENCES)


AUDIT_SENTENCES = {
    "exams.practical.saved": _l("%(actor)s saved the practical score sheet of ticket %(ticket)s as a draft "
                                "(%(points)s points so far, %(scored)s of %(items)s items scored)"),
    "exams.practical.signed": _l("%(actor)s signed off the practical score sheet of ticket %(ticket)s: "
                                 "%(points)s points, passed: %(passed)s; note: %(note)s"),
    "exams.practical.refused": _l("%(actor)s was refused scoring ticket %(ticket)s in session %(session)s "
                                  "(%(practical_refusal)s)"),
}
