"""Drill results from schools, experience halls and enterprises: the LMS side of simulations/."""

from flask import Flask

from courses.drills import models  # noqa: F401  (registers the table for Alembic)


def init_app(app: Flask) -> None:
    """Register the API and page blueprints, permissions, token scope, nav items and demo data."""
    from courses.drills import home_tasks, perms
    from courses.drills.api import bp as api_bp
    from courses.drills.demo import add_demo_results
    from courses.drills.labels import drill_label, local_time, percent
    from courses.drills.routes import bp
    from lms.api.tokens import register_scope
    from lms.extensions import csrf
    from lms.i18n import _l
    from lms.signals import demo_loaded
    from lms.web.templating import add_home_feature, add_home_task, add_nav_item

    perms.register()
    register_scope(perms.SCOPE, _l("Report drill results"))
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.jinja_env.globals.update(drill_label=drill_label, drill_time=local_time, drill_percent=percent)
    add_nav_item("training", "drills.results", _l("Drill results"), perms.VIEW)
    add_nav_item("training", "drills.region", _l("Drills in the region"), perms.OVERSEE)
    add_home_task(_l("Drill runs this year"), "drills.results", home_tasks.own_runs, perms.VIEW, "training")
    add_home_task(_l("Drill runs in your region this year"), "drills.region", home_tasks.region_runs,
                  perms.OVERSEE, "training")
    add_home_feature("drills", _l("Drills"), _l("Fire escape, fire extinguishing and confined-space entry "
                                                "simulations for schools and experience halls."))
    demo_loaded.connect(add_demo_results)
