"""Drill results from schools, experience halls and enterprises: the LMS side of simulations/."""

from flask import Flask

from courses.drills import models  # noqa: F401  (registers the table for Alembic)


def init_app(app: Flask) -> None:
    """Register the API and page blueprints, permissions, token scope, nav items and demo data."""
    from courses.drills import perms
    from courses.drills.api import bp as api_bp
    from courses.drills.demo import add_demo_results
    from courses.drills.labels import drill_label, local_time, percent
    from courses.drills.routes import bp
    from lms.api.tokens import register_scope
    from lms.extensions import csrf
    from lms.i18n import _l
    from lms.signals import demo_loaded
    from lms.web.templating import NAV_ITEMS, add_nav_item

    perms.register()
    register_scope(perms.SCOPE, _l("Report drill results"))
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.jinja_env.globals.update(drill_label=drill_label, drill_time=local_time, drill_percent=percent)
    # The nav list is module-wide and apps are built more than once in one process.
    if not any(endpoint.startswith("drills.") for endpoint, _label, _perm in NAV_ITEMS):
        add_nav_item("drills.results", _l("Drill results"), perms.VIEW)
        add_nav_item("drills.region", _l("Drills in the region"), perms.OVERSEE)
    demo_loaded.connect(add_demo_results)
