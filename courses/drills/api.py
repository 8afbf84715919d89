"""POST /api/v1/drill-results: the drill program reports a finished run (contract in simulations/README)."""

from flask import Blueprint, g, jsonify, request
from sqlalchemy.exc import IntegrityError

from courses.drills import perms
from courses.drills.services import ReportRefused, find_result, record_result
from courses.drills.validation import (
    MAX_BODY_BYTES,
    PayloadError,
    PayloadTooLarge,
    parse_body,
    validate,
)
from lms.api.auth import api_error, token_required
from lms.extensions import db
from lms.models.base import utcnow

bp = Blueprint("drills_api", __name__, url_prefix="/api/v1")


@bp.post("/drill-results")
@token_required(perms.SCOPE)
def post_result():
    try:
        # Read at most one byte past the limit, so an oversized body is refused, not buffered.
        body = parse_body(request.stream.read(MAX_BODY_BYTES + 1))
    except PayloadTooLarge as exc:
        return api_error(413, "payload_too_large", str(exc))
    except PayloadError as exc:
        return api_error(400, "invalid_json", str(exc))
    try:
        payload = validate(body)
    except PayloadError as exc:
        return api_error(422, "invalid_payload", f"The body is not a valid DrillResult: {exc}",
                         problems=[{"field": f, "problem": p} for f, p in exc.problems])
    try:
        result, created = record_result(g.api_account, payload, now=utcnow())
        db.session.commit()
    except ReportRefused as exc:
        db.session.rollback()
        return api_error(exc.status, exc.code, exc.message)
    except IntegrityError:
        # Two deliveries of one run raced; the other one stored it.
        db.session.rollback()
        if find_result(payload["run_id"]) is None:
            raise
        return jsonify({"run_id": payload["run_id"], "status": "already_stored"}), 200
    if not created:
        return jsonify({"run_id": result.run_id, "status": "already_stored"}), 200
    return jsonify({"run_id": result.run_id, "id": result.id, "status": "created"}), 201
