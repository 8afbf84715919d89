"""Enterprise assessments (企业考核) on the attempt engine: no centre, no invigilator."""

from flask import Flask

from lms.i18n import _l


def init_app(app: Flask) -> None:
    """Register the pages, the permission, the result writer and the audit sentences."""
    from exams.assessments import (
        models,  # noqa: F401  (registers tables for Alembic)
        permissions,
        routes,
        services,
    )
    from exams.assessments.demo import add_demo_assessment
    from exams.attempts.models import SittingKind
    from exams.attempts.services import ONLINE_AUDIT, RESULT_WRITERS
    from lms.audit_sentences import register_group, register_sentences
    from lms.signals import demo_finished

    permissions.register()
    app.register_blueprint(routes.bp)
    RESULT_WRITERS[SittingKind.ASSESSMENT] = services.write_result
    ONLINE_AUDIT[SittingKind.ASSESSMENT] = services.audit_names
    register_group("assessments", _l("Enterprise assessments"))
    register_sentences("assessments", routes.AUDIT_SENTENCES)
    routes.register_navigation()
    demo_finished.connect(add_demo_assessment, weak=False)
