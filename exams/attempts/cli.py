"""``lms worker``: the process beside the web server that keeps the exam day's clock."""

import time

import click
from flask.cli import with_appcontext

from lms import clock
from lms.extensions import db
from lms.worker_jobs import run_worker_jobs


def run_once() -> dict:
    """One round: close registration of due sessions, hand in attempts past their deadline."""
    from exams.attempts.services import submit_due
    from exams.centres.cli import close_due

    now = clock.now()
    closed, refused = close_due(now)
    submitted = submit_due(now)
    # Jobs the packages registered (lms.worker_jobs): e-mails sent, certificate reminders, ...
    others = run_worker_jobs(now)
    db.session.remove()
    return {"closed": len(closed), "refused": len(refused), "submitted": submitted, **others}


@click.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Run one round and stop (for cron or tests).")
@with_appcontext
def worker_command(interval: float, once: bool) -> None:
    """Submit attempts at their deadline and close registration on time, even with every browser
    closed. Any number may run at once, on any number of machines: each job is claimed by one
    conditional UPDATE, so it happens once."""
    while True:
        done = run_once()
        if once or any(done.values()):
            others = "".join(f", {name.replace('_', ' ')} {count}" for name, count in done.items()
                             if name not in ("closed", "refused", "submitted"))
            click.echo(f"closed {done['closed']} session(s), refused {done['refused']}, "
                       f"submitted {done['submitted']} attempt(s){others}")
        if once:
            return
        time.sleep(interval)
