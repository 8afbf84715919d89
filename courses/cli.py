"""``lms courses ...`` commands."""

import click
from flask.cli import AppGroup

from lms.extensions import db

courses_cli = AppGroup("courses", help="Courses and the study-time ledger.")


@courses_cli.command("close-stale")
def close_stale_command() -> None:
    """Close open study records whose last heartbeat is older than the allowed gap."""
    from datetime import timedelta

    from flask import current_app
    from sqlalchemy import update

    from courses.models import StudyRecord
    from lms.clock import now

    limit = now() - timedelta(seconds=current_app.config["COURSES_MAX_GAP_SECONDS"])
    closed = db.session.execute(update(StudyRecord).where(
        StudyRecord.open_person_id.is_not(None), StudyRecord.ended_at < limit)
        .values(open_person_id=None)).rowcount
    db.session.commit()
    click.echo(f"Closed {closed} stale study records.")
