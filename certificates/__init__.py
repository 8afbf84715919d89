"""Certificates: issued on a pass, a PDF with an offline-verifiable QR, public verification, import
of existing certificates, the lifecycle (review, extension, replacement, suspension, revocation,
cancellation, expiry) and reminders."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's tables, pages, commands, worker job and signal receivers."""
    from certificates import (
        compliance,
        import_routes,
        models,  # noqa: F401  (registers tables for Alembic)
        permissions,
        reminders,
        routes,
        verify,
    )
    from certificates.cli import certificates_group
    from certificates.course_hooks import review_dates
    from certificates.demo import add_demo_certificates
    from certificates.issuance import on_exam_passed
    from courses.signals import review_dates_wanted
    from exams.attempts.signals import exam_passed
    from lms.audit_sentences import register_group, register_sentences
    from lms.i18n import _l
    from lms.signals import demo_finished

    permissions.register()
    app.register_blueprint(routes.bp)
    routes.register_navigation()
    register_group("certificates", _l("Certificates"))
    register_sentences("certificates", routes.AUDIT_SENTENCES)
    import_routes.init_app(app)  # existing certificates imported from Excel (and its table)
    verify.init_app(app)  # public verification pages, the JSON twin and their audit sentences
    reminders.init_app(app)
    compliance.init_app(app)  # figures kept current by session hooks, pages, exports, API
    app.cli.add_command(certificates_group)
    # Strong references: the app lives as long as the process, and so must the receivers.
    exam_passed.connect(on_exam_passed, weak=False)
    review_dates_wanted.connect(review_dates, weak=False)
    demo_finished.connect(add_demo_certificates, weak=False)
    app.extensions.setdefault("lms_modules", []).append(__name__)
