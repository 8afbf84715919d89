"""The heartbeat endpoint of the study-time ledger (JSON, same-origin, CSRF token in a header)."""

from datetime import UTC, datetime, timedelta

from flask import current_app, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from courses.clock import local_tz
from courses.ledger import Beat, Policy, heartbeat
from courses.routes import bp
from lms.authz import signed_in
from lms.extensions import db
from lms.models.base import utcnow


def _policy() -> Policy:
    config = current_app.config
    return Policy(max_gap=timedelta(seconds=config["COURSES_MAX_GAP_SECONDS"]),
                  clock_skew=timedelta(seconds=config["COURSES_CLOCK_SKEW_SECONDS"]), tz=local_tz())


def _client_time(value) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return datetime.max.replace(tzinfo=UTC)
    return None


@bp.post("/study/heartbeat")
@signed_in
def heartbeat_view():
    if current_user.person_id is None:
        # Only a login linked to an employee has study time to record.
        return jsonify({"credited": 0, "refused": "no_person"}), 403
    data = request.get_json(silent=True)
    if data is None:
        data = request.form.to_dict()
    if not isinstance(data, dict):
        return jsonify({"credited": 0, "refused": "bad_request"}), 400
    try:
        beat = Beat(person_id=current_user.person_id, enrollment_id=int(data["enrollment"]),
                    lesson_id=int(data["lesson"]), now=utcnow(),
                    client_time=_client_time(data.get("client_time")), stop=bool(data.get("stop")))
    except (KeyError, TypeError, ValueError):
        return jsonify({"credited": 0, "refused": "bad_request"}), 400
    result = heartbeat(beat, _policy(), actor=current_user)
    try:
        db.session.commit()
    except IntegrityError:
        # Another worker opened a record for this person at the same instant; credit nothing.
        db.session.rollback()
        return jsonify({"credited": 0, "refused": None})
    status = 200 if result.refused is None else 403
    return jsonify({"credited": result.credited, "refused": result.refused}), status
