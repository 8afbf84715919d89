"""Error pages in the user's language; JSON bodies for every error under /api/."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.api.auth import api_error
from lms.i18n import _

#: Stable codes of the API's error bodies, by HTTP status.
API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
             429: "too_many_requests", 500: "internal_error"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _api_code(status: int) -> str:
    return API_CODES.get(status, "bad_request" if status < 500 else "internal_error")


def _reply(status: int, title: str, message: str, code: str | None = None):
    if _wants_json():
        return api_error(status, code or _api_code(status), message)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install handlers for the errors a user can meet; under /api/ every error answers JSON."""

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
                        "and try again."), code="csrf_failed")

    @app.errorhandler(HTTPException)
    def other_http_error(e: HTTPException):
        # Pages keep Werkzeug's own answer; API clients get the JSON body they can parse.
        if not _wants_json():
            return e
        response, status = api_error(e.code, _api_code(e.code), e.description or e.name)
        for name, value in e.get_headers():  # Allow on a 405, Retry-After, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(InternalServerError)
    def server_error(e: InternalServerError):
        # Flask calls this for an exception no view caught, after logging it; the body says
        # nothing about the cause.
        if not _wants_json():
            return e
        return api_error(500, "internal_error", _("Something went wrong on the server. The request "
                                                  "was not completed; try again later."))
