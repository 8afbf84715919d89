"""The exam day up to the start: centres' rooms and seats, sessions, registration with eligibility,
admission tickets, check-in, candidate sign-in at the seat and the exam-room record."""

from flask import Flask

from lms.i18n import _l

#: Modules that contribute pages; each may define ``register_navigation()`` and ``AUDIT_SENTENCES``.
ROUTE_MODULES = ("sessions", "rooms", "staff", "registration", "tickets", "checkin", "seat", "bulk")


def init_app(app: Flask) -> None:
    """Register the exam-day blueprint, its navigation and its audit sentences."""
    import importlib

    from exams.centres import models  # noqa: F401  (registers tables for Alembic)
    from exams.centres.routes import bp
    from lms.audit_sentences import register_group, register_sentences

    app.register_blueprint(bp)
    from exams.centres.cli import sessions_group

    app.cli.add_command(sessions_group)
    from exams.centres.demo import add_demo_sessions
    from lms.signals import demo_finished

    demo_finished.connect(add_demo_sessions, weak=False)
    register_group("exam_day", _l("Exam sessions"))
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"exams.centres.routes.{name}")
        if hasattr(module, "register_navigation"):
            module.register_navigation()
        if hasattr(module, "AUDIT_SENTENCES"):
            register_sentences("exam_day", module.AUDIT_SENTENCES)
