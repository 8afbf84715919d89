"""Compliance: the certified-on-the-job rate of the three key posts (持证上岗率), the
training-and-assessment pass rate of high-risk enterprises (培训考核合格率) and training coverage,
kept current per enterprise and region, with gaps, monthly trends, exports and an API."""

from datetime import datetime

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tables, the session hooks that keep the figures, the worker job and commands."""
    from certificates.compliance import (  # noqa: F401  (modules register their views on bp)
        actions,
        api,
        demo,
        export_routes,
        models,
        routes,
    )
    from certificates.compliance.blueprint import bp
    from certificates.compliance.cli import compliance_group
    from certificates.compliance.tracking import install
    from lms.extensions import db
    from lms.worker_jobs import add_worker_job

    install(db.session)
    for module in (routes, actions, export_routes, api, demo):
        module.init_app(app)  # views on bp, navigation, dashboard panels, the API, demo data
    app.register_blueprint(bp)
    add_worker_job(app, "compliance", _worker_job)
    app.cli.add_command(compliance_group)


def _worker_job(now: datetime) -> int:
    """Apply the calendar's changes, work out one group's training, take the month's snapshot."""
    from certificates.compliance.snapshots import take_snapshot
    from certificates.compliance.summaries import catch_up, never_built, rebuild_all
    from certificates.compliance.training import refresh_training
    from lms.clock import local_date, local_tz
    from lms.extensions import db

    day = local_date(now, local_tz())
    if never_built():
        done = rebuild_all(day)
        db.session.commit()
        return done
    done = catch_up(day) + refresh_training(day)
    done += take_snapshot(day)
    db.session.commit()
    return done
