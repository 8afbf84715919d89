"""``lms sessions close-due``: close registration of every session whose deadline has passed."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from exams.centres.freeze import CannotClose, close_registration
from exams.centres.models import ExamSession, SessionStatus
from lms import clock
from lms.extensions import db
from lms.transitions import AlreadyChanged


@click.group("sessions")
def sessions_group() -> None:
    """Exam sessions."""


def due_sessions(now) -> list[int]:
    """Published sessions whose registration deadline has passed, soonest exam first."""
    return list(db.session.scalars(
        select(ExamSession.id).where(ExamSession.status == SessionStatus.PUBLISHED,
                                     ExamSession.registration_closes_at <= now)
        .order_by(ExamSession.starts_at)))


def close_due(now) -> tuple[list[str], list[str]]:
    """Close each due session in its own transaction; (closed codes, "code: reason" refusals).

    Safe to run from several machines at once: the close is one conditional UPDATE, so a session
    another run closed first is skipped.
    """
    closed, refused = [], []
    for session_id in due_sessions(now):
        session = db.session.get(ExamSession, session_id)
        try:
            count = close_registration(session, None, now)
        except AlreadyChanged:
            db.session.rollback()
            continue
        except CannotClose as exc:
            db.session.rollback()
            refused.append(f"{session.code}: {exc}")
            continue
        db.session.commit()
        closed.append(f"{session.code} ({count})")
    return closed, refused


@sessions_group.command("close-due")
@with_appcontext
def close_due_command() -> None:
    """Close registration (draw seats, freeze papers) of sessions past their deadline; for cron."""
    closed, refused = close_due(clock.now())
    for line in closed:
        click.echo(f"closed {line}")
    for line in refused:
        click.echo(f"refused {line}", err=True)
    if refused:
        raise click.exceptions.Exit(1)
