"""Courses: catalogue, lessons, enrolment, the study-time ledger, statutory hours and case library."""

from flask import Flask

from courses import models  # noqa: F401  (registers the tables for Alembic)


def init_app(app: Flask) -> None:
    """Register the blueprint, permissions, nav items, template helpers and demo data."""
    from courses import perms
    from courses.cli import courses_cli
    from courses.config import apply_defaults
    from courses.demo import add_demo_data
    from courses.routes import bp
    from courses.templating import register_helpers
    from lms.i18n import _l
    from lms.signals import demo_loaded
    from lms.web.templating import NAV_ITEMS, add_nav_item

    apply_defaults(app)
    perms.register()
    app.register_blueprint(bp)
    if app.config["COURSES_BEAT_GATEWAY"]:
        from courses.beat_gateway import install as install_beat_gateway

        install_beat_gateway(app, "courses.heartbeat_view")
    app.cli.add_command(courses_cli)
    register_helpers(app)
    if not any(endpoint.startswith("courses.") for endpoint, _label, _perm in NAV_ITEMS):
        add_nav_item("courses.my_training", _l("My training"), None)
        add_nav_item("courses.catalogue", _l("Courses"), None)
        add_nav_item("courses.progress_view", _l("Training progress"), perms.PROGRESS)
        add_nav_item("courses.author_index", _l("Course authoring"), perms.AUTHOR)
        add_nav_item("courses.cases", _l("Warning cases"), None)
    demo_loaded.connect(add_demo_data)
    from courses.drills import init_app as init_drills
    init_drills(app)
    app.extensions.setdefault("lms_modules", []).append(__name__)
