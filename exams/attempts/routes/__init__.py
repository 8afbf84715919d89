"""Pages of the attempt: the candidate's exam page and its JSON endpoints, the invigilator console."""

from flask import Blueprint

bp = Blueprint("attempts", __name__, url_prefix="/exam", template_folder="../../templates")

from exams.attempts.routes import candidate, console, online, results  # noqa: E402,F401
