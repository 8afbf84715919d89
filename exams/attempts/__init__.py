"""The invigilated attempt: the candidate's exam page with autosave, deadlines the server keeps,
the invigilator's live console, grading and results."""

from flask import Flask

from lms.i18n import _l

#: Modules that contribute pages; each may define ``register_navigation()`` and ``AUDIT_SENTENCES``.
ROUTE_MODULES = ("candidate", "online", "console", "results")


def init_app(app: Flask) -> None:
    """Register the attempt blueprint, its commands, navigation and audit sentences."""
    import importlib

    from exams.attempts import models  # noqa: F401  (registers tables for Alembic)
    from exams.attempts.cli import worker_command
    from exams.attempts.routes import bp
    from lms.audit_sentences import register_group, register_sentences

    app.register_blueprint(bp)
    from exams.attempts.results import release_blocker
    from exams.centres.sessions import RELEASE_BLOCKERS

    if release_blocker not in RELEASE_BLOCKERS:
        RELEASE_BLOCKERS.append(release_blocker)
    app.cli.add_command(worker_command)
    register_group("attempts", _l("Exam attempts"))
    register_sentences("attempts", AUDIT_SENTENCES)
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"exams.attempts.routes.{name}")
        if hasattr(module, "register_navigation"):
            module.register_navigation()
        if hasattr(module, "AUDIT_SENTENCES"):
            register_sentences("attempts", module.AUDIT_SENTENCES)
    _install_save_gateway(app)


def _install_save_gateway(app: Flask) -> None:
    """Answer the seat's ticket saves ahead of Flask (exams.attempts.save_gateway), as courses does."""
    from exams.attempts.save_gateway import DEFAULTS, install

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config["EXAMS_SAVE_GATEWAY"]:
        install(app, "attempts.save")


AUDIT_SENTENCES = {
    "exams.attempt.started": _l("The candidate with ticket %(ticket)s started the exam "
                                "(deadline %(deadline)s)"),
    "exams.attempt.submitted": _l("%(actor)s handed in the exam of ticket %(ticket)s (%(by)s; %(points)s "
                                  "points, passed: %(passed)s)"),
    "exams.attempt.extended": _l("%(actor)s gave ticket %(ticket)s %(minutes)s more minutes: %(reason)s"),
    "exams.attempt.paused": _l("%(actor)s paused the exam of ticket %(ticket)s: %(reason)s"),
    "exams.attempt.resumed": _l("%(actor)s resumed the exam of ticket %(ticket)s after %(seconds)s "
                                "seconds"),
    "exams.attempt.terminated": _l("%(actor)s ended the exam of ticket %(ticket)s for misconduct: "
                                   "%(reason)s"),
    "exams.attempt.move_allowed": _l("%(actor)s allowed ticket %(ticket)s to continue at another seat"),
}
