"""Error pages in the user's language; JSON bodies for the API."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from lms.i18n import _


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _reply(status: int, title: str, message: str):
    if _wants_json():
        return {"error": {"code": status, "message": message}}, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install handlers for the errors a user can meet."""

    @app.errorhandler(403)
    def forbidden(_e):
        return _reply(403, _("Not allowed"), _("Your role does not allow you to open this page."))

    @app.errorhandler(404)
    def not_found(_e):
        return _reply(404, _("Not found"), _("There is no such page, or it is outside your scope."))

    @app.errorhandler(413)
    def too_large(_e):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _reply(413, _("File too large"),
                      _("The upload is larger than %(mb)d MB and was not accepted. Nothing was "
                        "changed.", mb=limit_mb))

    @app.errorhandler(429)
    def too_many(_e):
        return _reply(429, _("Too many requests"),
                      _("Too many attempts in a short time. Wait a minute and try again."))

    @app.errorhandler(CSRFError)
    def csrf_failed(_e):
        return _reply(400, _("Form expired"),
                      _("The form was open too long or came from another site. Reload the page "
                        "and try again."))
