"""Blueprint of the courses pages; each sub-module adds one group of routes."""

import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort
from werkzeug.security import safe_join

from lms.authz import public

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="../templates")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "courses"


@bp.get("/static/<path:filename>")
@public
def static_file(filename: str):
    # Read into memory: the files are small, and no file handle outlives the request.
    path = safe_join(str(STATIC_DIR), filename)
    if path is None or not Path(path).is_file():
        abort(404)
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = Response(Path(path).read_bytes(), mimetype=mime)
    response.cache_control.max_age = 3600
    return response


from courses.routes import admin, author, cases, learn, mine, study  # noqa: E402,F401
