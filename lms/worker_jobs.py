"""Jobs the background worker (``lms worker``) runs every round, registered by the packages.

The worker loop lives in the exams package; the core cannot import it and it should not import
every package that has background work. Instead each package adds its jobs to the app here in its
``init_app`` and the loop calls :func:`run_worker_jobs`. Several workers on several machines run
at once, so a job must claim its work in the database (a conditional UPDATE or a unique
constraint), never in memory.
"""

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

_EXTENSION = "lms.worker_jobs"

#: A job takes the current instant and returns how many things it did (for the worker's output).
WorkerJob = Callable[[datetime], int]


def add_worker_job(app: Flask, name: str, job: WorkerJob) -> None:
    """Run ``job`` in every worker round; adding a name again replaces its job."""
    app.extensions.setdefault(_EXTENSION, {})[name] = job


def worker_jobs(app: Flask | None = None) -> dict[str, WorkerJob]:
    """The registered jobs by name, in the order they were added."""
    return dict((app or current_app).extensions.get(_EXTENSION, {}))


def run_worker_jobs(now: datetime) -> dict[str, int]:
    """Run every registered job once; return what each did, by name.

    A job that fails is logged and counted as -1, so one broken job does not stop the others
    (nor the exam-day jobs of the same round).
    """
    from lms.extensions import db

    done = {}
    for name, job in worker_jobs().items():
        try:
            done[name] = job(now)
        except Exception:
            current_app.logger.exception("worker job %s failed", name)
            db.session.rollback()
            done[name] = -1
    return done
