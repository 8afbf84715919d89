"""Pages of the exams package: banks, imports, blueprints, papers, practice; plus the JSON API."""

import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort
from werkzeug.security import safe_join

from exams.labels import template_helpers
from lms.authz import public

STATIC = Path(__file__).resolve().parent.parent / "static" / "exams"

bp = Blueprint("exams", __name__, url_prefix="/exams", template_folder="../templates")
bp.context_processor(template_helpers)


@bp.get("/assets/<path:filename>")
@public
def asset(filename: str):
    """The package's CSS (a plain route so it carries an access rule like every other)."""
    path = safe_join(str(STATIC), filename)
    if path is None or not Path(path).is_file():
        abort(404)
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    # Read whole: the files are tiny, and no file handle outlives the request.
    return Response(Path(path).read_bytes(), mimetype=mimetype, headers={"Cache-Control": "max-age=3600"})


from exams.routes import banks, blueprints, imports, lesson_quizzes, practice  # noqa: E402,F401
