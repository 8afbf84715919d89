"""Extension points other packages (exams) use to add to lessons and to the training archive.

courses never imports exams; exams registers callables here at init time.
"""

from collections.abc import Callable

#: Callables ``panel(lesson, person) -> markupsafe.Markup | str | None`` rendered under a lesson.
LESSON_PANELS: list[Callable] = []
#: Callables ``rows(person) -> list[dict]`` with keys date, kind, title, result (archive PDF rows).
ARCHIVE_PROVIDERS: list[Callable] = []


def register_lesson_panel(panel: Callable) -> None:
    """Render ``panel(lesson, person)`` below each lesson (e.g. a practice quiz)."""
    if panel not in LESSON_PANELS:
        LESSON_PANELS.append(panel)


def register_archive_provider(provider: Callable) -> None:
    """Add ``provider(person)`` result rows (quizzes, exams) to the per-person archive."""
    if provider not in ARCHIVE_PROVIDERS:
        ARCHIVE_PROVIDERS.append(provider)


def lesson_panels(lesson, person) -> list:
    """Every registered panel's output for this lesson, skipping empty ones."""
    return [out for out in (panel(lesson, person) for panel in LESSON_PANELS) if out]


def archive_rows(person) -> list[dict]:
    """Result rows from every registered provider."""
    return [row for provider in ARCHIVE_PROVIDERS for row in provider(person)]
