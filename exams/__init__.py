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

    permissions.register()
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.cli.add_command(questions_group)
    register_scope(SCOPE, _l("Read the question banks you may edit"))
    _register_navigation(permissions)
    lesson_panel_wanted.connect(lesson_quiz_panel, weak=False)
    archive_rows_wanted.connect(archive_rows, weak=False)
    demo_loaded.connect(add_demo_data, weak=False)
    # Quizzes need the courses' lessons, whichever order demo_loaded receivers ran in.
    demo_finished.connect(add_demo_quizzes, weak=False)
    from exams import audit_text, centres
    audit_text.register()
    centres.init_app(app)
    from exams import assessments, attempts

    attempts.init_app(app)
    from exams import practical

    practical.init_app(app)
    assessments.init_app(app)
    _run_mocks_on_the_engine()
    app.extensions.setdefault("lms_modules", []).append(__name__)


def _run_mocks_on_the_engine() -> None:
    """Mock exams are sat on the attempt engine; their result is marked in the practice area."""
    from exams.attempts.models import SittingKind
    from exams.attempts.services import ONLINE_AUDIT, RESULT_WRITERS
    from exams.services.practice import mock_audit_names, write_mock_result

    RESULT_WRITERS[SittingKind.MOCK] = write_mock_result
    ONLINE_AUDIT[SittingKind.MOCK] = mock_audit_names


def _register_navigation(permissions) -> None:
    """Menu entries, dashboard tiles and the home page's line of the question bank."""
    from exams import home_tasks as tasks
    from lms.web.templating import add_home_feature, add_home_task, add_nav_item

    add_nav_item("question_bank", "exams.banks", _l("Question banks"), permissions.BANK_EDIT)
    add_nav_item("question_bank", "exams.blueprints", _l("Blueprints"), permissions.BLUEPRINT)
    add_nav_item("question_bank", "exams.lesson_quizzes", _l("Lesson quizzes"), permissions.LESSON_QUIZ)
    # Learners practise as part of their training; the question bank itself is staff work.
    add_nav_item("training", "exams.practice_home", _l("Practice"), permissions.PRACTICE)
    add_home_task(_l("Draft questions in your banks"), "exams.banks", tasks.draft_questions,
                  permissions.BANK_EDIT, "question_bank", when=tasks.edits_exam_banks)
    add_home_task(_l("Question banks"), "exams.banks", tasks.banks, permissions.BANK_EDIT,
                  "question_bank", when=tasks.edits_practice_banks_only)
    add_home_feature("exams", _l("Question banks"),
                     _l("Exam banks kept apart from practice banks, papers assembled from blueprints, "
                        "practice and mock exams for learners."))
