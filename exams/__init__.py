"""Exams package: unified question bank, imports and exports, blueprints, paper assembly, practice."""

from flask import Flask

from lms.i18n import _l


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands, permissions, scopes and signal receivers."""
    from courses.signals import archive_rows_wanted, lesson_panel_wanted
    from exams import (
        models,  # noqa: F401  (registers tables for Alembic)
        permissions,
    )
    from exams.api import SCOPE, api_bp
    from exams.cli import questions_group
    from exams.course_hooks import archive_rows, lesson_quiz_panel
    from exams.demo import add_demo_data, add_demo_quizzes
    from exams.routes import bp
    from lms.api.tokens import register_scope
    from lms.extensions import csrf
    from lms.signals import demo_finished, demo_loaded
    from lms.web.templating import NAV_ITEMS, add_nav_item

    permissions.register()
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.cli.add_command(questions_group)
    register_scope(SCOPE, _l("Read the question banks you may edit"))
    if not any(endpoint.startswith("exams.") for endpoint, _label, _perm in NAV_ITEMS):
        add_nav_item("exams.banks", _l("Question banks"), permissions.BANK_EDIT)
        add_nav_item("exams.blueprints", _l("Blueprints"), permissions.BLUEPRINT)
        add_nav_item("exams.practice_home", _l("Practice"), permissions.PRACTICE)
        add_nav_item("exams.lesson_quizzes", _l("Lesson quizzes"), permissions.LESSON_QUIZ)
    lesson_panel_wanted.connect(lesson_quiz_panel, weak=False)
    archive_rows_wanted.connect(archive_rows, weak=False)
    demo_loaded.connect(add_demo_data, weak=False)
    # Quizzes need the courses' lessons, whichever order demo_loaded receivers ran in.
    demo_finished.connect(add_demo_quizzes, weak=False)
    app.extensions.setdefault("lms_modules", []).append(__name__)
