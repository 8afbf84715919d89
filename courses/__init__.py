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
    from lms.signals import demo_loaded

    apply_defaults(app)
    perms.register()
    app.register_blueprint(bp)
    if app.config["COURSES_BEAT_GATEWAY"]:
        from courses.beat_gateway import install as install_beat_gateway

        install_beat_gateway(app, "courses.heartbeat_view")
    app.cli.add_command(courses_cli)
    register_helpers(app)
    _register_navigation(perms)
    demo_loaded.connect(add_demo_data)
    from courses.drills import init_app as init_drills
    init_drills(app)
    from courses import audit_text
    audit_text.register()
    app.extensions.setdefault("lms_modules", []).append(__name__)


def _register_navigation(perms) -> None:
    """Menu entries, dashboard tiles and the home page's line of the training domain."""
    from courses import home_tasks as tasks
    from lms.i18n import _l
    from lms.web.templating import add_home_feature, add_home_task, add_nav_item

    add_nav_item("training", "courses.my_training", _l("My training"), None, when=tasks.has_person)
    add_nav_item("training", "courses.catalogue", _l("Courses"), None)
    add_nav_item("training", "courses.progress_view", _l("Training progress"), perms.PROGRESS)
    add_nav_item("training", "courses.author_index", _l("Course authoring"), perms.AUTHOR)
    add_nav_item("training", "courses.cases", _l("Warning cases"), None)
    add_home_task(_l("Courses to finish"), "courses.my_training", tasks.courses_to_finish, None,
                  "training", when=tasks.has_person)
    add_home_task(_l("Overdue training requirements"), "courses.my_training", tasks.overdue_requirements,
                  None, "training", when=tasks.has_person)
    add_home_task(_l("Employees with overdue training"), "courses.progress_view", tasks.employees_behind,
                  perms.ASSIGN, "training")
    add_home_task(_l("Courses in draft"), "courses.author_index", tasks.draft_courses, perms.AUTHOR,
                  "training")
    add_home_feature("courses", _l("Courses and hours"),
                     _l("Statutory training hours for every post, counted from active study only."))
